"""Every statement the bot runs while working is one SQLAlchemy can cache: compiling SQL afresh for each
update is CPU that a busy web process does not have (an inbox INSERT with its VALUES built in once cost 8 %
of one under load, see bench/load.py --profile). Speed itself is measured in bench/, not here."""

from __future__ import annotations

from sqlalchemy import event

from bot.db import Transactions
from bot.db.models import OutboxMessage
from bot.delivery import claiming
from bot.delivery.messages import Text
from bot.delivery.outbox import Claim
from bot.inbox import store
from tests.flows import file_report


async def test_the_statements_of_a_report_and_of_the_inbox_are_cached(bot, citizen):
    uncached: list[str] = []

    def after_execute(_connection, _cursor, statement, _parameters, context, _many) -> None:
        if context is not None and context.cache_hit == context.dialect.NO_CACHE_KEY:
            uncached.append(statement)

    event.listen(bot.engine.sync_engine, "after_cursor_execute", after_execute)
    try:
        await file_report(citizen)
        updates = [await bot.emulator.user_sends_text(citizen.user_id, text) for text in ("/bantuan", "/laporanku")]
        async with bot.services.transactions.begin() as session:  # the receiver's store, when turns are slow
            await store.store(session, store.received(updates))
    finally:
        event.remove(bot.engine.sync_engine, "after_cursor_execute", after_execute)
    assert uncached == []


async def test_a_mark_as_sent_is_one_sql_however_many_messages_it_marks(engine):
    """On PostgreSQL the marked ids go as one array: one SQL for every batch, prepared once per connection (an
    expanding IN is a statement of each length). SQLite prepares in-process: the IN list is fine there."""
    said: list[str] = []

    def after_execute(_connection, _cursor, statement, *_rest) -> None:
        said.append(statement)

    rows = [OutboxMessage(id=index, chat_id=index, attempts=0, priority=0) for index in (1, 2, 3)]
    claims = [Claim.of(row, Text("x")) for row in rows]
    event.listen(engine.sync_engine, "after_cursor_execute", after_execute)
    try:
        for batch in (claims[:1], claims):
            async with Transactions(engine).one_statement() as connection:
                await claiming.mark_all_sent(connection, batch)
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", after_execute)
    marks = [statement for statement in said if statement.startswith("UPDATE outbox")]
    assert len(marks) == 2 and (marks[0] == marks[1]) == (engine.dialect.name == "postgresql"), marks

"""Every statement the bot runs while working is one SQLAlchemy can cache: compiling SQL afresh for each
update is CPU that a busy web process does not have (an inbox INSERT with its VALUES built in once cost 8 %
of one under load, see bench/load.py --profile). Speed itself is measured in bench/, not here."""

from __future__ import annotations

from sqlalchemy import event

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

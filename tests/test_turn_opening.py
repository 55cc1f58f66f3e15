"""How a turn opens: the chat locked across processes, the sender and the chat's conversation read in one
statement, whether the chat has unsent messages read by the inbox claim, and the conversation kept for
the rest of the turn without going stale."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event
from telegram import Chat
from telegram import User as TelegramUser

from bot.db import Transactions
from bot.db.models import User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.inbox import store as inbox
from bot.domain.conversation_state import FollowUp, Purpose
from bot.domain.flows import Flow
from bot.domain.steps import Step
from bot.services.chat_locks import lock_chat_and_read, open_chat
from bot.services.conversations import end_conversation, load_conversation, newcomer, start_conversation

CITIZEN = TelegramUser(71, "Warga", is_bot=False)
PRIVATE = Chat(71, Chat.PRIVATE)


class StatementCount:
    def __init__(self, engine) -> None:
        self.statements: list[str] = []
        self._engine = engine.sync_engine

    def __enter__(self) -> "StatementCount":
        event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *_args) -> None:
        self.statements.append(statement)


async def _with_user_and_draft(transactions: Transactions) -> None:
    async with transactions.begin() as session:
        session.add(User(id=CITIZEN.id, first_name=CITIZEN.first_name, reachable=True, lookups=0))
        await session.flush()
        await start_conversation(session, PRIVATE.id, CITIZEN.id)


async def test_one_statement_reads_the_sender_and_every_flow_of_the_chats_conversation(engine):
    transactions = Transactions(engine)
    await _with_user_and_draft(transactions)
    async with transactions.begin() as session:
        with StatementCount(engine) as count:
            user = await lock_chat_and_read(session, CITIZEN.id, PRIVATE.id, private=True)
            assert await load_conversation(session, PRIVATE.id, Flow.FOLLOW_UP) is None, "no follow-up waits"
            draft = await load_conversation(session, PRIVATE.id)
        assert user.id == CITIZEN.id and draft is not None and draft.flow == Flow.INTAKE
        assert len(count.statements) == 1, count.statements


async def test_a_citizens_turn_claims_its_update_in_the_same_statement_on_postgresql(engine):
    transactions = Transactions(engine)
    await _with_user_and_draft(transactions)
    async with transactions.begin() as session:
        with StatementCount(engine) as count:
            user, claimed, _new = await open_chat(session, CITIZEN.id, PRIVATE.id, True, update_id=1)
            draft = await load_conversation(session, PRIVATE.id)
            assert await outbox.has_unsent(session, PRIVATE.id) is False, "the claim read it"
        assert user.id == CITIZEN.id and claimed == inbox.CLAIMED and draft.flow == Flow.INTAKE
        assert len(count.statements) == (1 if engine.dialect.name == "postgresql" else 2), count.statements
    async with transactions.begin() as session:
        assert (await open_chat(session, CITIZEN.id, PRIVATE.id, True, update_id=1))[1] == inbox.HANDLED_ALREADY
        await inbox.store(session, [inbox.Stored(2, PRIVATE.id, {})])
    async with transactions.begin() as session:
        assert (await open_chat(session, CITIZEN.id, PRIVATE.id, True, update_id=3))[1] == inbox.EARLIER_PENDING


async def test_the_kept_conversation_follows_its_end_and_a_new_start(engine):
    transactions = Transactions(engine)
    await _with_user_and_draft(transactions)
    async with transactions.begin() as session:
        await lock_chat_and_read(session, CITIZEN.id, PRIVATE.id, private=True)
        await end_conversation(session, PRIVATE.id)
        assert await load_conversation(session, PRIVATE.id) is None
        follow_up = await start_conversation(session, PRIVATE.id, CITIZEN.id, FollowUp("K7MQ9TRXZS", Purpose.REPLY))
        assert await load_conversation(session, PRIVATE.id, Flow.FOLLOW_UP) is follow_up
        assert await load_conversation(session, PRIVATE.id) is None, "one conversation per chat"
    async with transactions.begin() as session:
        assert (await load_conversation(session, PRIVATE.id, Flow.FOLLOW_UP)).flow == Flow.FOLLOW_UP, "committed"


async def test_the_claim_tells_whether_the_chat_has_unsent_messages(engine):
    transactions = Transactions(engine)
    await _with_user_and_draft(transactions)
    async with transactions.begin() as session:
        await outbox.enqueue(session, PRIVATE.id, Text("still waiting"))
    async with transactions.begin() as session:
        with StatementCount(engine) as count:
            assert await inbox.claim(session, 1, PRIVATE.id) == inbox.CLAIMED
            assert await outbox.has_unsent(session, PRIVATE.id) is True
            assert await inbox.claim(session, 2, 72) == inbox.CLAIMED
            assert await outbox.has_unsent(session, 72) is False
        assert len(count.statements) == 2, "each answer came with its claim"
        await outbox.enqueue(session, 72, Text("new"))
        assert await outbox.has_unsent(session, 72) is True, "what this transaction wrote is seen"


# How the second turn opens: reading alone; claiming its update (the first claimed the one before it, uncommitted);
# claiming it while the update before it waits in the inbox as pending, claimed by the first turn.
OPENINGS = ["read", "claim", "claim after a pending one"]


def _newcomer() -> dict:
    return newcomer(CITIZEN.id, CITIZEN.first_name, None, PRIVATE.id)


@pytest.mark.parametrize("adding", [True, False], ids=["adding a new sender", "leaving a new sender to the turn"])
@pytest.mark.parametrize("opening", OPENINGS)
@pytest.mark.parametrize("known", [True, False], ids=["known sender", "new sender"])
async def test_a_chats_turns_wait_for_each_other_across_processes(engine, known, opening, adding):
    """A new sender's row is added as the chat is opened (``adding``: a turn of the inbox), or by the turn after
    it; either way the second turn waits, and, with the first turn's row there, adds none."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: turns cannot overlap")
    transactions = Transactions(engine)
    if known:
        await _with_user_and_draft(transactions)
    if opening == "claim after a pending one":
        async with transactions.begin() as session:
            await inbox.store(session, [inbox.Stored(4, PRIVATE.id, {})])
    first_done = asyncio.Event()

    async def open_(session, update_id: int) -> str | None:
        return (await open_chat(session, CITIZEN.id, PRIVATE.id, True, None if opening == "read" else update_id,
                                newcomer=_newcomer if adding else None)).claimed

    async def second_turn() -> tuple[bool, str | None]:
        async with transactions.begin() as session:
            claimed = await open_(session, 5)
            if adding and opening != "read":
                assert await session.get(User, CITIZEN.id) is not None, "the first turn's row, read (none added)"
            return first_done.is_set(), claimed

    async with transactions.begin() as session:  # another process's turn of the same chat
        await open_(session, 4)
        second = asyncio.create_task(second_turn())
        await asyncio.sleep(0.3)
        assert not second.done(), "the second turn waits for the chat"
        async with transactions.begin() as receiver:  # the receiver stores the waiting turn's update meanwhile
            await asyncio.wait_for(inbox.store(receiver, [inbox.Stored(5, PRIVATE.id, {})]), 2)
        first_done.set()
    went_on_after, claimed = await asyncio.wait_for(second, 5)
    assert went_on_after, "it went on only once the first had committed"
    assert claimed == (None if opening == "read" else inbox.CLAIMED), "waited for, not deferred"


@pytest.mark.parametrize("claiming", [True, False], ids=["claiming", "reading"])
async def test_a_turn_that_waited_for_the_chat_reads_the_conversation_the_other_left(engine, claiming):
    """Two processes, two messages of one chat at once: the second turn, having waited, continues from the step
    the first saved, not from the one it would have read when it began waiting."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: turns cannot overlap")
    transactions = Transactions(engine)
    await _with_user_and_draft(transactions)
    waiting = asyncio.Event()

    async def second_turn() -> str:
        async with transactions.begin() as session:
            waiting.set()
            await open_chat(session, CITIZEN.id, PRIVATE.id, True, update_id=2 if claiming else None)
            return (await load_conversation(session, PRIVATE.id)).step

    async with transactions.begin() as session:  # the first turn, in another process, moves the draft on
        await open_chat(session, CITIZEN.id, PRIVATE.id, True, update_id=1 if claiming else None)
        second = asyncio.create_task(second_turn())
        await waiting.wait()
        await asyncio.sleep(0.3)  # the second turn's statement has begun, and waits
        (await load_conversation(session, PRIVATE.id)).step = Step.DESCRIPTION.value
    assert await asyncio.wait_for(second, 5) == Step.DESCRIPTION.value

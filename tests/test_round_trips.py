"""How many times a citizen's ordinary turn talks to the database: each round trip is latency a busy web process
waits out and CPU it spends (bench/load.py). Counted here, on both databases; speed itself is measured in bench/."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from sqlalchemy import event

from tests.flows import DESCRIPTION, start_report

# An ordinary turn: read the person with their conversation (and lock the chat), settle the inbox row, save the
# conversation, queue the reply, commit; the reply's mark as sent is batched with others' (bot.delivery). On
# PostgreSQL the transaction's BEGIN is a round trip of its own, and the inbox claim goes in the first read's
# statement (bot.services.chat_locks.open_chat); on SQLite BEGIN goes with the first statement, in-process.
MOST_ROUND_TRIPS = {"sqlite": 5, "postgresql": 5}
MARK_ROUND_TRIPS = {"sqlite": 2, "postgresql": 1}  # the UPDATE, and SQLite's COMMIT
NEW_CITIZEN_ROUND_TRIPS = {"sqlite": 7, "postgresql": 7}  # a first turn adds a person, their chat and a draft


class RoundTrips:
    """The statements each asyncio task sends, with its BEGINs and COMMITs (each a round trip of its own)."""

    def __init__(self, engine) -> None:
        self.engine = engine.sync_engine
        self.by_task: dict[asyncio.Task | None, list[str]] = defaultdict(list)

    def __enter__(self) -> "RoundTrips":
        event.listen(self.engine, "after_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "after_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)

    def _record(self, what: str) -> None:
        self.by_task[asyncio.current_task()].append(what)

    def _statement(self, _connection, _cursor, statement, *_rest) -> None:
        self._record(" ".join(statement.split()))

    def _begin(self, connection) -> None:
        # SQLite's BEGIN goes with the first statement, in-process; an autocommit connection sends none
        if connection.dialect.name == "postgresql" and not _autocommit(connection):
            self._record("BEGIN")

    def _commit(self, connection) -> None:
        if not _autocommit(connection):
            self._record("COMMIT")

    def of_the_turn(self) -> list[str]:
        """The round trips of the task that settled the update in the inbox (the turn, then its sending)."""
        turns = [said for said in self.by_task.values() if any(_settles_the_inbox(what) for what in said)]
        assert len(turns) == 1, f"one task took the update: {list(self.by_task.values())}"
        return turns[0]

    def of_the_marks(self) -> list[str]:
        """The round trips of the task that marked the reply sent."""
        marks = [said for said in self.by_task.values() if any(what.startswith("UPDATE outbox SET state") for what in said)]
        assert len(marks) == 1, f"one task marked the reply: {list(self.by_task.values())}"
        return marks[0]


def _shown(said: list[str]) -> str:
    """What was said, a line each, for an assertion's message."""
    return "\n".join(what[:120] for what in said)


def _autocommit(connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _settles_the_inbox(statement: str) -> bool:
    return "inbox_updates" in statement and statement.startswith(("UPDATE", "INSERT", "WITH"))


async def test_a_citizens_ordinary_turn_takes_five_round_trips(bot, citizen):
    await start_report(citizen)  # the description is asked for next
    await citizen.quiet()
    with RoundTrips(bot.engine) as round_trips:
        said = await citizen.send(DESCRIPTION)
        await citizen.quiet()
    assert said, "the bot answered"
    turn = round_trips.of_the_turn()
    assert len(turn) <= MOST_ROUND_TRIPS[bot.engine.dialect.name], _shown(turn)


async def test_a_replys_mark_as_sent_is_one_update_without_begin_on_postgresql(bot, citizen):
    """The mark is one UPDATE, which on PostgreSQL commits by itself: no BEGIN and COMMIT around it (on SQLite the
    COMMIT is in-process: bot.db.Transactions.one_statement)."""
    await start_report(citizen)
    await citizen.quiet()
    with RoundTrips(bot.engine) as round_trips:
        await citizen.send(DESCRIPTION)
        await citizen.quiet()
    marks = round_trips.of_the_marks()
    assert len(marks) == MARK_ROUND_TRIPS[bot.engine.dialect.name], _shown(marks)


async def test_a_known_citizens_new_report_starts_in_five_round_trips(bot, citizen):
    """/lapor with no draft open: the turn's read saw the chat has no conversation, so none is deleted first."""
    await citizen.send("/start")
    await citizen.quiet()
    with RoundTrips(bot.engine) as round_trips:
        said = await citizen.send("/lapor")
        await citizen.quiet()
    assert said, "the bot answered"
    turn = round_trips.of_the_turn()
    assert len(turn) <= MOST_ROUND_TRIPS[bot.engine.dialect.name], _shown(turn)


async def test_a_new_citizens_first_report_looks_for_no_conversation(bot, citizen):
    """Someone new to the bot has no conversation in their private chat: their first turn neither reads one nor
    deletes one before starting the draft. On PostgreSQL their row is added, under the chat's lock, in the
    statement that claims the update (bot.services.chat_locks.open_chat): BEGIN, the read that finds no row to
    lock, that statement, the chat's contact, the draft, the reply, COMMIT."""
    someone = bot.citizen("Budi", None)  # the statements compiled first, as in a bot that has been running: the
    await someone.send("/lapor")  # first turn of a new engine can outlast the receiver's patience, which stores
    await someone.quiet()  # the update itself then
    with RoundTrips(bot.engine) as round_trips:
        said = await citizen.send("/lapor")
        await citizen.quiet()
    assert said, "the bot answered"
    turn = round_trips.of_the_turn()
    looked = [what for what in turn if what.startswith(("SELECT conversations", "DELETE FROM conversations"))]
    assert not looked, _shown(turn)
    assert len(turn) <= NEW_CITIZEN_ROUND_TRIPS[bot.engine.dialect.name], _shown(turn)

"""bot.db.aiosqlite_one_trip: a quick statement runs on the event loop and any other is one trip to aiosqlite's thread,
the loop never waits for a lock, and SQLAlchemy sees what the stock driver gives it (rows, row counts, ids, errors,
streamed results)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.util import greenlet_spawn

from bot.db import aiosqlite_one_trip, create_engine
from bot.db.aiosqlite_one_trip import CHECKPOINT_SECONDS, Checkpoints, off_the_loop

METADATA = MetaData()
NOTES = Table("notes", METADATA, Column("id", Integer, primary_key=True), Column("body", String, unique=True))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def engine(tmp_path, clock):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    engine.dialect.dbapi.checkpoints = Checkpoints(clock)  # none due until the test moves the clock
    async with engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield engine
    await engine.dispose()


class Trips:
    """Counts the functions queued to the aiosqlite thread of a connection (its queue, passed through)."""

    def __init__(self, driver_connection) -> None:
        self.count, self._queue = 0, driver_connection._tx
        driver_connection._tx = self

    def put_nowait(self, item) -> None:
        self.count += 1
        self._queue.put_nowait(item)

    def get(self):
        return self._queue.get()


async def trips_of(connection) -> Trips:
    raw = await connection.get_raw_connection()
    return Trips(raw.driver_connection)


async def test_a_turns_statements_and_its_commit_take_no_trip_to_the_thread(engine):
    async with engine.connect() as connection:
        trips = await trips_of(connection)
        await connection.execute(insert(NOTES).values(body="jalan berlubang"))
        assert (await connection.execute(select(NOTES.c.body))).scalars().all() == ["jalan berlubang"]
        await connection.execute(insert(NOTES), [{"body": "sampah"}, {"body": "banjir"}])  # a few rows
        await connection.commit()
        await connection.execute(select(NOTES.c.body))
        await connection.commit()  # a transaction that only read: SQLite has none open, and nothing to commit
        await connection.rollback()
    assert trips.count == 0, "the stock driver takes four trips a statement: open, execute, fetch, close"


async def test_a_statement_goes_to_the_thread_where_it_would_hold_the_loop(engine, monkeypatch):
    """Many rows, or a task that keeps off the loop (a scheduled job): one trip a statement, and one for COMMIT."""
    async with engine.connect() as connection:
        trips = await trips_of(connection)
        rows = [{"body": f"laporan {number}"} for number in range(aiosqlite_one_trip.ROWS_ON_THE_LOOP + 1)]
        await connection.execute(insert(NOTES), rows)
        assert trips.count == 1
        with off_the_loop():
            await connection.execute(update(NOTES).values(body=NOTES.c.body + "!"))
            assert len((await connection.execute(select(NOTES))).all()) == len(rows)
            await connection.commit()
        assert trips.count == 4


async def test_a_read_past_its_steps_runs_again_on_the_thread_and_the_transaction_goes_on(engine, monkeypatch):
    monkeypatch.setattr(aiosqlite_one_trip, "READ_STEPS_ON_THE_LOOP", 50)
    async with engine.connect() as connection:
        trips = await trips_of(connection)
        await connection.execute(insert(NOTES), [{"body": f"laporan {number}"} for number in range(10)])
        assert (await connection.execute(select(NOTES.c.id).where(NOTES.c.id == 3))).scalar_one() == 3
        assert trips.count == 0, "a read by its key is a few dozen steps"
        sorted_ = select(NOTES.c.body).order_by(func.length(NOTES.c.body), NOTES.c.body.desc())  # some 100 steps
        everything = (await connection.execute(sorted_)).scalars().all()
        assert everything[0] == "laporan 9" and len(everything) == 10
        assert trips.count == 1, "the sorted read was stopped on the loop, and run on the thread"
        await connection.commit()
    async with engine.connect() as connection:
        assert len((await connection.execute(select(NOTES))).all()) == 10, "the stopped read undid no write"


async def test_a_write_that_must_wait_for_another_process_waits_on_the_thread_not_the_loop(engine, tmp_path):
    """The other process lets go of its lock from the event loop: were the loop waiting in SQLite's busy handler,
    it could not until the busy timeout (30 s) was over."""
    other = sqlite3.connect(tmp_path / "notes.db", isolation_level=None)  # the command line, writing
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('dari baris perintah')")

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(insert(NOTES).values(body="dari bot"))

    started = time.monotonic()
    asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
    await write()
    other.close()
    assert time.monotonic() - started < aiosqlite_one_trip.BUSY_TIMEOUT_MS / 1000 / 3, "the loop waited for the lock"
    async with engine.connect() as connection:
        assert (await connection.execute(select(NOTES.c.body).order_by(NOTES.c.id))).scalars().all() == [
            "dari baris perintah", "dari bot"]


async def test_the_write_ahead_log_is_checkpointed_on_the_thread_not_in_a_commit(engine, clock, tmp_path):
    database = tmp_path / "notes.db"
    big = "x" * 5_000_000  # past SQLite's own checkpoint, 1,000 pages of log
    async with engine.connect() as connection:
        trips = await trips_of(connection)
        await connection.execute(insert(NOTES).values(body=big))
        await connection.commit()
        assert trips.count == 0 and os.path.getsize(database) < len(big), "the commit made a checkpoint"
        clock.now += CHECKPOINT_SECONDS
        await connection.execute(insert(NOTES).values(body="lampu mati"))
        await connection.commit()
        assert trips.count == 1 and os.path.getsize(database) > len(big), "the log's pages were not copied back"


async def test_what_a_transaction_wrote_is_rolled_back(engine):
    async with engine.connect() as connection:
        await connection.execute(insert(NOTES).values(body="dibatalkan"))
        await connection.rollback()
        assert (await connection.execute(select(NOTES))).all() == []


async def test_rows_counts_and_ids_are_what_sqlalchemy_expects(engine):
    async with engine.begin() as connection:
        first = await connection.execute(insert(NOTES).values(body="lampu mati"))
        assert first.inserted_primary_key == (1,)
        await connection.execute(insert(NOTES), [{"body": "sampah"}, {"body": "banjir"}])  # executemany
        changed = await connection.execute(update(NOTES).where(NOTES.c.id > 1).values(body=NOTES.c.body + "!"))
        assert changed.rowcount == 2
        rows = (await connection.execute(select(NOTES).order_by(NOTES.c.id))).all()
        assert [tuple(row) for row in rows] == [(1, "lampu mati"), (2, "sampah!"), (3, "banjir!")]
        assert list((await connection.execute(select(NOTES).where(NOTES.c.id > 9))).keys()) == ["id", "body"]
        returned = await connection.execute(insert(NOTES).values(body="pohon tumbang").returning(NOTES.c.id))
        assert returned.scalar_one() == 4


async def test_errors_reach_sqlalchemy_as_its_own_and_the_connection_goes_on(engine):
    async with engine.connect() as connection:
        await connection.execute(insert(NOTES).values(body="sama"))
        with pytest.raises(IntegrityError):
            await connection.execute(insert(NOTES).values(body="sama"))
        with pytest.raises(OperationalError):
            await connection.execute(text("SELECT nothing FROM nowhere"))
        await connection.rollback()
        assert (await connection.execute(select(NOTES))).all() == []


async def test_a_streamed_result_keeps_aiosqlites_cursor(engine):
    async with engine.begin() as connection:
        await connection.execute(insert(NOTES), [{"body": f"laporan {number}"} for number in range(50)])
    async with engine.connect() as connection:
        streamed = await connection.stream(select(NOTES.c.id).order_by(NOTES.c.id))
        assert [row.id async for row in streamed] == list(range(1, 51))


async def test_a_rollback_waits_for_a_statement_still_on_its_way_to_the_thread(engine):
    """A statement whose task was cancelled still runs on the thread, later: a rollback asked for meanwhile must go
    after it, as every trip does, and not be skipped because no transaction is open *yet*. (SQLAlchemy terminates
    a connection whose statement was cancelled; this is the driver's own promise, beneath that.)"""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver, adapted = raw.driver_connection, raw.dbapi_connection
        busy = asyncio.ensure_future(driver._execute(time.sleep, 0.3))  # the thread, busy for a moment
        cancelled = asyncio.create_task(greenlet_spawn(
            lambda: adapted.cursor().execute("INSERT INTO notes (body) VALUES ('dibatalkan')")))
        await asyncio.sleep(0.05)  # queued behind the busy thread
        cancelled.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await cancelled
        await greenlet_spawn(adapted.rollback)
        await busy
        await driver._execute(lambda: None)  # everything queued before has run
        assert not driver._conn.in_transaction, "the INSERT left a transaction open on a pooled connection"


async def test_a_statement_after_a_checkpoint_whose_task_was_cancelled_waits_for_it_on_the_thread(engine, clock,
                                                                                                  monkeypatch):
    """The connection goes back to the pool while its checkpoint is still on the thread: the next statement must not
    run on the loop beside it, on the same SQLite connection."""
    running, release = threading.Event(), threading.Event()
    checkpoint = aiosqlite_one_trip._checkpoint

    def slow_checkpoint(connection) -> None:
        running.set()
        release.wait(10)
        checkpoint(connection)

    monkeypatch.setattr(aiosqlite_one_trip, "_checkpoint", slow_checkpoint)
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        adapted = raw.dbapi_connection
        await connection.execute(insert(NOTES).values(body="lampu mati"))
        clock.now += CHECKPOINT_SECONDS
        committing = asyncio.create_task(greenlet_spawn(adapted.commit))
        await asyncio.to_thread(running.wait, 10)
        committing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await committing
        trips = Trips(raw.driver_connection)
        reading = asyncio.create_task(greenlet_spawn(lambda: adapted.cursor().execute("SELECT body FROM notes")))
        await asyncio.sleep(0.2)
        assert not reading.done(), "the read ran on the loop while the checkpoint was on the thread"
        release.set()
        await reading
        assert trips.count == 1

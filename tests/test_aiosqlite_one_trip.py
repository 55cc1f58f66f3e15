"""bot.db.aiosqlite_one_trip: each statement is one trip to aiosqlite's thread, and SQLAlchemy sees what the stock
driver gives it (rows, row counts, ids, errors, streamed results)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.util import greenlet_spawn

from bot.db import create_engine

METADATA = MetaData()
NOTES = Table("notes", METADATA, Column("id", Integer, primary_key=True), Column("body", String, unique=True))


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
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


async def test_a_statement_is_one_trip_to_the_thread(engine):
    async with engine.connect() as connection:
        trips = await trips_of(connection)
        await connection.execute(insert(NOTES).values(body="jalan berlubang"))
        assert (await connection.execute(select(NOTES.c.body))).scalars().all() == ["jalan berlubang"]
        assert trips.count == 2, "the stock driver takes four a statement: open, execute, fetch, close"
        await connection.commit()
        assert trips.count == 3
        await connection.execute(select(NOTES.c.body))
        await connection.commit()  # a transaction that only read: SQLite has none open, and nothing to commit
        await connection.rollback()
    assert trips.count == 4, "the pool's rollback as it takes the connection back takes no trip either"


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

"""SQLAlchemy's aiosqlite driver: a quick statement runs on the event loop, any other in one trip to aiosqlite's thread.

aiosqlite runs each call of a cursor (open it, execute, fetch the rows, close it) as a trip of its own to the thread
that owns the SQLite connection: a queued function, a wake-up of that thread, and a wake-up of the event loop to take
the result, some 60 us of CPU each. Here a statement is one function, which opens a cursor, executes, fetches and
closes it, and brings back the rows with the description, row count and last row id that SQLAlchemy reads afterwards.

SQLite is in-process, and a turn's statements take microseconds, less than a trip: so a statement runs right on the
event loop (``OneTripConnection.on_the_loop``), and so does a COMMIT, where neither can hold the loop long. The loop
never waits for a lock (its connections' busy timeout is 0): a statement that would have to is stopped before it does
anything and goes to the thread, which waits (``BUSY_TIMEOUT_MS``), and so does a read stopped after
``READ_STEPS_ON_THE_LOOP`` of SQLite's steps (about a millisecond). A write cannot be stopped half-way without
losing its transaction: writes of many rows, and every statement of a task that keeps ``off_the_loop`` (the scheduled
jobs, with their bulk updates and deletes), go to the thread, as does a statement while anything of the
connection's is still there. The write-ahead log's checkpoints, an fsync each, are made on the thread
(``Checkpoints``). A citizen's turn took 22 trips before this driver, one a statement and one for its COMMIT with its
first version, and now none.

It leans on aiosqlite's ``Connection._execute`` (run a function on its thread), as SQLAlchemy's own adapter leans on
its queue; both are pinned in pyproject.toml, and the whole suite runs on this driver.
"""

from __future__ import annotations

import collections
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util import EMPTY_DICT, await_

# How long another process's write lock is waited for (on the thread), in milliseconds.
BUSY_TIMEOUT_MS = 30_000
# A read on the event loop is stopped after this many steps of SQLite's virtual machine (about a millisecond on
# bench/load.py's machine, where a turn's reads take a few hundred) and run again on the thread.
READ_STEPS_ON_THE_LOOP = 100_000
# How often, at most, the write-ahead log is checkpointed while the bot commits (see Checkpoints); SQLite's own
# default is every 1,000 pages of log (4 MB), not a time.
CHECKPOINT_SECONDS = 1.0
# An INSERT of more rows than this (a broadcast's copies) goes to the thread.
ROWS_ON_THE_LOOP = 20

T = TypeVar("T")

_off_the_loop: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextlib.contextmanager
def off_the_loop() -> Iterator[None]:
    """The statements of the task, within, go to aiosqlite's thread: long ones (bulk updates and deletes) that
    must not hold the event loop, and whose task can wait for the trips."""
    token = _off_the_loop.set(True)
    try:
        yield
    finally:
        _off_the_loop.reset(token)


# What a statement leaves behind for SQLAlchemy: description, rowcount, lastrowid, and the rows (None without any).
Outcome = tuple[Any, int, int | None, list | None]


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """On aiosqlite's thread: the whole life of a cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _stop() -> int:
    return 1


def _gave_up(error: sqlite3.OperationalError, read: bool) -> bool:
    """SQLite stopped the statement before it did anything, and the thread may run it: it would have had to wait
    for a lock (BUSY, of any kind: in WAL mode a write takes its lock before it changes a row), or it is a read
    that went past its steps."""
    code = error.sqlite_errorcode & 0xFF  # the primary code of an extended one
    return code == sqlite3.SQLITE_BUSY or (read and code == sqlite3.SQLITE_INTERRUPT)


def _waiting(connection: sqlite3.Connection, function: Callable[[], Outcome]) -> Outcome:
    """On the thread: ``function`` with SQLite's busy timeout, which the event loop's statements go without."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").close()
    try:
        return function()
    finally:
        connection.execute("PRAGMA busy_timeout=0").close()


class OneTripCursor(AsyncAdapt_dbapi_cursor):
    """A DB-API cursor whose statements each take one trip; the rows wait here (SQLAlchemy's buffered cursor)."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")
    _awaitable_cursor_close = False  # nothing stays open on the thread
    arraysize = 1

    def __init__(self, adapt_connection: OneTripConnection) -> None:  # noqa: super() would open a cursor: a trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description, self._rowcount, self._lastrowid = None, -1, None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._lastrowid

    async def _execute_async(self, operation: str, parameters: Any) -> None:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: str, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: str, parameters: Any, many: bool) -> None:
        connection = self._adapt_connection
        outcome = connection.on_the_loop(operation, parameters, many)
        if outcome is None:
            async with connection._execute_mutex:
                outcome = await connection.run_on_thread(operation, parameters, many)
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows or ())


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Commits and rollbacks with no transaction open take no trip: sqlite3 would do nothing with them on the thread
    either. SQLAlchemy's pool rolls back every connection it takes back, after a COMMIT too; and a transaction that
    only read opens none on SQLite (the sqlite3 module begins one before the first write). Only while no statement
    is on its way: one whose task was cancelled still runs on the thread later, and may open a transaction then."""

    __slots__ = ("_queued", "_finished")  # statements sent to the thread, and the last one it finished
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self._queued = self._finished = 0

    async def run_on_thread(self, operation: str, parameters: Any, many: bool) -> Outcome:
        connection = self._connection._conn
        return await self._trip(lambda: _waiting(connection, lambda: _execute(connection, operation, parameters, many)))

    async def _trip(self, function: Callable[[], T]) -> T:
        """``function`` on the thread, counted: while it is there (its task may be cancelled meanwhile, and the
        connection go back to the pool), nothing of the connection's runs on the loop."""
        self._queued += 1
        number = self._queued

        def counted() -> T:
            try:
                return function()
            finally:
                self._finished = number  # one int stored: seen whole from the event loop's thread

        return await self._connection._execute(counted)

    def on_the_loop(self, operation: str, parameters: Any, many: bool) -> Outcome | None:
        """Run the statement right here, where it is quick; None where it must go to the thread (untried, or
        stopped before it did anything: a read that took too long, one that would have waited for a lock)."""
        if not self._quiet() or (many and len(parameters) > ROWS_ON_THE_LOOP):
            return None
        connection = self._connection._conn
        read = operation.lstrip()[:6].upper() == "SELECT"
        if read:
            connection.set_progress_handler(_stop, READ_STEPS_ON_THE_LOOP)
        try:
            return _execute(connection, operation, parameters, many)
        except sqlite3.OperationalError as error:
            if _gave_up(error, read):
                return None
            raise
        finally:
            if read:
                connection.set_progress_handler(None, 0)

    def _quiet(self) -> bool:
        """Nothing of the connection's is on the thread, and the task does not keep off the loop."""
        return self._finished == self._queued and not _off_the_loop.get()

    def commit(self) -> None:
        if not self._may_be_in_transaction():
            return
        connection = self._connection._conn
        if not self._quiet():
            self._on_thread(connection.commit)
            return
        try:  # an append to the write-ahead log (which waits for no lock): a checkpoint, an fsync, is made apart
            connection.commit()
        except Exception as error:
            self._handle_exception(error)
        if self.dbapi.checkpoints.due():
            self._on_thread(lambda: _checkpoint(connection))

    def rollback(self) -> None:
        if self._may_be_in_transaction():
            self._on_thread(self._connection._conn.rollback)

    def _on_thread(self, function: Callable[[], object]) -> None:
        """A COMMIT, ROLLBACK or checkpoint on the thread (from SQLAlchemy's synchronous side), counted as a trip."""
        try:
            await_(self._trip(function))
        except Exception as error:
            self._handle_exception(error)

    def _may_be_in_transaction(self) -> bool:
        # sqlite3_get_autocommit() reads a flag of the connection: safe beside its thread, idle once all is finished
        connection = self._connection._connection
        return connection is not None and (self._finished != self._queued or connection.in_transaction)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's dialect sees it, handing out connections whose cursors take one trip."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)
        self.checkpoints = Checkpoints()

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        adapted = super().connect(*args, **kwargs)
        for pragma in ("busy_timeout=0", "wal_autocheckpoint=0"):  # the thread waits (_waiting); Checkpoints
            adapted._connection._conn.execute(f"PRAGMA {pragma}").close()
        return OneTripConnection(self, adapted._connection)


class Checkpoints:
    """The write-ahead log's checkpoints, which SQLite makes in a commit once the log is long (an fsync, some
    milliseconds) and a commit on the event loop must not: the engine's connections make none by themselves, and
    a commit makes one on its connection's thread, passively (no reader or writer waits), at most every
    ``CHECKPOINT_SECONDS``. A process that stops leaves the rest to the next (SQLite reads a log it finds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last = clock()

    def due(self) -> bool:
        now = self._clock()
        if now - self._last < CHECKPOINT_SECONDS:
            return False
        self._last = now
        return True


def _checkpoint(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()

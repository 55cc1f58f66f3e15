"""SQLAlchemy's aiosqlite driver, with one trip to aiosqlite's thread per statement instead of four.

aiosqlite runs each call of a cursor (open it, execute, fetch the rows, close it) as a trip of its own to the thread
that owns the SQLite connection: a queued function, a wake-up of that thread, and a wake-up of the event loop to take
the result, some 60 us of CPU each. Here a statement is one function run on that thread, which opens a cursor,
executes, fetches and closes it, and brings back the rows with the description, row count and last row id that
SQLAlchemy reads afterwards. A citizen's turn took 22 trips, some 0.9 ms of CPU on bench/load.py's machine; now it
takes one a statement and one for its COMMIT. Server-side cursors (streamed results) keep aiosqlite's own cursor.

It leans on aiosqlite's ``Connection._execute`` (run a function on its thread), as SQLAlchemy's own adapter leans on
its queue; both are pinned in pyproject.toml, and the whole suite runs on this driver.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util import EMPTY_DICT

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
        async with self._adapt_connection._execute_mutex:
            outcome = await self._adapt_connection.run_on_thread(operation, parameters, many)
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
        self._queued += 1
        return await self._connection._execute(self._statement, self._queued, operation, parameters, many)

    def _statement(self, number: int, operation: str, parameters: Any, many: bool) -> Outcome:
        """On aiosqlite's thread."""
        try:
            return _execute(self._connection._conn, operation, parameters, many)
        finally:
            self._finished = number  # one int stored: seen whole from the event loop's thread

    def commit(self) -> None:
        if self._may_be_in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._may_be_in_transaction():
            super().rollback()

    def _may_be_in_transaction(self) -> bool:
        # sqlite3_get_autocommit() reads a flag of the connection: safe beside its thread, idle once all is finished
        connection = self._connection._connection
        return connection is not None and (self._finished != self._queued or connection.in_transaction)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite as SQLAlchemy's dialect sees it, handing out connections whose cursors take one trip."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        adapted = super().connect(*args, **kwargs)
        return OneTripConnection(self, adapted._connection)

"""Engine, sessions and schema migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, Update, event, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.db.aiosqlite_one_trip import OneTripDBAPI

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant will do: it only has to be the same in every process that migrates.
MIGRATION_LOCK_KEY = 0x4C41504F52


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# The most PostgreSQL connections a process opens (DATABASE_POOL_SIZE), each kept once opened. A busy web process
# holds up to some 40 at once: 32 turns (bot.inbox.dispatcher), the sender's claims and marks, the inbox's scans.
POOL_SIZE = 40


def create_engine(url: str, show_parameters: bool = False, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """SQL errors carry no parameters unless asked (DEBUG): they are citizens' words, and go to logs. On PostgreSQL
    the pool opens up to ``pool_size`` connections and keeps each it opened: a connection opened for a burst and
    closed after it (SQLAlchemy's overflow) is a server process forked, a TLS attempt, types looked up and
    statements prepared again in the next burst, which at 200 updates/s held a queue of a second in front of the
    turns (bench/compare.py, three rounds each: p99 1.1-1.4 s with 20 kept and 20 in a burst, 0.3-0.4 s with 40
    kept)."""
    if not is_sqlite(url):  # a turn, the sender and the inbox each hold a connection for a moment
        return create_async_engine(url, pool_size=pool_size, max_overflow=0, hide_parameters=not show_parameters)
    engine = create_async_engine(url, hide_parameters=not show_parameters, **_one_trip_driver(url))
    event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def _one_trip_driver(url: str) -> dict:
    """aiosqlite's DB-API for SQLAlchemy, one trip to its thread per statement (bot.db.aiosqlite_one_trip)."""
    return {"module": OneTripDBAPI()} if make_url(url).get_driver_name() == "aiosqlite" else {}


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the bot read while the command line writes; a busy writer is waited for, not failed (on aiosqlite's
    # thread: bot.db.aiosqlite_one_trip).
    # synchronous=NORMAL is WAL's usual setting: a commit survives the process being killed at any point;
    # only a power cut or an OS crash may undo the last moments (PostgreSQL is the choice past that).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def bulk_update(model) -> Update:
    """An UPDATE of rows that no object in the session stands for, on the model's table: nothing for the ORM to
    synchronise, so its bulk-update machinery (a few per cent of a busy web process: marks of sent messages) is
    passed by."""
    return update(model.__table__)


def insert_for(dialect: str, table: Table):
    """An INSERT with ON CONFLICT clauses, in the database's own dialect."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


class Transactions:
    """Sessions in a transaction, committed on success.

    SQLite lets one writer in at a time, and its busy handler polls with sleeps of up to 100 ms, so
    concurrent writers in one process notice a released lock late and throughput collapses. Here
    they queue on an asyncio lock instead (first come, first served, woken at once); the busy
    timeout still covers another process, such as the command line.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions = session_factory(engine)
        self._engine = engine
        self._writers = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self._writers or nullcontext():
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for a write that is one Core statement, without a session's unit of work. On PostgreSQL it
        commits by itself (autocommit): as atomic as a transaction of its own, without the BEGIN and COMMIT, two
        round trips of three. SQLite is in-process, where switching to autocommit and back (trips to aiosqlite's
        thread) costs more than the COMMIT (on the event loop): a transaction. The marks of sent messages are about
        one such write per update."""
        async with self._writers or nullcontext():
            if self._engine.dialect.name == "postgresql":
                async with self._engine.connect() as connection:
                    yield await connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                async with self._engine.begin() as connection:
                    yield connection


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


class SchemaBehind(Exception):
    """The database's schema is older than this code's: the release step (``lapor-bot db upgrade``) has not run."""


async def require_current_schema(engine: AsyncEngine) -> None:
    """For processes that must not migrate (``web``, ``worker``): refuse to start on an older schema."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    if current != head:
        raise SchemaBehind(f"the database schema is at {current or 'nothing'}, this release needs {head}: "
                           "run `lapor-bot db upgrade` (the release step) first")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; several processes starting at once take turns."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))

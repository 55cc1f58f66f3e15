"""A PostgreSQL database of this test run's own: created at the start, dropped at the end.

TEST_POSTGRES_URL names the server (its database part is only where we connect to create ours), so
two runs on one server, or a run beside a developer's own database, never meet. A test gets the database
anew: empty, or a copy of a template migrated once per worker (a copy is a twentieth of a second; migrating
from nothing, half a second of the server's and this process's CPU).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import create_engine
from tests.harness import migrated_alone

SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
_state: dict[str, str | None] = {"database": None, "problem": None, "template": None}


def run_url() -> str:
    return _url(_state["database"])


def _url(database: str) -> str:
    return make_url(SERVER_URL).set(database=database).render_as_string(hide_password=False)


def problem() -> str | None:
    return _state["problem"]


def create_run_database() -> None:
    name = f"lapor_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to connect means: no PostgreSQL here
        _state["problem"] = f"{type(error).__name__}: {error}"
        return
    _state["database"] = name


def drop_run_database() -> None:
    for name in ("database", "template"):
        if _state[name]:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_state[name]}" WITH (FORCE)'))
            _state[name] = None


async def _admin(statement: str) -> None:
    engine = create_engine(SERVER_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def fresh_database(migrated: bool) -> None:
    """The run's database anew (connections a test left behind are closed): empty, or at the newest schema."""
    name = _state["database"]
    copied = f' TEMPLATE "{await _template()}"' if migrated else ""
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"{copied}')


async def _template() -> str:
    """A database at the newest schema, migrated at its first use in this run: what ``fresh_database`` copies."""
    if _state["template"] is None:
        name = f"{_state['database']}_template"
        await _admin(f'CREATE DATABASE "{name}"')
        await migrated_alone(_url(name))
        _state["template"] = name
    return _state["template"]


async def on_each_database(run: Callable[[str], Awaitable[None]]) -> None:
    """For the benchmarks: ``run(url)`` on a fresh SQLite file, then on a PostgreSQL database of its own
    (or a line saying why not). ``BENCH_DATABASES=postgresql`` (or ``sqlite``) runs on that one only."""
    chosen = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    if "sqlite" in chosen:
        with tempfile.TemporaryDirectory() as folder:
            await run(f"sqlite+aiosqlite:///{folder}/bench.db")
    if "postgresql" not in chosen:
        return
    await asyncio.to_thread(create_run_database)
    try:
        if problem():
            print(f"postgresql: skipped ({problem()})")
            return
        await run(run_url())
    finally:
        await asyncio.to_thread(drop_run_database)

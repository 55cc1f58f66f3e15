"""Fixtures: the real Application, driven through the local Bot API emulator, on SQLite and PostgreSQL.

PostgreSQL is taken from TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432/test). Where it cannot
be reached the PostgreSQL half of the suite is skipped with the reason, except in CI (CI=true),
where that is a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from telegram import Update

from bot.app import build_application, start_bot, stop_bot
from bot.config import Settings
from bot.db import create_engine, migrate, session_factory
from bot.sandbox.client import Citizen
from bot.services.jurisdiction import load_router
from bot.sandbox.emulator import BotApiEmulator

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_user_ids = itertools.count(5000001)


async def _postgres_problem() -> str | None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means: no PostgreSQL here
        return f"{type(error).__name__}: {error}"
    finally:
        await engine.dispose()
    return None


async def _fresh_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    problem = await _postgres_problem()
    if problem and IN_CI:
        pytest.fail(f"PostgreSQL is required in CI ({POSTGRES_URL}): {problem}")
    if problem:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); set TEST_POSTGRES_URL to run these")
    await _fresh_postgres()
    return POSTGRES_URL


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


class RunningBot:
    """The real Application, polling the emulator; ``restart`` is a process restart (new engine)."""

    def __init__(self, emulator: BotApiEmulator, database_url: str, tmp_path, router=None) -> None:
        self.emulator = emulator
        self.router = router or load_router(None)
        self.settings = Settings(database_url=database_url, media_dir=tmp_path / "media")
        self.application = None
        self.engine = None

    async def start(self, receive_updates=None) -> None:
        """Long polling, unless ``receive_updates(updater)`` starts something else (a webhook)."""
        self.engine = create_engine(self.settings.database_url)
        await migrate(self.engine)
        self.application = build_application(self.settings, self.engine, self.router, self.emulator.base_url)
        self.application.add_handler(self.emulator.completion_handler(), group=1000)
        await start_bot(self.application, receive_updates or _poll_quickly)

    async def stop(self) -> None:
        if self.application is None:
            return
        await stop_bot(self.application)
        await self.engine.dispose()
        self.application = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def sessions(self):
        return self.application.bot_data["services"].sessions

    @property
    def outbox(self):
        return self.application.bot_data["services"].outbox

    def citizen(self, first_name: str = "Siti", username: str | None = "siti_warga") -> Citizen:
        return Citizen(self.emulator, next(_user_ids), first_name, username)


def _poll_quickly(updater):
    return updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)


@pytest.fixture
async def bot(emulator, database_url, tmp_path) -> AsyncIterator[RunningBot]:
    running = RunningBot(emulator, database_url, tmp_path)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def citizen(bot) -> Citizen:
    return bot.citizen()


async def eventually(predicate, timeout: float = 10.0, interval: float = 0.05) -> None:
    """Wait for something another task does (the outbox sender), failing after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)

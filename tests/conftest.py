"""Fixtures: the real Application, driven through the local Bot API emulator, on SQLite and PostgreSQL.

PostgreSQL is the server of TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432). Each test run creates
a database of its own there and drops it at the end, so that runs side by side do not meet. Where the
server cannot be reached the PostgreSQL half of the suite is skipped with the reason, except in CI
(CI=true), where that is a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from telegram import Bot

from bot.app import ProcessRole, build_application, start_bot, stop_bot
from bot.channels.telegram.request import AiohttpRequest
from bot.config import Settings
from bot.db import create_engine, migrate, session_factory
from bot.inbox import dispatcher
from bot.inbox.receivers import Polling
from bot.services.jurisdiction import load_router
from bot.sandbox.emulator import BotApiEmulator
from bench.harness import processes
from tests import postgres
from tests.kit.client import Citizen
from tests.run_locks import RunLocks
from tests.harness import TEST_PACING, TEST_POOL_SIZE, eventually  # noqa: F401 (the tests import them from here)
from tests.harness import migrated_alone

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RUN_LOCKS: RunLocks | None = None
# Boundaries compiled by the tests and their bot processes (routing.boundaries) are kept apart from the user's.
os.environ.setdefault("CACHE_DIR", os.path.join(tempfile.gettempdir(), "lapor-bot-tests-cache"))
os.environ.setdefault("DATABASE_POOL_SIZE", str(TEST_POOL_SIZE))  # the bot processes tests start
_user_ids = itertools.count(5000001)
TASKS_SHOWN_SECONDS_BEFORE = 15
QUICK_RETRIES = (timedelta(seconds=0.2), timedelta(seconds=0.5))  # in service: bot.inbox.dispatcher.RETRY_DELAYS


def pytest_configure(config) -> None:
    global RUN_LOCKS
    RUN_LOCKS = RunLocks.of_this_run(config)
    processes.FORKED = True  # bot processes start from a server that has imported the bot (bench/harness/forked.py)
    # A turn that fails is tried as often as in service, sooner: scripted citizens wait for its apology.
    dispatcher.RETRY_DELAYS = QUICK_RETRIES


def pytest_sessionstart(session) -> None:
    postgres.create_run_database()


def pytest_sessionfinish(session, exitstatus) -> None:
    postgres.drop_run_database()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Under pytest-xdist, the tests of a module marked ``alone`` run while no other test runs, one after another;
    the others side by side. Taken here, before pytest-timeout starts a test's clock: a wait is not the test's."""
    if RUN_LOCKS is None:
        yield
        return
    if item.get_closest_marker("alone") is None:
        with RUN_LOCKS.together():
            yield
        return
    RUN_LOCKS.alone(item.module)
    yield
    if nextitem is None or nextitem.module is not item.module:
        RUN_LOCKS.release()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path) -> str:
    """An empty database of the test's own (``migrated_url`` gives it at the newest schema). On PostgreSQL the
    database is made here either way, so that it is made once: empty, or as a copy of the template."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    problem = postgres.problem()
    if problem and IN_CI:
        pytest.fail(f"PostgreSQL is required in CI ({postgres.SERVER_URL}): {problem}")
    if problem:
        pytest.skip(f"PostgreSQL not reachable at {postgres.SERVER_URL} ({problem}); set TEST_POSTGRES_URL to run these")
    await postgres.fresh_database(migrated="migrated_url" in request.fixturenames)
    return postgres.run_url()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """A SQLite database at the newest schema, migrated once per worker: a test that needs one gets a copy
    (migrating from nothing is a third of a second of CPU, copying a thousandth)."""
    path = tmp_path_factory.mktemp("schema") / "lapor.db"
    asyncio.run(migrated_alone(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def migrated_url(database_url, request) -> str:
    """``database_url`` at the newest schema (``database_url`` alone is an empty database, for the migrations' tests):
    a copy of one migrated once per worker (PostgreSQL: a template database, copied by ``database_url``; SQLite: a
    file, copied here, outside the test's event loop, where ``sqlite_schema`` may run its own)."""
    if database_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), make_url(database_url).database)
    return database_url


@pytest.fixture
async def engine(migrated_url):
    engine = create_engine(migrated_url)
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


@pytest.fixture
async def telegram_bot(emulator):
    """A bare python-telegram-bot ``Bot`` talking to the emulator, for user 42 (Rina), on the bot's own HTTP
    client (``AiohttpRequest``), so that the emulator's faults are seen through it."""
    emulator.add_user(42, "Rina")
    requests = AiohttpRequest()
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot",
              request=requests, get_updates_request=requests)
    async with bot:
        yield bot


class RunningBot:
    """The real Application, polling the emulator; ``restart`` is a process restart (new engine)."""

    def __init__(self, emulator: BotApiEmulator, database_url: str, tmp_path, router=None) -> None:
        self.emulator = emulator
        self.router = router or load_router(None)
        self.settings = Settings(database_url=database_url, media_dir=tmp_path / "media", database_pool_size=TEST_POOL_SIZE)
        self.pacing = TEST_PACING
        self.application = None
        self.engine = None

    async def start(self, receiver=None, role: ProcessRole = ProcessRole.ALL) -> None:
        """Long polling, unless ``receiver`` says otherwise (a webhook); ``role`` as a Procfile process."""
        self.engine = create_engine(self.settings.database_url)
        await migrate(self.engine)
        self.application = build_application(self.settings, self.engine, self.router, self.emulator.base_url, self.pacing)
        self.application.bot_data["services"].handled.append(self.emulator.bot_is_done)
        await start_bot(self.application, receiver or self.receiver(), role)

    def receiver(self) -> Polling:
        return Polling(timeout=1)

    @property
    def process_name(self) -> str:
        """The name the running bot holds its jobs' leases under (bot.delivery.senders)."""
        return self.application.bot_data["background"].sender.name

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
    def services(self):
        return self.application.bot_data["services"]

    @property
    def delivery(self):
        return self.services.delivery

    def citizen(self, first_name: str = "Siti", username: str | None = "siti_warga") -> Citizen:
        return Citizen(self.emulator, next(_user_ids), first_name, username)


@pytest.fixture
async def bot(emulator, migrated_url, tmp_path) -> AsyncIterator[RunningBot]:
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture(autouse=True)
async def _tasks_shown_before_a_timeout(request):
    """Shortly before pytest-timeout stops a test (its setup, call or teardown), print what each asyncio task
    awaits: the timeout's own dump shows only the event loop, idle, waiting for whatever never came. The
    call stays scheduled until the test's event loop is closed, whose own shutdown is where CI once hung."""
    asyncio.get_running_loop().call_later(float(request.config.getini("timeout")) - TASKS_SHOWN_SECONDS_BEFORE,
                                          _print_tasks)


def _print_tasks() -> None:
    print(f"--- {TASKS_SHOWN_SECONDS_BEFORE} s before the timeout, the tasks and what they await ---", file=sys.stderr)
    for task in asyncio.all_tasks():
        print(f"{task.get_name()}:", file=sys.stderr)
        for frame in _awaited_frames(task.get_coro()):
            print(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}", file=sys.stderr)


def _awaited_frames(awaitable):
    """A suspended coroutine's frames, down the chain of what each awaits (Task.print_stack shows only the
    outermost one)."""
    while awaitable is not None:
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is not None:
            yield frame
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)


@pytest.fixture
def citizen(bot) -> Citizen:
    return bot.citizen()

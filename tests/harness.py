"""Test helpers that need no messenger (so that a channel without python-telegram-bot can use them): waiting
for what another task does, and the pacing scripted people need."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import socket

from bot.db import create_engine, migrate
from bot.delivery.pacing import Pacing

# Ports for the servers a test starts, below the kernel's ephemeral range (32768 and up), where outgoing
# connections take theirs: each pytest-xdist worker hands out a range of its own, so that neither another
# worker's test nor a connection can take a port between the check here and the server's start.
FIRST_PORT, PORTS_PER_WORKER, WORKER_RANGES = 20000, 1000, 12

# Six workers' bots, in-process and started as processes, share one PostgreSQL server of 100 connections: each opens
# at most 10 instead of 40.
TEST_POOL_SIZE = 10
# Scripted citizens answer faster than people: pace only across chats, as Telegram does.
TEST_PACING = Pacing(per_second=1000, burst=100, chat_per_second=1000, chat_burst=1000, group_per_minute=100_000)


async def eventually(predicate, timeout: float = 10.0, interval: float = 0.05) -> None:
    """Wait for something another task does (the outbox sender), failing after ``timeout``.
    ``predicate`` may be a coroutine function (to look into the database)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (await result if inspect.isawaitable(result := predicate()) else result):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def _worker_ports() -> itertools.cycle:
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    first = FIRST_PORT + worker % WORKER_RANGES * PORTS_PER_WORKER
    return itertools.cycle(range(first, first + PORTS_PER_WORKER))


_ports = _worker_ports()


def free_port() -> int:
    """A port no one listens on, from this worker's own range."""
    for _ in range(PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds: a closing socket is no obstacle
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's range from {FIRST_PORT}")


async def migrated_alone(url: str) -> None:
    """Bring the database at ``url`` to the newest schema and close every connection to it (SQLite's WAL is
    written back into the file; a PostgreSQL template is copied only while nobody is connected to it)."""
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()

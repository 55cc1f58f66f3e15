"""Test helpers that need no messenger (so that a channel without python-telegram-bot can use them): waiting
for what another task does, and the pacing scripted people need."""

from __future__ import annotations

import asyncio
import inspect

from bot.delivery.pacing import Pacing

# Scripted citizens answer faster than people: pace only across chats, as Telegram does.
TEST_PACING = Pacing(per_second=1000, burst=100, chat_per_second=1000, chat_burst=1000)


async def eventually(predicate, timeout: float = 10.0, interval: float = 0.05) -> None:
    """Wait for something another task does (the outbox sender), failing after ``timeout``.
    ``predicate`` may be a coroutine function (to look into the database)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (await result if inspect.isawaitable(result := predicate()) else result):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)

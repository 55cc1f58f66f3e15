"""Update ids this process has seen, and the lower ones still on their way.

Telegram numbers a bot's updates one by one, so an update whose id is more than one above the highest seen
tells that the ones between are still coming (a webhook delivery that failed and is retried, a slower
connection): until they arrive, or a short wait is over, a chat's newer update waits for them, since any of
them may be the same chat's older message. Ids are per bot, not per chat, so the wait is bounded: a missing
id is waited for once, for ``wait`` seconds from when its gap was seen, and never again after that (if it
comes later it is handled then, as any update is).

Ids from ``KEYED_IDS_FROM`` up are another channel's (WhatsApp's, made from its own message ids): they are not
numbered one by one, so they neither open a gap nor wait for one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.inbox.store import KEYED_IDS_FROM

# A gap wider than this is not an update on its way (a restart, or Telegram's ids jumping): not waited for.
WIDEST_GAP = 1000
# When the database is asked whether another process (a web process beside this one) has a missing id: soon at
# first, as the other process's turn usually commits within milliseconds, then less often. (Every 50 ms from the
# start, the usual update waited 50 ms with two web processes: bench/load.py, p50 60 ms instead of 7.)
CHECK_SECONDS = (0.003, 0.006, 0.012, 0.025, 0.05)

StoredElsewhere = Callable[[list[int]], Awaitable[set[int]]]


class Arrivals:
    def __init__(self, wait: float) -> None:
        self.wait = wait
        self._highest: int | None = None
        self._missing: dict[int, float] = {}  # id -> the loop time until which it is waited for
        self._arrival = asyncio.Event()

    def arrived(self, update_id: int, fresh: bool = True) -> None:
        """An update reached this process: from a receiver (``fresh``), or read back from the table."""
        if self._missing.pop(update_id, None) is not None:
            self._arrival.set()
            self._arrival = asyncio.Event()
        if not fresh or self.wait <= 0 or update_id >= KEYED_IDS_FROM:
            return
        if self._highest is not None and self._highest + 1 < update_id <= self._highest + WIDEST_GAP:
            self._prune()
            until = asyncio.get_running_loop().time() + self.wait
            self._missing.update((missing, until) for missing in range(self._highest + 1, update_id))
        if self._highest is None or update_id > self._highest:
            self._highest = update_id

    def missing_below(self, update_id: int) -> list[int]:
        """The ids below ``update_id`` still waited for (none, for an id that is not Telegram's)."""
        if update_id >= KEYED_IDS_FROM:
            return []
        self._prune()
        return sorted(missing for missing in self._missing if missing < update_id)

    async def wait_for_earlier(self, update_id: int, stored_elsewhere: StoredElsewhere,
                               waiting: Callable[[], Awaitable[None]]) -> None:
        """Return once no lower id is missing: each arrived here or in another process (its row is in the
        table), or its wait is over. The usual gap (parallel connections) closes here within milliseconds;
        the table is asked only after that, and ``waiting`` runs once, when the wait goes on."""
        told, checks = False, 0
        while self.missing_below(update_id):
            await self._next_arrival(CHECK_SECONDS[min(checks, len(CHECK_SECONDS) - 1)])
            checks += 1
            missing = self.missing_below(update_id)
            if not missing:
                return
            for found in await stored_elsewhere(missing):
                self._missing.pop(found, None)
            if self.missing_below(update_id) and not told:
                told = True
                await waiting()

    async def _next_arrival(self, seconds: float) -> None:
        try:  # not asyncio.wait_for: on Python 3.11 a cancellation coming with an arrival would be dropped
            async with asyncio.timeout(seconds):
                await self._arrival.wait()
        except TimeoutError:
            pass

    def _prune(self) -> None:
        """Forget the ids whose wait is over."""
        now = asyncio.get_running_loop().time()
        for expired in [missing for missing, until in self._missing.items() if until <= now]:
            del self._missing[expired]

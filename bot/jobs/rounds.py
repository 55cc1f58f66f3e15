"""The loop every scheduled job runs in: a round, then a pause, for as long as the process lives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.db.aiosqlite_one_trip import off_the_loop

log = logging.getLogger(__name__)


async def every(seconds: float, round_: Callable[[], Awaitable[object]], failed: str,
                kick: Callable[[], None] | None = None) -> None:
    """Run ``round_`` every ``seconds``; where it returns something truthy (messages were queued), ``kick`` the
    sender. A failed round is logged as ``failed`` and tried again next time: a database hiccup must not end the job.
    A job's statements keep off the event loop on SQLite: some write many rows (retention), and none is in a hurry."""
    with off_the_loop():
        while True:
            try:
                if await round_() and kick is not None:
                    kick()
            except Exception:
                log.exception(failed)
            await asyncio.sleep(seconds)

"""The broadcast job: every second, in the one process holding its lease, queue the next recipients of each
sending broadcast whose copies in the outbox run low (the outbox sends them at the bulk pace)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from bot.db import Transactions
from bot.db.models import Broadcast, utcnow
from bot.jobs import lease
from bot.jobs.deadlines import HOLDER
from bot.services import broadcasts

log = logging.getLogger(__name__)

JOB = "broadcast-queue"
EVERY_SECONDS = 1.0
LEASE = timedelta(seconds=30)
WINDOW = 200  # copies waiting in the outbox before the next batch is queued: seconds of sending at bulk pace

RenderFor = Callable[[Broadcast], broadcasts.Render]


async def run_once(transactions: Transactions, render_for: RenderFor, default_locale: str, *, holder: str = HOLDER,
                   window: int | None = None, batch: int | None = None) -> int | None:
    """Queue what is due; how many copies, or None when another process holds the lease."""
    window, batch = window or WINDOW, batch or broadcasts.BATCH
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, utcnow()):
            return None
        queued = 0
        for broadcast in await broadcasts.sending(session):
            if await broadcasts.waiting_copies(session, broadcast.id) < window:
                queued += await broadcasts.queue_next(session, broadcast, render_for(broadcast), default_locale, batch)
        return queued


async def run_forever(transactions: Transactions, render_for: RenderFor, default_locale: str,
                      kick: Callable[[], None]) -> None:
    while True:
        try:
            if await run_once(transactions, render_for, default_locale):
                kick()
        except Exception:  # a database hiccup must not end the job
            log.exception("queuing broadcasts failed; trying again")
        await asyncio.sleep(EVERY_SECONDS)

"""The file job: every second, in the one process holding its lease, build the files ordered in the chat (exports,
statistics charts) and queue them for sending (bot.services.generated). Building holds no write transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from bot.db import Transactions
from bot.db.models import utcnow
from bot.jobs import lease
from bot.jobs.deadlines import HOLDER
from bot.jobs.rounds import every
from bot.services import generated

log = logging.getLogger(__name__)

JOB = "file-orders"
EVERY_SECONDS = 1.0
LEASE = timedelta(minutes=5)  # longer than the largest build (an export of 100,000 reports takes about 15 s)
BATCH = 4


async def run_once(transactions: Transactions, *, holder: str = HOLDER) -> int | None:
    """Build what is ordered; how many orders were settled, or None when another process holds the lease."""
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, utcnow()):
            return None
        orders = await generated.pending(session, BATCH)
    settled = 0
    for order_id, recipe in orders:
        try:
            made = await generated.build(transactions.sessions, recipe)
        except Exception as error:  # one order that cannot be built must not stop the others
            log.exception("file order %s could not be built", order_id)
            async with transactions.begin() as session:
                await generated.failed(session, order_id, f"{type(error).__name__}: {error}")
            continue
        async with transactions.begin() as session:
            settled += await generated.deliver(session, order_id, made)
    return settled


async def run_forever(transactions: Transactions, kick: Callable[[], None], *, holder: str = HOLDER) -> None:
    await every(EVERY_SECONDS, lambda: run_once(transactions, holder=holder), "building ordered files failed; trying again",
                kick)

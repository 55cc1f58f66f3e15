"""The deadline job: every minute, in the one process holding its lease, sweep the deadlines; the sweep queues what
staff must hear in the same transaction as the reports' marks (a crash repeats nothing and loses nothing)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.db import Transactions
from bot.db.models import utcnow
from bot.jobs import lease
from bot.jobs.rounds import every
from bot.services import deadline_sweep
from bot.services.notices import Notices


JOB = "deadline-sweep"
EVERY = timedelta(minutes=1)
LEASE = timedelta(minutes=3)  # a dead holder's lease runs out after this; a live one renews it every sweep
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_once(transactions: Transactions, notify: Notices, *, now: datetime | None = None,
                   holder: str = HOLDER) -> int | None:
    """One sweep; the number of reminders and escalations queued, or None when another process holds the lease."""
    now = now or utcnow()
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, now):
            return None
        notices = await deadline_sweep.run(session, notify, now)
    return len(notices)


async def run_forever(transactions: Transactions, notify: Notices, kick: Callable[[], None], *,
                      holder: str = HOLDER) -> None:
    await every(EVERY.total_seconds(), lambda: run_once(transactions, notify, holder=holder),
                "deadline sweep failed; trying again", kick)

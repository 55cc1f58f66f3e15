"""The deadline job: every minute, in the one process holding its lease, sweep the deadlines and queue what
staff must hear, in the same transaction as the reports' marks (a crash repeats nothing and loses nothing)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db import Transactions
from bot.db.models import User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.i18n import Translator
from bot.jobs import lease
from bot.services.deadline_sweep import Notice, sweep
from routing.agencies import Directory

log = logging.getLogger(__name__)

JOB = "deadline-sweep"
EVERY = timedelta(minutes=1)
LEASE = timedelta(minutes=3)  # a dead holder's lease runs out after this; a live one renews it every sweep
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

Render = Callable[[Translator, Notice], str]


async def run_once(transactions: Transactions, directory: Directory, translator: Callable[[str | None], Translator],
                   render: Render, *, now: datetime | None = None, holder: str = HOLDER) -> int | None:
    """One sweep; the number of messages queued, or None when another process holds the lease."""
    now = now or utcnow()
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, now):
            return None
        notices = await sweep(session, directory, now)
        recipients = {notice.user_id for notice in notices}
        users = {user.id: user for user in await session.scalars(select(User).where(User.id.in_(recipients)))}
        for notice in notices:
            user = users.get(notice.user_id)  # staff made from the command line may never have written
            text = render(translator(user.locale if user else None), notice)
            await outbox.enqueue(session, notice.user_id, Text(text), user=user, priority=outbox.Priority.NOTIFICATION)
    return len(notices)


async def run_forever(transactions: Transactions, directory: Directory, translator, render, kick: Callable[[], None]) -> None:
    while True:
        try:
            if await run_once(transactions, directory, translator, render):
                kick()
        except Exception:  # a database hiccup must not end the job
            log.exception("deadline sweep failed; trying again")
        await asyncio.sleep(EVERY.total_seconds())

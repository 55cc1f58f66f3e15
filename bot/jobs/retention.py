"""The retention job: every hour, in the one process holding its lease, forget what is no longer needed: handled
updates past Telegram's redelivery window, and the text of settled outbox messages (a confidential report's
words among them) and the files made for a chat (exports, charts) once ``OUTBOX_KEEP_DAYS`` have passed; and the
addresses (phone numbers) of contacts their people asked the bot to forget."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.db import Transactions
from bot.db.models import utcnow
from bot.delivery import retention as outbox_retention
from bot.inbox import store as inbox_store
from bot.jobs import lease
from bot.jobs.deadlines import HOLDER
from bot.jobs.rounds import every
from bot.services import forgetting, generated

log = logging.getLogger(__name__)

JOB = "retention"
EVERY = timedelta(hours=1)
LEASE = timedelta(hours=2)  # longer than a round: another process takes over an hour after the holder died


async def run_once(transactions: Transactions, keep: timedelta, *,
                   holder: str = HOLDER) -> outbox_retention.Forgotten | None:
    """One round; what the outbox forgot, or None when another process holds the lease."""
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, utcnow()):
            return None
        updates = await inbox_store.prune(session)
        forgotten = await outbox_retention.forget_settled(session, keep)
        files = await generated.forget(session, keep)
        contacts = await forgetting.scrub(session)
    log.info("pruned %d handled updates; the outbox deleted %d sent messages and dropped the text of %d others; "
             "%d file orders forgotten; %d contacts' addresses scrubbed", updates, forgotten.deleted, forgotten.emptied,
             files, contacts)
    return forgotten


async def run_forever(transactions: Transactions, keep: timedelta, *, holder: str = HOLDER) -> None:
    await every(EVERY.total_seconds(), lambda: run_once(transactions, keep, holder=holder), "retention round failed")

"""The forwarding job, in the one process holding its lease: send what is due to each target, in order per report
and target, again with a growing pause until the target takes it; and read the Open311 targets' statuses on their
schedule. A target that is down or answers garbage only delays its own forwards; it never blocks the bot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import aiohttp
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from bot.db import Transactions
from bot.db.models import Report, utcnow
from bot.db.models.forwarding import Forward, ReportLink
from bot.forwarding import statuses
from bot.forwarding.adapters import TOKEN_PREFIX, Open311Forwarder, Refused, TryAgain, forwarder_for
from bot.forwarding.targets import Targets
from bot.jobs import lease
from bot.jobs.deadlines import HOLDER
from bot.jobs.rounds import every
from bot.notices.staff import Headline
from bot.services.notices import Notices

log = logging.getLogger(__name__)

JOB = "forwarding"
EVERY = 2.0  # seconds between rounds
# Renewed as each send is recorded, and a send gives up after adapters.TIMEOUT (20 s): a live holder keeps it
# through a round of slow targets; another process takes over from a dead one within half a minute, and the same
# process started again (under its name: bot.delivery.senders) at once.
LEASE = timedelta(seconds=30)
PENDING, SENT, FAILED = "pending", "sent", "failed"
FIRST_PAUSE, LONGEST_PAUSE = timedelta(seconds=10), timedelta(hours=1)
ALERT_AFTER = 5  # tries: then the hub hears that the report is not getting through
BATCH = 50
IDS_PER_READ = 100


class ForwardingJob:
    def __init__(self, transactions: Transactions, targets: Targets, notices: Notices, kick: Callable[[], None],
                 holder: str = HOLDER) -> None:
        self.transactions, self.targets, self.notices, self.kick, self.holder = (
            transactions, targets, notices, kick, holder)
        self.forwarders = {target.name: forwarder_for(target) for target in targets.targets}
        self._read_at: dict[str, datetime] = {}

    async def run_forever(self) -> None:
        async with aiohttp.ClientSession() as http:
            await every(EVERY, lambda: self.run_once(http), "forwarding failed; trying again")

    async def run_once(self, http: aiohttp.ClientSession, now: datetime | None = None) -> int | None:
        """One round: the forwards sent or tried, or None when another process holds the lease."""
        now = now or utcnow()
        async with self.transactions.begin() as session:
            if not await lease.take(session, JOB, self.holder, LEASE, now):
                return None
            due = list(await session.scalars(_due(now)))
        for forward in due:
            if not await self._send(http, forward):
                break  # the lease ran out mid-round, and another process may have taken over
        for name, forwarder in self.forwarders.items():
            if isinstance(forwarder, Open311Forwarder) and now >= self._read_at.get(name, now):
                self._read_at[name] = now + timedelta(minutes=forwarder.target.pull_minutes)
                await self.read_statuses(http, forwarder)
        return len(due)

    async def _send(self, http: aiohttp.ClientSession, forward: Forward) -> bool:
        """Send one forward and record what came of it; whether this process still holds the lease."""
        forwarder = self.forwarders.get(forward.target)
        if forwarder is None:  # a target taken out of the file: kept, unsent, until it is back
            return True
        try:
            sent, error = await forwarder.send(http, forward), None
        except (TryAgain, Refused) as problem:
            sent, error = None, problem
        async with self.transactions.begin() as session:
            held = await lease.take(session, JOB, self.holder, LEASE, utcnow())
            row = await session.get(Forward, forward.id)
            row.attempts += 1
            if sent is not None:
                row.state, row.sent_at, row.last_error = SENT, utcnow(), None
                await _remember(session, row, sent.remote_id, sent.lapor_id)
                return held
            row.last_error = f"{type(error).__name__}: {error}"[:1000]
            row.state = FAILED if isinstance(error, Refused) else PENDING
            row.next_attempt_at = utcnow() + min(FIRST_PAUSE * 2 ** (row.attempts - 1), LONGEST_PAUSE)
            log.warning("forward %s to %s: %s (try %d)", row.id, row.target, type(error).__name__, row.attempts)
            if row.state == FAILED or row.attempts == ALERT_AFTER:
                report = await session.get(Report, row.report_id)
                await self.notices.tell_holders(session, (self.notices.hub_of(report),), Headline.FORWARD_FAILED,
                                                report.tracking_id)
        self.kick()
        return held

    async def read_statuses(self, http: aiohttp.ClientSession, forwarder: Open311Forwarder) -> int:
        """Read the target's status of every open report forwarded there; the changes made."""
        name, changed = forwarder.target.name, 0
        async with self.transactions.sessions() as session:
            links = list(await session.scalars(select(ReportLink).where(
                ReportLink.target == name, ReportLink.remote_id.is_not(None),
                (ReportLink.remote_status.is_(None)) | (ReportLink.remote_status != "closed"))))
        remote_ids = [await self._id_of(http, forwarder, link) for link in links]
        remote_ids = [remote_id for remote_id in remote_ids if remote_id]
        for start in range(0, len(remote_ids), IDS_PER_READ):
            try:
                found = await forwarder.statuses(http, remote_ids[start:start + IDS_PER_READ])
            except (TryAgain, Refused) as problem:
                log.warning("reading statuses from %s: %s", name, problem)
                return changed
            for remote in found:
                async with self.transactions.begin() as session:
                    changed += await statuses.apply(session, name, remote)
        if changed:
            self.kick()
        return changed

    async def _id_of(self, http: aiohttp.ClientSession, forwarder: Open311Forwarder, link: ReportLink) -> str | None:
        """The link's id there; a token is first exchanged for it (once the target has numbered the request)."""
        if not link.remote_id.startswith(TOKEN_PREFIX):
            return link.remote_id
        try:
            remote_id = await forwarder.id_of_token(http, link.remote_id.removeprefix(TOKEN_PREFIX))
        except (TryAgain, Refused):
            return None
        if remote_id:
            async with self.transactions.begin() as session:
                (await session.get(ReportLink, (link.report_id, link.target))).remote_id = remote_id
        return remote_id


def _due(now: datetime):
    """Pending forwards whose time has come and that no earlier forward of their report and target holds back."""
    earlier = aliased(Forward)
    held = exists().where(earlier.report_id == Forward.report_id, earlier.target == Forward.target,
                          earlier.state != SENT, earlier.id < Forward.id)
    return (select(Forward).where(Forward.state == PENDING, Forward.next_attempt_at <= now, ~held)
            .order_by(Forward.id).limit(BATCH))


async def _remember(session, forward: Forward, remote_id: str | None, lapor_id: str | None) -> None:
    link = await session.get(ReportLink, (forward.report_id, forward.target))
    if link is not None and remote_id and not link.remote_id:
        link.remote_id = remote_id
    if link is not None and lapor_id:
        link.lapor_id = lapor_id

"""A target's status of a forwarded report, read (Open311's ``GET requests``) or pushed (the signed inbound
endpoint), becomes the report's history: closed there closes it here (resolved, with the target's note); a new
note on an open report is told to the reporter as a note. Nothing changes for what the link already holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report, utcnow
from bot.db.models.forwarding import ReportLink
from bot.domain import CLOSED_STATUSES, Status
from bot.forwarding.adapters import RemoteStatus
from bot.forwarding.queue import FROM_TARGET
from bot.services import clocks
from bot.services.reports import record_change


async def apply(session: AsyncSession, target: str, remote: RemoteStatus) -> bool:
    """Whether the target's status changed the report (its event and the reporter's notice are queued)."""
    link = await session.scalar(select(ReportLink).where(ReportLink.target == target,
                                                         ReportLink.remote_id == remote.remote_id))
    if link is None:
        return False
    link.checked_at = utcnow()
    if (link.remote_status == ("closed" if remote.closed else "open")) and link.remote_note == remote.note:
        return False
    link.remote_status, link.remote_note = "closed" if remote.closed else "open", remote.note
    link.remote_updated_at = remote.updated_at
    report = await session.get(Report, link.report_id, with_for_update=True)
    if report.status in CLOSED_STATUSES or (not remote.closed and not remote.note):
        return False
    status = Status.RESOLVED if remote.closed else Status(report.status)
    if remote.closed:
        clocks.stop_clock(report)
    await record_change(session, report, status, actor=FROM_TARGET + target, note=remote.note)
    return True

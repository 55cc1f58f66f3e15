"""The citizen closes the loop on a resolved report: rates the final answer (1-5) and may comment on the rating, or
says it is not fixed within the reopen window, which sends it back to the same agency with its hub told. Only the
reporter may."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report, ReportEvent, utcnow
from bot.domain import Status
from bot.domain.actions import LoopAction
from bot.domain.deadlines import Deadline
from bot.services import audit, clocks
from bot.services.notices import Notices
from bot.services.reports import record_change

COMMENT_MAX_CHARS = 1000
REPORTER = "reporter"


class Closing(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such report of this reporter
    NOT_RESOLVED = "not_resolved"
    TOO_LATE = "too_late"  # the reopen window has passed
    NOT_RATED = "not_rated"  # a comment on a rating that was never given
    TOO_LONG = "too_long"


async def _own_resolved(session: AsyncSession, reporter_id: int, tracking_id: str) -> tuple[Closing, Report | None]:
    report = await session.scalar(
        select(Report).where(Report.tracking_id == tracking_id, Report.reporter_id == reporter_id).with_for_update())
    if report is None:
        return Closing.NOT_FOUND, None
    if report.status != Status.RESOLVED.value:
        return Closing.NOT_RESOLVED, report
    return Closing.DONE, report


async def may_reopen(session: AsyncSession, reporter_id: int, tracking_id: str, now: datetime | None = None) -> Closing:
    """Whether ``not_fixed`` would reopen the report now (asked before the reporter confirms)."""
    return (await _reopenable(session, reporter_id, tracking_id, now or utcnow()))[0]


async def _reopenable(session: AsyncSession, reporter_id: int, tracking_id: str, now: datetime
                      ) -> tuple[Closing, Report | None]:
    outcome, report = await _own_resolved(session, reporter_id, tracking_id)
    if outcome is Closing.DONE and (report.due_kind != Deadline.REOPEN_WINDOW.value or report.due_at is None
                                    or report.due_at < now):
        return Closing.TOO_LATE, report
    return outcome, report


async def rate(session: AsyncSession, reporter_id: int, tracking_id: str, stars: int) -> Closing:
    outcome, report = await _own_resolved(session, reporter_id, tracking_id)
    if outcome is Closing.DONE:
        report.rating = max(1, min(5, stars))
    return outcome


async def comment(session: AsyncSession, reporter_id: int, tracking_id: str, text: str) -> Closing:
    """The reporter's comment on their rating: kept with the rating, in the report's history (the status unchanged)
    and in the audit trail (without its words, as every audit row)."""
    text = text.strip()
    if len(text) > COMMENT_MAX_CHARS:
        return Closing.TOO_LONG
    report = await session.scalar(
        select(Report).where(Report.tracking_id == tracking_id, Report.reporter_id == reporter_id).with_for_update())
    if report is None:
        return Closing.NOT_FOUND
    if report.rating is None:
        return Closing.NOT_RATED
    report.rating_comment = text
    session.add(ReportEvent(report=report, actor=REPORTER, from_status=report.status, to_status=report.status,
                            note=text, action=LoopAction.COMMENT.value))
    audit.record(session, reporter_id, "report.comment", report.tracking_id, rating=report.rating)
    await session.flush()
    return Closing.DONE


async def not_fixed(session: AsyncSession, reporter_id: int, tracking_id: str, notify: Notices,
                    now: datetime | None = None) -> tuple[Closing, ReportEvent | None]:
    """Reopen to the same agency: in progress again, with its resolution clock running afresh; the agency and the
    hub of the report's area are told."""
    now = now or utcnow()
    outcome, report = await _reopenable(session, reporter_id, tracking_id, now)
    if outcome is not Closing.DONE:
        return outcome, None
    event = await record_change(session, report, Status.IN_PROGRESS, actor=REPORTER, action=LoopAction.REOPEN.value)
    clocks.resume_clock(report, now)
    audit.record(session, reporter_id, "report.reopen", report.tracking_id, agency=report.agency_code)
    await notify.reopened(session, report)
    return Closing.DONE, event

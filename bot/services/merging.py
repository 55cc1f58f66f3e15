"""Merging a duplicate into the report kept (issue 27), and undoing it: the duplicate is closed with a link to the
kept one, its reporter becomes a supporter there, its photos and files join the kept report, and its clock stops;
undone, all of that is taken back. Called by ``bot.services.workflow`` inside a staff action's transaction, with
both reports read within the actor's reach."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attachment, Report, ReportEvent, Support
from bot.domain import CLOSED_STATUSES, Status
from bot.domain.actions import Action, LoopAction
from bot.services import support
from bot.services.tracking import InvalidTrackingId, parse_tracking_id


class IntoRefused(ValueError):
    """Why a report cannot be merged into the one named: MISSING (no such report in the actor's reach), ITSELF,
    CLOSED (the kept one), ELSEWHERE (another agency's)."""

    MISSING, ITSELF, CLOSED, ELSEWHERE = "missing", "itself", "closed", "elsewhere"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def kept_id(typed: str | None) -> str | None:
    """The tracking ID the actor typed for the report kept, or None."""
    try:
        return parse_tracking_id(typed or "")
    except InvalidTrackingId:
        return None


def check_into(duplicate: Report, kept: Report | None) -> None:
    """Raise IntoRefused where ``duplicate`` may not be merged into ``kept`` (None: not in the actor's reach)."""
    if kept is None:
        raise IntoRefused(IntoRefused.MISSING)
    if kept.id == duplicate.id:
        raise IntoRefused(IntoRefused.ITSELF)
    if kept.status in CLOSED_STATUSES:
        raise IntoRefused(IntoRefused.CLOSED)
    if kept.agency_code != duplicate.agency_code:
        raise IntoRefused(IntoRefused.ELSEWHERE)


async def join(session: AsyncSession, duplicate: Report, kept: Report, actor: str) -> None:
    """After the duplicate's closing event: link it, make its reporter a supporter of the kept report (in the
    chat they filed from), and attach its photos and files there, under a history event of the kept report."""
    duplicate.merged_into_id = kept.id
    event = ReportEvent(report=kept, actor=actor, from_status=kept.status, to_status=kept.status,
                        action=LoopAction.MERGED_IN.value, note=duplicate.tracking_id)
    session.add(event)
    await session.flush()
    if duplicate.reporter_id != kept.reporter_id:
        await support.support(session, kept, duplicate.reporter_id, duplicate.chat_id, support.MERGED)
    position = max((attachment.position for attachment in kept.attachments), default=-1) + 1
    for offset, attachment in enumerate(item for item in duplicate.attachments if item.event_id is None):
        session.add(Attachment(report_id=kept.id, position=position + offset, kind=attachment.kind,
                               file_id=attachment.file_id, file_unique_id=attachment.file_unique_id,
                               file_size=attachment.file_size, file_name=attachment.file_name, event_id=event.id))


async def part(session: AsyncSession, duplicate: Report, actor: str) -> tuple[Report, Status]:
    """Undo the duplicate's merge: the kept report loses its files and the support the merge gave it; returns the
    kept report and the status the duplicate had before (to return to)."""
    kept = await session.get(Report, duplicate.merged_into_id)
    merge = next(event for event in reversed(duplicate.events) if event.action == Action.MERGE.value)
    joined = await session.scalar(select(ReportEvent.id).where(
        ReportEvent.report_id == kept.id, ReportEvent.action == LoopAction.MERGED_IN.value,
        ReportEvent.note == duplicate.tracking_id).order_by(ReportEvent.id.desc()).limit(1))
    if joined is not None:
        await session.execute(delete(Attachment).where(Attachment.report_id == kept.id, Attachment.event_id == joined))
    given = await session.execute(delete(Support).where(
        Support.report_id == kept.id, Support.user_id == duplicate.reporter_id, Support.via == support.MERGED))
    if given.rowcount:
        await session.execute(update(Report).where(Report.id == kept.id).values(supporters=Report.supporters - 1)
                              .execution_options(synchronize_session=False))
    session.add(ReportEvent(report_id=kept.id, actor=actor, from_status=kept.status, to_status=kept.status,
                            action=LoopAction.MERGED_OUT.value, note=duplicate.tracking_id))
    duplicate.merged_into_id = None
    return kept, Status(merge.from_status)

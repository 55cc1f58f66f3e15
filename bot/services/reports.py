"""Reports: filing a finished draft, status changes with their history and notifications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Attachment, Conversation, Report, ReportEvent, User
from bot.delivery import outbox
from bot.domain import STATUS_TRANSITIONS, STATUSES_NEEDING_NOTE, Status
from bot.services.intake import missing_steps
from bot.services.tracking import new_tracking_id


class IncompleteDraft(ValueError):
    pass


class StatusChangeRefused(ValueError):
    pass


async def submit(session: AsyncSession, conversation: Conversation, routing_reason: str | None = None) -> Report:
    """Turn the chat's finished draft into a report, in the caller's transaction."""
    draft = conversation.draft
    if missing_steps(draft):
        raise IncompleteDraft(missing_steps(draft))
    location = draft["location"]
    routing = draft.get("routing") or {}
    report = Report(
        tracking_id=await _unused_tracking_id(session),
        reporter_id=conversation.user_id,
        chat_id=conversation.chat_id,
        report_type=draft["report_type"],
        category=draft["category"],
        description=draft["description"],
        latitude=location.get("latitude"),
        longitude=location.get("longitude"),
        address=location.get("address"),
        anonymous=draft["anonymous"],
        confidential=draft["confidential"],
        status=Status.SUBMITTED.value,
        province_code=routing.get("province"),
        regency_code=routing.get("regency"),
        district_code=routing.get("district"),
        village_code=routing.get("village"),
        road_name=routing.get("road_name"),
        road_status=routing.get("road_status"),
        agency_code=routing.get("agency_code"),
        agency_name=routing.get("agency_name"),
        routing_confidence=routing.get("confidence"),
        routing_reason=routing_reason,
        attachments=[
            Attachment(position=position, **{key: item.get(key) for key in _ATTACHMENT_FIELDS})
            for position, item in enumerate(draft.get("attachments", []))
        ],
        events=[ReportEvent(actor="reporter", from_status=None, to_status=Status.SUBMITTED.value)],
    )
    session.add(report)
    await session.delete(conversation)
    await session.flush()
    return report


_ATTACHMENT_FIELDS = ("kind", "file_id", "file_unique_id", "file_size", "file_name")


async def _unused_tracking_id(session: AsyncSession) -> str:
    while True:  # 45 random bits: a collision is rare, but cheap to rule out
        candidate = new_tracking_id()
        if await find_by_tracking_id(session, candidate) is None:
            return candidate


async def find_by_tracking_id(session: AsyncSession, tracking_id: str) -> Report | None:
    statement = (
        select(Report)
        .where(Report.tracking_id == tracking_id)
        .options(selectinload(Report.attachments), selectinload(Report.events))
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def reports_of(session: AsyncSession, reporter_id: int, limit: int = 10) -> list[Report]:
    statement = (
        select(Report).where(Report.reporter_id == reporter_id).order_by(Report.id.desc()).limit(limit)
    )
    return list((await session.execute(statement)).scalars())


async def change_status(
    session: AsyncSession, report: Report, new_status: Status, *, actor: str, note: str | None = None
) -> ReportEvent:
    """Move a report on, writing its history and the reporter's notification in one transaction."""
    current = Status(report.status)
    if new_status not in STATUS_TRANSITIONS[current]:
        raise StatusChangeRefused(f"a report that is {current.value} cannot become {new_status.value}")
    note = (note or "").strip() or None
    if new_status in STATUSES_NEEDING_NOTE and not note:
        raise StatusChangeRefused(f"{new_status.value} needs a note saying why")
    report.status = new_status.value
    event = ReportEvent(report=report, actor=actor, from_status=current.value, to_status=new_status.value, note=note)
    session.add(event)
    await session.flush()
    reporter = await session.get(User, report.reporter_id)
    await outbox.enqueue(
        session, report.chat_id, user=reporter, kind=outbox.STATUS_CHANGED, priority=outbox.Priority.NOTIFICATION,
        report_id=report.id, event_id=event.id,
    )
    return event

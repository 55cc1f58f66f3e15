"""Reports: filing a finished draft, status changes with their history and notifications (who hears of each is
decided in ``bot.services.notices``, in the same transaction)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import bulk_update
from bot.db.models import Attachment, Conversation, Report, ReportEvent
from bot.domain import STATUS_TRANSITIONS, STATUSES_NEEDING_NOTE, Status
from bot.domain.draft import Draft, RoutingRecord
from bot.domain.nearby import grid_cell
from bot.domain.steps import missing_steps
from bot.forwarding import queue as forwarding
from bot.services import notices, support
from bot.services.conversations import draft_of
from bot.services.notices import Notices
from bot.services.tracking import new_tracking_id
from bot.textlimits import shorten


class IncompleteDraft(ValueError):
    pass


class StatusChangeRefused(ValueError):
    pass


async def submit(session: AsyncSession, conversation: Conversation, notify: Notices,
                 routing_reason: str | None = None) -> Report:
    """Turn the chat's finished draft into a report, in the caller's transaction; the hub of its area is told."""
    report = await file_draft(session, draft_of(conversation), conversation.user_id, conversation.chat_id, notify,
                              routing_reason)
    await session.delete(conversation)
    return report


async def file_draft(session: AsyncSession, draft: Draft, reporter_id: int, chat_id: int, notify: Notices,
                     routing_reason: str | None = None) -> Report:
    """A finished draft as a report of ``reporter_id`` filed from ``chat_id`` (a chat, or a system's API chat), in
    the caller's transaction; the hub of its area is told."""
    if missing_steps(draft):
        raise IncompleteDraft(missing_steps(draft))
    place, routing = draft.place, draft.routing or RoutingRecord()
    report = Report(
        tracking_id=await _unused_tracking_id(session),
        reporter_id=reporter_id,
        chat_id=chat_id,
        report_type=draft.report_type.value,
        category=draft.category,
        description=draft.description,
        latitude=place.latitude,
        longitude=place.longitude,
        address=place.address,
        grid_cell=grid_cell(*place.point) if place.point else None,
        anonymous=draft.anonymous,
        confidential=draft.confidential,
        status=Status.SUBMITTED.value,
        province_code=routing.province,
        regency_code=routing.regency,
        district_code=routing.district,
        village_code=routing.village,
        road_name=_fitting(routing.road_name, "road_name"),
        road_status=routing.road_status,
        agency_code=routing.agency_code or None,
        agency_name=_fitting(routing.agency_name, "agency_name") or None,
        routing_confidence=routing.confidence or None,
        routing_reason=routing_reason,
        attachments=[
            Attachment(position=position, **asdict(attachment)) for position, attachment in enumerate(draft.attachments)
        ],
        events=[ReportEvent(actor="reporter", from_status=None, to_status=Status.SUBMITTED.value)],
    )
    session.add(report)
    await session.flush()
    await notify.report_filed(session, report)
    return report


def _fitting(text: str | None, column: str) -> str | None:
    """A name within its column's length (an imported registry may hold longer ones than it should)."""
    return shorten(text, Report.__table__.c[column].type.length) if text else text


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
    session: AsyncSession, report: Report, new_status: Status, notify: Notices, *, actor: str, note: str | None = None
) -> ReportEvent:
    """Move a report on (the operator's command line), writing its history and telling the reporter, and whoever
    the new status puts the report with, in one transaction."""
    current = Status(report.status)
    if new_status is current:
        raise StatusChangeRefused(f"the report is already {current.value}; nothing was changed")
    if new_status not in STATUS_TRANSITIONS[current]:
        raise StatusChangeRefused(f"a report that is {current.value} cannot become {new_status.value}")
    note = (note or "").strip() or None
    if new_status in STATUSES_NEEDING_NOTE and not note:
        raise StatusChangeRefused(f"{new_status.value} needs a note saying why")
    event = await record_change(session, report, new_status, actor=actor, note=note)
    await notify.status_set(session, report, current)
    return event


async def locked_for_change(session: AsyncSession, tracking_id: str) -> Report | None:
    """The report, locked before it is read, so that of several changes at once (the command line run five times)
    each sees what the one before it did: a row lock on PostgreSQL; on SQLite this first write takes the
    database's write lock, where a read first would leave a snapshot that cannot write once another has."""
    touched = await session.execute(
        bulk_update(Report).where(Report.tracking_id == tracking_id).values(version=Report.version))
    return await find_by_tracking_id(session, tracking_id) if touched.rowcount else None


def bump_version(report: Report) -> None:
    """A change that staff must have seen before they act (a status change, a staff action): the version a staff
    button names moves on. A reporter's reply and the deadline sweep's marks leave it, so a staff member's
    action is never turned away because of them."""
    report.version = (report.version or 1) + 1


async def record_change(session: AsyncSession, report: Report, new_status: Status, *, actor: str,
                        note: str | None = None, action: str | None = None) -> ReportEvent:
    """The report's new status, its history event and the reporter's notification; the caller checked
    that the change is allowed."""
    event = ReportEvent(report=report, actor=actor, from_status=report.status, to_status=new_status.value, note=note,
                        action=action)
    report.status = new_status.value
    bump_version(report)
    session.add(event)
    await session.flush()
    await notices.tell_reporter(session, report, event)
    await support.tell_supporters(session, report, event)
    await forwarding.queue_change(session, report, event)
    return event

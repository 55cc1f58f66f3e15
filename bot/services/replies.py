"""What a citizen sends about a report after filing it, kept in its history with its files:

- the answer to "Perlu informasi tambahan": the report goes back to whoever asked, its clock running afresh;
- a reply to the agency's answer: the report stays with the agency, and no longer closes on its own.
Either way whoever holds the report is told, in the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Attachment, Report, ReportEvent, utcnow
from bot.domain import Status
from bot.domain.actions import LoopAction
from bot.domain.conversation_state import ReporterAnswer
from bot.domain.draft import AttachmentRef
from bot.services import clocks
from bot.services.notices import Notices
from bot.services.reports import bump_version

REPORTER = "reporter"


async def waiting_reports(session: AsyncSession, reporter_id: int) -> list[Report]:
    """The reporter's reports that wait for their information, newest first."""
    statement = (
        select(Report).where(Report.reporter_id == reporter_id, Report.status == Status.WAITING_REPORTER.value)
        .order_by(Report.id.desc()).options(selectinload(Report.attachments), selectinload(Report.events))
    )
    return list((await session.execute(statement)).scalars())


# Where the agency works on a report, and the reporter may reply to what it said.
REPLIABLE = (Status.ASSIGNED.value, Status.IN_PROGRESS.value)


async def repliable_report(session: AsyncSession, reporter_id: int, tracking_id: str) -> Report | None:
    """The reporter's own report, if it is with the agency now (and so open to a reply)."""
    statement = (
        select(Report).where(Report.tracking_id == tracking_id, Report.reporter_id == reporter_id,
                             Report.status.in_(REPLIABLE))
        .options(selectinload(Report.attachments), selectinload(Report.events)).with_for_update()
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def add_answer(session: AsyncSession, report: Report, answer: ReporterAnswer, notify: Notices) -> ReportEvent:
    """Add the answer to the report and hand it back to the status it had before it waited; its holders are told.

    The reporter is not notified of this change: the bot acknowledges their message instead."""
    event = await _append(session, report, answer, _status_before_waiting(report), action=None)
    clocks.resume_clock(report, utcnow())
    await notify.reporter_answered(session, report)
    return event


async def add_reply(session: AsyncSession, report: Report, answer: ReporterAnswer, notify: Notices) -> ReportEvent:
    """The reporter's reply to the agency: the report stays where it is, an answer's auto-close stops, and the
    agency is told."""
    report.auto_close_at = None
    event = await _append(session, report, answer, Status(report.status), action=LoopAction.REPLY.value)
    await notify.reporter_replied(session, report)
    return event


async def add_album_part(session: AsyncSession, reporter_id: int, tracking_id: str, file: AttachmentRef,
                         event_id: int) -> None:
    """A later file of an album the reporter sent with a reply or an answer, joining that history event."""
    report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id, Report.reporter_id == reporter_id)
                                  .options(selectinload(Report.attachments)))
    if report is not None:
        add_files(report, [file], event_id)


def add_files(report: Report, files: list[AttachmentRef], event_id: int | None) -> None:
    """Files for a history event (an answer's, or the rest of an album the reporter sent), after the report's."""
    position = max((attachment.position for attachment in report.attachments), default=-1) + 1
    for offset, file in enumerate(files):
        report.attachments.append(Attachment(position=position + offset, event_id=event_id, **asdict(file)))


async def _append(session: AsyncSession, report: Report, answer: ReporterAnswer, to_status: Status,
                  action: str | None) -> ReportEvent:
    event = ReportEvent(report=report, actor=REPORTER, from_status=report.status, to_status=to_status.value,
                        note=answer.note(), action=action)
    if report.status != to_status.value:  # the answer to a question moves the report on; a reply does not
        bump_version(report)
    report.status = to_status.value
    session.add(event)
    await session.flush()
    add_files(report, answer.files, event.id)
    await session.flush()
    return event


def _status_before_waiting(report: Report) -> Status:
    for event in reversed(report.events):
        if event.to_status == Status.WAITING_REPORTER.value and event.from_status:
            return Status(event.from_status)
    return Status.SUBMITTED

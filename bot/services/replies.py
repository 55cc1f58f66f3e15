"""A citizen's answer to "Perlu informasi tambahan": whatever they send is added to the report that waits
for it (a history event and its files), and the report goes back to whoever asked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Attachment, Report, ReportEvent
from bot.domain import Status
from bot.domain.draft import AttachmentRef

REPORTER = "reporter"


@dataclass
class ReporterAnswer:
    """What one message of the citizen carries: text, files, a place (kept as JSON while they choose a report)."""

    text: str | None = None
    files: list[AttachmentRef] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReporterAnswer":
        return cls(data.get("text"), [AttachmentRef.from_json(item) for item in data.get("files", [])], data.get("latitude"),
                   data.get("longitude"))

    def note(self) -> str | None:
        parts = [self.text] if self.text else []
        if self.latitude is not None and self.longitude is not None:
            parts.append(f"📍 {self.latitude:.5f}, {self.longitude:.5f}")
        return "\n".join(parts) or None


async def waiting_reports(session: AsyncSession, reporter_id: int) -> list[Report]:
    """The reporter's reports that wait for their information, newest first."""
    statement = (
        select(Report).where(Report.reporter_id == reporter_id, Report.status == Status.WAITING_REPORTER.value)
        .order_by(Report.id.desc()).options(selectinload(Report.attachments), selectinload(Report.events))
    )
    return list((await session.execute(statement)).scalars())


async def add_answer(session: AsyncSession, report: Report, answer: ReporterAnswer) -> ReportEvent:
    """Add the answer to the report and hand it back to the status it had before it waited.

    The reporter is not notified of this change: the bot acknowledges their message instead."""
    back_to = _status_before_waiting(report)
    position = max((attachment.position for attachment in report.attachments), default=-1) + 1
    for offset, file in enumerate(answer.files):
        report.attachments.append(Attachment(position=position + offset, **asdict(file)))
    event = ReportEvent(report=report, actor=REPORTER, from_status=report.status, to_status=back_to.value, note=answer.note())
    report.status = back_to.value
    session.add(event)
    await session.flush()
    return event


def _status_before_waiting(report: Report) -> Status:
    for event in reversed(report.events):
        if event.to_status == Status.WAITING_REPORTER.value and event.from_status:
            return Status(event.from_status)
    return Status.SUBMITTED

"""Reports as rows for a spreadsheet, a chunk at a time: area codes, agency, status history and deadlines.

Streamed in id order with keyset pages (``id > last``), so an export of a million reports holds one page in
memory. Privacy: an anonymous reporter's name is never in a row (nor is any reporter's Telegram id), and a
confidential report's text and address are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report, ReportEvent, User
from bot.services.scopes import Period, Scope
from bot.services.statistics import OPEN_STATUSES

PAGE = 2000
WITHHELD = "[rahasia]"  # in place of a confidential report's text and address

COLUMNS = (
    "tracking_id", "received_at", "report_type", "category", "status", "anonymous", "confidential", "reporter_name",
    "description", "address", "latitude", "longitude", "province_code", "regency_code", "district_code",
    "village_code", "road_name", "road_status", "agency_code", "agency_name", "resolution_class", "deadline",
    "deadline_at", "overdue", "escalation_level", "verified_at", "answered_at", "rating", "status_history",
)


@dataclass(frozen=True)
class ExportRequest:
    scope: Scope
    period: Period
    zone: ZoneInfo


async def pages(session: AsyncSession, request: ExportRequest, now: datetime) -> AsyncIterator[list[tuple]]:
    """Lists of rows (one tuple per report, in ``COLUMNS`` order), oldest report first."""
    last_id = 0
    while True:
        rows = (await session.execute(
            select(Report, User.first_name).join(User, User.id == Report.reporter_id, isouter=True)
            .where(request.scope.condition(), request.period.condition(request.zone), Report.id > last_id)
            .order_by(Report.id).limit(PAGE))).all()
        if not rows:
            return
        histories = await _histories(session, [report.id for report, _name in rows], request.zone)
        yield [_row(report, name, histories[report.id], request.zone, now) for report, name in rows]
        last_id = rows[-1][0].id
        session.expunge_all()  # the page's objects are done with: memory stays flat however long the export


async def _histories(session: AsyncSession, report_ids: list[int], zone: ZoneInfo) -> dict[int, str]:
    events = await session.execute(
        select(ReportEvent.report_id, ReportEvent.at, ReportEvent.to_status, ReportEvent.action)
        .where(ReportEvent.report_id.in_(report_ids)).order_by(ReportEvent.report_id, ReportEvent.id))
    steps: dict[int, list[str]] = defaultdict(list)
    for report_id, at, status, action in events:
        steps[report_id].append(f"{_local(at, zone)} {status}" + (f" ({action})" if action else ""))
    return {report_id: "; ".join(steps[report_id]) for report_id in report_ids}


def _row(report: Report, reporter_name: str | None, history: str, zone: ZoneInfo, now: datetime) -> tuple:
    secret = report.confidential
    overdue = report.status in OPEN_STATUSES and report.due_at is not None and report.due_at < now
    return (
        report.tracking_id, _local(report.created_at, zone), report.report_type, report.category, report.status,
        report.anonymous, report.confidential, None if report.anonymous else reporter_name,
        WITHHELD if secret else report.description, WITHHELD if secret and report.address else report.address,
        None if secret else report.latitude, None if secret else report.longitude,
        report.province_code, report.regency_code, report.district_code, report.village_code,
        report.road_name, report.road_status, report.agency_code, report.agency_name, report.resolution_class,
        report.due_kind, _local(report.due_at, zone), overdue, report.escalation_level,
        _local(report.verified_at, zone), _local(report.answered_at, zone), report.rating, history,
    )


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """In the export's time zone, to the second (what a spreadsheet shows)."""
    return moment.astimezone(zone).replace(microsecond=0) if moment is not None else None

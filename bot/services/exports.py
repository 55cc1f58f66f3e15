"""Reports as rows for a spreadsheet, a chunk at a time: area codes, agency, status history and deadlines.

Streamed in id order with keyset pages (``id > last``), so an export of a million reports holds one page in
memory. Privacy: an anonymous reporter's name is never in a row (nor is any reporter's Telegram id), and a
confidential report's text and address are left out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.local_dates import local_time_text
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

# What a file writer must convert, by position: moments, yes/no flags, and free text a spreadsheet might take
# for a formula.
DATE_COLUMNS = tuple(COLUMNS.index(name) for name in ("received_at", "deadline_at", "verified_at", "answered_at"))
FLAG_COLUMNS = tuple(COLUMNS.index(name) for name in ("anonymous", "confidential", "overdue"))
TEXT_COLUMNS = tuple(COLUMNS.index(name) for name in ("reporter_name", "description", "address", "road_name"))


@dataclass(frozen=True)
class ExportRequest:
    scope: Scope
    period: Period
    zone: ZoneInfo


async def pages(session: AsyncSession, request: ExportRequest, now: datetime) -> AsyncIterator[list[tuple]]:
    """Lists of rows (one tuple per report, in ``COLUMNS`` order), oldest report first."""
    last_id, history = 0, _history(*_suffix(request.zone, now))
    while True:
        rows = (await session.execute(
            select(*_REPORT_COLUMNS, User.first_name.label("reporter_name"), history)
            .join(User, User.id == Report.reporter_id, isouter=True)
            .where(request.scope.condition(), request.period.condition(request.zone), Report.id > last_id)
            .order_by(Report.id).limit(PAGE))).all()
        if not rows:
            return
        yield [_row(report, request.zone, now) for report in rows]
        last_id = rows[-1].id


def _history(offset_hours: int, suffix: str):
    """The report's events, oldest first, as one text ("2026-11-02 09:00:00+07:00 submitted; ... (verify)"),
    built by the database: a million reports' histories would cost Python more than the rest of the export."""
    step = local_time_text(ReportEvent.at, literal(offset_hours)) + suffix + " " + ReportEvent.to_status \
        + func.coalesce(" (" + ReportEvent.action + ")", "")
    steps = select(step.label("step")).where(ReportEvent.report_id == Report.id).order_by(ReportEvent.id) \
        .correlate(Report).subquery()
    return select(func.aggregate_strings(steps.c.step, "; ")).scalar_subquery().label("status_history")


def _suffix(zone: ZoneInfo, now: datetime) -> tuple[int, str]:
    """The zone's offset in whole hours and as written after a time ("+07:00"); Indonesia's never change."""
    offset = now.astimezone(zone).utcoffset()
    hours = int(offset.total_seconds() // 3600)
    return hours, f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"


# Plain columns, not ORM objects: a million rows are read several times faster without the identity map.
_REPORT_COLUMNS = tuple(getattr(Report, name) for name in (
    "id", "tracking_id", "created_at", "report_type", "category", "status", "anonymous", "confidential", "description",
    "address", "latitude", "longitude", "province_code", "regency_code", "district_code", "village_code", "road_name",
    "road_status", "agency_code", "agency_name", "resolution_class", "due_kind", "due_at", "escalation_level",
    "verified_at", "answered_at", "rating"))


def _row(report, zone: ZoneInfo, now: datetime) -> tuple:
    secret = report.confidential
    overdue = report.status in OPEN_STATUSES and report.due_at is not None and report.due_at < now
    return (
        report.tracking_id, _local(report.created_at, zone), report.report_type, report.category, report.status,
        report.anonymous, report.confidential, None if report.anonymous else report.reporter_name,
        WITHHELD if secret else report.description, WITHHELD if secret and report.address else report.address,
        None if secret else report.latitude, None if secret else report.longitude,
        report.province_code, report.regency_code, report.district_code, report.village_code,
        report.road_name, report.road_status, report.agency_code, report.agency_name, report.resolution_class,
        report.due_kind, _local(report.due_at, zone), overdue, report.escalation_level,
        _local(report.verified_at, zone), _local(report.answered_at, zone), report.rating, report.status_history,
    )


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """In the export's time zone, to the second (what a spreadsheet shows)."""
    return moment.astimezone(zone).replace(microsecond=0) if moment is not None else None

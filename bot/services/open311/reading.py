"""The public view of reports (Open311's ``GET requests``): exactly what the statistics may show. No reporter, and
never a reporter's contact; a confidential report shows its id, status, agency and dates only (the statistics
leave its category and area out too); the status note is the latest one staff wrote to the reporter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import ApiReport, Report, ReportEvent
from bot.domain import CLOSED_STATUSES
from bot.i18n import Translator
from bot.services.open311.catalog import service
from bot.services.replies import REPORTER  # the actor of the reporter's own words, not the agency's note

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class PublicRequest:
    service_request_id: str
    status: str  # open or closed
    agency_responsible: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    # None for a confidential report:
    service_code: str | None = None
    service_name: str | None = None
    description: str | None = None
    status_notes: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media_url: str | None = None


@dataclass(frozen=True)
class Query:
    """``GET requests``' filters: ids (then nothing else applies, as Open311 says), or the others with a page."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None
    page: int = 1
    page_size: int = 100


async def find(session: AsyncSession, _: Translator, query: Query) -> list[PublicRequest]:
    statement = _filtered(_columns(), query).order_by(Report.created_at.desc(), Report.id.desc())
    if not query.ids:
        statement = statement.offset((query.page - 1) * query.page_size).limit(query.page_size)
    return [_public(_, row) for row in await session.execute(statement)]


async def by_token(session: AsyncSession, token: str) -> str | None:
    """The tracking ID of the report a filing's token stands for."""
    return await session.scalar(select(Report.tracking_id).join(ApiReport, ApiReport.report_id == Report.id)
                                .where(ApiReport.token == token))


def _filtered(statement: Select, query: Query) -> Select:
    if query.ids:
        return statement.where(Report.tracking_id.in_(query.ids))
    if query.service_codes:
        statement = statement.where(Report.category.in_(query.service_codes), Report.confidential.is_(False))
    if query.start is not None:
        statement = statement.where(Report.created_at >= query.start)
    if query.end is not None:
        statement = statement.where(Report.created_at <= query.end)
    if query.status == OPEN:
        statement = statement.where(Report.status.not_in(CLOSED_STATUSES))
    elif query.status == CLOSED:
        statement = statement.where(Report.status.in_(CLOSED_STATUSES))
    return statement


def _columns() -> Select:
    """The report's public columns, its latest staff note and the media_url its filer gave."""
    later = aliased(ReportEvent)
    newer_note = select(later.id).where(later.report_id == ReportEvent.report_id, later.note.is_not(None),
                                        later.actor != REPORTER, later.id > ReportEvent.id).exists()
    note = (select(ReportEvent.note).where(ReportEvent.report_id == Report.id, ReportEvent.note.is_not(None),
                                           ReportEvent.actor != REPORTER, ~newer_note)
            .limit(1).scalar_subquery())
    return (select(Report.tracking_id, Report.status, Report.agency_name, Report.created_at, Report.updated_at,
                   Report.due_at, Report.confidential, Report.category, Report.description, Report.address,
                   Report.latitude, Report.longitude, note.label("note"), ApiReport.media_url)
            .outerjoin(ApiReport, ApiReport.report_id == Report.id))


def _public(_: Translator, row) -> PublicRequest:
    shown = PublicRequest(row.tracking_id, CLOSED if row.status in CLOSED_STATUSES else OPEN, row.agency_name,
                          row.created_at, row.updated_at, row.due_at)
    if row.confidential:
        return shown
    found = service(_, row.category)
    return replace(shown, service_code=row.category, service_name=found.name if found else None,
                   description=row.description, status_notes=row.note, address=row.address, latitude=row.latitude,
                   longitude=row.longitude, media_url=row.media_url)

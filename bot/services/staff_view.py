"""A report as staff see it: a typed view built from the row, holding only what staff may know.

An anonymous reporter's Telegram id, name, username and language never enter the view: the reporter's
row is read only for a report that is not anonymous, so no renderer, log line or export built from a view
can leak them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ApiKey, ApiReport, Report, User
from bot.domain import Status
from bot.domain.actions import Action
from bot.domain.calendar import IndonesianTime, time_zone_for_province
from bot.domain.deadlines import ESCALATING, Deadline, Due, Urgency, deadline
from bot.services import elsewhere
from bot.services.contacts import messaged
from bot.services.elsewhere import Elsewhere
from routing.regions import Hierarchy

# A report without a province (routed to the national admin) counts its days in Jakarta's time.
ZONE_WITHOUT_PROVINCE = IndonesianTime.WIB


@dataclass(frozen=True)
class Reporter:
    """Who filed a report that is not anonymous: what a staff member needs to address them, no more."""

    first_name: str
    username: str | None
    contact: str | None = None  # the email and phone a system filing through the API gave


@dataclass(frozen=True)
class FiledThrough:
    """A report another system filed through the Open311 API: whose key, and the photo's address it gave."""

    system: str
    media_url: str | None


@dataclass(frozen=True)
class Area:
    code: str
    name: str | None


@dataclass(frozen=True)
class AttachmentView:
    kind: str  # photo, video, document
    file_id: str
    file_name: str | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    to_status: Status
    note: str | None
    action: str | None = None


@dataclass(frozen=True)
class StaffReportView:
    tracking_id: str
    status: Status
    report_type: str
    category: str
    description: str
    created_at: datetime
    areas: tuple[Area, ...]  # province, regency, district, village: those that are known
    address: str | None
    latitude: float | None
    longitude: float | None
    road_name: str | None
    agency_code: str | None
    agency_name: str | None
    routing_reason: str | None
    verification: Due
    urgency: Urgency | None  # None once verified: the verification clock no longer runs
    history: tuple[HistoryEntry, ...]
    attachments: tuple[AttachmentView, ...]
    anonymous: bool
    confidential: bool
    reporter: Reporter | None  # None for an anonymous report, always
    version: int = 1  # what the reader saw: an action names it, so that a later change is noticed
    actions: tuple[Action, ...] = ()  # what this reader may do now
    rating: int | None = None  # the reporter's rating of the final answer, and its comment
    rating_comment: str | None = None
    running: Due | None = None  # the clock that runs after verification (first answer, resolution, reopening)
    running_urgency: Urgency | None = None  # for a clock someone at the counter runs against
    closes_at: Due | None = None  # an answer waiting for the reporter's reply closes the report then
    verified: bool = False  # the hub has verified and forwarded it at least once
    filed_through: FiledThrough | None = None
    supporters: int = 0  # people who support it (never who they are)
    elsewhere: tuple[Elsewhere, ...] = ()  # the systems it was forwarded to, with their numbers


def time_zone_of(report: Report) -> IndonesianTime:
    return time_zone_for_province(report.province_code) if report.province_code else ZONE_WITHOUT_PROVINCE


def running_due(report: Report) -> Due:
    """The clock the report runs against now (``due_kind``, ``due_at``), in its province's time zone."""
    return Due(Deadline(report.due_kind), report.due_at, time_zone_of(report))


def verification_due(report: Report) -> Due:
    return deadline(Deadline.VERIFICATION, report.created_at, time_zone_of(report))


async def build_view(session: AsyncSession, report: Report, hierarchy: Hierarchy | None, now: datetime,
                     actions: Sequence[Action] = ()) -> StaffReportView:
    """The view of a report the caller has already found within the reader's reach."""
    api = await session.get(ApiReport, report.id) if not messaged(report.chat_id) else None
    reporter = None
    if not report.anonymous:
        user = await session.get(User, report.reporter_id)
        contact = " · ".join(part for part in (api.email, api.phone) if part) if api else None
        reporter = Reporter(user.first_name, user.username, contact or None) if user else None
    due = verification_due(report)
    codes = (report.province_code, report.regency_code, report.district_code, report.village_code)
    return StaffReportView(
        tracking_id=report.tracking_id,
        status=Status(report.status),
        report_type=report.report_type,
        category=report.category,
        description=report.description,
        created_at=report.created_at,
        areas=tuple(Area(code, _name(hierarchy, code)) for code in codes if code),
        address=report.address,
        latitude=report.latitude,
        longitude=report.longitude,
        road_name=report.road_name,
        agency_code=report.agency_code,
        agency_name=report.agency_name,
        routing_reason=report.routing_reason,
        verification=due,
        urgency=due.urgency(now) if report.status == Status.SUBMITTED.value else None,
        history=tuple(HistoryEntry(event.at, Status(event.to_status), event.note, event.action) for event in report.events),
        attachments=tuple(AttachmentView(a.kind, a.file_id, a.file_name) for a in report.attachments),
        anonymous=report.anonymous,
        confidential=report.confidential,
        reporter=reporter,
        version=report.version,
        actions=tuple(actions),
        rating=report.rating,
        rating_comment=report.rating_comment,
        verified=report.verified_at is not None,
        filed_through=await _filed_through(session, api),
        elsewhere=await elsewhere.of_report(session, report.id),
        supporters=report.supporters,
        **_later_clocks(report, now),
    )


async def _filed_through(session: AsyncSession, api: ApiReport | None) -> FiledThrough | None:
    if api is None:
        return None
    key = await session.get(ApiKey, api.api_key_id)
    return FiledThrough(key.name if key else "?", api.media_url)


def _later_clocks(report: Report, now: datetime) -> dict:
    """The clocks after verification, which the verification line does not show."""
    clocks = {}
    if report.due_kind and report.due_at and report.due_kind != Deadline.VERIFICATION.value:
        running = running_due(report)
        clocks["running"] = running
        clocks["running_urgency"] = running.urgency(now) if running.kind in ESCALATING else None
    if report.auto_close_at:
        clocks["closes_at"] = Due(Deadline.AUTO_CLOSE, report.auto_close_at, time_zone_of(report))
    return clocks


def _name(hierarchy: Hierarchy | None, code: str) -> str | None:
    region = hierarchy.get(code) if hierarchy else None
    return region.name if region else None

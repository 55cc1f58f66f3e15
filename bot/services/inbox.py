"""What staff may read: the inbox views and one report, filtered by the reader's roles in SQL.

Privacy is enforced here, where data is read, not where it is shown: every query takes the reader's active
roles and adds their reach (``bot/domain/reach.py``) to its WHERE clause, so a report outside it is never loaded.
Outside the reach is "not found", never "forbidden", which would confirm that the tracking ID exists.
No Telegram here; the caller owns the transaction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Report, utcnow
from bot.domain import CLOSED_STATUSES, Status
from bot.domain.actions import AT_AGENCY, OPEN_AT_HUB, available
from bot.domain.calendar import IndonesianTime
from bot.domain.deadlines import TOP_ESCALATION, Deadline, Due, Urgency
from bot.domain.due_windows import province_codes_by_zone, start_window
from bot.domain.reach import Hub, Reach
from bot.domain.roles import Grant
from bot.services.reach import condition, hub_condition
from bot.services.staff_view import ZONE_WITHOUT_PROVINCE, StaffReportView, build_view, verification_due
from routing.agencies import Directory
from routing.regions import Hierarchy

DEFAULT_PAGE_SIZE = 8
# Counting a whole view scans it (the national admin's open reports: half the table); past this many,
# "more than 1,000" says enough, and paging goes on by "is there a next row".
COUNT_LIMIT = 1000
MAX_PAGE = 100_000  # a forged button's page number must not overflow OFFSET


class View(StrEnum):
    TO_DO = "todo"  # what waits for the reader's side of the counter: the hub's to verify, the agency's to answer
    NEW = "new"  # submitted, not yet verified
    DUE_SOON = "due_soon"  # submitted, its verification deadline today or the next working day
    OVERDUE = "overdue"  # submitted, past its verification deadline
    WAITING = "waiting"  # waiting for the reporter
    OPEN = "open"  # neither resolved nor rejected
    SUPPORTED = "supported"  # open and supported by others: most supported first


@dataclass(frozen=True)
class InboxItem:
    tracking_id: str
    status: Status
    category: str
    created_at: datetime
    verification: Due
    urgency: Urgency | None  # None once verified: the verification clock no longer runs
    supporters: int = 0


@dataclass(frozen=True)
class InboxPage:
    view: View
    page: int  # 0-based; clamped to the last page when the count is known
    total: int  # at most COUNT_LIMIT + 1: "more than COUNT_LIMIT"
    has_next: bool
    items: tuple[InboxItem, ...]
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def counted(self) -> bool:
        return self.total <= COUNT_LIMIT

    @property
    def pages(self) -> int | None:
        """None when there are too many reports to count."""
        return max(1, math.ceil(self.total / self.page_size)) if self.counted else None


def _to_do_clause(reach: Reach) -> ColumnElement[bool]:
    """The reports whose next step is the reader's: a hub verifies (or sends on) what is open at the hub in its
    area, and chases an agency's report escalated to its level; an agency takes and answers what is assigned to
    it."""
    hubs = [(hub_condition(hub), _escalation_level(hub)) for hub in reach.hubs]
    if reach.everything:
        hubs.append((true(), TOP_ESCALATION))
    parts = [and_(where, or_(_status_in(OPEN_AT_HUB), and_(_status_in(AT_AGENCY), Report.escalation_level >= level)))
             for where, level in hubs]
    if reach.agencies:
        parts.append(and_(Report.agency_code.in_(reach.agencies), _status_in(AT_AGENCY)))
    return or_(*parts) if parts else false()


def _status_in(statuses: frozenset[Status]) -> ColumnElement[bool]:
    return Report.status.in_(sorted(status.value for status in statuses))


def _escalation_level(hub: Hub) -> int:
    """The escalation that reaches this hub (bot/services/deadline_sweep.py): a regency's hub 1, a province's 2
    (the national admin's is ``TOP_ESCALATION``)."""
    return 1 if hub.area_code and "." in hub.area_code else 2


def _zone_clause(zone: IndonesianTime) -> ColumnElement[bool]:
    in_zone = func.substr(Report.province_code, 1, 2).in_(province_codes_by_zone()[zone])
    return or_(in_zone, Report.province_code.is_(None)) if zone is ZONE_WITHOUT_PROVINCE else in_zone


def _view_clause(view: View, now: datetime) -> ColumnElement[bool]:
    if view is View.WAITING:
        return Report.status == Status.WAITING_REPORTER.value
    if view is View.OPEN:
        return Report.status.not_in(CLOSED_STATUSES)
    if view is View.SUPPORTED:
        return and_(Report.status.not_in(CLOSED_STATUSES), Report.supporters > 0)
    submitted = Report.status == Status.SUBMITTED.value
    if view is View.NEW:
        return submitted
    # One start bound per time zone: the deadline is in working days of the report's province.
    windows = [start_window(Deadline.VERIFICATION, now, zone) for zone in IndonesianTime]
    if view is View.OVERDUE:
        per_zone = [and_(_zone_clause(w.time_zone), Report.created_at < w.overdue_before) for w in windows]
    else:
        per_zone = [and_(_zone_clause(w.time_zone), Report.created_at >= w.overdue_before,
                         Report.created_at < w.soon_before) for w in windows]
    return and_(submitted, or_(*per_zone))


async def inbox(
    session: AsyncSession, roles: Sequence[Grant], directory: Directory, *, view: View = View.TO_DO, page: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE, now: datetime | None = None,
) -> InboxPage:
    """One page of a view, oldest first (the most supported first in its view), of the reports the reader may
    see."""
    now = now or utcnow()
    reach = Reach.of(roles, directory)
    where = _to_do_clause(reach) if view is View.TO_DO else and_(condition(reach), _view_clause(view, now))
    counted = select(Report.id).where(where).limit(COUNT_LIMIT + 1).subquery()
    total = await session.scalar(select(func.count()).select_from(counted)) or 0
    page = min(max(page, 0), MAX_PAGE)
    if total <= COUNT_LIMIT:
        page = min(page, max(0, math.ceil(total / page_size) - 1))
    rows = list(await session.scalars(
        select(Report).where(where).order_by(*_order(view)).offset(page * page_size).limit(page_size + 1)
    ))
    items = tuple(_item(report, now) for report in rows[:page_size])
    return InboxPage(view, page, total, len(rows) > page_size, items, page_size)


def _order(view: View) -> tuple[ColumnElement, ...]:
    oldest_first = (Report.created_at, Report.id)
    return (Report.supporters.desc(), *oldest_first) if view is View.SUPPORTED else oldest_first


def _item(report: Report, now: datetime) -> InboxItem:
    due = verification_due(report)
    urgency = due.urgency(now) if report.status == Status.SUBMITTED.value else None
    return InboxItem(report.tracking_id, Status(report.status), report.category, report.created_at, due, urgency,
                     report.supporters)


async def find_for_staff(
    session: AsyncSession, roles: Sequence[Grant], directory: Directory, tracking_id: str, *,
    hierarchy: Hierarchy | None = None, now: datetime | None = None,
) -> StaffReportView | None:
    """The report as staff see it, or None when it does not exist or lies outside the reader's reach."""
    reach = Reach.of(roles, directory)
    if reach.empty:
        return None
    report = await session.scalar(
        select(Report)
        .where(Report.tracking_id == tracking_id, condition(reach))
        .options(selectinload(Report.attachments), selectinload(Report.events))
    )
    if report is None:
        return None
    actions = available(Status(report.status), reach.sides(report), report.merged_into_id is not None)
    return await build_view(session, report, hierarchy, now or utcnow(), actions)

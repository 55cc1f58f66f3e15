"""The deadline sweep: reminders before a deadline, escalation after it. No Telegram here: it marks the reports
and returns who must hear what; the job renders and queues the messages in the same transaction.

- A reminder goes to whoever holds the report now (the agency's liaison and staff, or the hub's admins)
  once its running clock is due soon (today or the next working day in the report's province).
- An overdue report escalates one level per working day past its deadline (the first on the day after): to
  the hub of its regency, then the hub of its province, then the national admin (a level whose hub does not
  exist is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report
from bot.domain import Status
from bot.domain.calendar import default_calendar
from bot.domain.deadlines import Deadline, Due, Urgency
from bot.services import staff
from bot.services.staff_view import time_zone_of
from routing.agencies import NATIONAL_ADMIN, Directory

# Statuses whose clock someone at the counter runs against (not the reporter's, not a closed report's).
RUNNING = (Status.SUBMITTED.value, Status.VERIFIED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value)
REMINDER_HORIZON = timedelta(days=5)  # longer than any "today or next working day" across a long weekend
TOP_LEVEL = 3
BATCH = 500


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    user_id: int
    tracking_id: str
    due: Due
    level: int = 0  # for an escalation: 1 regency hub, 2 province hub, 3 national admin


async def sweep(session: AsyncSession, directory: Directory, now: datetime) -> list[Notice]:
    """At most ``BATCH`` reminders and ``BATCH`` escalations: a backlog is worked through sweep after sweep."""
    holders = await staff.holders(session)
    return [*await _reminders(session, holders, directory, now), *await _escalations(session, holders, directory, now)]


def _due(report: Report) -> Due:
    return Due(Deadline(report.due_kind), report.due_at, time_zone_of(report))


async def _reminders(session: AsyncSession, holders: staff.Holders, directory: Directory, now: datetime) -> list[Notice]:
    reports = await session.scalars(
        select(Report).where(Report.status.in_(RUNNING), Report.due_at > now, Report.due_at <= now + REMINDER_HORIZON,
                             Report.reminded_at.is_(None)).order_by(Report.due_at).limit(BATCH)
    )
    notices = []
    for report in reports:
        due = _due(report)
        if due.urgency(now) is not Urgency.DUE_SOON:
            continue
        report.reminded_at = now
        notices += [Notice(NoticeKind.REMINDER, user, report.tracking_id, due) for user in holders.of(directory, report.agency_code)]
    return notices


async def _escalations(session: AsyncSession, holders: staff.Holders, directory: Directory, now: datetime) -> list[Notice]:
    reports = await session.scalars(
        select(Report).where(Report.status.in_(RUNNING), Report.due_at < now, Report.escalation_level < TOP_LEVEL)
        .order_by(Report.due_at).limit(BATCH)
    )
    notices = []
    for report in reports:
        due = _due(report)
        days_over = default_calendar().working_days_between(due.at, now, due.time_zone.zone)
        level = min(TOP_LEVEL, max(1, days_over))  # its first working day past the deadline is level 1
        if level <= report.escalation_level:
            continue
        report.escalation_level = level
        users = holders.of(directory, _hub_at(directory, report, level))
        notices += [Notice(NoticeKind.ESCALATION, user, report.tracking_id, due, level) for user in users]
    return notices


def _hub_at(directory: Directory, report: Report, level: int) -> str:
    """The body an escalation of ``level`` goes to: the nearest that exists at or above that level."""
    chain = [f"HUB-{report.regency_code}" if report.regency_code else None,
             f"HUB-{report.province_code}" if report.province_code else None, NATIONAL_ADMIN]
    return next((code for code in chain[level - 1:] if code and code in directory.agencies), NATIONAL_ADMIN)

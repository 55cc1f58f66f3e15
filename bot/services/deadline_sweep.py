"""The deadline sweep: reminders before a deadline, escalation after it, and the auto-close of answers left
without a reply. No Telegram here: it marks the reports and queues what everyone must hear (``run``), in the
transaction of the marks.

- A reminder goes to whoever holds the report now (the agency's liaison and staff, or the hub's admins)
  once its running clock is due soon (today or the next working day in the report's province).
- An overdue report escalates one level per working day past its deadline (the first on the day after): to
  the hub of its regency, then the hub of its province, then the national admin (a level whose hub does not
  exist is skipped).
- Each report keeps when the sweep must next look at it (``next_alert_at``), set afresh every time it is
  looked at; so a sweep reads only reports with something due, oldest first, and a backlog is worked through
  sweep after sweep without one report ever being read twice for the same alert.
- An agency's answer that the reporter leaves without a reply for 10 working days closes the report
  (resolved, the reporter told, and free to rate it or say it is not fixed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report
from bot.domain import Status
from bot.domain.actions import LoopAction
from bot.domain.deadlines import TOP_ESCALATION, Deadline, Notice, NoticeKind
from bot.services import clocks, staff
from bot.services.notices import Notices
from bot.services.reports import record_change
from bot.services.staff_view import running_due
from routing.agencies import NATIONAL_ADMIN, Directory

# Statuses whose clock someone at the counter runs against (not the reporter's, not a closed report's).
RUNNING = (Status.SUBMITTED.value, Status.VERIFIED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value)
BATCH = 500
SYSTEM = "system"


async def run(session: AsyncSession, notify: Notices, now: datetime) -> list[Notice]:
    """One sweep, with its reminders and escalations queued (the auto-closes' pushes are queued as they close)."""
    notices = await sweep(session, notify.directory, now)
    await notify.deadlines(session, notices)
    return notices


async def sweep(session: AsyncSession, directory: Directory, now: datetime) -> list[Notice]:
    """At most ``BATCH`` reports with an alert due and ``BATCH`` auto-closes: a backlog takes several sweeps."""
    holders = await staff.holders(session)
    reports = await session.scalars(
        select(Report).where(Report.status.in_(RUNNING), Report.next_alert_at <= now)
        .order_by(Report.next_alert_at).limit(BATCH)
    )
    notices = [notice for report in reports for notice in _alert(report, holders, directory, now)]
    await _auto_close(session, now)
    return notices


def _alert(report: Report, holders: staff.Holders, directory: Directory, now: datetime) -> list[Notice]:
    """The reminder and the escalation due for ``report`` by ``now``, marked on it, and its next alert set."""
    due = running_due(report)
    notices = []
    if report.reminded_at is None and due.reminder_at() <= now:
        report.reminded_at = now
        if now <= due.at:  # already overdue: the escalation says it
            notices += [Notice(NoticeKind.REMINDER, user, report.tracking_id, due)
                        for user in holders.of(directory, report.agency_code)]
    level = due.escalation_level(now)
    if level > report.escalation_level:
        report.escalation_level = level
        notices += [Notice(NoticeKind.ESCALATION, user, report.tracking_id, due, level)
                    for user in holders.of(directory, _hub_at(directory, report, level))]
    report.next_alert_at = due.next_alert(report.reminded_at is not None, report.escalation_level)
    return notices


async def _auto_close(session: AsyncSession, now: datetime) -> None:
    reports = await session.scalars(
        select(Report).where(Report.status == Status.IN_PROGRESS.value, Report.auto_close_at <= now)
        .order_by(Report.auto_close_at).limit(BATCH)
    )
    for report in reports:
        await record_change(session, report, Status.RESOLVED, actor=SYSTEM, action=LoopAction.AUTO_CLOSE.value)
        clocks.start_clock(report, Deadline.REOPEN_WINDOW, now)


def _hub_at(directory: Directory, report: Report, level: int) -> str:
    """The body an escalation of ``level`` goes to: the nearest that exists at or above that level."""
    if level >= TOP_ESCALATION:
        return NATIONAL_ADMIN
    return directory.hub_for_codes(report.province_code, report.regency_code if level == 1 else None).code

"""The clocks a report runs against, kept on its row: the running deadline (``due_kind``, ``due_at``) with
when the deadline sweep must next look at it, and the auto-close clock of an answer that waits for the
reporter's reply. Every change of a clock goes through here, so the sweep's bookkeeping stays in step."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import Report
from bot.domain import Status
from bot.domain.deadlines import Deadline, ResolutionClass, deadline
from bot.services.staff_view import time_zone_of


def start_clock(report: Report, kind: Deadline, now: datetime) -> None:
    """Run ``kind``'s clock from ``now``, in the report's province time zone: reminded and escalated afresh."""
    resolution = ResolutionClass(report.resolution_class) if kind is Deadline.RESOLUTION else None
    due = deadline(kind, now, time_zone_of(report), resolution=resolution)
    report.due_kind, report.due_at = kind.value, due.at
    report.reminded_at, report.escalation_level = None, 0
    report.next_alert_at = due.next_alert(reminded=False, level=0)
    report.auto_close_at = None


def stop_clock(report: Report) -> None:
    """Nobody at the counter owes anything now (the reporter does, or the report is closed)."""
    report.due_kind = report.due_at = report.next_alert_at = report.auto_close_at = None


def resume_clock(report: Report, now: datetime) -> None:
    """The clock of the status a report is back in, after the reporter gave what was asked."""
    status = Status(report.status)
    if status in (Status.SUBMITTED, Status.VERIFIED):
        start_clock(report, Deadline.VERIFICATION, now)
    elif status is Status.IN_PROGRESS and report.resolution_class:
        start_clock(report, Deadline.RESOLUTION, now)
    else:
        start_clock(report, Deadline.FIRST_ANSWER, now)


def await_reply(report: Report, now: datetime) -> None:
    """An answer went to the reporter: without a reply, the report closes after the auto-close period."""
    report.auto_close_at = deadline(Deadline.AUTO_CLOSE, now, time_zone_of(report)).at

"""Deadline urgency as a bound on the clock's start, so that an inbox can filter "due soon" and "overdue" in SQL.

A deadline only moves later when its start does (``Calendar.add_working_days`` is monotone in the day), so
"due before day B" is the same as "started before some instant": one ``created_at < cutoff`` per time zone
instead of loading every report to ask ``Due.urgency``. Pure; the rule matches ``Due.urgency`` exactly
(tests/test_staff_inbox.py checks the two against each other).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from bot.domain.calendar import Calendar, IndonesianTime, default_calendar, local_day, time_zone_for_province
from bot.domain.deadlines import DUE_SOON_WORKING_DAYS, Deadline, working_days_for

# How far back a search for the latest start may walk: longer than any run of days off (Lebaran and its
# cuti bersama around a weekend) plus the longest fixed clock.
_SEARCH_DAYS = 60


@dataclass(frozen=True, slots=True)
class StartWindow:
    """Starts (UTC) whose deadline is past (``overdue_before``) or due soon ([overdue_before, soon_before))."""

    time_zone: IndonesianTime
    overdue_before: datetime
    soon_before: datetime


def _start_of_day(day: date, zone: IndonesianTime) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone.zone).astimezone(UTC)


def _latest_start_due_before(kind: Deadline, bound: date, zone: IndonesianTime, calendar: Calendar) -> datetime:
    """The first instant whose clock of ``kind`` ends on or after ``bound`` (local); earlier starts end before it."""
    days = working_days_for(kind)
    day = bound
    for _ in range(_SEARCH_DAYS):
        last = day - timedelta(days=1)
        due_day = local_day(calendar.add_working_days(_start_of_day(last, zone), days, zone.zone), zone.zone)
        if due_day < bound:
            return _start_of_day(day, zone)
        day = last
    raise AssertionError(f"no start before {bound} is due before it")  # cannot happen with Indonesia's calendar


def start_window(
    kind: Deadline, now: datetime, zone: IndonesianTime, *, soon: int = DUE_SOON_WORKING_DAYS,
    calendar: Calendar | None = None,
) -> StartWindow:
    """``Due.urgency(now)`` as start bounds: overdue once the due day is before today (local), due soon while
    at most ``soon`` working days lie after today up to the due day."""
    calendar = calendar or default_calendar()
    today = local_day(now, zone.zone)
    after_soon = today
    for _ in range(soon + 1):  # the first working day past the "soon" ones
        after_soon = calendar.next_working_day(after_soon)
    return StartWindow(
        zone,
        overdue_before=_latest_start_due_before(kind, today, zone, calendar),
        soon_before=_latest_start_due_before(kind, after_soon, zone, calendar),
    )


@cache
def province_codes_by_zone() -> dict[IndonesianTime, tuple[str, ...]]:
    """Every two-digit province code, grouped by its time zone."""
    grouped: dict[IndonesianTime, list[str]] = {zone: [] for zone in IndonesianTime}
    for number in range(11, 100):
        try:
            grouped[time_zone_for_province(str(number))].append(str(number))
        except ValueError:
            continue
    return {zone: tuple(codes) for zone, codes in grouped.items()}

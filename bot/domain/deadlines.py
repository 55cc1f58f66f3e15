"""The deadlines of a report, in working days, as SP4N-LAPOR! states them (see shared/DESIGN.md).

- the hub verifies and forwards within 3 working days of submission;
- the agency gives a first answer within 5 working days of assignment;
- the agency resolves within its resolution class's period, counted from when it takes the report;
- an answer left without a reply from the citizen closes the report after 10 working days;
- a resolved report may be called "not fixed" by the citizen within 10 working days (issue 11, point 5).

Every clock counts with ``bot.domain.calendar``'s rule: day 1 is the first working day after the day of the
start in the report's province, and a deadline is the end of its last working day there. Pure: callers pass
the start and "now" explicitly, so the rules are tested without a real clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from bot.domain.calendar import Calendar, IndonesianTime, default_calendar, local_day, start_of_day


class Deadline(StrEnum):
    """A clock a report runs against; its start is the event named in the comment."""

    VERIFICATION = "verification"  # from submission
    FIRST_ANSWER = "first_answer"  # from assignment to the agency
    RESOLUTION = "resolution"  # from the agency taking the report, by its ResolutionClass
    AUTO_CLOSE = "auto_close"  # from the agency's answer, while the citizen has not replied
    REOPEN_WINDOW = "reopen_window"  # from resolution: how long "not fixed" reopens the report


class ResolutionClass(StrEnum):
    """The classes agencies publish in their complaint SOPs; the agency picks one when it takes a report."""

    LIGHT = "ringan"
    NORMATIVE = "normatif"
    WITHOUT_INSPECTION = "tanpa_pemeriksaan"
    WITH_INSPECTION = "dengan_pemeriksaan"

    @property
    def working_days(self) -> int:
        return RESOLUTION_WORKING_DAYS[self]


RESOLUTION_WORKING_DAYS: Mapping[ResolutionClass, int] = MappingProxyType(
    {
        ResolutionClass.LIGHT: 2,
        ResolutionClass.NORMATIVE: 5,
        ResolutionClass.WITHOUT_INSPECTION: 14,
        ResolutionClass.WITH_INSPECTION: 60,
    }
)

# The clocks whose length does not depend on the agency's choice.
FIXED_WORKING_DAYS: Mapping[Deadline, int] = MappingProxyType(
    {
        Deadline.VERIFICATION: 3,
        Deadline.FIRST_ANSWER: 5,
        Deadline.AUTO_CLOSE: 10,
        Deadline.REOPEN_WINDOW: 10,
    }
)

# The clocks someone at the counter runs against: they are reminded and escalate when missed.
ESCALATING = frozenset({Deadline.VERIFICATION, Deadline.FIRST_ANSWER, Deadline.RESOLUTION})
TOP_ESCALATION = 3  # 1 the regency's hub, 2 the province's hub, 3 the national admin

# "Due soon" in an inbox: due today or on the next working day, so a reminder leaves a full day to act.
DUE_SOON_WORKING_DAYS = 1


def working_days_for(kind: Deadline, resolution: ResolutionClass | None = None) -> int:
    """How many working days ``kind`` allows; a resolution needs its class, the other clocks take none."""
    if kind is Deadline.RESOLUTION:
        if resolution is None:
            raise ValueError("a resolution deadline needs the class the agency chose")
        return resolution.working_days
    if resolution is not None:
        raise ValueError(f"{kind} does not depend on a resolution class")
    return FIXED_WORKING_DAYS[kind]


class Urgency(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Due:
    """One deadline of one report: stored as ``at`` (UTC); shown in the report's own time zone."""

    kind: Deadline
    at: datetime  # UTC, the end of the last working day in ``time_zone``
    time_zone: IndonesianTime
    resolution: ResolutionClass | None = None

    @property
    def local(self) -> datetime:
        return self.at.astimezone(self.time_zone.zone)

    def working_days_left(self, now: datetime, calendar: Calendar | None = None) -> int:
        """Working days after today (local) up to the due day: 0 when due today, negative once past."""
        return (calendar or default_calendar()).working_days_between(now, self.at, self.time_zone.zone)

    def urgency(
        self, now: datetime, *, soon: int = DUE_SOON_WORKING_DAYS, calendar: Calendar | None = None
    ) -> Urgency:
        if now > self.at:
            return Urgency.OVERDUE
        return Urgency.DUE_SOON if self.working_days_left(now, calendar) <= soon else Urgency.ON_TRACK

    # When the deadline sweep must act (see ``bot.services.deadline_sweep``): each is the first moment its
    # condition holds, so a sweep at or after it acts and the report's next alert lies in the future.

    def reminder_at(self, calendar: Calendar | None = None) -> datetime:
        """The start of the working day before the due day: from then on the clock is due soon."""
        calendar = calendar or default_calendar()
        zone = self.time_zone.zone
        return start_of_day(calendar.previous_working_day(local_day(self.at, zone)), zone)

    def escalation_at(self, level: int, calendar: Calendar | None = None) -> datetime:
        """Level 1 just after the deadline; level n the start of the n-th working day after the due day."""
        if level <= 1:
            return self.at + timedelta(microseconds=1)
        zone = self.time_zone.zone
        return start_of_day(local_day((calendar or default_calendar()).add_working_days(self.at, level, zone), zone), zone)

    def escalation_level(self, now: datetime, calendar: Calendar | None = None) -> int:
        """How far a report on this clock has escalated by ``now``: 0 before the deadline, at most the top."""
        return next((level for level in range(TOP_ESCALATION, 0, -1) if self.escalation_at(level, calendar) <= now), 0)

    def next_alert(self, reminded: bool, level: int, calendar: Calendar | None = None) -> datetime | None:
        """When the sweep must look at this clock again: its reminder, then each escalation; None after the top."""
        if self.kind not in ESCALATING:
            return None
        if not reminded:
            return self.reminder_at(calendar)
        return self.escalation_at(level + 1, calendar) if level < TOP_ESCALATION else None


def deadline(
    kind: Deadline,
    start: datetime,
    time_zone: IndonesianTime,
    *,
    resolution: ResolutionClass | None = None,
    calendar: Calendar | None = None,
) -> Due:
    """When ``kind`` falls due for a clock started at ``start`` (aware) in a province of ``time_zone``."""
    days = working_days_for(kind, resolution)
    at = (calendar or default_calendar()).add_working_days(start, days, time_zone.zone)
    return Due(kind, at, time_zone, resolution)


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Notice:
    """Someone at the counter must hear that a report they hold is due soon, or is escalated to them."""

    kind: NoticeKind
    user_id: int
    tracking_id: str
    due: Due
    level: int = 0  # for an escalation: 1 regency hub, 2 province hub, 3 national admin

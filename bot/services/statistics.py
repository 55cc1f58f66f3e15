"""The figures an admin reads with ``/statistik``: counts, the follow-up rate, working days to verify and to
answer, satisfaction, overdue reports, the monthly trend and the themes per area, for a reach and a period.

A handful of GROUP BY queries, whatever the number of reports: the database counts, Python only combines
a few thousand grouped rows (working days are counted per pair of local days, not per report). Confidential
reports count in the figures about the work (status, timing, agencies) but never in those about their
content (category, place, themes): ``confidential_left_out`` says how many were left out of those.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.local_dates import as_date, local_date
from bot.db.models import Report
from bot.domain.calendar import Calendar, IndonesianTime, default_calendar, provinces_in, utc_offset_hours
from bot.domain.deadlines import ESCALATING, FIXED_WORKING_DAYS, Deadline
from bot.domain.vocabulary import CLOSED_STATUSES, Status
from bot.domain.reach import Reach
from bot.services.periods import Period
from bot.services.reach import condition

OPEN_STATUSES = tuple(status.value for status in Status if status not in CLOSED_STATUSES)
ANSWER_WORKING_DAYS = FIXED_WORKING_DAYS[Deadline.FIRST_ANSWER]
THEMES_PER_AREA = 3


@dataclass(frozen=True)
class AgencyFigures:
    code: str
    name: str
    received: int = 0
    answered: int = 0
    overdue: int = 0  # open now and past its deadline, whenever received


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first of the month
    received: int
    answered: int  # of those received that month, answered since


@dataclass(frozen=True)
class Statistics:
    reach: Reach
    period: Period
    received: int = 0
    answered: int = 0
    confidential_left_out: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, int] = field(default_factory=dict)
    themes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # area: its top categories
    agencies: list[AgencyFigures] = field(default_factory=list)
    months: list[MonthFigures] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=dict)
    median_days_to_verify: float | None = None
    median_days_to_answer: float | None = None
    answered_in_time: int = 0  # first answers within the deadline after assignment
    timed_answers: int = 0  # first answers whose assignment is known
    supports: int = 0  # people's supports of these reports (each person once a report)
    supported: int = 0  # reports with at least one

    @property
    def follow_up_rate(self) -> float | None:
        return self.answered / self.received if self.received else None

    @property
    def in_time_share(self) -> float | None:
        return self.answered_in_time / self.timed_answers if self.timed_answers else None

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def mean_rating(self) -> float | None:
        return sum(stars * count for stars, count in self.ratings.items()) / self.rated if self.rated else None

    @property
    def overdue(self) -> int:
        return sum(agency.overdue for agency in self.agencies)


async def compute(sessions: async_sessionmaker, reach: Reach, period: Period, zone, now: datetime,
                  calendar: Calendar | None = None) -> Statistics:
    """The figures for reports received in ``period`` (local days in ``zone``) within ``reach``.

    The queries run at once, each on a connection of its own: each reads the whole period, and the database
    spreads them over its cores."""
    where = (condition(reach), period.condition(zone))

    async def read(query, *arguments):
        async with sessions() as session:
            return await query(session, *arguments)

    counts, content, (received_days, verify_pairs), answer_pairs, overdue = await asyncio.gather(
        read(_counts, where), read(_content, breakdown_column(reach), where), read(_received_and_verified, where),
        read(_verified_and_answered, where), read(_overdue, reach, now))
    numbers = _day_numbers([*verify_pairs, *answer_pairs], calendar or default_calendar())
    days_to_answer = _durations(answer_pairs, numbers)
    return Statistics(
        reach, period,
        received=sum(counts.received.values()), answered=counts.answered,
        confidential_left_out=counts.confidential,
        by_status=dict(counts.status), by_type=dict(counts.type), ratings=dict(counts.ratings),
        by_category=dict(content.categories), by_area=dict(content.areas), themes=content.themes(),
        agencies=_agencies(counts, overdue), months=_months(received_days),
        median_days_to_verify=_median(_durations(verify_pairs, numbers)),
        median_days_to_answer=_median(days_to_answer),
        answered_in_time=sum(count for days, count in days_to_answer.items() if days <= ANSWER_WORKING_DAYS),
        timed_answers=sum(days_to_answer.values()),
        supports=counts.supports, supported=counts.supported,
    )


# The queries ---------------------------------------------------------------------------------------------


@dataclass
class _Counts:
    status: Counter = field(default_factory=Counter)
    type: Counter = field(default_factory=Counter)
    ratings: Counter = field(default_factory=Counter)
    received: Counter = field(default_factory=Counter)  # by agency
    answered_by: Counter = field(default_factory=Counter)  # by agency
    names: dict[str, str] = field(default_factory=dict)
    answered: int = 0
    confidential: int = 0
    supports: int = 0
    supported: int = 0


async def _counts(session: AsyncSession, where) -> _Counts:
    """Two small groupings rather than one over every combination: each has few groups, which the database
    counts in a hash table (one grouping of all five columns made PostgreSQL sort a million rows on disk)."""
    counts = _Counts()
    rows = await session.execute(
        select(Report.status, Report.report_type, Report.rating, Report.confidential, func.count(), func.count(Report.answered_at))
        .where(*where).group_by(Report.status, Report.report_type, Report.rating, Report.confidential))
    for status, report_type, rating, confidential, count, answered in rows:
        counts.status[status] += count
        counts.type[report_type] += count
        counts.answered += answered
        counts.confidential += count if confidential else 0
        if rating:
            counts.ratings[rating] += count
    rows = await session.execute(select(Report.agency_code, func.min(Report.agency_name), func.count(), func.count(Report.answered_at),
                                        func.sum(Report.supporters), func.count(Report.id).filter(Report.supporters > 0))
                                 .where(*where).group_by(Report.agency_code))
    for agency, name, count, answered, supports, supported in rows:
        counts.supports += supports or 0
        counts.supported += supported
        counts.received[agency or ""] += count
        counts.answered_by[agency or ""] += answered
        counts.names[agency or ""] = name or agency or ""
    return counts


@dataclass
class _Content:
    categories: Counter = field(default_factory=Counter)
    areas: Counter = field(default_factory=Counter)
    by_area: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def themes(self) -> dict[str, list[tuple[str, int]]]:
        return {area: self.by_area[area].most_common(THEMES_PER_AREA) for area, _ in self.areas.most_common()}


def breakdown_column(reach: Reach):
    """The areas the figures are broken down by: one level below the reach (provinces for all of Indonesia,
    regencies for a province or for several regencies, districts for one regency or for agencies)."""
    if reach.everything:
        return Report.province_code
    areas = reach.areas
    return Report.regency_code if len(areas) > 1 or any("." not in area for area in areas) else Report.district_code


async def _content(session: AsyncSession, area, where) -> _Content:
    rows = await session.execute(select(area, Report.category, func.count())
                                 .where(*where, Report.confidential == false()).group_by(area, Report.category))
    content = _Content()
    for area_code, category, count in rows:
        content.categories[category] += count
        content.areas[area_code or ""] += count
        content.by_area[area_code or ""][category] += count
    return content


def _offset_hours():
    """The report's province's UTC offset (WIB for reports with no province)."""
    zones = (IndonesianTime.WITA, IndonesianTime.WIT)
    return case(*((func.substr(Report.province_code, 1, 2).in_(provinces_in(zone)), utc_offset_hours(zone)) for zone in zones),
                else_=utc_offset_hours(IndonesianTime.WIB))


async def _received_and_verified(session: AsyncSession, where) -> tuple[list[tuple[date, bool, int]], list[tuple[date, date, int]]]:
    """Reports per local day of receipt (answered or not), and the (received, verified) day pairs."""
    offset = _offset_hours()
    days = select(local_date(Report.created_at, offset).label("received"), local_date(Report.verified_at, offset).label("verified"),
                  Report.answered_at.is_not(None).label("answered")).where(*where).subquery()
    rows = (await session.execute(select(days.c.received, days.c.verified, days.c.answered, func.count())
                                  .group_by(days.c.received, days.c.verified, days.c.answered))).all()
    received = [(as_date(day), bool(answered), count) for day, _verified, answered, count in rows]
    verified = [(as_date(day), as_date(verified), count) for day, verified, _answered, count in rows if verified is not None]
    return received, verified


async def _verified_and_answered(session: AsyncSession, where) -> list[tuple[date, date, int]]:
    offset = _offset_hours()
    days = select(local_date(Report.verified_at, offset).label("verified"), local_date(Report.answered_at, offset).label("answered")) \
        .where(*where, Report.verified_at.is_not(None), Report.answered_at.is_not(None)).subquery()
    rows = await session.execute(select(days.c.verified, days.c.answered, func.count()).group_by(days.c.verified, days.c.answered))
    return [(as_date(verified), as_date(answered), count) for verified, answered, count in rows]


async def _overdue(session: AsyncSession, reach: Reach, now: datetime) -> dict[str, tuple[str, int]]:
    rows = await session.execute(
        select(Report.agency_code, func.min(Report.agency_name), func.count())
        .where(condition(reach), Report.status.in_(OPEN_STATUSES), Report.due_kind.in_([kind.value for kind in ESCALATING]),
               Report.due_at < now)
        .group_by(Report.agency_code))
    return {code or "": (name or code or "", count) for code, name, count in rows}


# Combining -----------------------------------------------------------------------------------------------


def _agencies(counts: _Counts, overdue: dict[str, tuple[str, int]]) -> list[AgencyFigures]:
    codes = set(counts.received) | set(overdue)
    agencies = [AgencyFigures(code, counts.names.get(code) or overdue.get(code, (code, 0))[0], counts.received[code],
                              counts.answered_by[code], overdue.get(code, ("", 0))[1]) for code in codes]
    return sorted(agencies, key=lambda agency: (-agency.received, -agency.overdue, agency.code))


def _months(received_days: list[tuple[date, bool, int]]) -> list[MonthFigures]:
    received, answered = Counter(), Counter()
    for day, was_answered, count in received_days:
        month = day.replace(day=1)
        received[month] += count
        answered[month] += count if was_answered else 0
    return [MonthFigures(month, received[month], answered[month]) for month in sorted(received)]


def _day_numbers(pairs: list[tuple[date, date, int]], calendar: Calendar) -> dict[date, int]:
    if not pairs:
        return {}
    days = [day for first, last, _count in pairs for day in (first, last)]
    return calendar.working_day_numbers(min(days), max(days))


def _durations(pairs: list[tuple[date, date, int]], numbers: dict[date, int]) -> Counter:
    """How many reports took each number of working days from the first day of a pair to the second."""
    durations: Counter = Counter()
    for first, last, count in pairs:
        durations[max(numbers[last] - numbers[first], 0)] += count
    return durations


def _median(durations: Counter) -> float | None:
    """The median of a distribution given as value: count (the mean of the two middle values when even)."""
    total = sum(durations.values())
    if not total:
        return None
    middle, seen, values = ((total - 1) // 2, total // 2), 0, []
    for value in sorted(durations):
        count = durations[value]
        values += [value for position in middle if seen <= position < seen + count]
        seen += count
    return sum(values) / 2

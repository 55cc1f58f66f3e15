"""Working days of Indonesia's government offices, in the time zone of a report's province.

A working day is a Monday to Friday (Perpres 21/2023, article 3: government offices work five days, Monday to
Friday) that is neither a national holiday nor a cuti bersama. Both come from PyPI ``holidays``: Indonesia's
``public`` category holds the national holidays and its ``government`` category the cuti bersama (named
"... Joint Holiday"), which bind the civil service and so the agencies that answer reports. No date is typed
here.

Counting rule (``Calendar.add_working_days``): the day a report arrives is day 0, whatever the hour, and day 1
is the first working day after it in the province's local time. A report filed at 16:55, at 23:30, on a
Sunday or on Lebaran therefore gets the same N full working days as one filed that morning, and a deadline
is the END of its last working day (23:59:59.999999 local), returned in UTC. This is the usual reading of
"within N working days of receipt" (the day of receipt is not counted) and never shortens an agency's time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from threading import Lock
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

# Saturday and Sunday (date.weekday()).
WEEKEND = frozenset({5, 6})
HOLIDAY_CATEGORIES = (PUBLIC, GOVERNMENT)  # "government" is where the package keeps cuti bersama


class IndonesianTime(StrEnum):
    """Indonesia's three time zones; the value is the IANA name, the member name the local label."""

    WIB = "Asia/Jakarta"
    WITA = "Asia/Makassar"
    WIT = "Asia/Jayapura"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.value)  # ZoneInfo caches one instance per key


# Keppres 41/1987 on the division of Indonesia into three time zones (in force since 1 January 1988):
# WIB: Sumatra, Java and Madura, Kalimantan Barat and Kalimantan Tengah; WITA: Kalimantan Selatan and Timur,
# Bali, NTB, NTT and Sulawesi; WIT: Maluku and Papua. Provinces formed later keep the zone of the province
# they were split from: Babel (19) and Kepri (21) from Sumatra's, Banten (36) from Jawa Barat, Gorontalo (75)
# and Sulawesi Barat (76), Kalimantan Utara (65, from Kaltim in 2012), Maluku Utara (82), Papua Barat (92)
# and the 2022 Papua provinces (93-96). Codes are Kemendagri's two-digit province codes.
_PROVINCE_TIME = {
    code: zone
    for zone, codes in (
        (IndonesianTime.WIB, "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 61 62"),
        (IndonesianTime.WITA, "51 52 53 63 64 65 71 72 73 74 75 76"),
        (IndonesianTime.WIT, "81 82 91 92 93 94 95 96"),
    )
    for code in codes.split()
}


def time_zone_for_province(code: str) -> IndonesianTime:
    """The time zone of a Kemendagri region code ("51", "91.01", "9101.02"): its first two digits."""
    zone = _PROVINCE_TIME.get(code.strip()[:2])
    if zone is None:
        raise ValueError(f"not an Indonesian province code: {code!r}")
    return zone


def provinces_in(zone: IndonesianTime) -> list[str]:
    """The two-digit province codes whose offices keep ``zone``."""
    return sorted(code for code, its_zone in _PROVINCE_TIME.items() if its_zone is zone)


def utc_offset_hours(zone: IndonesianTime) -> int:
    """WIB +7, WITA +8, WIT +9: fixed all year (Indonesia keeps no daylight saving time)."""
    return {IndonesianTime.WIB: 7, IndonesianTime.WITA: 8, IndonesianTime.WIT: 9}[zone]


def zone_for_province(code: str) -> ZoneInfo:
    return time_zone_for_province(code).zone


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day of an aware moment in ``zone``; naive datetimes are refused, not guessed."""
    if moment.utcoffset() is None:
        raise ValueError("deadlines need an aware datetime (UTC), not a naive one")
    return moment.astimezone(zone).date()


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """23:59:59.999999 of ``day`` in ``zone``, as UTC (Indonesia has no daylight saving, so it exists)."""
    return datetime.combine(day, time.max, tzinfo=zone).astimezone(UTC)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of ``day`` in ``zone``, as UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _weekdays_after(first: date, last: date) -> int:
    """Monday-to-Friday days in (first, last], last >= first, without walking the days."""
    weeks, rest = divmod((last - first).days, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for step in range(1, rest + 1) if (start + step) % 7 not in WEEKEND)


@dataclass(frozen=True, slots=True)
class _Span:
    first_year: int
    last_year: int
    days_off: Mapping[date, str]  # holidays and cuti bersama of every year in the span, by date

    def covers(self, first_year: int, last_year: int) -> bool:
        return self.first_year <= first_year and last_year <= self.last_year


class Calendar:
    """Indonesia's working days, with the ``holidays`` data loaded once per span of years.

    The span grows (one rebuild) when a date outside it is asked for; it always includes the year after the
    latest one asked, because December's deadlines run into January. Holiday names are in ``language``.
    """

    def __init__(self, *, language: str = "en_US") -> None:
        self._language = language
        self._span: _Span | None = None
        self._lock = Lock()

    def _covering(self, first_year: int, last_year: int) -> _Span:
        span = self._span
        if span is not None and span.covers(first_year, last_year):
            return span
        with self._lock:
            span = self._span
            if span is None or not span.covers(first_year, last_year):
                last_year = min(last_year + 1, date.max.year)
                if span is not None:
                    first_year, last_year = min(first_year, span.first_year), max(last_year, span.last_year)
                table = holidays.country_holidays(
                    "ID",
                    years=range(first_year, last_year + 1),
                    categories=HOLIDAY_CATEGORIES,
                    language=self._language,
                )
                span = self._span = _Span(first_year, last_year, MappingProxyType(dict(table)))
        return span

    def days_off(self, year: int) -> dict[date, str]:
        """Holidays and cuti bersama of ``year`` (weekends aside), by date."""
        return {day: name for day, name in self._covering(year, year).days_off.items() if day.year == year}

    def holiday_name(self, day: date) -> str | None:
        return self._covering(day.year, day.year).days_off.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, moment: datetime, days: int, zone: ZoneInfo) -> datetime:
        """The end (23:59:59.999999 local, as UTC) of the ``days``-th working day after ``moment``'s day.

        ``days=0`` is the end of that local day itself. See the module's docstring for the counting rule.
        """
        if days < 0:
            raise ValueError(f"working days must not be negative: {days}")
        day = local_day(moment, zone)
        for _ in range(days):
            day = self.next_working_day(day)
        return end_of_day(day, zone)

    def working_days_between(self, start: datetime, end: datetime, zone: ZoneInfo) -> int:
        """Working days after ``start``'s local day up to and including ``end``'s; negative if end is earlier.

        The inverse of ``add_working_days``: ``working_days_between(m, add_working_days(m, n, z), z) == n``.
        0 means the same local day (due today); for statistics, a report answered the day it came took 0.
        """
        first, last = local_day(start, zone), local_day(end, zone)
        if last < first:
            return -self.working_days_between(end, start, zone)
        off = self._covering(first.year, last.year).days_off
        holidays_on_weekdays = sum(1 for day in off if first < day <= last and day.weekday() not in WEEKEND)
        return _weekdays_after(first, last) - holidays_on_weekdays


    def working_day_numbers(self, first: date, last: date) -> dict[date, int]:
        """Each day from ``first`` to ``last`` with the count of working days after ``first`` up to it, so that
        ``numbers[b] - numbers[a]`` is ``working_days_between`` of the two days: for many pairs (statistics)."""
        numbers, count, day = {}, 0, first
        off = self._covering(first.year, last.year).days_off
        while day <= last:
            if day != first and day.weekday() not in WEEKEND and day not in off:
                count += 1
            numbers[day] = count
            day += timedelta(days=1)
        return numbers


_DEFAULT = Calendar()


def default_calendar() -> Calendar:
    """One shared calendar per process, so the ``holidays`` data is built once."""
    return _DEFAULT


def is_working_day(day: date, calendar: Calendar | None = None) -> bool:
    return (calendar or _DEFAULT).is_working_day(day)


def add_working_days(
    moment: datetime, days: int, zone: ZoneInfo, calendar: Calendar | None = None
) -> datetime:
    return (calendar or _DEFAULT).add_working_days(moment, days, zone)


def working_days_between(
    start: datetime, end: datetime, zone: ZoneInfo, calendar: Calendar | None = None
) -> int:
    return (calendar or _DEFAULT).working_days_between(start, end, zone)

"""Working days and deadlines, with an explicit clock: every "now" and every filing time is passed in.

Holiday dates are read from the ``holidays`` package and checked by name before a test relies on them, so a
change in the package's data fails here with a reason rather than silently moving deadlines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from holidays.constants import GOVERNMENT
from lokal import wilayah

from bot.domain import calendar as calendar_module
from bot.domain.calendar import (
    Calendar,
    IndonesianTime,
    add_working_days,
    is_working_day,
    time_zone_for_province,
    working_days_between,
    zone_for_province,
)
from bot.domain.deadlines import (
    DUE_SOON_WORKING_DAYS,
    Deadline,
    ResolutionClass,
    Urgency,
    deadline,
    working_days_for,
)

WIB, WITA, WIT = (zone.zone for zone in IndonesianTime)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, *, zone=WIB) -> datetime:
    """A wall-clock time in ``zone``, as the aware UTC moment the bot would store."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def end_of(day: date, zone) -> datetime:
    return datetime.combine(day, time.max, tzinfo=zone).astimezone(UTC)


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar()


def joint_holidays(year: int) -> dict[date, str]:
    """Cuti bersama as the package has them: its government category, asked for on its own."""
    return dict(holidays.country_holidays("ID", years=year, categories=(GOVERNMENT,), language="en_US"))


def eid_al_fitr(cal: Calendar, year: int) -> date:
    (day,) = [day for day, name in cal.days_off(year).items() if name == "Eid al-Fitr"]
    return day


# Time zones ---------------------------------------------------------------------------------------------


def test_every_province_of_kemendagri_has_a_time_zone():
    provinces = [item.code for item in wilayah.list_wilayah(None)]
    assert len(provinces) == 38
    for code in provinces:
        assert time_zone_for_province(code) in IndonesianTime


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ("11 19 21 31 36", IndonesianTime.WIB),
        ("61 62", IndonesianTime.WIB),  # Kalimantan Barat and Tengah moved to WIB in 1988
        ("51 52 53", IndonesianTime.WITA),  # Bali moved to WITA in 1988
        ("63 64 65", IndonesianTime.WITA),  # Kalimantan Selatan, Timur, Utara
        ("71 72 73 74 75 76", IndonesianTime.WITA),
        ("81 82 91 92 93 94 95 96", IndonesianTime.WIT),
    ],
)
def test_province_codes_map_to_keppres_41_1987(codes, expected):
    for code in codes.split():
        assert time_zone_for_province(code) is expected
        assert zone_for_province(code) == expected.zone


def test_a_regency_or_village_code_uses_its_province():
    assert zone_for_province("91.01") == WIT
    assert zone_for_province("5171.01.1001") == WITA


@pytest.mark.parametrize("code", ["", "9", "99", "00.01", "xx"])
def test_unknown_province_codes_are_refused(code):
    with pytest.raises(ValueError):
        zone_for_province(code)


# The calendar -------------------------------------------------------------------------------------------


def test_the_government_category_is_cuti_bersama(cal):
    joint = joint_holidays(2026)
    assert joint, "holidays has no cuti bersama for 2026: upgrade it"
    assert all("Joint Holiday" in name for name in joint.values())
    for day, name in joint.items():
        assert cal.holiday_name(day) == name
        assert not cal.is_working_day(day)


def test_weekends_and_holidays_are_not_working_days(cal):
    assert cal.holiday_name(date(2026, 1, 1)) == "New Year's Day"
    assert not is_working_day(date(2026, 1, 1))  # a Thursday
    assert not is_working_day(date(2026, 6, 6))  # a Saturday
    assert not is_working_day(date(2026, 6, 7))  # a Sunday
    assert is_working_day(date(2026, 6, 8))


def test_a_cuti_bersama_is_skipped(cal):
    christmas_eve = date(2026, 12, 24)
    assert joint_holidays(2026)[christmas_eve] == "Christmas Joint Holiday"
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    # Filed Wednesday the 23rd: Thursday is cuti bersama, Friday Christmas, then the weekend.
    assert cal.add_working_days(at(2026, 12, 23), 1, WIB) == end_of(date(2026, 12, 28), WIB)


def test_the_holidays_data_is_built_once_per_span_of_years(monkeypatch):
    built: list[range] = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        built.append(kwargs["years"])
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar_module.holidays, "country_holidays", counting)
    cal = Calendar()
    for _ in range(3):
        cal.is_working_day(date(2026, 5, 4))
        cal.add_working_days(at(2026, 12, 30), 5, WIB)  # runs into 2027, already in the span
    assert built == [range(2026, 2028)]
    cal.is_working_day(date(2024, 1, 2))
    assert built[-1] == range(2024, 2028)  # widened, keeping what was there
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"


# Counting working days ----------------------------------------------------------------------------------


def test_a_deadline_is_the_end_of_its_last_working_day_in_local_time(cal):
    due = cal.add_working_days(at(2026, 6, 8, 9, zone=WITA), 3, WITA)
    assert due.tzinfo is UTC
    assert due.astimezone(WITA) == datetime(2026, 6, 11, 23, 59, 59, 999999, tzinfo=WITA)
    assert cal.add_working_days(at(2026, 6, 8, 9), 0, WIB) == end_of(date(2026, 6, 8), WIB)


def test_naive_datetimes_and_negative_days_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(datetime(2026, 6, 8, 9), 3, WIB)
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 6, 8), -1, WIB)


def test_the_hour_of_filing_does_not_matter_on_the_same_local_day(cal):
    morning, evening = at(2026, 6, 8, 0, 1), at(2026, 6, 8, 23, 59)
    assert cal.add_working_days(morning, 3, WIB) == cal.add_working_days(evening, 3, WIB)


def test_a_report_filed_on_a_sunday_counts_from_monday(cal):
    sunday = at(2026, 6, 7, 15)
    assert cal.add_working_days(sunday, 1, WIB) == end_of(date(2026, 6, 8), WIB)
    assert cal.add_working_days(sunday, 3, WIB) == end_of(date(2026, 6, 10), WIB)
    # Friday, Saturday and Sunday filings all count from Monday.
    for filed in (at(2026, 6, 5, 16, 55), at(2026, 6, 6, 8)):
        assert cal.add_working_days(filed, 3, WIB) == cal.add_working_days(sunday, 3, WIB)


def test_a_friday_before_idul_fitri_skips_lebaran_and_its_cuti_bersama(cal):
    eid = eid_al_fitr(cal, 2026)
    lebaran_off = [day for day, name in cal.days_off(2026).items() if "Eid al-Fitr" in name]
    lebaran_joint = {day for day, name in joint_holidays(2026).items() if name == "Eid al-Fitr Joint Holiday"}
    assert lebaran_joint and lebaran_joint <= set(lebaran_off)
    # The last Friday before Lebaran that is a working day (the Friday just before is itself cuti bersama).
    before = (eid - timedelta(days=n) for n in range(1, 15))
    friday = next(day for day in before if day.weekday() == 4 and is_working_day(day))
    assert friday == date(2026, 3, 13)
    filed = at(friday.year, friday.month, friday.day, 15, zone=WIB)
    due = cal.add_working_days(filed, 3, WIB)
    # Monday 16 and Tuesday 17 count; Nyepi's cuti bersama, Nyepi, Lebaran and its cuti bersama do not.
    assert due == end_of(date(2026, 3, 25), WIB)
    assert all(filed < end_of(day, WIB) <= due for day in lebaran_off)
    assert cal.add_working_days(filed, 5, WIB) == end_of(date(2026, 3, 27), WIB)
    assert cal.working_days_between(filed, due, WIB) == 3


def test_a_report_filed_on_cuti_bersama_counts_from_the_next_working_day(cal):
    friday_off = date(2026, 3, 20)
    assert joint_holidays(2026)[friday_off] == "Eid al-Fitr Joint Holiday"
    filed = at(2026, 3, 20, 9)
    assert cal.add_working_days(filed, 1, WIB) == end_of(date(2026, 3, 25), WIB)
    assert cal.add_working_days(filed, 3, WIB) == end_of(date(2026, 3, 27), WIB)


def test_a_report_in_papua_filed_at_2330_wib_is_already_the_next_day_in_wit(cal):
    filed = at(2026, 6, 8, 23, 30, zone=WIB)  # Monday 23:30 WIB is Tuesday 01:30 WIT
    assert filed.astimezone(WIT).date() == date(2026, 6, 9)
    for papua in ("91", "94"):
        assert cal.add_working_days(filed, 3, zone_for_province(papua)) == end_of(date(2026, 6, 12), WIT)
    assert cal.add_working_days(filed, 3, zone_for_province("31")) == end_of(date(2026, 6, 11), WIB)


def test_a_papuan_filing_that_crosses_midnight_before_lebaran_loses_no_day_but_waits_for_it(cal):
    filed = at(2026, 3, 12, 23, 30, zone=WIB)  # Thursday in Jakarta, Friday 13 March in Jayapura
    assert cal.add_working_days(filed, 3, WIB) == end_of(date(2026, 3, 17), WIB)
    assert cal.add_working_days(filed, 3, WIT) == end_of(date(2026, 3, 25), WIT)


def test_year_boundary_skips_new_year(cal):
    assert cal.holiday_name(date(2027, 1, 1)) == "New Year's Day"
    assert "Isra' and Mi'raj" in (cal.holiday_name(date(2027, 1, 5)) or "")
    filed = at(2026, 12, 31, 14, zone=WITA)  # Bali, Thursday 31 December
    # Friday 1 January is New Year, Tuesday 5 January Isra' Mi'raj.
    assert cal.add_working_days(filed, 3, zone_for_province("51")) == end_of(date(2027, 1, 7), WITA)
    assert cal.working_days_between(filed, at(2027, 1, 7, zone=WITA), WITA) == 3


def test_new_years_eve_in_utc_is_already_new_year_in_indonesia(cal):
    filed = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 1 January 03:00 WIB, a holiday
    assert cal.add_working_days(filed, 1, WIB) == end_of(date(2027, 1, 4), WIB)
    last_minute_of_2026 = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 WIB, still a working day
    assert cal.add_working_days(last_minute_of_2026, 1, WIB) == end_of(date(2027, 1, 4), WIB)


def test_working_days_between_is_signed_and_inverts_add_working_days(cal):
    start = at(2026, 3, 10, 11)
    for days in (0, 1, 2, 3, 5, 10, 14, 60, 250):
        due = cal.add_working_days(start, days, WIB)
        assert cal.working_days_between(start, due, WIB) == days
        assert cal.working_days_between(due, start, WIB) == -days
    assert working_days_between(at(2026, 6, 8, 8), at(2026, 6, 8, 20), WIB) == 0


def test_module_functions_use_one_shared_calendar():
    filed = at(2026, 6, 8)
    assert add_working_days(filed, 3, WIB) == Calendar().add_working_days(filed, 3, WIB)


# Deadlines ----------------------------------------------------------------------------------------------


def test_lapor_periods():
    assert [working_days_for(kind) for kind in (Deadline.VERIFICATION, Deadline.FIRST_ANSWER)] == [3, 5]
    assert working_days_for(Deadline.AUTO_CLOSE) == working_days_for(Deadline.REOPEN_WINDOW) == 10
    assert [cls.working_days for cls in ResolutionClass] == [2, 5, 14, 60]
    with pytest.raises(ValueError):
        working_days_for(Deadline.RESOLUTION)
    with pytest.raises(ValueError):
        working_days_for(Deadline.VERIFICATION, ResolutionClass.LIGHT)


@pytest.mark.parametrize(
    ("resolution", "last_day"),
    [
        (ResolutionClass.LIGHT, date(2026, 6, 10)),
        (ResolutionClass.NORMATIVE, date(2026, 6, 15)),
        (ResolutionClass.WITHOUT_INSPECTION, date(2026, 6, 29)),  # Tuesday 16 June is Islamic New Year
        (ResolutionClass.WITH_INSPECTION, None),
    ],
)
def test_every_resolution_class_counts_from_taking_the_report(cal, resolution, last_day):
    taken = at(2026, 6, 8, 10, zone=WITA)
    due = deadline(Deadline.RESOLUTION, taken, IndonesianTime.WITA, resolution=resolution, calendar=cal)
    assert (due.kind, due.resolution, due.time_zone) == (Deadline.RESOLUTION, resolution, IndonesianTime.WITA)
    assert due.local.time() == time.max and cal.is_working_day(due.local.date())
    assert cal.working_days_between(taken, due.at, WITA) == resolution.working_days
    if last_day is not None:
        assert due.local.date() == last_day


def test_verification_first_answer_and_auto_close_around_lebaran(cal):
    filed = at(2026, 3, 11, 9, zone=WITA)
    verify = deadline(Deadline.VERIFICATION, filed, IndonesianTime.WITA, calendar=cal)
    assert verify.local.date() == date(2026, 3, 16)
    answer = deadline(Deadline.FIRST_ANSWER, verify.at, IndonesianTime.WITA, calendar=cal)
    assert answer.local.date() == date(2026, 3, 30)  # assigned at the last moment of the 16th
    close = deadline(Deadline.AUTO_CLOSE, filed, IndonesianTime.WITA, calendar=cal)
    assert close.local.date() == date(2026, 4, 1)  # seven days off between 18 and 24 March


def test_urgency_on_track_due_soon_and_overdue(cal):
    due = deadline(Deadline.VERIFICATION, at(2026, 6, 8, 9), IndonesianTime.WIB, calendar=cal)
    assert due.local.date() == date(2026, 6, 11)
    assert DUE_SOON_WORKING_DAYS == 1
    expected = [
        (at(2026, 6, 9, 9), 2, Urgency.ON_TRACK),
        (at(2026, 6, 10, 9), 1, Urgency.DUE_SOON),
        (at(2026, 6, 11, 23, 59), 0, Urgency.DUE_SOON),
        (due.at, 0, Urgency.DUE_SOON),
        (due.at + timedelta(microseconds=1), -1, Urgency.OVERDUE),
        (at(2026, 6, 15, 9), -2, Urgency.OVERDUE),
    ]
    for now, left, urgency in expected:
        assert (due.working_days_left(now, cal), due.urgency(now, calendar=cal)) == (left, urgency), now
    assert due.urgency(at(2026, 6, 9, 9), soon=2, calendar=cal) is Urgency.DUE_SOON


def test_due_soon_spans_a_long_weekend(cal):
    # Due Wednesday 25 March, seen on Tuesday 17th: one working day left, across six days off.
    due = deadline(Deadline.VERIFICATION, at(2026, 3, 13, 15), IndonesianTime.WIB, calendar=cal)
    assert due.working_days_left(at(2026, 3, 17, 16), cal) == 1
    assert due.urgency(at(2026, 3, 17, 16), calendar=cal) is Urgency.DUE_SOON
    assert due.urgency(at(2026, 3, 16, 16), calendar=cal) is Urgency.ON_TRACK


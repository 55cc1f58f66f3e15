"""Deadline reminders and escalation with a controllable clock, across Idul Fitri 2027: the holder of the report
is reminded the day it is due, then each working day past it escalates one level (regency hub, province hub,
national admin); nothing is said twice; the sweep runs in one process only (a lease in the database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Report
from bot.domain.calendar import IndonesianTime, default_calendar
from bot.domain.deadlines import Deadline, Urgency, deadline
from bot.domain.roles import Role
from bot.jobs import deadlines as job
from bot.jobs import lease
from tests.conftest import eventually
from tests.test_staff_inbox import add_report, make_staff

FRIDAY_BEFORE_IDUL_FITRI = datetime(2027, 3, 5, 3, 0, tzinfo=UTC)  # 10:00 WIB; Idul Fitri 1448 H falls on 10 March 2027
WIB = IndonesianTime.WIB


async def sweep(bot, now: datetime, holder: str | None = None) -> int | None:
    """One sweep at ``now``, under the running bot's own lease unless ``holder`` is given: its background sweep took
    the lease at the real time, which another holder's sweep at an earlier ``now`` finds running still."""
    services = bot.services
    return await job.run_once(services.transactions, services.notices, now=now, holder=holder or bot.process_name)


async def test_a_lease_lets_one_holder_run_until_it_expires(bot):
    now = FRIDAY_BEFORE_IDUL_FITRI
    async with bot.services.transactions.begin() as session:
        assert await lease.take(session, "job", "a", timedelta(minutes=3), now)
        assert not await lease.take(session, "job", "b", timedelta(minutes=3), now + timedelta(minutes=1))
        assert await lease.take(session, "job", "a", timedelta(minutes=3), now + timedelta(minutes=2)), "renewed"
        assert await lease.take(session, "job", "b", timedelta(minutes=3), now + timedelta(minutes=6)), "a died"
        assert not await lease.take(session, "job", "a", timedelta(minutes=3), now + timedelta(minutes=7))


async def test_reminder_then_one_escalation_level_per_working_day_and_nothing_twice(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    city_hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    province_hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13", "Pono")
    national = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    due = deadline(Deadline.FIRST_ANSWER, FRIDAY_BEFORE_IDUL_FITRI, WIB)
    assert due.local.date().isoformat() == "2027-03-22", "5 working days (12 March without the holidays and cuti bersama)"
    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id, due_kind=Deadline.FIRST_ANSWER.value,
                                   due_at=due.at)

    morning_of_due_day = due.at - timedelta(hours=12)
    assert await sweep(bot, morning_of_due_day) == 1
    assert await sweep(bot, morning_of_due_day + timedelta(minutes=1)) == 0, "reminded once"
    assert await sweep(bot, morning_of_due_day, holder="another process") is None, "the lease is held"

    zone = WIB.zone
    for level, days_after in ((1, 0), (2, 2), (3, 3)):
        now = default_calendar().add_working_days(due.at, days_after, zone) - timedelta(hours=1) if days_after else \
            due.at + timedelta(hours=1)
        assert await sweep(bot, now) == 1, f"level {level}"
    assert await sweep(bot, due.at + timedelta(days=30)) == 0, "the top is reached once"

    await eventually(lambda: all(person.messages for person in (liaison, city_hub, province_hub, national)))
    assert "segera jatuh tempo" in liaison.last_text and tracking_id in liaison.last_text
    for person in (city_hub, province_hub, national):
        assert "terlambat" in person.last_text and tracking_id in person.last_text
    assert citizen.messages == [], "the citizen hears of the report's progress, not of the staff's deadlines"
    async with bot.sessions() as session:
        row = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        assert row.escalation_level == 3 and row.reminded_at is not None


async def test_reports_escalated_today_never_hide_one_that_just_fell_due(bot, monkeypatch):
    """With more escalated reports than one sweep reads, a report that falls due is still escalated at once,
    and a backlog is worked through sweep after sweep, each report once."""
    from bot.services import deadline_sweep

    monkeypatch.setattr(deadline_sweep, "BATCH", 3)
    await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    long_ago = deadline(Deadline.FIRST_ANSWER, FRIDAY_BEFORE_IDUL_FITRI, WIB)
    backlog = [await add_report(bot, status="assigned", due_kind="first_answer", due_at=long_ago.at) for _ in range(5)]
    now = long_ago.at + timedelta(hours=1)
    assert [await sweep(bot, now) for _ in range(3)] == [3, 2, 0], "five escalations in two sweeps, then nothing"

    just_due = await add_report(bot, status="assigned", due_kind="first_answer", due_at=long_ago.at + timedelta(minutes=30))
    assert await sweep(bot, now + timedelta(minutes=1)) == 1, "the backlog escalated today is not read again"
    async with bot.sessions() as session:
        rows = {row.tracking_id: row for row in await session.scalars(select(Report))}
    assert rows[just_due].escalation_level == 1 and all(rows[tracking_id].escalation_level == 1 for tracking_id in backlog)


def test_the_sweeps_alert_times_agree_with_urgency_and_escalation_by_working_days():
    """Each alert time is the first moment its condition holds, across Idul Fitri 2027 and in every time zone."""
    calendar = default_calendar()
    for zone in IndonesianTime:
        for start_day in range(0, 40, 3):
            start = datetime(2027, 2, 20, 16, 30, tzinfo=UTC) + timedelta(days=start_day)
            due = deadline(Deadline.FIRST_ANSWER, start, zone)
            tick = timedelta(microseconds=1)
            remind = due.reminder_at()
            assert due.urgency(remind - tick) is Urgency.ON_TRACK and due.urgency(remind) is Urgency.DUE_SOON
            assert due.escalation_level(due.at) == 0 and due.escalation_level(due.at + tick) == 1
            for level in (2, 3):
                at = due.escalation_at(level)
                assert calendar.working_days_between(due.at, at - tick, zone.zone) == level - 1
                assert calendar.working_days_between(due.at, at, zone.zone) == level
                assert due.escalation_level(at - tick) == level - 1 and due.escalation_level(at) == level
            assert due.next_alert(reminded=False, level=0) == remind
            assert due.next_alert(reminded=True, level=1) == due.escalation_at(2)
            assert due.next_alert(reminded=True, level=3) is None

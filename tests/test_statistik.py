"""/statistik through the emulator: the figures for the admin's scope, as a summary and charts (PNG images with
their titles); a hub admin sees its area only; confidential reports never feed the figures about content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.calendar import Calendar
from bot.domain.roles import Role
from bot.services.periods import Period
from bot.services.statistics import _median
from tests.conftest import eventually
from tests.test_staff_inbox import add_report, make_staff

# Monday 2 November 2026, 09:00 WIB; no holiday that week.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


async def _worked_reports(bot) -> None:
    """Five reports in Kota Padang and one in Kabupaten Bogor, in several states."""
    answered_fast = dict(verified_at=MONDAY + timedelta(days=1), answered_at=MONDAY + timedelta(days=3), rating=5)
    await add_report(bot, status="resolved", created_at=MONDAY, **answered_fast)  # 1 day to verify, 2 to answer
    await add_report(bot, status="resolved", created_at=MONDAY, verified_at=MONDAY + timedelta(days=3),
                     answered_at=MONDAY + timedelta(days=14), rating=3)  # 3 to verify, 7 to answer: late
    await add_report(bot, status="assigned", created_at=MONDAY, verified_at=MONDAY + timedelta(days=2),
                     due_kind="first_answer", due_at=MONDAY + timedelta(days=9))  # overdue by now
    await add_report(bot, status="submitted", created_at=MONDAY, category="sampah", agency="DLH-13.71")
    await add_report(bot, status="submitted", created_at=MONDAY, category="permintaan_imbalan", confidential=True)
    await add_report(bot, status="submitted", created_at=MONDAY, province="32", regency="32.01", agency="PUPR-32.01")


def _photos(person) -> list[dict]:
    return [message for message in person.messages if message.get("photo")]


async def test_the_national_admin_reads_the_figures_and_gets_the_charts(bot):
    await _worked_reports(bot)
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/statistik 2026-11")
    await eventually(lambda: len(_photos(admin)) >= 5, timeout=20)
    summary = next(message["text"] for message in admin.messages if "Statistik" in message.get("text", ""))
    summary = summary.replace("<b>", "").replace("</b>", "")
    assert "Diterima: 6" in summary
    assert "Tingkat tindak lanjut: 33,3% (2 dijawab)" in summary, "2 of 6 answered, formatted the Indonesian way"
    assert "Dijawab dalam 5 hari kerja setelah diteruskan: 50,0%" in summary, "one of the two answers was late"
    assert "Median hari kerja hingga verifikasi: 2" in summary, "1, 2 and 3 working days"
    assert "Kepuasan: 4 dari 5 (2 penilaian)" in summary
    assert "Lewat tenggat sekarang: 1" in summary
    assert "Sumatera Barat: Jalan (3), Sampah dan kebersihan (1)" in summary, summary
    assert "Permintaan imbalan" not in summary and "1 laporan rahasia" in summary, "confidential: no category"

    photos = _photos(admin)
    titles = [photo.get("caption") for photo in photos]
    assert titles == ["Laporan per status", "Laporan per bulan", "Kategori teratas", "Laporan per wilayah",
                      "Instansi: diterima, dijawab, lewat tenggat"]
    for photo in photos:
        stored = bot.emulator.state.files[photo["photo"][-1]["file_id"]]
        assert stored.data.startswith(b"\x89PNG") and len(stored.data) > 5_000, "a real, non-empty image"
        assert photo["photo"][-1]["width"] >= 600


async def test_a_hub_admin_sees_its_own_area_and_a_citizen_nothing(bot):
    await _worked_reports(bot)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-32", "Hana")  # West Java's hub: only the Bogor report
    replies = await hub.send("/statistik 2026")
    assert "Jawa Barat" in replies[0]["text"] and "Diterima: <b>1</b>" in replies[0]["text"]
    await eventually(lambda: _photos(hub), timeout=20)

    citizen = bot.citizen("Dodi", None)
    replies = await citizen.send("/statistik")
    assert "Statistik hanya untuk admin" in replies[-1]["text"]
    replies = await hub.send("/statistik kemarin")
    assert "/statistik 2026-11" in replies[-1]["text"], "a period it cannot read: told how to type one"


async def test_an_empty_period_says_so_without_charts(bot):
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    replies = await admin.send("/statistik 2025")
    assert "Tidak ada laporan" in replies[-1]["text"]
    assert _photos(admin) == []


def test_periods_and_medians():
    today = datetime(2026, 11, 24).date()
    assert Period.parse("2026", today) == Period(datetime(2026, 1, 1).date(), today)
    assert Period.parse("2026-02", today) == Period(datetime(2026, 2, 1).date(), datetime(2026, 2, 28).date())
    assert Period.parse("2027", today) is None and Period.parse("2026-13", today) is None
    assert Period.last_months(today) == Period(datetime(2025, 12, 1).date(), today)
    from collections import Counter
    assert _median(Counter({1: 1, 2: 1, 3: 1})) == 2 and _median(Counter({1: 1, 4: 1})) == 2.5 and _median(Counter()) is None
    calendar = Calendar()
    numbers = calendar.working_day_numbers(datetime(2026, 12, 20).date(), datetime(2027, 1, 10).date())
    for first, last in ((datetime(2026, 12, 20), datetime(2027, 1, 5)), (datetime(2026, 12, 23), datetime(2026, 12, 29))):
        expected = calendar.working_days_between(first.replace(tzinfo=UTC), last.replace(tzinfo=UTC), UTC)
        assert numbers[last.date()] - numbers[first.date()] == expected

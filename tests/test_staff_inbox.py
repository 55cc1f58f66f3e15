"""The staff inbox and report view: each reader sees only their scope (others' reports are "not found", also
through a forged button), an anonymous reporter leaves no trace in the view, paging, and the deadline views
against a controllable clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Attachment, Report, ReportEvent, User
from bot.delivery.messages import Album
from bot.domain.deadlines import Urgency
from bot.domain.roles import Grant, Role
from bot.services import inbox, staff
from bot.services.staff_view import running_due, verification_due
from bot.services.tracking import new_tracking_id
from bot.textlimits import MESSAGE_LIMIT, visible_length
from handlers.staff.report_view import media_messages
from tests.conftest import eventually
from tests.flows import file_report
from tests.test_staff import STAFF_ONLY

NOT_FOUND = "Tidak ada laporan dengan nomor pelacakan"
_reporters = itertools.count(7000001)


async def make_staff(bot, role: Role, agency: str | None, name: str = "Budi"):
    """A chat user holding ``role``: invited from the command line and redeemed, as in production."""
    person = bot.citizen(name, name.lower())
    async with bot.sessions() as session, session.begin():
        invitation = await staff.create_invitation(session, bot.router.directory, role, agency, actor=None)
        await staff.redeem(session, invitation.token, person.user_id)
    return person


async def add_report(bot, *, agency: str | None = "PUPR-13.71", province: str | None = "13",
                     regency: str | None = "13.71", status: str = "submitted", created_at: datetime | None = None,
                     reporter: int | None = None, **fields) -> str:
    """A report written straight to the database, with a reporter of its own (or a chat user of the emulator
    who has not written to the bot yet)."""
    reporter = reporter or next(_reporters)
    tracking_id = new_tracking_id()
    async with bot.sessions() as session, session.begin():
        session.add(User(id=reporter, first_name="Warga", username=f"warga{reporter}"))
        await session.flush()
        report = Report(
            tracking_id=tracking_id, reporter_id=reporter, chat_id=reporter, report_type="pengaduan", status=status,
            province_code=province, regency_code=regency, agency_code=agency, created_at=created_at or datetime.now(UTC),
            **{"description": "Jalan rusak", "category": "jalan",
               "events": [ReportEvent(actor="reporter", to_status="submitted")], **fields},
        )
        if report.due_at is not None and "next_alert_at" not in fields:  # as a clock started by an action would
            report.next_alert_at = running_due(report).next_alert(reminded=False, level=0)
        session.add(report)
    return tracking_id


async def open_ids(bot, roles: list[Grant], **options) -> list[str]:
    async with bot.sessions() as session:
        page = await inbox.inbox(session, roles, bot.router.directory, view=options.pop("view", inbox.View.OPEN),
                                 page_size=1000, **options)
    return [item.tracking_id for item in page.items]


async def test_each_reader_sees_only_their_scope_and_nothing_else_exists_for_them(bot):
    padang_roads = await add_report(bot)
    padang_environment = await add_report(bot, agency="DLH-13.71")
    agam = await add_report(bot, agency="PUPR-13.06", regency="13.06")
    kutai = await add_report(bot, agency="PUPR-64.02", province="64", regency="64.02")
    nowhere = await add_report(bot, agency="ADMIN-NASIONAL", province=None, regency=None)
    closed = await add_report(bot, status="resolved")

    padang = [padang_roads, padang_environment]
    cases = {  # grant: (its open reports, whether it also finds the resolved one of PUPR-13.71)
        Grant(Role.LIAISON, "PUPR-13.71"): ([padang_roads], True),
        Grant(Role.STAFF, "DLH-13.71"): ([padang_environment], False),
        Grant(Role.HUB_ADMIN, "HUB-13.71"): (padang, True),
        Grant(Role.HUB_ADMIN, "HUB-13"): ([*padang, agam], True),
        Grant(Role.HUB_ADMIN, "HUB-64"): ([kutai], False),
        Grant(Role.NATIONAL_ADMIN, None): ([*padang, agam, kutai, nowhere], True),
    }
    for grant, (expected, sees_closed) in cases.items():
        assert await open_ids(bot, [grant]) == expected, grant
        readable = {*expected, closed} if sees_closed else set(expected)
        async with bot.sessions() as session:
            for tracking_id in [*padang, agam, kutai, nowhere, closed]:
                view = await inbox.find_for_staff(session, [grant], bot.router.directory, tracking_id)
                assert (view is not None) == (tracking_id in readable), (grant, tracking_id)
    assert await open_ids(bot, []) == [], "no roles, no reports"

    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71")
    assert "Jalan rusak" in (await liaison.send(f"/kotakmasuk {padang_roads}"))[0]["text"]
    await liaison.tap_data(liaison.messages[-1]["message_id"], "sib:open:" + "9" * 50)  # forged: a huge page
    assert "Semua yang terbuka" in liaison.messages[-1]["text"] and padang_roads in liaison.messages[-1]["text"]
    for reply in (await liaison.send(f"/inbox {padang_environment}"),
                  await liaison.tap_data(liaison.messages[-1]["message_id"], f"sir:{padang_environment}")):
        assert len(reply) == 1 and NOT_FOUND in reply[0]["text"], "another agency's report is not found"
    unknown = new_tracking_id()
    assert NOT_FOUND in (await liaison.send(f"/kotakmasuk {unknown}"))[0]["text"], "the same words as for a missing one"


async def test_a_citizen_typing_or_forging_a_staff_command_is_told_it_is_for_staff(bot, citizen):
    tracking_id = await add_report(bot)
    assert STAFF_ONLY in (await citizen.send("/kotakmasuk"))[-1]["text"]
    assert STAFF_ONLY in (await citizen.send(f"/inbox {tracking_id}"))[-1]["text"]
    await citizen.send("/start")
    reply = await citizen.tap_data(citizen.messages[-1]["message_id"], f"sir:{tracking_id}")
    assert STAFF_ONLY in reply[-1]["text"] and "Jalan rusak" not in str(reply)


async def test_an_anonymous_reporter_leaves_no_trace_and_a_confidential_report_is_read_by_its_staff(bot):
    siti = bot.citizen("Sitinurbaya", "siti_rahasia")
    tracking_id = await file_report(siti, album=2, anonymous=True, confidential=True)
    async with bot.sessions() as session:
        agency = await session.scalar(select(Report.agency_code).where(Report.tracking_id == tracking_id))
    liaison = await make_staff(bot, Role.LIAISON, agency, "Budi")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.quiet(0.3)
    shown = liaison.messages
    text = shown[0]["text"]
    assert "Jalan berlubang" in text and "anonim" in text, "the content of a confidential report reaches its staff"
    assert any("location" in message for message in shown), "the place as a map pin"
    album = [message for message in shown if "photo" in message]
    assert len(album) == 2 and album[0].get("media_group_id") and "forward_origin" not in str(shown)
    for trace in ("Sitinurbaya", "siti_rahasia", str(siti.user_id)):
        assert trace not in str(shown), trace
    async with bot.sessions() as session:
        view = await inbox.find_for_staff(session, [Grant(Role.LIAISON, agency)], bot.router.directory, tracking_id)
    assert view.reporter is None and view.confidential
    for trace in ("Sitinurbaya", "siti_rahasia", str(siti.user_id)):
        assert trace not in repr(view), trace


async def test_a_named_reporter_is_shown_to_staff(bot):
    tracking_id = await add_report(bot)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    text = (await hub.send(f"/kotakmasuk {tracking_id}"))[0]["text"]
    assert "Warga (@warga" in text


async def test_the_inbox_pages_with_buttons_and_opens_a_report_from_its_button(bot):
    start = datetime.now(UTC) - timedelta(hours=12)
    ids = [await add_report(bot, status="assigned", created_at=start + timedelta(minutes=n)) for n in range(11)]
    await add_report(bot, agency="DLH-13.71", status="assigned")  # not theirs
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71")
    first = (await liaison.send("/kotakmasuk"))[-1]
    assert "Halaman 1 dari 2" in first["text"] and "11 laporan" in first["text"]
    assert [b for b in liaison.buttons() if "-" in b] == ids[:8], "oldest first, one button per report"
    for row in first["reply_markup"]["inline_keyboard"]:
        assert all(len(key["callback_data"].encode()) <= 64 for key in row)
    await liaison.tap("▶️")
    assert "Halaman 2 dari 2" in liaison.messages[-1]["text"]
    assert [b for b in liaison.buttons() if "-" in b] == ids[8:] and "◀️" in liaison.buttons()
    reply = await liaison.tap(ids[9])
    assert f"Laporan {ids[9]}" in reply[0]["text"]


async def test_a_view_too_long_to_count_still_pages_to_its_end(bot, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 5)
    ids = [await add_report(bot, created_at=datetime.now(UTC) - timedelta(minutes=20 - n)) for n in range(11)]
    async with bot.sessions() as session:
        pages = [await inbox.inbox(session, [Grant(Role.LIAISON, "PUPR-13.71")], bot.router.directory,
                                   view=inbox.View.OPEN, page=number, page_size=4) for number in range(4)]
    assert [page.pages for page in pages] == [None] * 4 and pages[0].total == 6, "counted up to the limit only"
    assert [page.has_next for page in pages] == [True, True, False, False]
    assert [item.tracking_id for page in pages for item in page.items] == ids


async def test_due_soon_and_overdue_follow_working_days_in_each_province_time_zone(bot):
    monday = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB; no holiday that week
    filed = await add_report(bot, created_at=monday)
    national = [Grant(Role.NATIONAL_ADMIN, None)]
    expectations = {  # verification ends Thursday 5 November, 23:59 WIB
        datetime(2026, 11, 3, 3, tzinfo=UTC): (False, False),
        datetime(2026, 11, 4, 3, tzinfo=UTC): (True, False),
        datetime(2026, 11, 5, 16, tzinfo=UTC): (True, False),
        datetime(2026, 11, 5, 17, 1, tzinfo=UTC): (False, True),
    }
    for now, (soon, overdue) in expectations.items():
        assert (filed in await open_ids(bot, national, view=inbox.View.DUE_SOON, now=now)) == soon, now
        assert (filed in await open_ids(bot, national, view=inbox.View.OVERDUE, now=now)) == overdue, now

    # Around Idul Fitri 2026 (20-21 March, cuti bersama beside it), in WIB, WITA and WIT: the SQL views
    # agree with Due.urgency for reports filed every seven hours over three weeks.
    now = datetime(2026, 3, 26, 1, 30, tzinfo=UTC)
    for hours in range(0, 21 * 24, 7):
        for province, regency in (("13", "13.71"), ("64", "64.02"), ("91", "91.01")):
            await add_report(bot, province=province, regency=regency, created_at=now - timedelta(hours=hours))
    async with bot.sessions() as session:
        reports = list(await session.scalars(select(Report)))
    urgency = {report.tracking_id: verification_due(report).urgency(now) for report in reports if report.created_at <= now}
    for view, wanted in ((inbox.View.DUE_SOON, Urgency.DUE_SOON), (inbox.View.OVERDUE, Urgency.OVERDUE)):
        found = set(await open_ids(bot, national, view=view, now=now))
        assert found == {tid for tid, value in urgency.items() if value is wanted}, view
        assert found, view


async def test_a_long_report_fits_telegrams_limits_and_media_go_in_albums_of_ten_documents_alone(bot):
    files = [Attachment(position=n, kind="photo" if n < 11 else "video" if n < 12 else "document",
                        file_id=f"file-{n}", file_unique_id=f"u{n}") for n in range(14)]
    notes = [ReportEvent(actor="cli", to_status="submitted", note="catatan " * 60) for _ in range(20)]
    tracking_id = await add_report(bot, description="panjang " * 900, latitude=-0.95, longitude=100.35,
                                   attachments=files)
    async with bot.sessions() as session, session.begin():
        report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        for note in notes:
            note.report_id = report.id
            session.add(note)
    async with bot.sessions() as session:
        view = await inbox.find_for_staff(session, [Grant(Role.NATIONAL_ADMIN, None)], bot.router.directory, tracking_id)
    assert [type(message).__name__ for message in media_messages(view)] == [
        "Location", "Album", "Album", "Media", "Media"], "the pin, 11 photos and a video in albums of 10, each document"
    assert [len(message.items) for message in media_messages(view) if isinstance(message, Album)] == [10, 2]

    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send(f"/kotakmasuk {tracking_id}")
    await admin.quiet(0.3)
    texts = [message["text"] for message in admin.messages if "text" in message]
    assert len(texts) >= 2 and all(visible_length(text) <= MESSAGE_LIMIT for text in texts), "split, each fits"
    # (The made-up file_ids above are refused by the emulator; real ones are re-sent in the anonymous test.)


async def test_staff_read_the_inbox_in_english_too(bot):
    await add_report(bot, status="in_progress")
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Ben")
    async with bot.sessions() as session, session.begin():
        await session.merge(User(id=liaison.user_id, first_name="Ben", locale="en"))
    text = (await liaison.send("/inbox"))[-1]["text"]
    assert "Inbox: 📌 To do" in text and "Page 1 of 1 · 1 report, oldest first" in text


async def test_a_stranger_learns_only_the_status_of_a_confidential_report(bot):
    tracking_id = await add_report(bot, confidential=True, agency_name="Dinas PUPR Kota Padang")
    card = (await bot.citizen("Andi", "andi").send(f"/status {tracking_id}"))[0]["text"]
    assert "Belum terverifikasi" in card and "rahasia" in card
    for leaked in ("Jalan", "Dinas PUPR", "Dikirim", "Kategori"):
        assert leaked not in card, leaked


async def test_the_default_view_holds_what_waits_for_the_reader_hub_or_agency(bot, citizen):
    """A liaison told of a report forwarded to them finds it in /kotakmasuk at once; the hub no longer does."""
    tracking_id = await file_report(citizen)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    assert tracking_id in (await hub.send("/kotakmasuk"))[-1]["text"], "to verify: the hub's"
    assert tracking_id not in (await liaison.send("/kotakmasuk"))[-1]["text"], "not verified yet: not the agency's"

    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Verifikasi dan teruskan")
    await hub.send("PUPR-13.71")
    await hub.tap("Kota Padang")
    await eventually(lambda: f"/kotakmasuk {tracking_id}" in liaison.last_text)  # "a report for you"
    shown = (await liaison.send("/kotakmasuk"))[-1]
    assert "Perlu tindakan" in shown["text"] and tracking_id in shown["text"] and tracking_id in liaison.buttons()
    assert tracking_id not in (await hub.send("/kotakmasuk"))[-1]["text"], "forwarded: no longer the hub's to do"

    await liaison.tap(tracking_id)
    await liaison.tap("Ambil")
    await liaison.tap("Ringan")
    assert tracking_id in (await liaison.send("/kotakmasuk"))[-1]["text"], "taken, not answered: still to do"


async def test_a_hub_finds_in_its_default_view_an_agencys_report_escalated_to_it(bot):
    """An overdue report escalates to the regency's hub, then the province's, then the national admin; each is told
    "escalated to you" and finds it in what waits for it."""
    first = await add_report(bot, status="in_progress", escalation_level=1)
    second = await add_report(bot, status="in_progress", escalation_level=2)
    quiet = await add_report(bot, status="assigned")
    readers = {Grant(Role.HUB_ADMIN, "HUB-13.71"): [first, second], Grant(Role.HUB_ADMIN, "HUB-13"): [second],
               Grant(Role.NATIONAL_ADMIN, None): [], Grant(Role.LIAISON, "PUPR-13.71"): [first, second, quiet]}
    for grant, expected in readers.items():
        assert await open_ids(bot, [grant], view=inbox.View.TO_DO) == expected, grant

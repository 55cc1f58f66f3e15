"""The sandbox plays every role: its sample staff (labelled as samples) get their roles once, the web chat lists
them, and through the page's API a newcomer files a report as a citizen, forwards it as the sample admin,
answers it as the sample liaison, and sees the answer arrive."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.db import Transactions
from bot.db.models import Report
from bot.domain.roles import Grant
from bot.sandbox.client import Citizen
from bot.sandbox import sample_reports
from bot.sandbox.personas import PERSONAS, grant_roles
from bot.services import staff, subscriptions
from bot.services.statistics import OPEN_STATUSES
from tests.conftest import eventually
from tests.flows import file_report


async def test_sample_staff_get_their_roles_once_and_the_page_lists_them(bot):
    for _ in range(2):  # a restarted sandbox grants nothing twice
        await grant_roles(bot.engine, bot.router.directory)
    async with Transactions(bot.engine).begin() as session:
        for persona in PERSONAS:
            grants = [Grant(persona.role, persona.agency_code)] if persona.role else []
            assert await staff.roles_of(session, persona.user_id) == grants
            if persona.role is None:  # a sample subscriber, for the admins' announcements
                subscription = await subscriptions.active(session, persona.user_id)
                assert subscription is not None and subscription.regency_code == persona.subscribed_to
    async with httpx.AsyncClient(base_url=bot.emulator.base_url) as http:
        listed = (await http.get("/sandbox/api/personas")).json()
    assert [person["user_id"] for person in listed] == [persona.user_id for persona in PERSONAS]
    assert all("(contoh)" in person["first_name"] for person in listed), "labelled as samples"


async def test_a_newcomer_files_as_a_citizen_and_answers_as_the_sample_staff(bot, citizen):
    await grant_roles(bot.engine, bot.router.directory)
    tracking_id = await file_report(citizen)
    admin, liaison = (Citizen(bot.emulator, persona.user_id, persona.first_name) for persona in PERSONAS[0:3:2])

    await admin.send(f"/kotakmasuk {tracking_id}")
    await admin.tap("Verifikasi dan teruskan")  # routed to the national road office: the admin sends it to the city's
    assert any("Balai Pelaksanaan Jalan Nasional" in label for label in admin.buttons()), "the routed agency, one tap away"
    await admin.send("pekerjaan umum penataan ruang kota padang")
    message, _data = admin.find_button("Penataan Ruang Kota Padang")
    data = next(key["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for key in row
                if key["text"].endswith("Kota Padang"))
    await admin.tap_data(message["message_id"], data)
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Ambil")
    await liaison.tap("Ringan")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Tindak lanjut")
    await liaison.send("Sudah kami perbaiki, terima kasih.")
    await eventually(lambda: "Sudah kami perbaiki" in citizen.last_text)


async def test_the_sample_admin_sends_an_announcement_that_the_sample_subscribers_read(bot):
    await grant_roles(bot.engine, bot.router.directory)
    hub = Citizen(bot.emulator, PERSONAS[1].user_id, PERSONAS[1].first_name)  # Kota Padang's hub
    padang, bogor = (Citizen(bot.emulator, persona.user_id, persona.first_name) for persona in PERSONAS[3:5])
    await hub.send("/siaran")
    await hub.send("Posyandu keliling hadir di Kelurahan Jati hari Sabtu.")
    await hub.tap("Pratinjau")
    await hub.tap("Kirim ke 1")
    await eventually(lambda: "Posyandu keliling" in padang.last_text, timeout=15)
    assert all("Posyandu" not in message.get("text", "") for message in bogor.messages), "another hub's area"


async def test_the_sample_hub_admin_reads_the_sample_reports_figures_and_charts(bot):
    for _ in range(2):  # a restarted sandbox adds no second set
        await grant_roles(bot.engine, bot.router.directory)
        await sample_reports.seed(bot.engine, bot.router)
    hub = Citizen(bot.emulator, PERSONAS[1].user_id, PERSONAS[1].first_name)  # Kota Padang's hub admin
    replies = await hub.send("/statistik")
    summary = next(reply["text"] for reply in replies if "Statistik" in reply.get("text", ""))
    assert "Kota Padang" in summary and f"Diterima: <b>{sample_reports.COUNT * 5 // 6}</b>" in summary, summary
    assert "Tingkat tindak lanjut" in summary and "Kepuasan" in summary and "(tanpa wilayah)" not in summary
    await eventually(lambda: len([message for message in hub.messages if message.get("photo")]) >= 4, timeout=20)
    async with bot.sessions() as session:
        still_open = await session.scalar(select(func.count()).select_from(Report).where(Report.status.in_(OPEN_STATUSES)))
    assert still_open == 0, "sample reports are all closed: no inbox, no clock, no alert"

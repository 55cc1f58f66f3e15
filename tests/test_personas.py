"""The sandbox plays every role: its sample staff (labelled as samples) get their roles once, the web chat lists
them, and through the page's API a newcomer files a report as a citizen, forwards it as the sample admin,
answers it as the sample liaison, and sees the answer arrive."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.db import Transactions
from bot.db.models import Report
from bot.domain.roles import Grant, Role
from bot.sandbox import sample_reports
from bot.sandbox.personas import PERSONAS, grant_roles, seat
from bot.services import staff, subscriptions
from bot.services.statistics import OPEN_STATUSES
from tests.conftest import eventually
from tests.flows import file_report
from tests.kit.client import Citizen


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


def played(bot, role: Role | None, agency_code: str | None = None, subscribed_to: str | None = None) -> Citizen:
    """The sample persona with this role and agency (or this subscription), as the page plays it."""
    found = [persona for persona in PERSONAS if persona.role is role and persona.agency_code == agency_code
             and persona.subscribed_to == subscribed_to]
    assert found, f"no sample persona is {role} of {agency_code}: a newcomer cannot play it"
    seat(bot.emulator)  # as the sandbox does: each persona has started the bot, so it hears what it is told
    return Citizen(bot.emulator, found[0].user_id, found[0].first_name)


async def test_the_readme_story_is_played_to_its_end_by_the_sample_staff(bot, citizen):
    """README's story: a pothole on Jl. By Pass in Kota Padang goes to the national-road office; the sample hub
    admin verifies and forwards it there in one tap, and that office's sample liaison takes and answers it."""
    await grant_roles(bot.engine, bot.router.directory)
    tracking_id = await file_report(citizen)
    async with bot.sessions() as session:
        routed = await session.scalar(select(Report.agency_code).where(Report.tracking_id == tracking_id))
    assert routed == "BPJN-13", "README: a national road of Sumatera Barat"
    admin = played(bot, Role.HUB_ADMIN, "HUB-13.71")
    await admin.send(f"/kotakmasuk {tracking_id}")
    await admin.tap("Verifikasi dan teruskan")
    await admin.tap("Sumatera Barat")  # the routed agency, one tap away
    liaison = played(bot, Role.LIAISON, routed)
    await eventually(lambda: f"/kotakmasuk {tracking_id}" in liaison.last_text)  # told of it
    await liaison.send("/kotakmasuk")
    await liaison.tap(tracking_id)
    await liaison.tap("Ambil")
    await liaison.tap("Ringan")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Tindak lanjut")
    await liaison.send("Sudah kami perbaiki, terima kasih.")
    await eventually(lambda: "Sudah kami perbaiki" in citizen.last_text)


async def test_the_sample_liaison_of_a_city_office_answers_what_the_hub_forwards_to_it(bot, citizen):
    await grant_roles(bot.engine, bot.router.directory)
    tracking_id = await file_report(citizen, category="Drainase", description="Saluran air tersumbat sampah, "
                                    "jalan tergenang setiap hujan sejak sebulan terakhir.")
    admin, liaison = played(bot, Role.NATIONAL_ADMIN), played(bot, Role.LIAISON, "PUPR-13.71")
    await admin.send(f"/kotakmasuk {tracking_id}")
    await admin.tap("Verifikasi dan teruskan")
    await admin.tap("Kota Padang")
    await eventually(lambda: f"/kotakmasuk {tracking_id}" in liaison.last_text)
    await liaison.send(f"/kotakmasuk {tracking_id}")
    assert "📥 Ambil" in liaison.buttons()


async def test_the_sample_admin_sends_an_announcement_that_the_sample_subscribers_read(bot):
    await grant_roles(bot.engine, bot.router.directory)
    hub = played(bot, Role.HUB_ADMIN, "HUB-13.71")
    padang, bogor = played(bot, None, subscribed_to="13.71"), played(bot, None, subscribed_to="32.01")
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
    hub = played(bot, Role.HUB_ADMIN, "HUB-13.71")
    replies = await hub.send("/statistik")
    summary = next(reply["text"] for reply in replies if "Statistik" in reply.get("text", ""))
    received = sample_reports.COUNT * 5 // 6 + len(sample_reports.NEAR_SAMPLE_PLACE)
    assert "Kota Padang" in summary and f"Diterima: <b>{received}</b>" in summary, summary
    assert "Tingkat tindak lanjut" in summary and "Kepuasan" in summary and "(tanpa wilayah)" not in summary
    await eventually(lambda: len([message for message in hub.messages if message.get("photo")]) >= 4, timeout=20)
    async with bot.sessions() as session:
        still_open = list(await session.scalars(select(Report).where(Report.status.in_(OPEN_STATUSES))))
    assert len(still_open) == len(sample_reports.NEAR_SAMPLE_PLACE), "but two, sample reports are closed"
    assert all(report.due_at is None and report.next_alert_at is None and report.grid_cell for report in still_open), \
        "the open ones, near the sample place to be suggested, run no clock and alert no one"

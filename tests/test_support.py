"""Support ("dukung", issue 27): a citizen about to file what a neighbour has filed already is shown it, supports it
instead, and hears its changes like its reporter until they stop following; by its ID too. Nothing about who filed
is shown, and a report counts each person once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.models import Conversation, Report, Support
from bot.domain.roles import Role
from bot.services import support
from bot.services.reports import find_by_tracking_id
from bot.services.support import SUPPORTS_PER_HOUR, SupportRefused
from tests.conftest import eventually
from tests.flows import DESCRIPTION, PADANG, SIMILAR_QUESTION, answer_road_question, file_report, start_report
from tests.test_staff_inbox import make_staff
from tests.test_status import notifications_in, set_status
from tests.whatsapp_bot import both_channels

NEARBY = (PADANG[0] + 0.0008, PADANG[1] + 0.0006)  # about 110 m from PADANG
FAR = (PADANG[0] + 0.004, PADANG[1])  # about 445 m away
ALIKE = "Ada lubang besar di jalan depan pasar, sudah dua minggu, berbahaya bagi motor yang lewat."


async def _draft_to_the_place(citizen, point=NEARBY, description=ALIKE, category="Jalan") -> str:
    """A report written up to its place; the bot's question after it."""
    await start_report(citizen, category=category)
    await citizen.send(description)
    await citizen.share_location(*point)
    await answer_road_question(citizen)
    return citizen.last_text


async def _count(bot, tracking_id: str) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(Report.supporters).where(Report.tracking_id == tracking_id))


async def test_a_neighbour_supports_the_report_already_filed_and_hears_its_changes_until_they_stop(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    tracking_id = await file_report(siti, album=2)

    question = await _draft_to_the_place(budi)
    assert SIMILAR_QUESTION in question and "Jalan berlubang besar di depan pasar" in question and "📷 2 foto" in question
    assert [message.get("caption") for message in budi.messages if message.get("photo")] == ["1."], "its first photo"
    assert "Siti" not in question and "siti_warga" not in question, "nothing about who filed it"
    assert budi.buttons()[:2] == ["👍 Dukung no. 1", "📝 Laporan saya berbeda"]

    replies = await budi.tap("Dukung no. 1")
    said = "\n".join(reply.get("text", "") for reply in replies)
    assert tracking_id in said and "1 orang mendukungnya" in said
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1, "no second report"
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0, "the draft is ended"
    assert await _count(bot, tracking_id) == 1

    before_siti, before_budi = len(notifications_in(siti)), len(budi.messages)
    assert await set_status(bot, tracking_id, "verified", None) == 0
    await eventually(lambda: len(notifications_in(siti)) > before_siti and len(budi.messages) > before_budi)
    pushed = budi.messages[-1]
    assert "yang Anda dukung" in pushed["text"] and "Terverifikasi" in pushed["text"]
    assert budi.buttons() == ["🔕 Berhenti mengikuti"], "no reply or rating: those are the reporter's"

    await budi.tap("Berhenti mengikuti")
    assert "tidak lagi mengikuti" in budi.last_text
    before_siti, before_budi = len(notifications_in(siti)), len(budi.messages)
    assert await set_status(bot, tracking_id, "waiting_reporter", "Mohon kirim foto lubangnya") == 0
    await eventually(lambda: len(notifications_in(siti)) > before_siti)
    await budi.quiet(0.5)
    assert len(budi.messages) == before_budi, "no longer following"
    assert await _count(bot, tracking_id) == 1, "the support still counts"


async def test_a_supporter_who_asks_to_be_forgotten_hears_no_more_of_it(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    tracking_id = await file_report(siti)
    await budi.send(f"/dukung {tracking_id}")
    await budi.send("/lupakan")
    await budi.tap("Ya, lupakan saya")
    before_siti, before_budi = len(notifications_in(siti)), len(budi.messages)
    assert await set_status(bot, tracking_id, "verified", None) == 0
    await eventually(lambda: len(notifications_in(siti)) > before_siti)
    await budi.quiet(0.5)
    assert len(budi.messages) == before_budi, "a forgotten chat is sent nothing"
    assert await _count(bot, tracking_id) == 1, "the support still counts"


async def test_one_who_files_their_own_goes_on_and_nothing_far_unlike_confidential_or_their_own_is_offered(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    await file_report(siti, confidential=True)
    await file_report(siti, point=FAR)
    await file_report(siti, description="Rumput liar di median jalan sudah tinggi sekali dan menutupi rambu lalu lintas.")
    assert SIMILAR_QUESTION not in await _draft_to_the_place(budi), "confidential, far and unlike: none offered"
    assert "Foto atau berkas" in budi.last_text, "the flow goes on unchanged"

    await file_report(siti)
    assert SIMILAR_QUESTION not in await _draft_to_the_place(siti), "never one's own"
    await siti.send("/batal")
    assert SIMILAR_QUESTION in await _draft_to_the_place(bot.citizen("Rudi", "rudi_warga"))


async def test_mine_is_different_files_a_report_of_its_own(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    first = await file_report(siti)
    await _draft_to_the_place(budi)
    await budi.tap("Laporan saya berbeda")
    assert "Foto atau berkas" in budi.last_text
    await budi.tap("Lewati")
    await budi.tap("Tidak")
    await budi.tap("Tidak")
    replies = await budi.tap("Kirim laporan")
    assert "laporan Anda sudah diterima" in replies[-1]["text"] and first not in replies[-1]["text"]
    assert await _count(bot, first) == 0


async def test_support_by_id_or_shared_link_counts_once_and_is_refused_with_a_reason(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    tracking_id = await file_report(siti)
    assert "/dukung" in (await budi.send("/dukung"))[-1]["text"]
    assert "1 orang mendukungnya" in (await budi.send(f"/dukung {tracking_id.lower()}"))[-1]["text"]
    assert "sudah mendukung" in (await budi.send(f"/start dukung_{tracking_id}"))[-1]["text"]
    assert await _count(bot, tracking_id) == 1
    assert "laporan Anda sendiri" in (await siti.send(f"/dukung {tracking_id}"))[-1]["text"]
    assert "Tidak ada laporan" in (await budi.send("/dukung K7MQ9-TRXZS"))[-1]["text"]

    assert await set_status(bot, tracking_id, "rejected", "Bukan wewenang kami") == 0
    assert "sudah ditutup" in (await bot.citizen("Rudi", "rudi").send(f"/dukung {tracking_id}"))[-1]["text"]


async def test_supports_at_the_same_instant_count_each_person_once(bot):
    siti = bot.citizen("Siti", "siti_warga")
    tracking_id = await file_report(siti)
    people = [bot.citizen(f"Warga {number}", None) for number in range(3)]
    for person in people:  # each known to the bot
        await person.send("/start")

    async def supports(person) -> None:
        async with bot.services.transactions.begin() as session:
            report = await find_by_tracking_id(session, tracking_id)
            await support.support(session, report, person.user_id, person.user_id, support.LINK)

    await asyncio.gather(supports(people[0]), supports(people[1]))
    assert await _count(bot, tracking_id) == 2, "two people at once count twice"
    await asyncio.gather(supports(people[2]), supports(people[2]))
    assert await _count(bot, tracking_id) == 3, "one person tapping twice counts once"
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Support)) == 3


async def test_support_is_rate_limited_per_person(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    ids = [await file_report(siti, description=f"{DESCRIPTION} Nomor {number}.") for number in range(SUPPORTS_PER_HOUR + 1)]
    await budi.send("/start")
    async with bot.services.transactions.begin() as session:
        for tracking_id in ids[:SUPPORTS_PER_HOUR]:
            await support.support(session, await find_by_tracking_id(session, tracking_id), budi.user_id,
                                  budi.user_id, support.LINK)
    assert "banyak laporan dalam satu jam" in (await budi.send(f"/dukung {ids[-1]}"))[-1]["text"]
    async with bot.services.transactions.begin() as session:
        try:
            await support.support(session, await find_by_tracking_id(session, ids[-1]), budi.user_id, budi.user_id,
                                  support.LINK)
        except SupportRefused as refused:
            assert refused.reason == SupportRefused.TOO_MANY
        else:
            raise AssertionError("the eleventh support in an hour was added")


async def test_a_citizen_on_whatsapp_supports_a_report_filed_on_telegram_and_hears_it_there(
        emulator, database_url, tmp_path):
    async with both_channels(emulator, database_url, tmp_path) as bot:
        tracking_id = await file_report(bot.citizen("Siti", "siti_warga"))
        wati = bot.whatsapp_citizen("Wati")
        question = await _draft_to_the_place(wati)
        assert SIMILAR_QUESTION in question and "Siti" not in question
        said = "\n".join(message.get("text", "") for message in await wati.tap("Dukung no. 1"))
        assert tracking_id in said and "1 orang mendukungnya" in said
        before = len(wati.messages)
        assert await set_status(bot, tracking_id, "verified", None) == 0
        await eventually(lambda: len(wati.messages) > before, timeout=10)
        assert "yang Anda dukung" in wati.last_text and wati.buttons() == ["🔕 Berhenti mengikuti"]


async def test_staff_see_how_many_support_a_report_never_who_and_the_most_supported_first(bot):
    siti = bot.citizen("Siti", "siti_warga")
    first = await file_report(siti)
    second = await file_report(siti, description="Lampu jalan di simpang pasar mati sudah seminggu, gelap sekali.",
                               category="Penerangan jalan")
    for name in ("Budi", "Rudi"):
        await bot.citizen(name, f"{name.lower()}_warga").send(f"/dukung {second}")
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    view = "\n".join(message.get("text", "") for message in await hub.send(f"/kotakmasuk {second}"))
    assert "Didukung:</b> 2 orang" in view and "Budi" not in view and "Rudi" not in view
    await hub.send("/kotakmasuk")
    await hub.tap("Paling didukung")  # the inbox message, edited in place
    listed = hub.last_text
    assert second in listed and first not in listed and "👍 2" in listed and "paling banyak didukung" in listed
    replies = await hub.send("/statistik")
    summary = next(reply["text"] for reply in replies if "Statistik" in reply.get("text", ""))
    assert "Didukung warga lain yang mengalami masalah sama: <b>1</b> laporan, 2 dukungan" in summary, summary

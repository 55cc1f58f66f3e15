"""What a citizen on WhatsApp can do besides the story's report (tests/test_story.py): a typed place, a video and
a document, the status and their list of reports, subscribing and unsubscribing. Through the real bot and the
WhatsApp emulator; the hub that opens the report works on Telegram and receives the very files."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Contact, Subscription
from bot.domain.roles import Role
from bot.sandbox.personas import grant_roles
from bot.services.reports import find_by_tracking_id
from tests.flows import DESCRIPTION, TRACKING_ID, answer_road_question, finish_to_summary, start_report
from tests.story import sample
from tests.story_whatsapp import PDF, digest
from tests.test_story import BothChannelsStage
from tests.whatsapp_bot import both_channels

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
ADDRESS = "Jl. Sudirman No. 5, Kel. Padang Pasir, Kota Padang"


async def test_a_typed_place_a_video_and_a_document_reach_the_hub_on_telegram(emulator, migrated_url, tmp_path):
    async with both_channels(emulator, migrated_url, tmp_path) as bot:
        await grant_roles(bot.engine, bot.router.directory)
        citizen = bot.whatsapp_citizen("Budi")
        await start_report(citizen)
        await citizen.send(DESCRIPTION)
        await citizen.send(ADDRESS)
        await answer_road_question(citizen)
        await citizen.send_file(VIDEO, "video/mp4", "video", caption="Videonya")
        await citizen.send_file(PDF, "application/pdf", "document", filename="surat.pdf")
        assert "2 berkas" in (await finish_to_summary(citizen))[-1]["text"]
        sent = await citizen.tap("Kirim laporan")
        tracking_id = TRACKING_ID.search(sent[-1]["text"]).group(1)

        async with bot.sessions() as session:
            report = await find_by_tracking_id(session, tracking_id)
            assert report.address == ADDRESS
            assert [(item.kind, item.file_name) for item in report.attachments] == [("video", None), ("document", "surat.pdf")]

        hub = BothChannelsStage(bot).persona(sample(Role.HUB_ADMIN, "HUB-13.71"))
        opened = await hub.send(f"/kotakmasuk {tracking_id}")
        assert {digest(VIDEO), digest(PDF)} <= {seen.file_id for seen in opened}, "the hub gets the very files"

        status = await citizen.send(f"/status {tracking_id}")
        assert tracking_id in status[-1]["text"] and "Belum terverifikasi" in status[-1]["text"], status[-1]["text"]
        mine = await citizen.send("/laporanku")
        assert any(tracking_id in message["text"] or any(tracking_id in choice["title"]
                   for choice in bot.whatsapp.choices_of(message)) for message in mine), mine


async def test_a_citizen_on_whatsapp_subscribes_and_unsubscribes(emulator, migrated_url, tmp_path):
    async with both_channels(emulator, migrated_url, tmp_path) as bot:
        citizen = bot.whatsapp_citizen("Rina")
        answer = await citizen.send("/langganan")
        assert "/berhenti" in answer[-1]["text"], "the way out is said before anything is sent"
        await citizen.tap("Seluruh Indonesia")

        async def subscription() -> Subscription | None:
            async with bot.sessions() as session:
                user_id = await session.scalar(select(Contact.user_id).where(Contact.address == citizen.phone))
                return await session.get(Subscription, user_id)

        subscribed = await subscription()
        assert subscribed is not None and subscribed.ended_at is None and subscribed.regency_code is None
        stopped = await citizen.send("/berhenti")
        assert "tidak akan menerima pengumuman lagi" in stopped[-1]["text"]
        assert (await subscription()).ended_at is not None

"""A text sent outside any flow is not dropped: the bot offers to file it as a report, keeps it while the citizen
decides, and a report started with it asks the type and the category, then goes on past the description."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Conversation, Report
from bot.domain import ReportType
from bot.domain.flows import Flow
from bot.services.conversations import draft_of
from tests.flows import PADANG, TRACKING_ID, finish_to_summary, photos, share_pin

OFFER = "Laporkan teks ini"
COMPLAINT = "jalan di depan rumah saya rusak, lubangnya besar dan sudah dua minggu"


async def test_a_text_outside_a_report_is_offered_as_the_description_of_a_new_one(bot, citizen):
    """Issue 22.3: "halo, jalan di depan rumah saya rusak" got the menu and was dropped."""
    greeted = await citizen.send("halo")
    assert "Buat laporan" in " ".join(citizen.buttons()) and OFFER not in " ".join(citizen.buttons()), greeted
    await citizen.send(COMPLAINT)
    assert any(OFFER in label for label in citizen.buttons()), "the offer, above the menu"
    await citizen.send("/laporanku")  # something else first: the text waits

    asked = await citizen.tap(OFFER)
    assert "halo" in asked[-1]["text"] and "lubangnya besar" in asked[-1]["text"], "what will be the description"
    assert "Pengaduan" in " ".join(citizen.buttons()), "the type is asked"
    await citizen.tap("Pengaduan")
    after_category = await citizen.tap("Jalan")
    assert "Di mana lokasinya?" in after_category[-1]["text"], "the description is not asked again"

    await share_pin(citizen, PADANG)
    summary = await finish_to_summary(citizen, "Lewati")
    assert "lubangnya besar" in summary[-1]["text"]
    sent = await citizen.tap("Kirim laporan")
    tracking_id = TRACKING_ID.search(sent[-1]["text"]).group(1)
    async with bot.sessions() as session:
        report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        assert report.description == f"halo\n{COMPLAINT}"
        assert await session.get(Conversation, citizen.user_id) is None


async def test_a_kept_text_never_replaces_a_report_in_progress_and_its_old_button_is_refused(bot, citizen):
    await citizen.send(COMPLAINT)
    offer = citizen.find_button(OFFER)
    await citizen.send("/lapor")
    await citizen.tap("Aspirasi")
    replies = await citizen.tap_data(offer[0]["message_id"], offer[1])
    assert not any("lubangnya besar" in message.get("text", "") for message in replies)
    assert "tidak berlaku" in " ".join(citizen.callback_answers())
    async with bot.sessions() as session:
        conversation = await session.get(Conversation, citizen.user_id)
        assert conversation.flow == Flow.INTAKE and draft_of(conversation).report_type is ReportType.ASPIRATION


async def test_a_photo_after_a_kept_text_starts_a_report_with_both(bot, citizen):
    await citizen.send(COMPLAINT)
    started = await citizen.send_files(photos(1))
    assert "Berkas disimpan" in started[-1]["text"] and "Pengaduan" in " ".join(citizen.buttons())
    await citizen.tap("Pengaduan")
    after_category = await citizen.tap("Jalan")
    assert "Di mana lokasinya?" in after_category[-1]["text"], "the text sent before the photo describes it"
    async with bot.sessions() as session:
        draft = draft_of(await session.get(Conversation, citizen.user_id))
    assert draft.description == COMPLAINT and len(draft.attachments) == 1

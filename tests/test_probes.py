"""What the probes broke (issue 23): text a database refuses, and a button without a chat.

A NUL character (PostgreSQL refuses it in text) and a lone surrogate (no database, nor Telegram, takes it as
UTF-8) arrive in every field a person can type or name; each is cleaned where the update comes in, so every
field is stored, on both databases, with the NUL dropped and the surrogate shown as U+FFFD.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import Attachment, Conversation, Report, ReportEvent, User
from bot.db.models.outreach import Broadcast
from bot.domain.roles import Role
from bot.inbox import store
from bot.inbox.cleaning import storable
from bot.services.conversations import draft_of
from tests.conftest import eventually
from tests.flows import (DESCRIPTION, PADANG, answer_road_question, file_report, finish_to_summary, photos, share_pin,
                         start_report)
from tests.test_broadcasts import KOTA_PADANG, _subscribe
from tests.test_closing import resolved_report
from tests.test_follow_up import REPLY_ADDED, answered_report
from tests.test_staff_inbox import add_report, make_staff
from tests.test_status import notifications_in, set_status

DIRT = "\x00\ud800"  # a NUL and a lone surrogate, as a probe sends them (JSON "\u0000\ud800")
APOLOGY = "terjadi kesalahan"


def dirty(text: str) -> str:
    return f"{text} {DIRT}"


def cleaned(text: str) -> str:
    return f"{text} \ufffd"


async def _report(bot, tracking_id: str | None = None) -> Report:
    async with bot.sessions() as session:
        statement = select(Report).order_by(Report.id.desc())
        if tracking_id:
            statement = statement.where(Report.tracking_id == tracking_id)
        return (await session.scalars(statement)).first()


async def _last_note(bot, tracking_id: str) -> str | None:
    async with bot.sessions() as session:
        return await session.scalar(select(ReportEvent.note).join(Report).where(Report.tracking_id == tracking_id)
                                    .order_by(ReportEvent.id.desc()).limit(1))


async def description(bot, citizen) -> None:
    await file_report(citizen, description=dirty(DESCRIPTION))
    assert (await _report(bot)).description == cleaned(DESCRIPTION)


async def photo_caption(bot, citizen) -> None:
    await start_report(citizen)
    await citizen.send_files(photos(1, first_seed=31), caption=dirty(DESCRIPTION))
    await share_pin(citizen, PADANG)
    await finish_to_summary(citizen)
    await citizen.tap("Kirim laporan")
    assert (await _report(bot)).description == cleaned(DESCRIPTION)


async def typed_address(bot, citizen) -> None:
    address = "Jl. Sudirman No. 5, Kel. Padang Pasir, Kota Padang"
    await file_report(citizen, point=None, address=dirty(address))
    assert (await _report(bot)).address == cleaned(address)


async def road_name(bot, citizen) -> None:
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    await citizen.share_location(*PADANG)
    await citizen.send(dirty("Jalan Mawar Indah"))  # the road question: kept in the draft as typed
    async with bot.sessions() as session:
        assert draft_of(await session.get(Conversation, citizen.user_id)).road_answer == cleaned("Jalan Mawar Indah")


async def venue_title(bot, citizen) -> None:
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    await citizen.share_location(*PADANG, venue={"title": dirty("Pasar Raya"), "address": dirty("Jl. Pasar Raya")})
    await answer_road_question(citizen)  # a pin now would be taken as the place instead of the venue
    await finish_to_summary(citizen, "Lewati")
    await citizen.tap("Kirim laporan")
    assert (await _report(bot)).address == f"{cleaned('Pasar Raya')}, {cleaned('Jl. Pasar Raya')}"


async def file_name(bot, citizen) -> None:
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    await share_pin(citizen, PADANG)
    await citizen.send_files([(b"%PDF-1.4 surat", dirty("surat.pdf"), "application/pdf")], kind="document",
                             caption=dirty("surat camat"))
    await finish_to_summary(citizen)
    await citizen.tap("Kirim laporan")
    async with bot.sessions() as session:
        assert await session.scalar(select(Attachment.file_name)) == cleaned("surat.pdf")


async def user_names(bot, citizen) -> None:
    person = bot.citizen(dirty("Siti"), dirty("siti"))
    await person.send("/start")
    async with bot.sessions() as session:
        user = await session.get(User, person.user_id)
        assert (user.first_name, user.username) == (cleaned("Siti"), cleaned("siti"))


async def answer_to_a_question(bot, citizen) -> None:
    tracking_id = await file_report(citizen)
    await set_status(bot, tracking_id, "waiting_reporter", "Mohon kirim foto yang lebih jelas")
    await eventually(lambda: len(notifications_in(citizen)) == 1)
    await citizen.send(dirty("Lubangnya di depan toko nomor 12"))
    assert await _last_note(bot, tracking_id) == cleaned("Lubangnya di depan toko nomor 12")


async def reply_to_an_answer(bot, citizen) -> None:
    tracking_id = await answered_report(bot, citizen)
    await citizen.tap("Balas")
    replies = await citizen.send(dirty("Terima kasih, tapi lubangnya masih ada"))
    assert REPLY_ADDED in replies[-1]["text"]
    assert await _last_note(bot, tracking_id) == cleaned("Terima kasih, tapi lubangnya masih ada")


async def rating_comment(bot, citizen) -> None:
    tracking_id = await resolved_report(bot, citizen)
    await citizen.tap("⭐⭐⭐⭐⭐")
    await citizen.send(dirty("Cepat sekali ditangani"))
    assert (await _report(bot, tracking_id)).rating_comment == cleaned("Cepat sekali ditangani")


async def staff_reason(bot, citizen) -> None:
    tracking_id = await add_report(bot, agency="HUB-13.71")
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", dirty("Hana"))
    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Arsipkan")
    await hub.send(dirty("Laporan ganda"))
    assert await _last_note(bot, tracking_id) == cleaned("Laporan ganda")


async def staff_answer(bot, citizen) -> None:
    tracking_id = await add_report(bot, status="assigned")
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Ambil")
    await liaison.tap("Normatif (5 hari kerja)")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Tindak lanjut")
    await liaison.send(dirty("Lubang sudah ditimbun"))
    assert await _last_note(bot, tracking_id) == cleaned("Lubang sudah ditimbun")


async def _announce(bot, send) -> str:
    """An announcement composed by ``send(admin)``, sent to one subscriber; returns what the subscriber got."""
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    subscriber = bot.citizen("Ani", None)
    await _subscribe(bot, subscriber, KOTA_PADANG)
    await admin.send("/siaran")
    await send(admin)
    await admin.tap("Pratinjau")
    await admin.tap("Kirim ke 1")
    await eventually(lambda: any("Pengumuman" in (m.get("text") or m.get("caption") or "") for m in subscriber.messages))
    async with bot.sessions() as session:
        return await session.scalar(select(Broadcast.text))


async def broadcast_text(bot, citizen) -> None:
    stored = await _announce(bot, lambda admin: admin.send(dirty("Pengumuman: pelayanan KTP keliling")))
    assert stored == cleaned("Pengumuman: pelayanan KTP keliling")


async def broadcast_caption(bot, citizen) -> None:
    stored = await _announce(bot, lambda admin: admin.send_files(photos(1, first_seed=33), caption=dirty("Pengumuman: jalan ditutup")))
    assert stored == cleaned("Pengumuman: jalan ditutup")


FIELDS = [description, photo_caption, typed_address, road_name, venue_title, file_name, user_names, answer_to_a_question,
          reply_to_an_answer, rating_comment, staff_reason, staff_answer, broadcast_text, broadcast_caption]


@pytest.mark.parametrize("field", FIELDS, ids=[field.__name__ for field in FIELDS])
async def test_text_a_database_refuses_is_cleaned_and_stored_in_every_field(bot, citizen, field):
    await field(bot, citizen)
    said = [message.get("text", "") for chat in bot.emulator.state.chats.values() for message in chat]
    assert not any(APOLOGY in text for text in said), "no turn failed"


async def test_the_inbox_stores_the_raw_update_cleaned(sessions):
    """Every field of every update, also those only read (callback data, an area typed to subscribe), keys too."""
    update = {"update_id": 7, "callback_query": {"id": "1", "data": dirty("in:type"), dirty("key"): [dirty("a")],
                                                 "from": {"id": 3, "first_name": dirty("Siti")}}}
    async with sessions.begin() as session:
        await store.store(session, store.received([update]))
    async with sessions() as session:
        [(stored, _due)] = await store.pending(session, 10)
    query = stored.payload["callback_query"]
    assert (query["data"], query[cleaned("key")], query["from"]["first_name"]) == (cleaned("in:type"), [cleaned("a")], cleaned("Siti"))
    assert storable(update) == stored.payload


async def test_a_button_without_a_chat_is_always_answered_politely_in_the_tappers_language(bot, citizen):
    await citizen.send("/bahasa")
    await citizen.tap("English")
    said_before = len(citizen.messages)
    for data in ("menu:lapor", "in:type:pengaduan", "no handler at all"):
        query_id = str(secrets.randbits(63))
        update = await bot.emulator.push_update({"callback_query": {
            "id": query_id, "from": bot.emulator.users[citizen.user_id].as_json(), "inline_message_id": "AAAA",
            "chat_instance": "1", "data": data}})
        await bot.emulator.wait_until(lambda: bot.emulator.processed(update))
        answers = [answer for answer in bot.emulator.state.callback_answers if answer["callback_query_id"] == query_id]
        assert [answer.get("text") for answer in answers] == ["That button cannot be used here. Please use the buttons in our chat."], data
    assert len(citizen.messages) == said_before, "nothing is done in the chat"


async def test_the_command_line_is_cleaned_too(bot, citizen, monkeypatch):
    """Bytes that are not UTF-8 in an argument reach Python as lone surrogates ("surrogateescape")."""
    tracking_id = await file_report(citizen)
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    note = "Laporan ganda dengan laporan sebelumnya"
    assert await asyncio.to_thread(main, ["report", "set-status", tracking_id, "rejected", "--note", dirty(note)]) == 0
    assert await _last_note(bot, tracking_id) == cleaned(note)
    await eventually(lambda: len(notifications_in(citizen)) == 1)

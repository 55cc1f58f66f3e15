"""Everything the bot sends goes through the outbox: faults on the Bot API delay a message, never lose it,
never send it twice, and never let a chat's messages overtake each other."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import ProcessRole
from bot.channels.telegram.outbound import TelegramTransport
from bot.db.models import OutboxMessage, User
from bot.delivery import claiming, outbox
from bot.delivery.messages import Album, Edit, Location, Media, Text
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Delivery
from bot.i18n import Translator
from handlers.keyboards import main_menu
from tests.conftest import RunningBot, eventually
from tests.flows import DESCRIPTION, PADANG, file_report, photos, start_report
from tests.kit.faults import Fault, inject
from tests.test_status import notifications_in, set_status

PLACE_NOTED, ROAD_QUESTION = "Lokasi dicatat", "Jalan apa?"


async def _at_location_step(citizen) -> None:
    await start_report(citizen)
    await citizen.send(DESCRIPTION)


def _texts(citizen) -> list[str]:
    return [m.get("text", "") for m in citizen.messages]


@pytest.fixture
async def web_bot(emulator, migrated_url, tmp_path):
    """The bot as a web process, with no background sender of its own: a test's own ``Delivery`` is then the only
    one claiming what is due (the bot's, polling each second, once took and sent some of a test's messages)."""
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start(role=ProcessRole.WEB)
    yield running
    await running.stop()


def _delivery(bot, pacing: Pacing) -> Delivery:
    """A sender of the test's own, at the test's pace."""
    return Delivery(bot.services.transactions, TelegramTransport(bot.application.bot), bot.settings.translator, pacing)


async def _rows(bot, chat_id: int) -> list[OutboxMessage]:
    async with bot.sessions() as session:
        statement = select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        return list((await session.execute(statement)).scalars())


async def test_a_failed_reply_is_retried_and_the_rest_of_the_turn_follows_in_order(bot, citizen):
    await _at_location_step(citizen)
    inject(bot.emulator, Fault("sendMessage", status=500))
    await citizen.share_location(*PADANG)  # two replies: the place noted, then the road question
    await eventually(lambda: ROAD_QUESTION in citizen.last_text, timeout=10)
    texts = _texts(citizen)
    noted = [i for i, text in enumerate(texts) if PLACE_NOTED in text]
    asked = [i for i, text in enumerate(texts) if ROAD_QUESTION in text]
    assert len(noted) == 1 and len(asked) == 1 and noted[0] < asked[0]


async def test_a_refused_message_is_recorded_and_the_citizen_stays_reachable(bot, citizen):
    await _at_location_step(citizen)
    inject(bot.emulator, Fault("sendMessage", status=400, description="Bad Request: message is too long"))
    replies = await citizen.share_location(*PADANG)
    assert [PLACE_NOTED not in reply.get("text", "") for reply in replies] == [True]
    assert ROAD_QUESTION in citizen.last_text, "the rest of the turn still went out"
    failed = [row for row in await _rows(bot, citizen.user_id) if row.state == outbox.FAILED]
    assert len(failed) == 1 and "message is too long" in failed[0].last_error.lower()
    async with bot.sessions() as session:
        assert (await session.get(User, citizen.user_id)).reachable is True


async def test_a_tapped_buttons_edit_and_reply_are_both_recorded_whatever_becomes_of_the_reply(bot, citizen):
    """The edit's "sent" mark rides with the reply's; a refused reply must not take the edit's mark with it."""
    await citizen.send("/start")
    await citizen.tap("Buat laporan")
    await citizen.tap("Pengaduan")
    kinds = [(row.payload["type"], row.state) for row in await _rows(bot, citizen.user_id)][-2:]
    assert kinds == [("edit", outbox.SENT), ("text", outbox.SENT)]
    inject(bot.emulator, Fault("sendMessage", status=400, description="Bad Request: message is too long"))
    await citizen.tap("Jalan")
    kinds = [(row.payload["type"], row.state) for row in await _rows(bot, citizen.user_id)][-2:]
    assert kinds == [("edit", outbox.SENT), ("text", outbox.FAILED)]


async def test_a_blocked_chat_gets_what_was_held_once_it_unblocks(bot, citizen):
    tracking_id = await file_report(citizen)
    await citizen.block()
    assert await set_status(bot, tracking_id, "verified") == 0

    async def held() -> bool:
        return [row.state for row in await _rows(bot, citizen.user_id) if row.kind == outbox.STATUS_CHANGED] == [outbox.HELD]

    await eventually(held)
    async with bot.sessions() as session:
        assert (await session.get(User, citizen.user_id)).reachable is False
    assert notifications_in(citizen) == []
    await citizen.unblock()
    await eventually(lambda: len(notifications_in(citizen)) == 1, timeout=10)
    async with bot.sessions() as session:
        assert (await session.get(User, citizen.user_id)).reachable is True


async def test_a_403_holds_the_chat_with_telegrams_reason_stated_once(bot, citizen):
    inject(bot.emulator, Fault("sendMessage", status=403))
    await citizen.send("/bantuan")
    rows = await _rows(bot, citizen.user_id)
    assert [row.state for row in rows] == [outbox.HELD]
    assert rows[0].last_error == "Forbidden: bot was blocked by the user", "not 'Forbidden: Forbidden: ...'"


async def test_retry_after_is_honoured_and_the_message_sent_once(bot, citizen):
    inject(bot.emulator, Fault("sendMessage", status=429, retry_after=2))
    started = time.monotonic()
    await citizen.send("/bantuan")
    await eventually(lambda: "Cara menggunakan" in citizen.last_text or "lapor-bot" in citizen.last_text, timeout=10)
    assert time.monotonic() - started >= 2
    assert len(citizen.messages) == 1


async def test_a_slow_bot_api_causes_no_duplicate(bot, citizen):
    inject(bot.emulator, Fault("sendMessage", delay=7.0))  # past python-telegram-bot's default 5 s timeout
    await citizen.send("/bantuan")
    await asyncio.sleep(3)  # a retry, if there were one, would come well within this
    assert len(citizen.messages) == 1
    assert bot.emulator.stats.duplicates() == []
    assert [row.state for row in await _rows(bot, citizen.user_id)] == [outbox.SENT]


async def test_a_dropped_connection_is_retried_and_delivered_once(bot, citizen):
    inject(bot.emulator, Fault("sendMessage", drop=True))
    await citizen.send("/bantuan")
    await eventually(lambda: len(citizen.messages) == 1, timeout=10)
    await asyncio.sleep(1.5)
    assert len(citizen.messages) == 1 and bot.emulator.stats.duplicates() == []


async def test_a_postponed_message_holds_back_its_own_chat_only(bot, citizen):
    other = bot.citizen("Andi", "andi")
    inject(bot.emulator, Fault("sendMessage", status=429, retry_after=30))
    await citizen.send("/bantuan")
    await citizen.send("/laporanku")
    assert citizen.messages == [], "the second waits behind the first"
    assert len(await other.send("/bantuan")) == 1, "another chat is not held back"
    states = [row.state for row in await _rows(bot, citizen.user_id)]
    assert states == [outbox.PENDING, outbox.PENDING]


async def test_every_kind_of_message_goes_out(bot, citizen):
    emulator = bot.emulator
    stored = [emulator.store_file(data, name, mime) for data, name, mime in photos(3)]
    document = emulator.store_file(b"%PDF-1.4 sample", "jawaban.pdf", "application/pdf")
    video = emulator.store_file(b"\x00\x00\x00\x18ftypmp42", "video.mp4", "video/mp4")
    _ = Translator("id")
    messages = [
        Text("Pilih:", main_menu(_)),
        Media("photo", stored[0].file_id, caption="Foto perbaikan"),
        Album((Media("photo", stored[1].file_id, caption="Sebelum"), Media("photo", stored[2].file_id))),
        Media("document", document.file_id, caption="Surat jawaban"),
        Media("video", video.file_id),
        Location(*PADANG),
    ]
    async with bot.services.transactions.begin() as session:
        for message in messages:
            await outbox.enqueue(session, citizen.user_id, message)
    await bot.delivery.deliver_chat(citizen.user_id)
    sent = citizen.messages
    assert [key for m in sent for key in ("text", "photo", "document", "video", "location") if key in m] == [
        "text", "photo", "photo", "photo", "document", "video", "location"]
    assert sent[0]["reply_markup"]["inline_keyboard"] and sent[1]["caption"] == "Foto perbaikan"
    assert sent[2]["media_group_id"] == sent[3]["media_group_id"]
    assert sent[1]["photo"][0]["file_id"] == stored[0].file_id, "media goes by file_id, never uploaded again"

    async with bot.services.transactions.begin() as session:
        await outbox.enqueue(session, citizen.user_id, Edit(sent[0]["message_id"], "Dipilih: laporan baru"))
    await bot.delivery.deliver_chat(citizen.user_id)
    assert citizen.messages[0]["text"] == "Dipilih: laporan baru" and "reply_markup" not in citizen.messages[0]


async def test_interactive_replies_go_before_bulk_messages(web_bot):
    people = [web_bot.citizen(f"Warga {index}", None) for index in range(30)]
    slow = _delivery(web_bot, Pacing(per_second=20, burst=1, bulk_per_second=10, chat_burst=5, chat_per_second=1))
    async with web_bot.services.transactions.begin() as session:
        for person in people[1:]:
            await outbox.enqueue(session, person.user_id, Text("Pengumuman: layanan KTP keliling"),
                                 priority=outbox.Priority.BULK)
    bulk = asyncio.create_task(slow.deliver_due())
    await asyncio.sleep(0.5)
    async with web_bot.services.transactions.begin() as session:
        await outbox.enqueue(session, people[0].user_id, Text("Jawaban untuk Anda"))
    await slow.deliver_chat(people[0].user_id)
    await bulk
    await slow.close()
    order = [message.text for message in web_bot.emulator.stats.sent]
    assert order.index("Jawaban untuk Anda") < 15, order


async def test_replies_take_the_whole_budget_while_a_broadcast_goes_out(web_bot):
    """Ten citizens' replies at once, while bulk messages use all they may: the replies go at the full rate
    (10/s here, about a second for the ten), never waiting for bulk messages queued before them (6 s, before)."""
    people = [web_bot.citizen(f"Warga {index}", None) for index in range(70)]
    readers, citizens = people[:60], people[60:]
    delivery = _delivery(web_bot, Pacing(per_second=10, burst=1, bulk_per_second=10, chat_burst=5, chat_per_second=1))
    async with web_bot.services.transactions.begin() as session:
        for person in readers:
            await outbox.enqueue(session, person.user_id, Text("Pengumuman: layanan KTP keliling"),
                                 priority=outbox.Priority.BULK)
    sending = asyncio.create_task(delivery.run_forever())
    await eventually(lambda: len(web_bot.emulator.stats.sent) >= 10, timeout=10)  # the broadcast is in full flow
    async with web_bot.services.transactions.begin() as session:
        for person in citizens:
            await outbox.enqueue(session, person.user_id, Text("Jawaban untuk Anda"))
    started = time.monotonic()
    await asyncio.gather(*(delivery.deliver_chat(person.user_id) for person in citizens))
    took = time.monotonic() - started
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)
    await delivery.close()
    assert all(person.messages for person in citizens)
    assert took < 3.0, f"10 replies took {took:.1f} s at 10 messages a second (they waited for bulk ones: 6 s)"


async def test_a_stopped_sender_gives_back_at_once_the_claims_it_had_not_tried(web_bot):
    people = [web_bot.citizen(f"Warga {index}", None) for index in range(6)]
    slow = _delivery(web_bot, Pacing(per_second=2, burst=1, bulk_per_second=2, chat_burst=5, chat_per_second=1))
    async with web_bot.services.transactions.begin() as session:
        session.add_all(User(id=person.user_id, first_name="Warga", lookups=0) for person in people)
        await session.flush()
        await outbox.enqueue_broadcast(session, 1, [(person.user_id, person.user_id, Text("Pengumuman")) for person in people])
    sending = asyncio.create_task(slow.deliver_due())
    await asyncio.sleep(1.2)  # a copy or two went out; the rest wait for the pace, claimed
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)
    await slow.close()
    rows = [row for person in people for row in await _rows(web_bot, person.user_id)]
    unsent = [row for row in rows if row.state == outbox.PENDING]
    assert unsent and all(row.claimed_until is None for row in unsent), "claimable again at once, not after the lease"
    assert len(rows) - len(unsent) == len(web_bot.emulator.stats.sent)


async def test_a_text_sent_again_while_its_reply_waits_is_not_taken_as_the_next_answer(bot, citizen):
    """No reply came (Telegram made the bot wait, or the bot was restarted), so the citizen sends the same text
    again: it is the same message, not their answer to the question they have not seen yet."""
    await start_report(citizen)
    inject(bot.emulator, Fault("sendMessage", status=429, retry_after=3))
    await citizen.send(DESCRIPTION)  # the question that follows waits 3 s
    assert not any("Di mana lokasinya" in text for text in _texts(citizen))
    await citizen.send(DESCRIPTION)
    await eventually(lambda: "Di mana lokasinya" in citizen.last_text, timeout=15)
    await citizen.quiet(1.0)
    assert "Di mana lokasinya" in citizen.last_text, "the description was not taken for the place: " + citizen.last_text
    assert sum("Di mana lokasinya" in text for text in _texts(citizen)) == 1
    replies = await citizen.share_location(*PADANG)
    assert any(ROAD_QUESTION in reply.get("text", "") for reply in replies), "the report goes on where it was"


async def test_a_stop_that_comes_with_a_kick_stops_the_background_sender(bot):
    """Python 3.11's asyncio.wait_for returns the awaited result and drops the cancellation when both come in the
    same turn of the loop: a sender stopped just as something was queued (a kick) went on polling, and the stop
    that waited for it waited for ever (a CI run hung so in a test's teardown)."""
    sender = asyncio.create_task(bot.delivery.run_forever())
    await asyncio.sleep(0.3)  # a round found nothing due: the sender waits for a kick or its next poll
    bot.delivery.kick()
    sender.cancel()
    await asyncio.wait([sender], timeout=5)
    assert sender.cancelled()


async def test_a_background_round_whose_claim_failed_holds_up_no_chat(bot, monkeypatch):
    """A round marks the chats it claims, so that a turn's fast path finding their head taken waits for the round
    to send the rest. When the claim itself fails (its commit), nobody serves those chats: the marks go too, and
    the turn does not wait for ever."""
    own = Delivery(bot.services.transactions, TelegramTransport(bot.application.bot), bot.settings.translator)
    person = bot.citizen("Warga", None)
    async with bot.services.transactions.begin() as session:
        await outbox.enqueue(session, person.user_id, Text("Jawaban untuk Anda"))
    claim_heads = claiming.claim_heads

    async def claimed_but_not_committed(session, lease, limit):
        rows = await claim_heads(session, lease, limit)
        session.add(OutboxMessage(kind=outbox.MESSAGE))  # no chat: the commit fails
        return rows

    monkeypatch.setattr(claiming, "claim_heads", claimed_but_not_committed)
    with pytest.raises(IntegrityError):
        await own.deliver_due()
    monkeypatch.setattr(claiming, "claim_heads", claim_heads)
    await asyncio.wait_for(own.deliver_chat(person.user_id), 10)
    await eventually(lambda: any(m.get("text") == "Jawaban untuk Anda" for m in person.messages))
    await own.close()

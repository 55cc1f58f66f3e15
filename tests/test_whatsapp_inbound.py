"""WhatsApp in: a Cloud API webhook read tolerantly into inbox rows, each stored once before Meta hears 200, a
person's messages handled in the order they wrote them, and receipts recorded on the messages they speak of."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.channels.incoming import (
    CommandSent,
    ContactSent,
    MediaSent,
    PlaceSent,
    Said,
    Tapped,
    Unsupported,
)
from bot.channels.whatsapp import inbound
from bot.channels.whatsapp.api import GraphError, MediaInfo
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.limits import INCOMING_SIZE
from bot.channels.whatsapp.receiving import inbox_work, record_receipt
from bot.channels.whatsapp.webhook import MAX_BODY_BYTES, WhatsAppWebhook
from bot.signing import signature_of
from bot.config import WhatsAppSettings
from bot.db import Transactions
from bot.db.models import Contact, InboxUpdate, MediaFile, OutboxMessage, OutboxPart, User, utcnow
from bot.inbox import dispatcher as dispatcher_module
from bot.inbox import store
from bot.inbox.dispatcher import InboxDispatcher
from bot.inbox.handling import Handling, current_handling
from bot.inbox.order import Arrivals
from bot.services import contacts
from bot.services.media import MediaBridge
from tests.memory_channel import MemoryBot, MemoryTransport

PHONE = "6281234567890"
OTHER_PHONE = "6289876543210"
SECRET = "app-secret-for-tests"
VERIFY = "verify-token-for-tests"
NUMBER_ID = "1234567890"
T0 = 1_764_000_000  # a WhatsApp timestamp (seconds)
SETTINGS = WhatsAppSettings(phone_number_id=NUMBER_ID, access_token="token", app_secret=SECRET, verify_token=VERIFY)


def message(kind: str, body, wamid: str = "wamid.A1", phone: str = PHONE, timestamp: int = T0, **extra) -> dict:
    return {"from": phone, "id": wamid, "timestamp": str(timestamp), "type": kind, kind: body, **extra}


def envelope(messages=(), statuses=(), names=None, number_id: str = NUMBER_ID) -> dict:
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550000000", "phone_number_id": number_id}}
    if messages:
        value["messages"] = list(messages)
        value["contacts"] = [{"profile": {"name": (names or {}).get(m["from"], "Siti")}, "wa_id": m["from"]}
                             for m in messages if isinstance(m, dict) and "from" in m]
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}


def status(wamid: str, state: str, timestamp: int = T0, error: tuple[int, str] | None = None) -> dict:
    item = {"id": wamid, "status": state, "timestamp": str(timestamp), "recipient_id": PHONE}
    if error:
        item["errors"] = [{"code": error[0], "title": error[1], "message": error[1],
                           "error_data": {"details": "a detail that may quote content"}}]
    return item


def incoming_of(raw: dict):
    rows, skipped = inbound.items(envelope([raw]))
    assert skipped == 0 and len(rows) == 1
    return inbound.to_incoming(rows[0].payload, rows[0].update_id)


# Parsing ------------------------------------------------------------------------------------------------------


def test_every_kind_of_message_is_read():
    text = incoming_of(message("text", {"body": "Jalan rusak di depan rumah"}))
    assert text.content == Said("Jalan rusak di depan rumah", None)
    assert text.channel == "whatsapp" and text.sender.address == PHONE and text.sender.name == "Siti"
    assert text.chat.address == PHONE and text.chat.private
    assert incoming_of(message("text", {"body": "/Status K7MQ9-TRXZS"})).content == \
        CommandSent("status", ("K7MQ9-TRXZS",), "/Status K7MQ9-TRXZS")
    button = incoming_of(message("interactive", {"type": "button_reply", "button_reply": {"id": "m:lapor", "title": "Lapor"}}))
    assert button.content == Tapped("m:lapor", None, "wamid.A1")
    row = incoming_of(message("interactive", {"type": "list_reply",
                                              "list_reply": {"id": "cat:7", "title": "Jalan", "description": "x"}}))
    assert row.content == Tapped("cat:7", None, "wamid.A1")
    assert incoming_of(message("button", {"payload": "sub:stop", "text": "Berhenti"})).content == Tapped("sub:stop", None, "wamid.A1")
    photo = incoming_of(message("image", {"id": "111", "mime_type": "image/jpeg", "sha256": "x", "caption": "lubang"}))
    assert isinstance(photo.content, MediaSent) and photo.content.caption == "lubang"
    assert (photo.content.file.kind, photo.content.file.file_id, photo.content.file.file_unique_id,
            photo.content.file.file_size) == ("photo", "whatsapp:111", "whatsapp:111", None)
    video = incoming_of(message("video", {"id": "222", "mime_type": "video/mp4"}))
    assert video.content.file.kind == "video" and video.content.caption is None
    document = incoming_of(message("document", {"id": "333", "filename": "surat.pdf", "mime_type": "application/pdf"}))
    assert (document.content.file.kind, document.content.file.file_name) == ("document", "surat.pdf")
    assert incoming_of(message("audio", {"id": "444", "voice": True})).content.file.kind == "voice", "a voice note is kept"
    assert incoming_of(message("audio", {"id": "445", "voice": False})).content.file.kind == "audio"
    said = incoming_of(message("interactive", {"type": "button_reply", "button_reply": {"id": "said:⬅️ Kembali",
                                                                                         "title": "⬅️ Kembali"}}))
    assert said.content == Said("⬅️ Kembali"), "an option standing for typed text comes back as typed"
    place = incoming_of(message("location", {"latitude": -6.2, "longitude": 106.8, "name": "Pasar", "address": "Jl. A"}))
    assert place.content == PlaceSent(-6.2, 106.8, "Pasar", "Jl. A")
    assert incoming_of(message("location", {"latitude": "-6.2", "longitude": 106.8})).content == PlaceSent(-6.2, 106.8)
    card = [{"name": {"formatted_name": "Budi", "first_name": "Budi"}, "phones": [{"phone": "+62 812", "wa_id": "62812"}]}]
    assert incoming_of(message("contacts", card)).content == ContactSent("62812", "Budi")
    assert incoming_of(message("sticker", {"id": "555", "animated": False})).content == Unsupported("sticker")
    assert incoming_of(message("reaction", {"message_id": "wamid.B", "emoji": "👍"})) is None
    assert incoming_of(message("unsupported", None, errors=[{"code": 131051, "title": "Unsupported"}])).content == \
        Unsupported("unsupported")
    assert incoming_of(message("unknown", None)).content == Unsupported("unknown")
    assert incoming_of(message("system", {"body": "changed number", "type": "user_changed_number"})).content == \
        Unsupported("system")
    assert incoming_of(message("order", {"catalog_id": "1"})).content == Unsupported("order")
    assert incoming_of(message("location", {"latitude": "north"})).content == Unsupported("location")
    assert incoming_of(message("interactive", {"type": "nfm_reply"})).content == Unsupported("interactive")


def test_a_row_keeps_only_what_the_turn_needs_and_is_known_as_whatsapps():
    raw = message("text", {"body": "halo"})
    rows, _ = inbound.items(envelope([raw]))
    row = rows[0]
    assert inbound.is_whatsapp(row.payload) and row.payload["whatsapp"] == "message"
    assert set(row.payload) == {"whatsapp", "update_id", "timestamp", "name", "item"}
    assert row.payload["item"] == {"from": PHONE, "id": "wamid.A1", "type": "text", "text": {"body": "halo"}}
    assert "entry" not in json.dumps(row.payload) and "metadata" not in json.dumps(row.payload)
    assert row.chat_id is None and row.message_key == "wa:wamid.A1", "its chat's id is looked up when it is stored"
    assert row.update_id >= store.KEYED_IDS_FROM and row.update_id < 2**63
    assert store.chat_of(row.payload) is None, "Telegram's reading finds nothing in it"


def test_update_ids_repeat_for_a_repeat_and_follow_whatsapps_clock():
    first = inbound.items(envelope([message("text", {"body": "a"}, "wamid.1", timestamp=T0)]))[0][0]
    again = inbound.items(envelope([message("text", {"body": "a"}, "wamid.1", timestamp=T0)]))[0][0]
    later = inbound.items(envelope([message("text", {"body": "b"}, "wamid.0", timestamp=T0 + 1)]))[0][0]
    assert first.update_id == again.update_id and first.message_key == again.message_key
    assert later.update_id > first.update_id
    assert inbound.update_id_of("wa:x", None) >= store.KEYED_IDS_FROM


def test_statuses_become_receipt_rows_without_a_chat():
    rows, skipped = inbound.items(envelope(statuses=[status("wamid.S", "delivered"),
                                                     status("wamid.S", "failed", error=(131047, "Re-engagement message"))]))
    assert skipped == 0 and [row.message_key for row in rows] == ["wa-status:wamid.S:delivered", "wa-status:wamid.S:failed"]
    assert all(row.chat_id is None for row in rows)
    assert inbound.to_incoming(rows[0].payload) is None
    failed = inbound.receipt_of(rows[1].payload)
    assert (failed.wamid, failed.status, failed.error_code, failed.error) == \
        ("wamid.S", "failed", 131047, "131047 Re-engagement message")
    assert "detail" not in json.dumps(rows[1].payload), "error details (which may quote content) are not kept"


def test_malformed_pieces_are_skipped_and_counted_never_raised():
    body = envelope([message("text", {"body": "ok"}), {"id": "wamid.nofrom", "type": "text"}, "junk",
                     message("text", {"body": "x"}, phone="+62abc"), message("text", {"body": "x"}, wamid="")],
                    statuses=[{"status": "read"}, status("wamid.S", "exploded"), 7])
    body["entry"].append("junk")
    body["entry"].append({"changes": [{"value": "junk"}, "junk", {"value": {"messages": "junk"}}]})
    rows, skipped = inbound.items(body)
    assert len(rows) == 1 and skipped == 10
    assert inbound.items({"object": "page", "entry": []}) == ([], 0)
    assert inbound.items(["not", "a", "dict"]) == ([], 0)
    odd = inbound.items(envelope([message("text", {"nobody": 1})]))[0][0]
    assert inbound.to_incoming(odd.payload).content == Unsupported("text")
    assert inbound.to_incoming({"update_id": 5, "message": {"text": "a Telegram update"}}) is None


def test_changes_for_another_number_are_left_alone():
    rows, skipped = inbound.items(envelope([message("text", {"body": "x"})], number_id="999"), NUMBER_ID)
    assert rows == [] and skipped == 0


async def test_the_channel_port():
    assert WhatsAppChannel().start_link("abc123") == "/start abc123"
    assert WhatsAppChannel("+62 811-000").start_link("abc123") == "https://wa.me/62811000?text=/start%20abc123"
    channel = WhatsAppChannel()
    assert channel.name == "whatsapp" and channel.limits.choices_per_row == 3
    assert channel.mention(5, "Siti &amp; Budi") == "Siti &amp; Budi"
    await channel.acknowledge(incoming_of(message("button", {"payload": "x"})), "ok")


async def test_arrivals_leave_whatsapp_ids_alone():
    arrivals = Arrivals(wait=5)
    arrivals.arrived(10)
    arrivals.arrived(store.KEYED_IDS_FROM + 2**40)  # not a gap of a trillion Telegram updates
    arrivals.arrived(13)
    assert arrivals.missing_below(13) == [11, 12]
    assert arrivals.missing_below(store.KEYED_IDS_FROM + 5) == [], "a WhatsApp message never waits for Telegram's"
    await asyncio.wait_for(arrivals.wait_for_earlier(store.KEYED_IDS_FROM + 5, _nothing_elsewhere, _noop), 1)


async def _nothing_elsewhere(ids):
    return set()


async def _noop():
    return None


async def contact_of(session, phone: str) -> Contact:
    return await session.scalar(select(Contact).where(Contact.channel == "whatsapp", Contact.address == phone))


# The webhook ---------------------------------------------------------------------------------------------------


class RecordingDispatcher:
    def __init__(self, fail: bool = False) -> None:
        self.received: list[list[store.Stored]] = []
        self.fail = fail

    async def receive(self, updates, prepare=None):
        if self.fail:
            raise OSError("the database is away")
        self.received.append(updates)


async def webhook_client(dispatcher) -> TestClient:
    app = web.Application()
    WhatsAppWebhook(SETTINGS).add_routes(app, dispatcher)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def post(client: TestClient, body, secret: str | None = SECRET, raw: bytes | None = None, headers=None):
    data = raw if raw is not None else json.dumps(body).encode()
    signed = {"Content-Type": "application/json"}
    if secret is not None:
        signed["X-Hub-Signature-256"] = signature_of(data, secret)
    return await client.post(SETTINGS.webhook_path, data=data, headers={**signed, **(headers or {})})


async def test_the_verification_handshake():
    client = await webhook_client(RecordingDispatcher())
    try:
        ok = await client.get("/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                   "hub.challenge": "1158201444"})
        assert ok.status == 200 and await ok.text() == "1158201444" and ok.content_type == "text/plain"
        for params in ({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
                       {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"}, {}):
            refused = await client.get("/whatsapp", params=params)
            assert refused.status == 403 and "1" not in await refused.text()
    finally:
        await client.close()


async def test_signatures_are_required_and_checked_and_nothing_of_the_content_is_logged(caplog):
    dispatcher = RecordingDispatcher()
    client = await webhook_client(dispatcher)
    body = envelope([message("text", {"body": "rahasia pribadi"})])
    caplog.set_level(logging.DEBUG)
    try:
        assert (await post(client, body, secret=None)).status == 401
        assert (await post(client, body, secret="forged")).status == 403
        tampered = json.dumps(body).encode()
        wrong = await post(client, None, raw=tampered.replace(b"pribadi", b"PRIBADI"),
                           headers={"X-Hub-Signature-256": signature_of(tampered, SECRET)})
        assert wrong.status == 403
        assert dispatcher.received == []
        warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
        assert len(warnings) == 3
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "rahasia" not in logged and PHONE not in logged and "Siti" not in logged
        assert (await post(client, body)).status == 200 and len(dispatcher.received) == 1
    finally:
        await client.close()


async def test_what_is_not_a_delivery_is_answered_without_storing():
    dispatcher = RecordingDispatcher()
    client = await webhook_client(dispatcher)
    try:
        assert (await post(client, None, raw=b"{not json")).status == 400
        assert (await post(client, None, raw=b"\xff\xfe")).status == 400
        assert (await post(client, {"object": "instagram", "entry": []})).status == 200
        assert (await post(client, [1, 2])).status == 200
        big = b"{" + b" " * MAX_BODY_BYTES + b"}"
        assert (await post(client, None, raw=big)).status == 413
        assert dispatcher.received == []
    finally:
        await client.close()


async def test_a_storage_failure_answers_503_so_that_meta_retries():
    client = await webhook_client(RecordingDispatcher(fail=True))
    try:
        assert (await post(client, envelope([message("text", {"body": "x"})]))).status == 503
    finally:
        await client.close()


# The inbox -----------------------------------------------------------------------------------------------------


def recording_dispatcher(engine, handled: list, give_ups: list | None = None, process=None) -> InboxDispatcher:
    async def record(item: store.Stored) -> None:
        handled.append(item)

    async def give_up(payload: dict) -> None:
        if give_ups is not None:
            give_ups.append(payload)

    return InboxDispatcher(Transactions(engine), process or record, give_up, poll_seconds=0.05)


async def test_a_repeated_wamid_is_stored_and_handled_once(engine):
    handled: list[store.Stored] = []
    dispatcher = recording_dispatcher(engine, handled)
    client = await webhook_client(dispatcher)
    body = envelope([message("text", {"body": "halo"}, "wamid.R")])
    try:
        assert (await post(client, body)).status == 200
        await dispatcher.idle()
        assert (await post(client, body)).status == 200, "Meta's retry"
        await dispatcher.idle()
    finally:
        await client.close()
    async with Transactions(engine).sessions() as session:
        rows = (await session.scalars(select(InboxUpdate))).all()
    assert len(rows) == 1 and rows[0].message_key == "wa:wamid.R" and rows[0].state in ("ignored", "done")
    assert len(handled) == 1


async def test_a_collision_is_stored_under_the_next_id(engine):
    transactions = Transactions(engine)
    first = inbound.items(envelope([message("text", {"body": "a"}, "wamid.first")]))[0][0]
    other = inbound.items(envelope([message("text", {"body": "b"}, "wamid.other")]))[0][0]
    colliding = store.Stored(first.update_id, other.chat_id, {**other.payload, "update_id": first.update_id},
                             message_key=other.message_key)
    async with transactions.begin() as session:
        assert await store.store_keyed(session, [first]) == [first]
        placed = await store.store_keyed(session, [colliding, first])
    assert sorted(item.update_id for item in placed) == [first.update_id, first.update_id + 1]
    moved = next(item for item in placed if item.message_key == "wa:wamid.other")
    assert moved.update_id == first.update_id + 1 and moved.payload["update_id"] == first.update_id + 1
    async with transactions.sessions() as session:
        keys = dict((await session.execute(select(InboxUpdate.update_id, InboxUpdate.message_key))).all())
    assert keys == {first.update_id: "wa:wamid.first", first.update_id + 1: "wa:wamid.other"}
    # Through the dispatcher, in one batch: both handled, each under its own id.
    handled: list[store.Stored] = []
    dispatcher = recording_dispatcher(engine, handled)
    third = inbound.items(envelope([message("text", {"body": "c"}, "wamid.third", timestamp=T0 + 9)]))[0][0]
    clash = store.Stored(third.update_id, third.chat_id, {**other.payload, "update_id": third.update_id},
                         message_key="wa:wamid.clash")
    await dispatcher.receive([third, clash])
    await dispatcher.idle()
    assert sorted((item.update_id, item.message_key) for item in handled) == \
        [(third.update_id, "wa:wamid.third"), (third.update_id + 1, "wa:wamid.clash")]


async def test_a_persons_messages_out_of_order_are_handled_in_the_order_written(engine):
    handled: list[store.Stored] = []
    dispatcher = recording_dispatcher(engine, handled)
    client = await webhook_client(dispatcher)
    later = message("text", {"body": "kedua"}, "wamid.zz-second", timestamp=T0 + 5)
    earlier = message("text", {"body": "pertama"}, "wamid.aa-first", timestamp=T0)
    someone_else = message("text", {"body": "lain"}, "wamid.mm", phone=OTHER_PHONE, timestamp=T0 + 2)
    try:
        assert (await post(client, envelope([later, someone_else, earlier]))).status == 200
        await dispatcher.idle()
    finally:
        await client.close()
    mine = [item.payload["item"]["id"] for item in handled if inbound.sender_of(item.payload) == PHONE]
    assert len({item.chat_id for item in handled}) == 2 and None not in {item.chat_id for item in handled}
    assert mine == ["wamid.aa-first", "wamid.zz-second"] and len(handled) == 3


async def test_a_persons_messages_of_one_second_are_handled_in_the_order_they_arrived(engine):
    """WhatsApp's timestamps are whole seconds: the hash in the id must not put a later message first."""
    def row(wamid: str, phone: str = PHONE) -> store.Stored:
        return inbound.items(envelope([message("text", {"body": wamid}, wamid, phone)]))[0][0]

    first = row("wamid.first")
    later = next(item for item in map(row, (f"wamid.later{n}" for n in range(64))) if item.update_id < first.update_id)
    elsewhere = row(later.payload["item"]["id"], OTHER_PHONE)  # another person's: no reason to move
    transactions = Transactions(engine)
    for arrived in (first, later, later, elsewhere):  # the second ``later`` is Meta's retry
        async with transactions.begin() as session:
            await store.store_keyed(session, await inbound.with_chat_ids(session, [arrived]))
    async with transactions.sessions() as session:
        pending = [item for item, _due in await store.pending(session, 10)]
    mine = [item.payload["item"]["id"] for item in pending if inbound.sender_of(item.payload) == PHONE]
    assert mine == ["wamid.first", later.payload["item"]["id"]], "once each, in the order they arrived"
    assert elsewhere.update_id in {item.update_id for item in pending}


async def test_whatsapp_rows_are_kept_eight_days_and_telegrams_two(engine):
    transactions = Transactions(engine)
    row = inbound.items(envelope([message("text", {"body": "a"})]))[0][0]
    async with transactions.begin() as session:
        await store.store(session, store.received([{"update_id": 7}]))
        await store.store_keyed(session, [row])
        await store.mark_ignored(session, 7)
        await store.mark_ignored(session, row.update_id)
        for update_id in (7, row.update_id):
            (await session.get(InboxUpdate, update_id)).received_at = utcnow() - timedelta(days=3)
    async with transactions.begin() as session:
        assert await store.prune(session) == 1
        assert await session.get(InboxUpdate, row.update_id) is not None, "Meta may still retry it"
        (await session.get(InboxUpdate, row.update_id)).received_at = utcnow() - timedelta(days=9)
    async with transactions.begin() as session:
        assert await store.prune(session) == 1


# Receipts -------------------------------------------------------------------------------------------------------


async def sent_row(transactions: Transactions, wamid: str, phone: str = PHONE,
                   earlier: tuple[str, ...] = ()) -> tuple[int, int]:
    """A row sent as the messages ``earlier`` then ``wamid`` (as the transport records them)."""
    async with transactions.begin() as session:
        chat_id = await contacts.chat_id_for(session, "whatsapp", phone)
        row = OutboxMessage(chat_id=chat_id, kind="message", payload={"text": "Halo"}, state="sent", sent_at=utcnow(),
                            channel_message_id=wamid)
        session.add(row)
        await session.flush()
        session.add_all(OutboxPart(channel_message_id=part, outbox_id=row.id, last=part == wamid, superseded=False)
                        for part in (*earlier, wamid))
        return row.id, chat_id


def receipt(wamid: str, state: str, error=None):
    rows, _ = inbound.items(envelope(statuses=[status(wamid, state, error=error)]))
    return inbound.receipt_of(rows[0].payload)


async def test_a_receipt_is_recorded_on_its_message_and_never_goes_back(engine):
    transactions = Transactions(engine)
    row_id, _chat = await sent_row(transactions, "wamid.OUT1")
    for state in ("sent", "read", "delivered", "sent"):
        assert await record_receipt(transactions, receipt("wamid.OUT1", state)) is False
    async with transactions.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row.receipt == "read" and row.receipt_at is not None and row.receipt_error is None
    await record_receipt(transactions, receipt("wamid.OUT1", "failed", (131026, "Message undeliverable")))
    await record_receipt(transactions, receipt("wamid.OUT1", "read"))
    async with transactions.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
    assert (row.receipt, row.receipt_error, row.state) == ("failed", "131026 Message undeliverable", "sent"), \
        "failed is final, and only a closed window sends again"


async def test_a_closed_window_sends_the_message_again_and_marks_the_contact(engine):
    transactions = Transactions(engine)
    row_id, chat_id = await sent_row(transactions, "wamid.OUT2")
    assert await record_receipt(transactions, receipt("wamid.OUT2", "failed", (131047, "Re-engagement message")))
    async with transactions.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        contact = await session.get(Contact, chat_id)
    assert (row.state, row.claimed_until, row.receipt, row.receipt_error) == \
        ("pending", None, "failed", "131047 Re-engagement message")
    assert row.next_attempt_at <= utcnow() and contact.window_closed_at is not None
    assert await record_receipt(transactions, receipt("wamid.OUT2", "failed", (131047, "Re-engagement message"))) is False


async def test_an_earlier_parts_failure_counts_its_success_does_not_and_a_superseded_part_is_ignored(engine):
    transactions = Transactions(engine)
    row_id, _chat = await sent_row(transactions, "wamid.PAGE2", earlier=("wamid.PAGE1",))
    await record_receipt(transactions, receipt("wamid.PAGE1", "read"))
    async with transactions.sessions() as session:
        assert (await session.get(OutboxMessage, row_id)).receipt is None, "the last part speaks for the row"
    assert await record_receipt(transactions, receipt("wamid.PAGE1", "failed", (131047, "Re-engagement message")))
    async with transactions.begin() as session:
        assert (await session.get(OutboxMessage, row_id)).state == "pending"
        await session.execute(update(OutboxPart).values(superseded=True))  # as the transport does, sending it again
    assert await record_receipt(transactions, receipt("wamid.PAGE2", "failed", (131047, "Re-engagement message"))) is False


async def test_a_receipt_for_an_unknown_message_is_retried_then_dropped_silently(engine, monkeypatch):
    monkeypatch.setattr(dispatcher_module, "RETRY_DELAYS", (timedelta(milliseconds=50), timedelta(milliseconds=50)))
    transactions = Transactions(engine)
    process, give_up = inbox_work(WhatsAppChannel(), FakeGraph(), MediaBridge(transactions))
    services = FakeServices(transactions)
    attempts: list[int] = []

    async def counted(item):
        attempts.append(item.update_id)
        await process(services, item)

    async def gave_up(payload):
        await give_up(services, payload)

    dispatcher = InboxDispatcher(transactions, counted, gave_up, poll_seconds=0.05)
    rows, _ = inbound.items(envelope(statuses=[status("wamid.NOBODY", "delivered")]))
    with pytest.raises(LookupError):
        await process(services, rows[0])
    attempts.clear()
    await dispatcher.receive(rows)
    scanning = asyncio.create_task(dispatcher.run_forever())
    try:
        for _ in range(100):
            async with transactions.sessions() as session:
                state = await session.scalar(select(InboxUpdate.state).where(InboxUpdate.update_id == rows[0].update_id))
            if state != "pending":
                break
            await asyncio.sleep(0.05)
    finally:
        scanning.cancel()
    assert state == "ignored" and len(attempts) == 3, "let go, not given up: nothing is wrong with the bot"
    async with transactions.sessions() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == [], "nobody is told anything"


class FakeServices:
    """What the receipt path reaches of the services."""

    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions
        self.handled = []
        self.kicks = 0

        class Delivery:
            @staticmethod
            def kick() -> None:
                self.kicks += 1

        self.delivery = Delivery()


class FakeGraph:
    """The Graph API's media calls, from memory."""

    def __init__(self, files: dict[str, bytes] | None = None, sizes: dict[str, int] | None = None) -> None:
        self.files = files or {}
        self.sizes = sizes or {}
        self.downloads: list[str] = []

    async def media_info(self, media_id: str) -> MediaInfo:
        if media_id not in self.files:
            raise GraphError(404, 100, "Invalid parameter")
        return MediaInfo(f"https://media.example/{media_id}", "image/jpeg", self.sizes.get(media_id, len(self.files[media_id])))

    async def download(self, url: str, limit: int) -> bytes:
        media_id = url.rsplit("/", 1)[1]
        self.downloads.append(media_id)
        content = self.files[media_id]
        if len(content) > limit:
            raise GraphError(413, 0, f"the file is larger than {limit} bytes")
        return content


# Whole turns ----------------------------------------------------------------------------------------------------


@pytest.fixture
async def whatsapp_bot(migrated_url, tmp_path):
    transport = MemoryTransport(channel="whatsapp")
    bot = MemoryBot(migrated_url, tmp_path / "media", other_channels={"whatsapp": transport})
    await bot.start()
    yield bot, transport
    await bot.stop()


async def run_rows(bot: MemoryBot, process, rows) -> None:
    for row in rows:
        handling = Handling(row.update_id)
        token = current_handling.set(handling)
        try:
            await process(bot.services, row)
        finally:
            current_handling.reset(token)
        assert handling.error is None, handling.error
    await bot.settled()


async def test_a_message_runs_its_turn_and_the_person_is_remembered(whatsapp_bot, caplog):
    bot, transport = whatsapp_bot
    caplog.set_level(logging.INFO)
    graph = FakeGraph({"777": b"\xff\xd8 a photo"})
    process, _give_up = inbox_work(WhatsAppChannel(), graph, MediaBridge(bot.services.transactions))
    rows, _ = inbound.items(envelope([message("text", {"body": "/start"}, "wamid.T1", timestamp=T0)],
                                     names={PHONE: "Siti Aminah"}))
    await run_rows(bot, process, rows)
    assert transport.chats[PHONE] and "SP4N-LAPOR!" in transport.chats[PHONE][-1].seen.text
    async with bot.services.sessions() as session:
        contact = await contact_of(session, PHONE)
        chat_id = contact.id
        user = await session.get(User, contact.user_id)
    assert contact.channel == "whatsapp" and contact.address == PHONE and contact.private
    assert user is not None and user.first_name == "Siti Aminah" and user.last_chat_id == chat_id
    assert contact.last_seen_at is not None
    # A second message: the same person, and the photo kept under its WhatsApp name.
    rows, _ = inbound.items(envelope([message("image", {"id": "777", "mime_type": "image/jpeg"}, "wamid.T2",
                                              timestamp=T0 + 60)]))
    await run_rows(bot, process, rows)
    async with bot.services.sessions() as session:
        kept = await session.scalar(select(MediaFile).where(MediaFile.source == "whatsapp:777"))
        again = await session.get(Contact, chat_id)
        users = (await session.scalars(select(User).where(User.id == again.user_id))).all()
    assert kept is not None and kept.content == b"\xff\xd8 a photo" and kept.kind == "photo"
    assert again.user_id == contact.user_id and len(users) == 1
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    assert not any(PHONE in line or "Aminah" in line for line in logged), [line for line in logged if PHONE in line]


async def test_a_file_too_large_is_answered_politely(whatsapp_bot):
    bot, transport = whatsapp_bot
    graph = FakeGraph({"888": b"x" * 10}, sizes={"888": INCOMING_SIZE["photo"] + 1})
    process, _give_up = inbox_work(WhatsAppChannel(), graph, MediaBridge(bot.services.transactions))
    rows, _ = inbound.items(envelope([message("image", {"id": "888"}, "wamid.BIG")]))
    await run_rows(bot, process, rows)
    assert graph.downloads == [], "not even downloaded"
    assert "terlalu besar" in transport.chats[PHONE][-1].seen.text


async def test_a_message_given_up_is_apologised_for_and_a_reaction_is_not_answered(whatsapp_bot):
    bot, transport = whatsapp_bot
    process, give_up = inbox_work(WhatsAppChannel(), FakeGraph(), MediaBridge(bot.services.transactions))
    reaction, _ = inbound.items(envelope([message("reaction", {"message_id": "wamid.X", "emoji": "👍"}, "wamid.RE")]))
    await run_rows(bot, process, reaction)
    assert PHONE not in transport.chats
    async with bot.services.sessions() as session:
        assert (await contact_of(session, PHONE)).last_seen_at is not None
    rows, _ = inbound.items(envelope([message("text", {"body": "halo"}, "wamid.GU")]))
    await give_up(bot.services, rows[0].payload)
    await bot.settled()
    assert "Maaf" in transport.chats[PHONE][-1].seen.text


async def test_rows_go_to_their_channels_work():
    from bot.channels.whatsapp.receiving import by_channel

    seen = []

    def work(name):
        async def process(services, item):
            seen.append((name, "process"))

        async def give_up(services, payload):
            seen.append((name, "give_up"))

        return process, give_up

    process, give_up = by_channel(work("telegram"), work("whatsapp"))
    row = inbound.items(envelope([message("text", {"body": "x"})]))[0][0]
    await process(None, row)
    await process(None, store.Stored(5, 5, {"update_id": 5, "message": {}}))
    await give_up(None, row.payload)
    await give_up(None, {"update_id": 5})
    assert seen == [("whatsapp", "process"), ("telegram", "process"), ("whatsapp", "give_up"), ("telegram", "give_up")]


async def test_a_tapped_reply_button_runs_its_choice_and_an_edit_is_said_anew(whatsapp_bot):
    bot, transport = whatsapp_bot
    process, _give_up = inbox_work(WhatsAppChannel(), FakeGraph(), MediaBridge(bot.services.transactions))
    rows, _ = inbound.items(envelope([message("text", {"body": "/bahasa"}, "wamid.L1", timestamp=T0)]))
    await run_rows(bot, process, rows)
    offered = transport.chats[PHONE][-1].choices
    english = next(choice for choice in offered.all if "English" in choice.label)
    tap = {"type": "button_reply", "button_reply": {"id": english.data, "title": "English"}}
    rows, _ = inbound.items(envelope([message("interactive", tap, "wamid.L2", timestamp=T0 + 5)]))
    before = len(transport.chats[PHONE])
    await run_rows(bot, process, rows)
    said = [shown.seen.text for shown in transport.chats[PHONE][before:]]
    assert any("English" in text for text in said), said
    async with bot.services.sessions() as session:
        contact = await contact_of(session, PHONE)
        assert (await session.get(User, contact.user_id)).locale == "en"


async def test_from_the_webhook_to_the_reply(whatsapp_bot, caplog):
    bot, transport = whatsapp_bot
    caplog.set_level(logging.INFO)
    process, give_up = inbox_work(WhatsAppChannel(), FakeGraph(), MediaBridge(bot.services.transactions))
    services = bot.services

    async def process_stored(item):
        await process(services, item)

    async def give_up_stored(payload):
        await give_up(services, payload)

    dispatcher = InboxDispatcher(services.transactions, process_stored, give_up_stored, poll_seconds=0.05)
    client = await webhook_client(dispatcher)
    try:
        body = envelope([message("text", {"body": "/start"}, "wamid.E2E", timestamp=T0)], names={PHONE: "Siti Aminah"})
        assert (await post(client, body)).status == 200
        await dispatcher.idle()
        assert (await post(client, body)).status == 200, "Meta's retry"
        await dispatcher.idle()
        await bot.settled()
    finally:
        await client.close()
    replies = [shown.seen.text for shown in transport.chats[PHONE]]
    assert len(replies) == 1 and "SP4N-LAPOR!" in replies[0], "answered once"
    async with services.sessions() as session:
        row = (await session.scalars(select(InboxUpdate))).one()
    assert row.state == "done" and row.payload == {} and row.message_key == "wa:wamid.E2E"
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    assert not any(PHONE in line or "Aminah" in line for line in logged)

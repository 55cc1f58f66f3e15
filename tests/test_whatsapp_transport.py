"""The WhatsApp transport (bot.channels.whatsapp.outbound) against a small server that answers as the Graph API
does: inside the 24-hour window free-form messages, outside it the template for the message's purpose (an
announcement only to people who opted in), files uploaded once and reused, the wamid kept on the outbox row, and
each class of WhatsApp's errors told in the outbox's terms."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.channels.markup import Choice, Choices
from bot.channels.whatsapp.api import GraphApi
from bot.channels.whatsapp.outbound import WhatsAppTransport
from bot.channels.whatsapp.window import window_open
from bot.config import Settings, WhatsAppSettings
from bot.db import Transactions
from bot.db.models import Contact, FileOrder, GeneratedFile, MediaCopy, OutboxMessage, Subscription, User
from bot.delivery.messages import Album, Files, Location, Media, Text
from bot.delivery.transport import Envelope, Failure, Purpose, SendFailed
from bot.services.contacts import PHONE_IDS_FROM
from bot.services.media import KeptFile, MediaBridge

PHONE = "6281234567890"
CHAT = PHONE_IDS_FROM + 1  # a WhatsApp chat (its id is never made of the number)
USER = 2**53 + 7
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class GraphServer:
    """Answers POST /{version}/{phone id}/messages and /media as the Graph API does, recording what it got; an
    error put in ``errors`` answers the next message call instead (status, code, Retry-After; None: answer that
    call as usual)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.errors: list[tuple[int, int, str | None] | None] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v99/PNID/messages", self._message)
        app.router.add_post("/v99/PNID/media", self._media)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _message(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer token"
        body = await request.json()
        if self.errors and self.errors[0] is None:  # None: this call is answered as usual
            self.errors.pop(0)
        elif self.errors:
            status, code, retry_after = self.errors.pop(0)
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response({"error": {"message": f"error {code}", "type": "OAuthException", "code": code,
                                                "error_data": {"details": f"details of {code} for +{PHONE}"}}},
                                     status=status, headers=headers)
        self.messages.append(body)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                                  "messages": [{"id": f"wamid.TEST{len(self.messages):04d}"}]})

    async def _media(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        self.uploads.append({"type": form["type"], "file_name": upload.filename, "content": upload.file.read()})
        return web.json_response({"id": f"media-{len(self.uploads)}"})

    @property
    def types(self) -> list[str]:
        return [message["type"] for message in self.messages]


@pytest.fixture
async def graph():
    server = GraphServer()
    await server.start()
    yield server
    await server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Fetches:
    """The Telegram side of the bridge: what was fetched from it."""

    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def __call__(self, reference: str, kind: str) -> KeptFile:
        self.fetched.append(reference)
        return KeptFile(kind, b"\xff\xd8 jpeg of " + reference.encode(), "image/jpeg", None)


class Stage:
    def __init__(self, engine, graph: GraphServer) -> None:
        self.transactions = Transactions(engine)
        self.graph = graph
        self.clock = Clock()
        self.fetches = Fetches()
        self.settings = Settings(whatsapp=WhatsAppSettings(
            phone_number_id="PNID", access_token="token", app_secret="secret", verify_token="verify",
            api_base_url=graph.url, api_version="v99", messages_per_second=1000,
            notice_template="kabar", announcement_template="umum"))
        self.api = GraphApi(self.settings.whatsapp)
        self.bridge = MediaBridge(self.transactions, {"telegram": self.fetches})
        self.transport = WhatsAppTransport(self.api, self.settings, self.transactions, self.bridge, self.clock)

    async def person(self, last_seen: timedelta = timedelta(hours=1), locale: str = "id", subscribed: bool = False,
                     closed_at: datetime | None = None) -> None:
        async with self.transactions.begin() as session:
            session.add(User(id=USER, first_name="Wati", locale=locale, last_chat_id=CHAT))
            await session.flush()
            session.add(Contact(id=CHAT, channel="whatsapp", address=PHONE, user_id=USER, private=True,
                                last_seen_at=NOW - last_seen, window_closed_at=closed_at))
            if subscribed:
                session.add(Subscription(user_id=USER, regency_code=None, topics=[]))

    async def outbox_row(self) -> int:
        async with self.transactions.begin() as session:
            row = OutboxMessage(chat_id=CHAT, user_id=USER, kind="text", payload={"type": "text", "text": "x"})
            session.add(row)
            await session.flush()
            return row.id

    async def wamid_of(self, outbox_id: int) -> str | None:
        async with self.transactions.sessions() as session:
            return await session.scalar(select(OutboxMessage.channel_message_id).where(OutboxMessage.id == outbox_id))

    async def contact(self) -> Contact:
        async with self.transactions.sessions() as session:
            return await session.get(Contact, CHAT)

    async def send(self, message, purpose: Purpose = Purpose.REPLY, outbox_id: int | None = None) -> None:
        await self.transport.send(CHAT, message, envelope=Envelope(outbox_id, purpose))

    async def failure(self, message, purpose: Purpose = Purpose.REPLY) -> SendFailed:
        with pytest.raises(SendFailed) as caught:
            await self.send(message, purpose)
        return caught.value


@pytest.fixture
async def stage(engine, graph):
    stage = Stage(engine, graph)
    yield stage
    await stage.api.close()


# --- the window --------------------------------------------------------------------------------------------------

async def test_inside_the_window_messages_go_free_form_and_the_wamid_is_kept_on_the_outbox_row(stage):
    await stage.person()
    row = await stage.outbox_row()
    await stage.send(Text("<b>Laporan diterima</b>", Choices([[Choice("Ya", "a:1")], [Choice("Tidak", "a:2")]])),
                     outbox_id=row)
    assert stage.graph.types == ["interactive"]
    sent = stage.graph.messages[0]
    assert sent["to"] == PHONE and sent["messaging_product"] == "whatsapp" and sent["recipient_type"] == "individual"
    assert sent["interactive"]["body"]["text"] == "*Laporan diterima*"
    assert await stage.wamid_of(row) == "wamid.TEST0001"


async def test_the_wamid_kept_is_the_last_of_several_messages(stage):
    await stage.person()
    row = await stage.outbox_row()
    await stage.send(Text("\n\n".join(["kata " * 700] * 3)), outbox_id=row)
    assert stage.graph.types == ["text"] * 3
    assert await stage.wamid_of(row) == "wamid.TEST0003"


async def test_outside_the_window_a_notice_goes_as_the_utility_template_in_the_persons_language(stage):
    await stage.person(last_seen=timedelta(hours=30), locale="en")
    row = await stage.outbox_row()
    await stage.send(Text("Report <b>K7MQ9-TRXZS</b> is now\nResolved", Choices([[Choice("Rate", "r:1")]])),
                     Purpose.NOTICE, outbox_id=row)
    [sent] = stage.graph.messages
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "kabar"
    assert sent["template"]["language"] == {"code": "en"}
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Report *K7MQ9-TRXZS* is now · Resolved"}]
    assert await stage.wamid_of(row) == "wamid.TEST0001"


async def test_outside_the_window_a_photo_goes_as_the_template_with_its_caption_and_nothing_is_uploaded(stage):
    await stage.person(last_seen=timedelta(days=3))
    await stage.send(Media("photo", "tg-photo", "Bukti perbaikan"), Purpose.NOTICE)
    await stage.send(Media("photo", "tg-photo"), Purpose.NOTICE)
    await stage.send(Location(-6.6, 106.8), Purpose.NOTICE)
    parameters = [m["template"]["components"][0]["parameters"][0]["text"] for m in stage.graph.messages]
    assert parameters[0] == "Bukti perbaikan"
    assert parameters[1] and parameters[2] and parameters[1] != parameters[2]
    assert parameters[2].endswith("https://maps.google.com/?q=-6.600000,106.800000")
    assert stage.graph.uploads == [] and stage.fetches.fetched == []


async def test_an_announcement_outside_the_window_goes_as_the_marketing_template_to_subscribers_only(stage):
    await stage.person(last_seen=timedelta(days=2))
    failure = await stage.failure(Text("Jalan ditutup"), Purpose.ANNOUNCEMENT)
    assert failure.failure is Failure.REFUSED and failure.reason == "not opted in to announcements"
    assert stage.graph.messages == []
    async with stage.transactions.begin() as session:
        session.add(Subscription(user_id=USER, regency_code=None, topics=[]))
    await stage.send(Text("Jalan ditutup"), Purpose.ANNOUNCEMENT)
    [sent] = stage.graph.messages
    assert sent["template"]["name"] == "umum"


async def test_an_ended_subscription_is_no_opt_in(stage):
    await stage.person(last_seen=timedelta(days=2), subscribed=True)
    async with stage.transactions.begin() as session:
        (await session.get(Subscription, USER)).ended_at = NOW
    assert (await stage.failure(Text("x"), Purpose.ANNOUNCEMENT)).failure is Failure.REFUSED


async def test_an_announcement_inside_the_window_is_free_form(stage):
    await stage.person(subscribed=True)
    await stage.send(Text("Jalan ditutup"), Purpose.ANNOUNCEMENT)
    assert stage.graph.types == ["text"]


async def test_131047_closes_the_window_sends_the_template_at_once_and_later_messages_go_as_templates(stage):
    await stage.person()
    row = await stage.outbox_row()
    stage.graph.errors.append((400, 131047, None))
    await stage.send(Text("Status baru"), Purpose.NOTICE, outbox_id=row)
    assert stage.graph.types == ["template"]
    assert await stage.wamid_of(row) == "wamid.TEST0001"
    contact = await stage.contact()
    assert contact.window_closed_at == NOW
    await stage.send(Text("Lagi"), Purpose.REPLY)
    assert stage.graph.types == ["template", "template"]
    async with stage.transactions.begin() as session:  # the person writes again: the window opens
        (await session.get(Contact, CHAT)).last_seen_at = NOW + timedelta(minutes=1)
    stage.clock.now = NOW + timedelta(minutes=2)
    await stage.send(Text("Terima kasih"))
    assert stage.graph.types == ["template", "template", "text"]


def test_the_window_is_24_hours_after_the_last_message_unless_whatsapp_closed_it_since():
    contact = Contact(last_seen_at=NOW - timedelta(hours=23, minutes=59))
    assert window_open(contact, NOW)
    assert not window_open(Contact(last_seen_at=NOW - timedelta(hours=24)), NOW)
    assert not window_open(Contact(last_seen_at=NOW - timedelta(hours=1), window_closed_at=NOW - timedelta(minutes=5)), NOW)
    assert window_open(Contact(last_seen_at=NOW - timedelta(hours=1), window_closed_at=NOW - timedelta(hours=2)), NOW)


async def test_a_chat_on_another_channel_is_refused(stage):
    await stage.person()
    with pytest.raises(SendFailed) as caught:
        await stage.transport.send(42, Text("x"))
    assert caught.value.failure is Failure.REFUSED
    assert stage.graph.messages == []


async def test_a_message_that_failed_part_way_goes_on_from_where_it_stopped(stage):
    await stage.person()
    row = await stage.outbox_row()
    message = Text("Pilih:", Choices([[Choice(f"Kabupaten {n}", f"k:{n}")] for n in range(25)]))
    stage.graph.errors += [None, (429, 130429, "1")]  # the first page goes, the second meets a rate limit
    assert (await stage.failure(message)).failure is Failure.RETRY
    stage.graph.errors += [None, (429, 130429, "1")]
    with pytest.raises(SendFailed):
        await stage.send(message, outbox_id=row)
    await stage.send(message, outbox_id=row)
    firsts = [m["interactive"]["action"]["sections"][0]["rows"][0]["id"] for m in stage.graph.messages]
    assert firsts == ["k:0", "k:0", "k:10", "k:20"]  # without an outbox row: from the start; with one: on
    assert await stage.wamid_of(row) == "wamid.TEST0004"


# --- media -------------------------------------------------------------------------------------------------------

async def test_a_telegram_photo_is_fetched_and_uploaded_once_then_its_media_id_reused(stage):
    await stage.person()
    await stage.send(Media("photo", "tg-photo-1", "Foto"))
    await stage.send(Album((Media("photo", "tg-photo-1"), Media("photo", "tg-photo-2"))))
    assert stage.fetches.fetched == ["tg-photo-1", "tg-photo-2"]
    assert len(stage.graph.uploads) == 2 and stage.graph.uploads[0]["type"] == "image/jpeg"
    assert [m["image"]["id"] for m in stage.graph.messages] == ["media-1", "media-1", "media-2"]
    async with stage.transactions.sessions() as session:
        assert len((await session.scalars(select(MediaCopy))).all()) == 2


async def test_a_file_that_came_from_whatsapp_goes_by_its_own_media_id(stage):
    await stage.person()
    await stage.send(Media("document", "whatsapp:wa-media-9", "Surat"))
    assert stage.graph.uploads == []
    assert stage.graph.messages[0]["document"] == {"id": "wa-media-9", "caption": "Surat"}


async def test_a_reused_media_id_whatsapp_no_longer_takes_is_uploaded_again(stage):
    await stage.person()
    await stage.send(Media("photo", "tg-photo-1"))
    stage.graph.errors.append((400, 131053, None))
    await stage.send(Media("photo", "tg-photo-1"))
    assert len(stage.graph.uploads) == 2
    assert [m["image"]["id"] for m in stage.graph.messages] == ["media-1", "media-2"]
    await stage.send(Media("photo", "tg-photo-1"))
    assert stage.graph.messages[-1]["image"]["id"] == "media-2"


async def test_files_the_bot_made_are_uploaded_once_by_their_generated_name(stage):
    await stage.person()
    async with stage.transactions.begin() as session:
        order = FileOrder(chat_id=CHAT, user_id=USER, recipe={"kind": "export"})
        session.add(order)
        await session.flush()
        made = GeneratedFile(order_id=order.id, file_name="laporan.xlsx", caption="Ekspor Maret", content=b"PK xlsx")
        session.add(made)
        await session.flush()
        made_id = made.id
    await stage.send(Files("document", (made_id,)))
    await stage.send(Files("document", (made_id,)))
    assert len(stage.graph.uploads) == 1
    assert stage.graph.uploads[0]["file_name"] == "laporan.xlsx"
    assert stage.graph.uploads[0]["type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [m["document"] for m in stage.graph.messages] == [
        {"id": "media-1", "caption": "Ekspor Maret", "filename": "laporan.xlsx"}] * 2
    assert await stage.bridge.copy_on(f"generated:{made_id}", "whatsapp") == "media-1"


# --- throughput ------------------------------------------------------------------------------------------------

async def test_all_sends_of_a_transport_share_the_phone_numbers_throughput(stage):
    await stage.person()
    settings = replace(stage.settings, whatsapp=replace(stage.settings.whatsapp, messages_per_second=20))
    transport = WhatsAppTransport(stage.api, settings, stage.transactions, stage.bridge, stage.clock)
    started = time.monotonic()
    await asyncio.gather(*(transport.send(CHAT, Text(f"pesan {n}")) for n in range(30)))
    elapsed = time.monotonic() - started
    assert len(stage.graph.messages) == 30
    assert elapsed >= 1.2  # 30 at 20 a second, a burst of 2 at once


# --- errors --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "code", "retry_after", "waited"), [
    (429, 130429, "7", 7.0), (400, 130429, None, 5.0), (400, 131056, None, 10.0), (400, 80007, None, 60.0),
])
async def test_rate_limits_are_retried_later(stage, status, code, retry_after, waited):
    await stage.person()
    stage.graph.errors.append((status, code, retry_after))
    failure = await stage.failure(Text("x"))
    assert failure.failure is Failure.RETRY and failure.retry_after == waited
    assert str(code) in failure.reason


@pytest.mark.parametrize("code", [131026, 131051, 131052, 131053, 100, 132001, 132012])
async def test_undeliverable_unsupported_and_template_problems_are_refused_with_the_reason(stage, code):
    await stage.person()
    stage.graph.errors.append((400, code, None))
    failure = await stage.failure(Text("x"))
    assert failure.failure is Failure.REFUSED
    assert str(code) in failure.reason and PHONE not in failure.reason


async def test_131047_on_the_template_itself_is_refused(stage):
    await stage.person(last_seen=timedelta(days=2))
    stage.graph.errors.append((400, 131047, None))
    assert (await stage.failure(Text("x"), Purpose.NOTICE)).failure is Failure.REFUSED


@pytest.mark.parametrize(("status", "code"), [(500, 131000), (503, 0), (502, 1)])
async def test_server_trouble_is_retried(stage, status, code):
    await stage.person()
    stage.graph.errors.append((status, code, None))
    assert (await stage.failure(Text("x"))).failure is Failure.RETRY


async def test_the_network_down_is_retried(stage):
    await stage.person()
    await stage.graph.stop()
    failure = await stage.failure(Text("x"))
    assert failure.failure is Failure.RETRY and failure.retry_after is None


async def test_an_expired_token_holds_everything_for_five_minutes_with_one_alert_until_a_send_succeeds(stage, caplog):
    await stage.person()
    stage.graph.errors += [(401, 190, None), (401, 190, None), (400, 190, None)]
    with caplog.at_level(logging.INFO, logger="bot.channels.whatsapp.outbound"):
        for _ in range(3):
            failure = await stage.failure(Text("rahasia"))
            assert failure.failure is Failure.RETRY and failure.retry_after == 300
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
        await stage.send(Text("rahasia"))
        stage.graph.errors.append((401, 190, None))
        await stage.failure(Text("rahasia"))
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 2
    shown = "\n".join(record.getMessage() for record in caplog.records)
    assert PHONE not in shown and "rahasia" not in shown


async def test_nothing_logged_at_info_names_the_phone_or_the_text(stage, caplog):
    await stage.person(last_seen=timedelta(days=2))
    with caplog.at_level(logging.INFO):
        await stage.send(Text("isi pribadi"), Purpose.NOTICE)
        stage.graph.errors.append((400, 131026, None))
        await stage.failure(Text("isi pribadi"), Purpose.NOTICE)
    shown = "\n".join(record.getMessage() for record in caplog.records if record.levelno >= logging.INFO)
    assert PHONE not in shown and "isi pribadi" not in shown

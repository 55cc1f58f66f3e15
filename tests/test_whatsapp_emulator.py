"""The WhatsApp Cloud API emulator on its own (no bot): the Graph API's checks and errors, the 24-hour window,
throughput, media, signed webhooks with retries, restarts, faults, and the scripted person of tests/kit."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import aiohttp
import pytest
from aiohttp import web

from bot.channels.whatsapp.api import GraphApi, GraphError
from bot.sandbox.whatsapp import Template, Throughput, WhatsAppEmulator, update_id_for
from tests.harness import eventually
from tests.kit.whatsapp import WhatsAppPerson
from tests.kit.whatsapp_faults import WhatsAppFault, deliver_late, inject

SECRET = "test-app-secret"
PHONE, OTHER = "6281234567890", "6289876543210"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Receiver:
    """A tiny bot-side webhook: checks each signature, keeps the payloads, refuses the first ``refuse`` posts."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret, self.payloads, self.refuse, self.bad_signatures, self.attempts = secret, [], 0, 0, 0
        self.on_payload = None

    async def post(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.attempts += 1
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), expected):
            self.bad_signatures += 1
            return web.Response(status=403)
        if self.refuse:
            self.refuse -= 1
            return web.Response(status=500)
        payload = json.loads(raw)
        self.payloads.append(payload)
        if self.on_payload:
            asyncio.get_running_loop().create_task(self.on_payload(payload))
        return web.Response(text="ok")

    async def get(self, request: web.Request) -> web.Response:
        if request.query.get("hub.mode") == "subscribe" and request.query.get("hub.verify_token") == "sandbox-verify-token":
            return web.Response(text=request.query["hub.challenge"])
        return web.Response(status=403)

    def messages(self) -> list[dict]:
        return [m for p in self.payloads for m in p["entry"][0]["changes"][0]["value"].get("messages", [])]

    def statuses(self) -> list[dict]:
        return [s for p in self.payloads for s in p["entry"][0]["changes"][0]["value"].get("statuses", [])]


@pytest.fixture
async def receiver():
    receiving = Receiver()
    app = web.Application()
    app.router.add_post("/whatsapp", receiving.post)
    app.router.add_get("/whatsapp", receiving.get)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiving.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/whatsapp"
    yield receiving
    await runner.cleanup()


@pytest.fixture
async def emulator(receiver):
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url=receiver.url, webhook_retry=0.05) as running:
        yield running


@pytest.fixture
async def graph(emulator):
    api = GraphApi(emulator.bot_settings())
    yield api
    await api.close()


async def raw_send(emulator, body: dict, token: str | None = "default") -> tuple[int, dict, dict]:
    headers = {} if token is None else {"Authorization": f"Bearer {emulator.token if token == 'default' else token}"}
    async with aiohttp.ClientSession() as http:
        url = f"{emulator.base_url}/v21.0/{emulator.phone_number_id}/messages"
        async with http.post(url, json={"messaging_product": "whatsapp", **body}, headers=headers) as response:
            return response.status, await response.json(), dict(response.headers)


def text(body: str, to: str = PHONE) -> dict:
    return {"to": to, "type": "text", "text": {"body": body}}


def buttons(*titles: str, ids: list[str] | None = None, body: str = "Pilih") -> dict:
    ids = ids or [f"b{index}" for index in range(len(titles))]
    return {"to": PHONE, "type": "interactive", "interactive": {"type": "button", "body": {"text": body}, "action": {
        "buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in zip(ids, titles)]}}}


def listing(rows: list[dict], button: str = "Pilihan", sections: int = 1, titled: bool = True) -> dict:
    chunks = [rows[i::sections] for i in range(sections)]
    return {"to": PHONE, "type": "interactive", "interactive": {"type": "list", "body": {"text": "Pilih satu"}, "action": {
        "button": button, "sections": [{**({"title": f"Bagian {n}"} if titled else {}), "rows": chunk} for n, chunk in enumerate(chunks)]}}}


def rows(count: int, title: str = "Jalan rusak", description: str | None = None) -> list[dict]:
    return [{"id": f"r{i}", "title": title, **({"description": description} if description else {})} for i in range(count)]


def template(name="lapor_kabar_laporan", language="id", parameters=("Laporan #12 selesai",)) -> dict:
    return {"to": PHONE, "type": "template", "template": {"name": name, "language": {"code": language}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}]}}


# Accepted messages and their statuses ---------------------------------------------------------------------


async def test_an_accepted_text_answers_metas_shape_and_its_statuses_follow_signed(emulator, graph, receiver):
    await emulator.person_sends_text(PHONE, "halo", name="Siti")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}/v21.0/{emulator.phone_number_id}/messages",
                             json={"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+" + PHONE,
                                   "type": "text", "text": {"body": "Selamat datang", "preview_url": False}},
                             headers={"Authorization": f"Bearer {emulator.token}"}) as response:
            answer = await response.json()
    assert response.status == 200 and answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+" + PHONE, "wa_id": PHONE}]
    wamid = answer["messages"][0]["id"]
    assert wamid.startswith("wamid.") and await graph.send(text("kedua")) != wamid
    await eventually(lambda: len(receiver.statuses()) == 4)
    assert [(s["id"] == wamid, s["status"]) for s in receiver.statuses()[:2]] == [(True, "sent"), (True, "delivered")]
    sent = receiver.statuses()[0]
    assert sent["recipient_id"] == PHONE and sent["pricing"] == {"billable": False, "pricing_model": "CBP", "category": "service"}
    assert sent["conversation"]["origin"] == {"type": "service"} and "expiration_timestamp" in sent["conversation"]
    assert receiver.bad_signatures == 0
    message = receiver.payloads[0]
    assert message["object"] == "whatsapp_business_account" and message["entry"][0]["id"] == emulator.waba_id
    change = message["entry"][0]["changes"][0]
    assert change["field"] == "messages" and change["value"]["metadata"] == {
        "display_phone_number": emulator.display_phone_number, "phone_number_id": emulator.phone_number_id}
    assert change["value"]["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": PHONE}]
    assert change["value"]["messages"][0]["text"] == {"body": "halo"} and change["value"]["messages"][0]["from"] == PHONE
    shown = emulator.conversation(PHONE)
    assert [(m["from"], m["text"]) for m in shown] == [("person", "halo"), ("bot", "Selamat datang"), ("bot", "kedua")]
    assert shown[1]["status"] == "delivered" and [s["status"] for s in shown[1]["statuses"]] == ["sent", "delivered"]
    assert [sent.text for sent in emulator.stats.sent] == ["Selamat datang", "kedua"] and emulator.stats.calls["messages"] == 2


async def test_reading_and_the_bot_marking_read(emulator, graph, receiver):
    mine = await emulator.person_sends_text(PHONE, "halo")
    await graph.send(text("hai"))
    assert emulator.person_reads(PHONE) == 1
    await eventually(lambda: [s["status"] for s in receiver.statuses()] == ["sent", "delivered", "read"])
    assert "conversation" not in receiver.statuses()[-1]
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}/v21.0/{emulator.phone_number_id}/messages",
                             json={"messaging_product": "whatsapp", "status": "read", "message_id": mine["wamid"]},
                             headers={"Authorization": f"Bearer {emulator.token}"}) as response:
            assert response.status == 200 and await response.json() == {"success": True}
    assert emulator.conversation(PHONE)[0]["read_by_bot"]


# The Cloud API's checks -----------------------------------------------------------------------------------


LONG = "x" * 21


@pytest.mark.parametrize(("body", "code", "field"), [
    (text("x" * 4097), 100, "text['body']"),
    ({"to": PHONE, "type": "text", "text": {}}, 131008, "text['body']"),
    ({"to": "nomor", "type": "text", "text": {"body": "x"}}, 100, "to"),
    ({"type": "text", "text": {"body": "x"}}, 131008, "to"),
    ({"to": PHONE, "type": "fax"}, 100, "type"),
    ({"to": PHONE, "recipient_type": "group", "type": "text", "text": {"body": "x"}}, 100, "recipient_type"),
    (buttons("a", "b", "c", "d"), 131009, "buttons"),
    (buttons(LONG), 100, "['title']"),
    (buttons("a", "b", ids=["same", "same"]), 131009, "unique ids"),
    (buttons("a", ids=["i" * 257]), 100, "['id']"),
    (buttons("a", body="x" * 1025), 100, "body"),
    (buttons("a", body=""), 131008, "body"),
    ({**buttons("a"), "interactive": {**buttons("a")["interactive"], "footer": {"text": "f" * 61}}}, 100, "footer"),
    ({**buttons("a"), "interactive": {**buttons("a")["interactive"], "header": {"type": "text", "text": "h" * 61}}}, 100, "header"),
    (listing(rows(11)), 131009, "10 rows"),
    (listing(rows(2, title="t" * 25)), 100, "['title']"),
    (listing(rows(2, description="d" * 73)), 100, "description"),
    (listing(rows(1), button=LONG), 100, "['button']"),
    (listing(rows(4), sections=2, titled=False), 131008, "['title']"),
    (listing([{"id": "x", "title": "a"}, {"id": "x", "title": "b"}]), 131009, "unique"),
    ({"to": PHONE, "type": "interactive", "interactive": {"type": "location_request_message", "body": {"text": "Kirim lokasi"},
                                                          "action": {"name": "send_place"}}}, 131009, "send_location"),
    ({"to": PHONE, "type": "image", "image": {"id": "404404"}}, 100, "image['id']"),
    ({"to": PHONE, "type": "image", "image": {"link": "https://x.example/a.png", "caption": "c" * 1025}}, 100, "caption"),
    ({"to": PHONE, "type": "audio", "audio": {"link": "https://x.example/a.ogg", "caption": "no"}}, 100, "caption"),
    ({"to": PHONE, "type": "location", "location": {"latitude": 91, "longitude": 0}}, 131009, "latitude"),
    ({"to": PHONE, "type": "reaction", "reaction": {"emoji": "👍"}}, 131008, "message_id"),
])
async def test_bodies_meta_refuses(emulator, body, code, field):
    status, answer, _ = await raw_send(emulator, body)
    error = answer["error"]
    assert status == 400 and error["code"] == code and field in error["error_data"]["details"], error
    assert error["error_data"]["messaging_product"] == "whatsapp" and error["fbtrace_id"] and error["type"] == "OAuthException"
    assert error["message"].startswith(f"(#{code}) ")
    assert emulator.bot_messages(PHONE) == [] and emulator.stats.refused[code] == 1


@pytest.mark.parametrize("body", [
    buttons("Ya", "Tidak", "Batal" + "x" * 15),
    listing(rows(10, description="d" * 72)),
    listing(rows(6), sections=3),
    {"to": PHONE, "type": "interactive", "interactive": {"type": "location_request_message", "body": {"text": "Kirim lokasi"},
                                                         "action": {"name": "send_location"}}},
    {"to": PHONE, "type": "location", "location": {"latitude": -6.2, "longitude": 106.8, "name": "Kantor", "address": "Jl. A"}},
    {"to": PHONE, "type": "document", "document": {"link": "https://x.example/a.pdf", "caption": "c" * 1024, "filename": "a.pdf"}},
])
async def test_bodies_meta_takes(emulator, body):
    await emulator.person_sends_text(PHONE, "halo")
    status, answer, _ = await raw_send(emulator, body)
    assert status == 200, answer
    assert emulator.bot_messages(PHONE)[-1]["wamid"] == answer["messages"][0]["id"]


async def test_templates_are_checked_against_the_approved_list(emulator, graph, receiver):
    for body, code, status in [(template(name="tidak_ada"), 132001, 404), (template(language="fr"), 132001, 404),
                               (template(parameters=()), 132000, 400), (template(parameters=("a", "b")), 132000, 400),
                               (template(parameters=("baris\nbaru",)), 132018, 400), (template(parameters=("tab\there",)), 132018, 400),
                               (template(parameters=("lima     spasi",)), 132018, 400), (template(parameters=("x" * 1100,)), 132005, 400)]:
        answer_status, answer, _ = await raw_send(emulator, body)
        assert (answer_status, answer["error"]["code"]) == (status, code), body
    with pytest.raises(GraphError) as refused:
        await graph.send(template(parameters=("dua\n",)))
    assert refused.value.code == 132018
    # A template goes out to someone who never wrote: no window needed.
    assert (await raw_send(emulator, template(parameters=("x" * 900,)) | {"to": OTHER}))[0] == 200  # the bot's longest
    await graph.send(template(parameters=("empat    spasi boleh",)))
    await eventually(lambda: [s["status"] for s in receiver.statuses() if s["recipient_id"] == PHONE] == ["sent", "delivered"])
    assert receiver.statuses()[0]["pricing"]["category"] == "utility" and receiver.statuses()[0]["pricing"]["billable"]
    assert "\n\nempat    spasi boleh\n\n" in emulator.bot_messages(PHONE)[-1]["text"]
    assert emulator.stats.templates == 2


# The 24-hour window -----------------------------------------------------------------------------------------


async def test_outside_the_window_a_free_form_message_is_accepted_then_fails_131047(emulator, graph, receiver):
    await emulator.person_sends_text(PHONE, "halo")
    inside = await graph.send(text("masih di dalam jendela"))
    emulator.advance(hours=23, minutes=59)
    almost = await graph.send(text("hampir"))
    emulator.advance(minutes=2)
    outside = await graph.send(text("sudah di luar"))
    never = await graph.send(text("tidak pernah menulis", to=OTHER))
    templated = await graph.send(template())
    await eventually(lambda: len(receiver.statuses()) == 8)
    by_id = {}
    for status in receiver.statuses():
        by_id.setdefault(status["id"], []).append(status)
    assert [s["status"] for s in by_id[inside]] == [s["status"] for s in by_id[almost]] == ["sent", "delivered"]
    for wamid in (outside, never):
        (failed,) = by_id[wamid]
        assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131047
        assert failed["errors"][0]["title"] == "Re-engagement message" and "24 hours" in failed["errors"][0]["error_data"]["details"]
    assert [s["status"] for s in by_id[templated]] == ["sent", "delivered"]
    assert int(by_id[outside][0]["timestamp"]) - int(by_id[inside][0]["timestamp"]) >= 24 * 3600
    assert emulator.stats.failed[131047] == 2
    # The person writes again: the window opens again.
    await emulator.person_sends_text(PHONE, "saya lagi")
    again = await graph.send(text("selamat datang kembali"))
    await eventually(lambda: [s["status"] for s in receiver.statuses() if s["id"] == again] == ["sent", "delivered"])


async def test_a_number_not_on_whatsapp_fails_131026(emulator, graph, receiver):
    emulator.set_reachable(OTHER, False)
    wamid = await graph.send(template() | {"to": OTHER})
    await eventually(lambda: receiver.statuses())
    assert receiver.statuses()[0]["id"] == wamid and receiver.statuses()[0]["errors"][0]["code"] == 131026


# Throughput ----------------------------------------------------------------------------------------------


async def test_throughput_per_number_answers_130429_with_retry_after(receiver):
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url=receiver.url, throughput=Throughput(messages_per_second=5)) as emulator:
        answers = [await raw_send(emulator, template() | {"to": f"62812000000{i:02}"}) for i in range(7)]
        assert [status for status, _, _ in answers] == [200] * 5 + [400] * 2, answers
        status, answer, headers = answers[5]
        assert answer["error"]["code"] == 130429 and answer["error"]["message"] == "(#130429) Rate limit hit"
        assert headers["Retry-After"] == "1" and emulator.stats.refused[130429] == 2
        await asyncio.sleep(0.25)
        assert (await raw_send(emulator, template()))[0] == 200


async def test_a_burst_to_one_person_answers_131056(receiver):
    limits = Throughput(messages_per_second=1000, pair_burst=3, pair_seconds=6)
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url=receiver.url, throughput=limits) as emulator:
        assert [(await raw_send(emulator, template()))[0] for _ in range(3)] == [200] * 3
        status, answer, _ = await raw_send(emulator, template())
        assert status == 400 and answer["error"]["code"] == 131056
        assert (await raw_send(emulator, template() | {"to": OTHER}))[0] == 200


# Tokens and media ------------------------------------------------------------------------------------------


async def test_a_missing_or_wrong_token_is_401_code_190(emulator):
    for token in (None, "not-the-token"):
        status, answer, headers = await raw_send(emulator, text("x"), token=token)
        assert status == 401 and answer["error"]["code"] == 190 and answer["error"]["type"] == "OAuthException"
    api = GraphApi(emulator.bot_settings(access_token="expired"))
    try:
        with pytest.raises(GraphError) as refused:
            await api.send(text("x"))
        assert (refused.value.status, refused.value.code) == (401, 190)
    finally:
        await api.close()
    assert emulator.stats.sent == []


async def test_a_wrong_phone_number_id_is_an_unknown_object(emulator):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}/v21.0/999/messages", json=text("x") | {"messaging_product": "whatsapp"},
                             headers={"Authorization": f"Bearer {emulator.token}"}) as response:
            answer = await response.json()
    assert response.status == 400 and answer["error"]["code"] == 100 and answer["error"]["error_subcode"] == 33
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}/latest/{emulator.phone_number_id}/messages", json={},
                             headers={"Authorization": f"Bearer {emulator.token}"}) as response:
            assert response.status == 400 and "Unknown path" in (await response.json())["error"]["message"]


async def test_upload_then_send_by_id_then_download_with_the_token_only(emulator, graph):
    media_id = await graph.upload(PNG, "image/png", "peta.png")
    info = await graph.media_info(media_id)
    assert info.mime_type == "image/png" and info.size == len(PNG)
    assert await graph.download(info.url, limit=10_000) == PNG
    with pytest.raises(GraphError) as too_big:
        await graph.download(info.url, limit=10)
    assert too_big.value.status == 413
    async with aiohttp.ClientSession() as http:
        async with http.get(info.url) as response:
            assert response.status == 401
        async with http.get(f"{emulator.base_url}/v21.0/{media_id}") as response:
            assert response.status == 401 and (await response.json())["error"]["code"] == 190
        async with http.get(f"{emulator.base_url}/v21.0/{media_id}", headers={"Authorization": f"Bearer {emulator.token}"}) as response:
            shown = await response.json()
    assert shown["sha256"] == hashlib.sha256(PNG).hexdigest() and shown["file_size"] == len(PNG) and shown["id"] == media_id
    assert shown["messaging_product"] == "whatsapp"
    await emulator.person_sends_text(PHONE, "halo")
    await graph.send({"to": PHONE, "type": "image", "image": {"id": media_id, "caption": "Peta"}})
    assert emulator.bot_messages(PHONE)[-1]["media"] == {"id": media_id, "caption": "Peta"}
    with pytest.raises(GraphError) as unknown:
        await graph.media_info("123")
    assert unknown.value.code == 100
    emulator.advance(hours=24 * 30)  # media ids expire: sending by one is refused, the bot uploads again
    await emulator.person_sends_text(PHONE, "sebulan kemudian")
    with pytest.raises(GraphError) as expired:
        await graph.send({"to": PHONE, "type": "image", "image": {"id": media_id}})
    assert expired.value.code == 100 and "image['id']" in expired.value.details
    with pytest.raises(GraphError):
        await graph.media_info(media_id)
    with pytest.raises(GraphError) as refused:
        await graph.upload(b"x", "video/avi", "a.avi")
    assert refused.value.code == 131053
    with pytest.raises(GraphError) as large:
        await graph.upload(b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg", "big.jpg")
    assert large.value.code == 131053


async def test_what_a_person_sends_is_stored_and_named_by_id(emulator, graph, receiver):
    await emulator.person_sends_media(PHONE, "image", PNG, "image/jpeg", caption="Jalan berlubang")
    await emulator.person_sends_media(PHONE, "document", b"%PDF-1.4", "application/pdf", filename="surat.pdf")
    await emulator.person_sends_voice(PHONE)
    await emulator.person_sends_media(PHONE, "sticker", b"RIFF0000WEBP", "image/webp")
    await eventually(lambda: len(receiver.messages()) == 4)
    image, document, voice, sticker = receiver.messages()
    assert image["type"] == "image" and image["image"]["caption"] == "Jalan berlubang" and image["image"]["mime_type"] == "image/jpeg"
    assert image["image"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert await graph.download((await graph.media_info(image["image"]["id"])).url, 10_000) == PNG
    assert document["document"]["filename"] == "surat.pdf" and "caption" not in document["document"]
    assert voice["type"] == "audio" and voice["audio"]["voice"] is True and voice["audio"]["mime_type"].startswith("audio/ogg")
    assert sticker["sticker"]["animated"] is False


# Taps, locations, reactions -----------------------------------------------------------------------------------


async def test_taps_answer_the_message_that_showed_the_choice(emulator, graph, receiver):
    emulator.templates[("lapor_survei", "id")] = Template("lapor_survei", "id", "Puas? {{1}}", "MARKETING", ("Berhenti langganan",))
    await emulator.person_sends_text(PHONE, "lapor")
    first = await graph.send(buttons("Ya", "Tidak", ids=["yes:1", "no:1"]))
    await emulator.person_taps(PHONE, "Tidak")
    listed = await graph.send(listing([{"id": "cat:road", "title": "Jalan", "description": "Jalan rusak"}, {"id": "cat:water", "title": "Air"}]))
    await emulator.person_taps(PHONE, "cat:water")
    await emulator.person_taps(PHONE, "Jal")  # part of a title
    await graph.send(template(name="lapor_survei") | {"template": {**template(name="lapor_survei")["template"], "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "Kerja bakti"}]},
        {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "unsub"}]}]}})
    await emulator.person_taps(PHONE, "Berhenti langganan")
    await emulator.person_shares_location(PHONE, -6.2, 106.8, name="Pasar", address="Jl. Pasar 1")
    await emulator.person_reacts(PHONE, "👍", first)
    with pytest.raises(AssertionError):
        await emulator.person_taps(PHONE, "Tidak ada")
    await eventually(lambda: len(receiver.messages()) == 7)
    _, button, row, partial, quick, place, reaction = receiver.messages()
    context = {"from": emulator.display_phone_number, "id": first}
    assert button["interactive"] == {"type": "button_reply", "button_reply": {"id": "no:1", "title": "Tidak"}} and button["context"] == context
    assert row["interactive"] == {"type": "list_reply", "list_reply": {"id": "cat:water", "title": "Air"}} and row["context"]["id"] == listed
    assert partial["interactive"]["list_reply"] == {"id": "cat:road", "title": "Jalan", "description": "Jalan rusak"}
    assert quick["type"] == "button" and quick["button"] == {"payload": "unsub", "text": "Berhenti langganan"}
    assert place["location"] == {"latitude": -6.2, "longitude": 106.8, "name": "Pasar", "address": "Jl. Pasar 1"}
    assert reaction["reaction"] == {"message_id": first, "emoji": "👍"}


# Webhooks: signature, handshake, retries in order, late delivery ---------------------------------------------------


async def test_webhooks_are_retried_in_order_per_person(emulator, receiver):
    receiver.refuse = 3
    await emulator.person_sends_text(PHONE, "satu")
    await emulator.person_sends_text(PHONE, "dua")
    await emulator.person_sends_text(PHONE, "tiga")
    await eventually(lambda: len(receiver.messages()) == 3)
    assert [m["text"]["body"] for m in receiver.messages()] == ["satu", "dua", "tiga"]
    assert emulator.webhook_failures == 3 and receiver.attempts == 6 and not emulator.pending_webhooks()


async def test_a_webhook_that_cannot_connect_waits_and_comes_later(receiver):
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url="http://127.0.0.1:9/nowhere", webhook_retry=0.05) as emulator:
        entry = await emulator.person_sends_text(PHONE, "halo")
        await eventually(lambda: emulator.webhook_failures >= 2)
        assert len(emulator.pending_webhooks(PHONE)) == 1
        emulator.webhook_url = receiver.url
        await eventually(lambda: receiver.messages())
        assert receiver.messages()[0]["id"] == entry["wamid"]


async def test_a_wrong_secret_is_a_bad_signature(receiver):
    async with WhatsAppEmulator(app_secret="other", webhook_url=receiver.url, webhook_retry=0.05) as emulator:
        await emulator.person_sends_text(PHONE, "halo")
        await eventually(lambda: receiver.bad_signatures >= 1)
        assert receiver.payloads == []


async def test_the_verification_handshake(emulator):
    assert await emulator.verify_webhook()
    assert not await emulator.verify_webhook("wrong")


async def test_a_late_webhook_overtakes_nothing_but_arrives(emulator, receiver):
    deliver_late(emulator, 0.3)
    late = await emulator.person_sends_text(PHONE, "lambat")
    await emulator.person_sends_text(PHONE, "cepat")
    await eventually(lambda: len(receiver.messages()) == 2)
    assert [m["text"]["body"] for m in receiver.messages()] == ["cepat", "lambat"] and receiver.messages()[1]["id"] == late["wamid"]


async def test_raw_payloads_and_inbox_ids(emulator, receiver):
    await emulator.post_webhook({"object": "whatsapp_business_account", "entry": []})
    await eventually(lambda: receiver.payloads == [{"object": "whatsapp_business_account", "entry": []}])
    entry = await emulator.person_sends_text(PHONE, "halo")
    assert entry["update_id"] == update_id_for("wa:" + entry["wamid"], entry["timestamp"]) and entry["update_id"] >= 2**62
    digest = int.from_bytes(hashlib.blake2b(("wa:" + entry["wamid"]).encode(), digest_size=8).digest()[:4], "big")
    assert entry["update_id"] == 2**62 + (entry["timestamp"] - 1_577_836_800) * 2**32 + digest  # the channel's decision


# Restart and faults --------------------------------------------------------------------------------------------


async def test_state_survives_a_restart(tmp_path, receiver):
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url=receiver.url, state_dir=tmp_path) as first:
        await first.person_sends_text(PHONE, "halo", name="Rina")
        api = GraphApi(first.bot_settings())
        media_id = await api.upload(PNG, "image/png", "a.png")
        await api.send(text("hai"))
        await api.close()
        first.advance(hours=2)
        await eventually(lambda: len(receiver.statuses()) == 2)
        first.webhook_url = None  # the bot is down: what the person says waits
        await first.person_sends_text(PHONE, "masih ada?")
    async with WhatsAppEmulator(app_secret=SECRET, webhook_url=receiver.url, state_dir=tmp_path) as second:
        assert [m["text"] for m in second.conversation(PHONE)] == ["halo", "hai", "masih ada?"]
        assert second.conversation(PHONE)[1]["status"] == "delivered" and second.state.people[PHONE].name == "Rina"
        assert second.clock.offset == pytest.approx(7200)
        await eventually(lambda: [m["text"]["body"] for m in receiver.messages()] == ["halo", "masih ada?"])
        api = GraphApi(second.bot_settings())
        try:
            assert await api.download((await api.media_info(media_id)).url, 10_000) == PNG
            second.advance(hours=23)  # 25 hours after "halo", but "masih ada?" was written 2 h after it
            wamid = await api.send(text("ya"))
        finally:
            await api.close()
        await eventually(lambda: [s["status"] for s in receiver.statuses() if s["id"] == wamid] == ["sent", "delivered"])


@pytest.mark.parametrize(("fault", "status", "code"), [
    (WhatsAppFault("messages", code=130429, retry_after=3), 400, 130429),
    (WhatsAppFault("messages", code=131026), 400, 131026),
    (WhatsAppFault("messages", code=131051), 400, 131051),
    (WhatsAppFault("messages", status=500), 500, 1),
    (WhatsAppFault("messages", code=190), 401, 190),
    (WhatsAppFault("messages", code=131047, status=400, details="window"), 400, 131047),
])
async def test_injected_errors_reach_the_client(emulator, graph, fault, status, code):
    await emulator.person_sends_text(PHONE, "halo")
    inject(emulator, fault)
    with pytest.raises(GraphError) as refused:
        await graph.send(text("gagal"))
    assert (refused.value.status, refused.value.code) == (status, code)
    assert refused.value.retry_after == (3 if code == 130429 else None)
    await graph.send(text("berhasil"))
    assert [m["text"] for m in emulator.bot_messages(PHONE)] == ["berhasil"] and emulator.stats.refused[code] == 1


async def test_the_nth_call_times_dropped_and_slow(emulator, graph):
    await emulator.person_sends_text(PHONE, "halo")
    inject(emulator, WhatsAppFault("messages", nth=2, times=2, code=131056))
    await graph.send(text("satu"))
    for _ in range(2):
        with pytest.raises(GraphError):
            await graph.send(text("x"))
    inject(emulator, WhatsAppFault("messages", drop=True))
    with pytest.raises(GraphError) as dropped:
        await graph.send(text("tidak sampai"))
    assert dropped.value.code == 0 and dropped.value.status == 0
    # aiohttp sends a GET again once when a reused connection drops: two drops reach the caller.
    inject(emulator, WhatsAppFault("media_info", drop=True, times=2))
    media_id = await graph.upload(PNG, "image/png", "a.png")
    with pytest.raises(GraphError) as dropped:
        await graph.media_info(media_id)
    assert dropped.value.code == 0 and emulator.stats.calls["media_info"] == 2
    inject(emulator, WhatsAppFault("messages", delay=0.4))
    started = asyncio.get_running_loop().time()
    await graph.send(text("lambat"))
    assert asyncio.get_running_loop().time() - started >= 0.4
    assert [m["text"] for m in emulator.bot_messages(PHONE)] == ["satu", "lambat"]


# The scripted person ---------------------------------------------------------------------------------------------


async def echo_bot(emulator, receiver, graph, report_done: bool, pause: float = 0.05):
    """A stand-in bot: answers each text with two messages (the second after a pause), each tap with one."""

    async def on_payload(payload):
        for message in payload["entry"][0]["changes"][0]["value"].get("messages", []):
            if message["type"] == "text":
                await graph.send(text(f"kamu bilang: {message['text']['body']}", to=message["from"]))
                await asyncio.sleep(pause)
                await graph.send(buttons("Ya", "Tidak") | {"to": message["from"]})
            elif message["type"] == "interactive":
                await graph.send(text("pilihan: " + message["interactive"]["button_reply"]["id"], to=message["from"]))
            if report_done:
                await emulator.bot_is_done(emulator.state.find(message["id"])[1]["update_id"])

    receiver.on_payload = on_payload
    if report_done:
        emulator.listen_to([])


@pytest.mark.parametrize("report_done", [True, False])
async def test_the_scripted_person_gets_the_whole_answer(emulator, graph, receiver, report_done):
    await echo_bot(emulator, receiver, graph, report_done, pause=0.15)
    person = WhatsAppPerson(emulator, PHONE, "Siti")
    answer = await person.send("halo")
    assert [m["text"] for m in answer] == ["kamu bilang: halo", "Pilih"]
    assert person.buttons() == ["Ya", "Tidak"] and person.last_text == "Pilih"
    assert [m["text"] for m in await person.tap("Tidak")] == ["pilihan: b1"]
    assert person.statuses() == ["delivered"] * 3


async def test_the_scripted_person_shares_sends_and_reacts(emulator, graph, receiver):
    async def on_payload(payload):
        for message in payload["entry"][0]["changes"][0]["value"].get("messages", []):
            if message["type"] != "reaction":
                await graph.send(text(f"diterima: {message['type']}", to=message["from"]))
            await emulator.bot_is_done(emulator.state.find(message["id"])[1]["update_id"])

    receiver.on_payload = on_payload
    emulator.listen_to([])
    person = WhatsAppPerson(emulator, PHONE, "Budi")
    assert [m["text"] for m in await person.share_location(-6.2, 106.8, name="Pasar")] == ["diterima: location"]
    assert [m["text"] for m in await person.send_file(PNG, "image/png", caption="foto")] == ["diterima: image"]
    assert [m["text"] for m in await person.send_files([(PNG, "image/png"), (b"\xff\xd8jpeg", "image/jpeg")])] == ["diterima: image"] * 2
    assert [m["text"] for m in await person.send_voice()] == ["diterima: audio"]
    assert await person.react("👍") == []
    assert person.read() == 5
    await eventually(lambda: sum(s["status"] == "read" for s in receiver.statuses()) == 5)

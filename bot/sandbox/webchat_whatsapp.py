"""The web chat's WhatsApp side: the page plays a sample citizen on WhatsApp (``SAMPLE_PHONE``) against the
WhatsApp emulator (bot/sandbox/whatsapp), as webchat.py plays Telegram users against the Bot API emulator.

    GET  /sandbox/whatsapp/api/person        the sample person, the emulator's clock, whether it runs
    GET  /sandbox/whatsapp/api/chat          the conversation, long-polled by ``version`` as /sandbox/api/chat
    POST /sandbox/whatsapp/api/text          {"text"}                      -> person_sends_text
    POST /sandbox/whatsapp/api/tap           {"id"} (a button's or row's) -> person_taps
    POST /sandbox/whatsapp/api/location      {"latitude", "longitude"}     -> person_shares_location
    POST /sandbox/whatsapp/api/voice         {}                            -> person_sends_voice
    POST /sandbox/whatsapp/api/files         multipart "file" (each one a message) -> person_sends_media
    POST /sandbox/whatsapp/api/read          the person looks at the chat -> person_reads (blue ticks)
    POST /sandbox/whatsapp/api/advance       {"hours"} (24: the "+1 day" control) -> advance
    GET  /sandbox/whatsapp/api/media/{id}    a photo or file of the chat, to show or save

The conversation is the emulator's own record (``conversation(phone)``) as the page draws it: each message
with ``message_id`` (its wamid), ``from.is_bot``, and ``wa`` (type, text, time, status, buttons, rows, template,
media, location ...), without the raw Graph API bodies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.sandbox.whatsapp import WhatsAppEmulator

SAMPLE_PHONE = "6281200000001"
SAMPLE_NAME = "Siti (WhatsApp)"
LONG_POLL_SECONDS = 25
POLL_STEP_SECONDS = 0.5  # the clock and the ticks change without a notification: look again this often
KEEP_CLIENT_IDS = 1000
MAX_HOURS = 24 * 30


def seat(emulator: WhatsAppEmulator) -> None:
    """The sample person of the sandbox's WhatsApp."""
    emulator.add_person(SAMPLE_PHONE, SAMPLE_NAME)


def media_kind(mime: str) -> str:
    """Which WhatsApp message a file the person picks becomes, as WhatsApp's app decides it."""
    base = mime.split(";")[0].strip().lower()
    if base in ("image/jpeg", "image/png"):
        return "image"
    if base in ("video/mp4", "video/3gpp"):
        return "video"
    if base.startswith("audio/"):
        return "audio"
    return "document"


def view(emulator: WhatsAppEmulator, phone: str) -> dict[str, Any]:
    person = emulator.state.people.get(phone)
    now = emulator.now()
    return {
        "version": emulator.version,
        "person": {"phone": phone, "name": person.name if person else SAMPLE_NAME},
        "clock": clock(emulator),
        "window_open": bool(person and person.window_open(now)),
        "messages": [shown(emulator, entry) for entry in emulator.conversation(phone)],
    }


def clock(emulator: WhatsAppEmulator) -> dict[str, Any]:
    return {"now": emulator.now(), "offset_hours": round(emulator.clock.offset / 3600, 2), "real": time.time()}


def shown(emulator: WhatsAppEmulator, entry: dict[str, Any]) -> dict[str, Any]:
    """One message as the page draws it."""
    is_bot = entry["from"] == "bot"
    wa: dict[str, Any] = {key: entry[key] for key in ("type", "text", "timestamp", "interactive", "header", "footer",
                                                      "buttons", "list_button", "rows", "location", "template",
                                                      "status") if key in entry}
    if is_bot:
        failed = [status for status in entry.get("statuses", []) if status.get("errors")]
        if failed:
            error = failed[-1]["errors"][0]
            wa["error"] = {"code": error.get("code"), "title": error.get("title") or error.get("message")}
        media = entry.get("media")
        if media:
            wa["media"] = _media(emulator, media.get("id"), media.get("link"), media.get("caption"), media.get("filename"))
    else:
        message = entry.get("message", {})
        wa["read_by_bot"] = bool(entry.get("read_by_bot"))
        content = message.get(entry["type"]) if isinstance(message.get(entry["type"]), dict) else {}
        if entry["type"] in ("image", "video", "audio", "document", "sticker"):
            wa["media"] = _media(emulator, content.get("id"), None, content.get("caption"), content.get("filename"))
            wa["media"]["voice"] = bool(content.get("voice"))
        elif entry["type"] == "location":
            wa["location"] = content
        elif entry["type"] == "interactive":
            wa["reply_id"] = (content.get(content.get("type", "")) or {}).get("id")
        elif entry["type"] == "button":
            wa["reply_id"] = content.get("payload")
        if message.get("context"):
            wa["reply_to"] = message["context"].get("id")
            quoted = emulator.state.find(message["context"].get("id", ""))
            if quoted:
                wa["quoted"] = quoted[1].get("text", "")[:120]
    return {"message_id": entry["wamid"], "from": {"is_bot": is_bot}, "wa": wa}


def _media(emulator: WhatsAppEmulator, media_id: str | None, link: str | None, caption: str | None,
           filename: str | None) -> dict[str, Any]:
    stored = emulator.state.media.get(media_id) if media_id else None
    return {"url": f"/sandbox/whatsapp/api/media/{media_id}" if stored else link, "caption": caption or "",
            "filename": filename or (stored.filename if stored else "") or "",
            "mime_type": stored.mime_type if stored else "", "size": stored.size if stored else None}


def add_routes(app: web.Application, whatsapp: Callable[[], WhatsAppEmulator | None]) -> None:
    """``whatsapp()``: the sandbox's WhatsApp emulator, or None when it does not run (the routes answer 404)."""
    client_ids: list[str] = []

    def emulator() -> WhatsAppEmulator:
        found = whatsapp()
        if found is None:
            raise web.HTTPNotFound(text="the sandbox's WhatsApp emulator is not running (SANDBOX_WHATSAPP=0)")
        return found

    async def person(request: web.Request) -> web.Response:
        found = emulator()
        return web.json_response({"phone": SAMPLE_PHONE, "name": SAMPLE_NAME, "clock": clock(found)})

    async def chat(request: web.Request) -> web.Response:
        found, seen = emulator(), int(request.query.get("version", -1))
        deadline = asyncio.get_running_loop().time() + LONG_POLL_SECONDS
        while found.version == seen and asyncio.get_running_loop().time() < deadline:
            try:
                await found.wait_until(lambda: found.version != seen, POLL_STEP_SECONDS)
            except TimeoutError:
                pass
        return web.json_response(view(found, SAMPLE_PHONE))

    async def once(body: dict, send: Callable[[], Awaitable[dict[str, Any]]]) -> web.Response:
        """As webchat.py: the page resends its outbox after an outage; a client_id seen before is not sent twice."""
        client_id = body.get("client_id")
        if client_id and client_id in client_ids:
            return web.json_response({"duplicate": True})
        if client_id:
            client_ids.append(str(client_id))
            del client_ids[:-KEEP_CLIENT_IDS]
        entry = await send()
        return web.json_response({"wamid": entry["wamid"]})

    async def text(request: web.Request) -> web.Response:
        found, body = emulator(), await request.json()
        return await once(body, lambda: found.person_sends_text(SAMPLE_PHONE, str(body["text"])))

    async def tap(request: web.Request) -> web.Response:
        from bot.sandbox.whatsapp import NoSuchButton

        found, body = emulator(), await request.json()
        try:
            return await once(body, lambda: found.person_taps(SAMPLE_PHONE, str(body["id"])))
        except NoSuchButton as error:
            raise web.HTTPBadRequest(text=str(error)) from None

    async def location(request: web.Request) -> web.Response:
        found, body = emulator(), await request.json()
        try:
            latitude, longitude = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="latitude and longitude must be numbers") from None
        return await once(body, lambda: found.person_shares_location(SAMPLE_PHONE, latitude, longitude))

    async def voice(request: web.Request) -> web.Response:
        found, body = emulator(), await request.json()
        return await once(body, lambda: found.person_sends_voice(SAMPLE_PHONE))

    async def files(request: web.Request) -> web.Response:
        found, form = emulator(), await request.post()
        uploads = [field for field in form.getall("file", []) if hasattr(field, "file")]
        if not uploads:
            raise web.HTTPBadRequest(text="no file")
        caption = str(form.get("caption") or "") or None
        sent = []
        for field in uploads:  # WhatsApp sends each picked file as a message of its own
            mime = field.content_type or "application/octet-stream"
            entry = await found.person_sends_media(SAMPLE_PHONE, media_kind(mime), field.file.read(), mime,
                                                   caption=caption, filename=field.filename)
            sent.append(entry["wamid"])
        return web.json_response({"wamids": sent})

    async def read(request: web.Request) -> web.Response:
        return web.json_response({"read": emulator().person_reads(SAMPLE_PHONE)})

    async def advance(request: web.Request) -> web.Response:
        found, body = emulator(), await request.json()
        try:
            hours = float(body.get("hours", 24))
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="hours must be a number") from None
        if not 0 < hours <= MAX_HOURS:
            raise web.HTTPBadRequest(text=f"hours must be between 0 and {MAX_HOURS}")
        found.advance(hours=hours)
        return web.json_response({"clock": clock(found)})

    async def media(request: web.Request) -> web.Response:
        stored = emulator().state.media.get(request.match_info["media_id"])
        if stored is None:
            raise web.HTTPNotFound(text="no such media")
        mime = stored.mime_type.split(";")[0].strip() or "application/octet-stream"
        disposition = "inline" if mime.startswith(("image/", "audio/", "video/")) else "attachment"
        name = (stored.filename or stored.id).replace('"', "")
        return web.Response(body=stored.data, content_type=mime,
                            headers={"Content-Disposition": f'{disposition}; filename="{name}"'})

    app.router.add_get("/sandbox/whatsapp/api/person", person)
    app.router.add_get("/sandbox/whatsapp/api/chat", chat)
    app.router.add_post("/sandbox/whatsapp/api/text", text)
    app.router.add_post("/sandbox/whatsapp/api/tap", tap)
    app.router.add_post("/sandbox/whatsapp/api/location", location)
    app.router.add_post("/sandbox/whatsapp/api/voice", voice)
    app.router.add_post("/sandbox/whatsapp/api/files", files)
    app.router.add_post("/sandbox/whatsapp/api/read", read)
    app.router.add_post("/sandbox/whatsapp/api/advance", advance)
    app.router.add_get("/sandbox/whatsapp/api/media/{media_id}", media)

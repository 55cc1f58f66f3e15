"""The sandbox's web chat: a page where a person chats with the bot as a citizen (or as a sample staff
persona), and its JSON API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from aiohttp import web
from shapely.geometry import Polygon

from bot.sandbox.media import file_name
from bot.sandbox.persistence import KEEP_CLIENT_IDS

if TYPE_CHECKING:
    from bot.sandbox.emulator import BotApiEmulator

LONG_POLL_SECONDS = 25
# How much the map's outlines are simplified, in degrees: the provinces by about 5 km (the whole country,
# drawn at once), the regencies by about 500 m (drawn when the map is zoomed in to a region).
OUTLINE_TOLERANCE_DEGREES = {"provinces": 0.05, "regencies": 0.005}
PAGE_SCRIPTS = ("i18n.js", "chat.js", "map.js", "whatsapp.js", "controls.js")


def add_routes(app: web.Application, emulator: BotApiEmulator) -> None:
    from bot.sandbox.emulator import STATIC_DIR

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def worker(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "sw.js", headers={"Content-Type": "text/javascript", "Cache-Control": "no-cache"})

    async def script(request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        if name not in PAGE_SCRIPTS:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC_DIR / name, headers={"Content-Type": "text/javascript", "Cache-Control": "no-cache"})

    async def join(request: web.Request) -> web.Response:
        body = await request.json()
        user = emulator.add_user(int(body["user_id"]), str(body.get("first_name") or "Warga")[:64], None, body.get("language_code") or "id")
        return web.json_response({"user": user.as_json(), "bot": emulator.bot_user()})

    async def chat(request: web.Request) -> web.Response:
        user_id, seen = int(request.query["user_id"]), int(request.query.get("version", -1))
        if emulator.version == seen:
            try:
                await emulator.wait_until(lambda: emulator.version != seen, LONG_POLL_SECONDS)
            except TimeoutError:
                pass
        answers = [a for a in emulator.state.callback_answers if a.get("text")]
        return web.json_response(
            {
                "version": emulator.version,
                "messages": emulator.state.chats.get(user_id, []),
                "toast": answers[-1]["text"] if answers else None,
                "toasts": len(answers),
            }
        )

    async def once(body: dict, send: Callable[[int], Awaitable[dict]]) -> web.Response:
        """Send unless this ``client_id`` was sent before: the page resends its outbox after an outage,
        and an answer lost on the way must not make a second message (Telegram's clients do the same)."""
        user_id, client_id = _known(emulator, body), body.get("client_id")
        seen = emulator.state.client_ids
        if client_id and client_id in seen:
            return web.json_response({"duplicate": True})
        if client_id:
            seen.append(str(client_id))
            del seen[:-KEEP_CLIENT_IDS]
        return web.json_response(await send(user_id))

    async def text(request: web.Request) -> web.Response:
        body = await request.json()
        return await once(body, lambda user_id: emulator.user_sends_text(user_id, str(body["text"])))

    async def location(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            latitude, longitude = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="latitude and longitude must be numbers") from None
        return await once(body, lambda user_id: emulator.user_sends_location(user_id, latitude, longitude))

    async def sticker(request: web.Request) -> web.Response:
        body = await request.json()
        emoji = str(body.get("emoji") or "👍")[:8]
        return await once(body, lambda user_id: emulator.user_sends_sticker(user_id, emoji))

    async def voice(request: web.Request) -> web.Response:
        body = await request.json()
        duration = max(1, min(int(body.get("duration") or 3), 600))
        return await once(body, lambda user_id: emulator.user_sends_voice(user_id, duration))

    async def files(request: web.Request) -> web.Response:
        form = await request.post()
        uploads = [field for field in form.getall("file", []) if hasattr(field, "file")]
        if not uploads:
            raise web.HTTPBadRequest(text="no file")
        parts = [(field.file.read(), field.filename, field.content_type) for field in uploads]
        kind = "photo" if all(mime.startswith("image/") for _data, _name, mime in parts) else "document"
        updates = await emulator.user_sends_files(_known(emulator, form), parts, form.get("caption") or None, kind)
        return web.json_response(updates)

    async def tap(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(await emulator.user_taps(_known(emulator, body), int(body["message_id"]), str(body["data"])))

    async def personas(request: web.Request) -> web.Response:
        from bot.sandbox.personas import PERSONAS

        people = [persona.as_json() for persona in PERSONAS]
        if emulator.whatsapp is not None:
            from bot.sandbox.webchat_whatsapp import SAMPLE_NAME, SAMPLE_PHONE

            people.insert(0, {"user_id": f"wa-{SAMPLE_PHONE}", "first_name": SAMPLE_NAME, "role": "whatsapp",
                              "whatsapp": SAMPLE_PHONE})
        return web.json_response(people)

    async def stored_file(request: web.Request) -> web.Response:
        """A photo or document in the chat, for the page to show (a chart) or save (an export)."""
        stored = emulator.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="no such file")
        disposition = "inline" if stored.mime_type.startswith("image/") else "attachment"
        return web.Response(body=stored.data, content_type=stored.mime_type,
                            headers={"Content-Disposition": f'{disposition}; filename="{file_name(stored)}"'})

    async def outline(request: web.Request) -> web.Response:
        level = request.query.get("level", "provinces")
        if level not in OUTLINE_TOLERANCE_DEGREES:
            raise web.HTTPBadRequest(text="level is provinces or regencies")
        response = web.json_response(await asyncio.to_thread(outlines, level))
        response.enable_compression()
        return response

    app.router.add_get("/", page)
    app.router.add_get("/sandbox-sw.js", worker)
    app.router.add_get("/sandbox/static/{name}", script)
    app.router.add_post("/sandbox/api/join", join)
    app.router.add_get("/sandbox/api/chat", chat)
    app.router.add_post("/sandbox/api/text", text)
    app.router.add_post("/sandbox/api/location", location)
    app.router.add_post("/sandbox/api/sticker", sticker)
    app.router.add_post("/sandbox/api/voice", voice)
    app.router.add_post("/sandbox/api/files", files)
    app.router.add_post("/sandbox/api/tap", tap)
    app.router.add_get("/sandbox/api/outline", outline)
    app.router.add_get("/sandbox/api/file/{file_id}", stored_file)
    app.router.add_get("/sandbox/api/personas", personas)
    from bot.sandbox import webchat_whatsapp  # the citizen on WhatsApp, when the sandbox runs its emulator

    webchat_whatsapp.add_routes(app, lambda: emulator.whatsapp)


def _known(emulator: BotApiEmulator, body) -> int:
    user_id = int(body["user_id"])
    if user_id not in emulator.users:
        raise web.HTTPBadRequest(text="join first")
    return user_id


@lru_cache(maxsize=2)
def outlines(level: str) -> dict:
    """Outlines of one level for the location picker's map: the areas' names and label points, and their
    polygons as [area index, [[lng, lat], ...]] rings, simplified for drawing."""
    from routing.boundaries import packaged_index

    index, tolerance = packaged_index(level), OUTLINE_TOLERANCE_DEGREES[level]
    rings = []
    for polygon, area in zip(index.parts, index.part_areas):
        simple = polygon.simplify(tolerance)
        if not simple.is_empty and simple.area > tolerance * tolerance / 2:
            rings.append([area, [[round(x, 3), round(y, 3)] for x, y in simple.exterior.coords]])
    largest: dict[int, Polygon] = {}  # an area's name goes on its largest part
    for polygon, area in zip(index.parts, index.part_areas):
        if area not in largest or polygon.area > largest[area].area:
            largest[area] = polygon
    areas = []
    for number, area in enumerate(index.areas):
        label = largest[number].representative_point() if number in largest else None
        areas.append({"name": area.name, "label": [round(label.x, 3), round(label.y, 3)] if label else None})
    return {"areas": areas, "rings": rings}

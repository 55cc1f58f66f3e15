"""The Graph API side: what the bot calls (bot/channels/whatsapp/api.py), with the Cloud API's checks and errors.

    POST /{version}/{phone_number_id}/messages   a message (validate.py), or mark one read
    POST /{version}/{phone_number_id}/media      multipart upload -> {"id"}
    GET  /{version}/{media_id}                   -> {"url", "mime_type", "sha256", "file_size", "id", ...}
    DELETE /{version}/{media_id}                 -> {"success": true}
    GET  /whatsapp-media/{media_id}?hash=...     the bytes (bearer token needed, as Meta's lookaside URLs)

An accepted message answers ``{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id"}]}``
and then its status webhooks follow: sent and delivered, or failed (131047 outside the 24-hour window for
anything but a template; 131026 to a number not on WhatsApp). A mixin of ``WhatsAppEmulator``.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

from aiohttp import web

from bot.sandbox.wire import drop_connection
from bot.sandbox.whatsapp.errors import MetaError, bad_token, invalid, no_such_object
from bot.sandbox.whatsapp.validate import check_message, recipient

# The largest upload per kind of file (bytes), and the types Meta takes for each.
MB = 1024 * 1024
UPLOAD_LIMITS = {"image": 5 * MB, "video": 16 * MB, "audio": 16 * MB, "document": 100 * MB, "sticker": 500 * 1024}
IMAGE_TYPES = {"image/jpeg", "image/png"}
VIDEO_TYPES = {"video/mp4", "video/3gpp"}
AUDIO_TYPES = {"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}
BILLING_SECONDS = 24 * 3600


def media_kind(mime: str) -> str | None:
    base = mime.split(";")[0].strip().lower()
    if base in IMAGE_TYPES:
        return "image"
    if base == "image/webp":
        return "sticker"
    if base in VIDEO_TYPES:
        return "video"
    if base in AUDIO_TYPES:
        return "audio"
    if base.startswith(("image/", "video/", "audio/")) or not base:
        return None
    return "document"


class GraphSide:
    def graph_routes(self, app: web.Application) -> None:
        app.router.add_post("/{version}/{number}/messages", self._handle_messages)
        app.router.add_post("/{version}/{number}/media", self._handle_upload)
        app.router.add_get("/whatsapp-media/{media_id}", self._handle_download)
        app.router.add_get("/{version}/{media_id}", self._handle_media_info)
        app.router.add_delete("/{version}/{media_id}", self._handle_media_delete)

    async def _guarded(self, method: str, request: web.Request, handler) -> web.StreamResponse:
        """Count the call, check the token, apply an injected fault, answer errors in Meta's shape."""
        self.stats.calls[method] += 1
        try:
            version = request.match_info.get("version")
            if version is not None and not re.fullmatch(r"v\d+\.\d+", version):
                raise MetaError(100, f"Unknown path components: /{version}", title="Unknown path components")
            self._authorize(request)
            fault = self.faults.take(method) if self.faults else None
            error = fault.error() if fault else None
            if fault and (error or fault.drop):
                await asyncio.sleep(fault.delay)
                if fault.drop:
                    return drop_connection(request)
                raise error
            response = await handler(request)
            if fault:
                await asyncio.sleep(fault.delay)
            return response
        except MetaError as error:
            self.stats.refused[error.code] += 1
            return error.response()

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise bad_token(missing=True)
        if header[7:].strip() != self.token:
            raise bad_token(missing=False)

    def _own_number(self, request: web.Request) -> None:
        if request.match_info["number"] != self.phone_number_id:
            raise no_such_object(request.match_info["number"], "post")

    # Messages --------------------------------------------------------------------------------

    async def _handle_messages(self, request: web.Request) -> web.StreamResponse:
        return await self._guarded("messages", request, self._messages)

    async def _messages(self, request: web.Request) -> web.Response:
        self._own_number(request)
        try:
            body = await request.json()
        except ValueError:
            raise invalid("The request body is not valid JSON") from None
        if isinstance(body, dict) and body.get("status") == "read":
            return await self._mark_read(body)
        now = self.clock.now()
        live = {media_id for media_id in self.state.media if self.state.live_media(media_id, now)}
        rendered = check_message(body, live, self.templates)
        phone = recipient(body)
        if phone == self.display_phone_number:
            raise MetaError(131021)
        if self.throttle:
            self.throttle.admit(phone)
        entry = await self.bot_sends(phone, body, rendered)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"input": str(body["to"]), "wa_id": phone}],
                                  "messages": [{"id": entry["wamid"]}]})

    async def _mark_read(self, body: dict[str, Any]) -> web.Response:
        """The bot marks a person's message read (blue ticks on their phone)."""
        found = self.state.find(str(body.get("message_id", "")))
        if found is None or found[1]["from"] != "person":
            raise invalid("Param message_id is not a valid message id of this phone number")
        found[1]["read_by_bot"] = True
        await self._notify()
        return web.json_response({"success": True})

    async def bot_sends(self, phone: str, body: dict[str, Any], rendered: dict[str, Any]) -> dict[str, Any]:
        """Store an accepted message and queue its status webhooks."""
        person = self.state.person(phone)
        now = self.clock.now()
        entry = {"wamid": self.new_wamid(), "from": "bot", "to": phone, "timestamp": int(now), **rendered,
                 "body": body, "status": "accepted", "statuses": []}
        self.state.conversations.setdefault(phone, []).append(entry)
        self.stats.record_sent(phone, entry["wamid"], entry["type"], entry.get("text", ""))
        if not person.reachable:
            self._status(entry, "failed", error=MetaError(131026))
        elif entry["type"] != "template" and not person.window_open(now):
            self._status(entry, "failed", error=MetaError(131047))
        else:
            self._status(entry, "sent")
            if self.auto_deliver:
                self._status(entry, "delivered")
        await self._notify()
        return entry

    def _status(self, entry: dict[str, Any], status: str, error: MetaError | None = None) -> None:
        phone, stamp = entry["to"], self.clock.stamp()
        item: dict[str, Any] = {"id": entry["wamid"], "status": status, "timestamp": str(stamp), "recipient_id": phone}
        if error is not None:
            item["errors"] = [error.status_error()]
            self.stats.failed[error.code] += 1
        elif status in ("sent", "delivered"):
            category = entry["template"]["category"].lower() if entry["type"] == "template" else "service"
            conversation = self._billing(phone, category)
            item["conversation"] = {"id": conversation[0], "origin": {"type": category}}
            if status == "sent":
                item["conversation"]["expiration_timestamp"] = str(int(conversation[1]))
            item["pricing"] = {"billable": category != "service", "pricing_model": "CBP", "category": category}
        entry["status"] = status
        entry["statuses"].append({"status": status, "timestamp": stamp, **({"errors": item["errors"]} if error else {})})
        if self.status_webhooks:  # a moment later: the bot has the answer with the wamid first, as with Meta
            payload = self.envelope({"statuses": [item]})
            self._status_later.append((phone, payload))
            if len(self._status_later) == 1:
                asyncio.get_running_loop().call_later(self.status_delay, self._queue_statuses)

    def _queue_statuses(self) -> None:
        later, self._status_later = self._status_later, []
        for phone, payload in later:
            self.queue_webhook(phone, payload)

    def _billing(self, phone: str, category: str) -> tuple[str, float]:
        """The open conversation (Meta's 24-hour billing unit) of this category with this person, or a new one."""
        key, now = f"{phone}:{category}", self.clock.now()
        current = self.billing.get(key)
        if current is None or current[1] <= now:
            current = self.billing[key] = (secrets.token_hex(16), now + BILLING_SECONDS)
        return current

    def person_reads(self, phone: str) -> int:
        """The person opens the chat: every delivered message of the bot becomes read. How many did."""
        read = 0
        for entry in self.bot_messages(phone):
            if entry["status"] in ("sent", "delivered"):
                if entry["status"] == "sent":
                    self._status(entry, "delivered")
                self._status(entry, "read")
                read += 1
        self._touch()
        return read

    # Media -----------------------------------------------------------------------------------

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        return await self._guarded("media", request, self._upload)

    async def _upload(self, request: web.Request) -> web.Response:
        self._own_number(request)
        if request.content_type != "multipart/form-data":
            raise invalid("The parameter file is required; send multipart/form-data", 131008)
        fields: dict[str, str] = {}
        file: tuple[bytes, str, str] | None = None
        async for part in await request.multipart():
            if part.filename is not None or part.name == "file":
                file = (await part.read(), part.filename or "", part.headers.get("Content-Type", ""))
            else:
                fields[part.name] = await part.text()
        if fields.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required and must be whatsapp.", 131008)
        if file is None:
            raise invalid("The parameter file is required.", 131008)
        data, filename, part_type = file
        mime = fields.get("type") or part_type
        kind = media_kind(mime)
        if kind is None:
            raise MetaError(131053, f"Param file must be a file with one of the supported types, not {mime!r}")
        if len(data) > UPLOAD_LIMITS[kind]:
            raise MetaError(131053, f"The {kind} is larger than {UPLOAD_LIMITS[kind]} bytes")
        stored = self.store_media(data, mime, owner="bot", filename=filename)
        self.stats.uploads += 1
        return web.json_response({"id": stored.id})

    async def _handle_media_info(self, request: web.Request) -> web.StreamResponse:
        return await self._guarded("media_info", request, self._media_info)

    async def _media_info(self, request: web.Request) -> web.Response:
        stored = self.state.live_media(request.match_info["media_id"], self.clock.now())
        if stored is None:
            raise no_such_object(request.match_info["media_id"])
        return web.json_response({"messaging_product": "whatsapp", "url": self.media_url(stored.id),
                                  "mime_type": stored.mime_type, "sha256": stored.sha256, "file_size": stored.size,
                                  "id": stored.id})

    async def _handle_media_delete(self, request: web.Request) -> web.StreamResponse:
        async def delete(request: web.Request) -> web.Response:
            if self.state.media.pop(request.match_info["media_id"], None) is None:
                raise no_such_object(request.match_info["media_id"], "delete")
            self._touch()
            return web.json_response({"success": True})

        return await self._guarded("media_delete", request, delete)

    def media_url(self, media_id: str) -> str:
        return f"{self.base_url}/whatsapp-media/{media_id}?ext=1&hash={self.state.media[media_id].sha256[:16]}"

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        async def download(request: web.Request) -> web.Response:
            stored = self.state.live_media(request.match_info["media_id"], self.clock.now())
            if stored is None or request.query.get("hash") != stored.sha256[:16]:
                return web.Response(status=404, text="Not Found")
            self.stats.downloads += 1
            return web.Response(body=stored.data, content_type=stored.mime_type.split(";")[0],
                                headers={"Content-Disposition": f"attachment; filename={stored.filename or 'file'}"})

        if not request.headers.get("Authorization"):  # as Meta's lookaside: no token, no file
            self.stats.calls["download"] += 1
            return web.Response(status=401, text="Unauthorized")
        return await self._guarded("download", request, download)

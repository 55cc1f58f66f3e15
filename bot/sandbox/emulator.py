"""A local Telegram Bot API emulator on 127.0.0.1: the sandbox's Telegram, and the tests'.

The bot talks to it through python-telegram-bot's ``base_url`` exactly as it talks to Telegram: the
same methods, request encodings (form, JSON, multipart) and response shapes, long-polled
``getUpdates`` or a webhook with the secret-token header, and Telegram's errors where the bot could
trip over them (text over 4096 characters, callback data over 64 bytes, malformed HTML, a user who
blocked the bot). On the other side, citizens act through ``user_*`` methods (tests) or the web chat
page and its ``/sandbox/api`` (people).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span", "blockquote"}
# Form-encoded parameters that carry JSON (python-telegram-bot sends objects this way).
JSON_PARAMETERS = {
    "reply_markup", "media", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "link_preview_options", "reply_parameters", "chat_id", "message_id", "offset", "limit", "timeout",
    "show_alert", "cache_time", "disable_notification", "protect_content", "drop_pending_updates",
    "max_connections", "latitude", "longitude", "width", "height", "duration",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str


@dataclass
class SandboxUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "id"

    def as_json(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}
        if self.username:
            user["username"] = self.username
        return user


@dataclass
class EmulatorState:
    updates: list[dict[str, Any]] = field(default_factory=list)
    confirmed_offset: int = 0
    chats: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    failures: list[tuple[str, ApiError]] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str | None = None


class BotApiEmulator:
    def __init__(self, token: str = "123456:SANDBOX", host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 123456
        self.host, self.port = host, port
        self.state = EmulatorState()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._webhook_tasks: set[asyncio.Task] = set()
        self.users: dict[int, SandboxUser] = {}
        self.version = 0  # grows with every change, for the web chat's long poll
        self.processed_ids: set[int] = set()

    # Server ------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        from bot.sandbox import webchat  # the page for people; tests need only the API

        webchat.add_routes(app, self)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        for task in self._webhook_tasks:
            task.cancel()
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        handler = getattr(self, f"api_{method.lower()}", None)
        if handler is None:
            return _error(ApiError(404, f"Not Found: method {method} is not emulated"))
        try:
            params, uploads = await _read_parameters(request)
            self._maybe_fail(method)
            result = await handler(params, uploads)
        except ApiError as error:
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.file_path == path and request.match_info["token"] == self.token:
                return web.Response(body=stored.data, content_type=stored.mime_type)
        return web.Response(status=404, text="Not Found")

    def _maybe_fail(self, method: str) -> None:
        for index, (failing_method, error) in enumerate(self.state.failures):
            if failing_method == method:
                del self.state.failures[index]
                raise error

    # Bot API methods ---------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": "LAPOR! Sandbox", "username": "lapor_sandbox_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }

    async def api_getme(self, params, uploads) -> dict[str, Any]:
        return self.bot_user()

    async def api_logout(self, params, uploads) -> bool:
        return True

    async def api_close(self, params, uploads) -> bool:
        return True

    async def api_getupdates(self, params, uploads) -> list[dict[str, Any]]:
        if self.state.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset, limit, timeout = int(params.get("offset") or 0), int(params.get("limit") or 100), float(params.get("timeout") or 0)
        if offset:
            self.state.confirmed_offset = max(self.state.confirmed_offset, offset)
            await self._notify()
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                pending = [u for u in self.state.updates if u["update_id"] >= self.state.confirmed_offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending[:limit]
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def api_setwebhook(self, params, uploads) -> bool:
        self.state.webhook_url = params.get("url", "")
        self.state.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self.state.confirmed_offset = next(self._update_ids)
        return True

    async def api_deletewebhook(self, params, uploads) -> bool:
        self.state.webhook_url, self.state.webhook_secret = "", None
        return True

    async def api_getwebhookinfo(self, params, uploads) -> dict[str, Any]:
        pending = len([u for u in self.state.updates if u["update_id"] >= self.state.confirmed_offset])
        return {"url": self.state.webhook_url, "has_custom_certificate": False, "pending_update_count": pending}

    async def api_setmycommands(self, params, uploads) -> bool:
        self.state.commands[params.get("language_code") or ""] = params.get("commands", [])
        return True

    async def api_getmycommands(self, params, uploads) -> list[dict[str, Any]]:
        return self.state.commands.get(params.get("language_code") or "", [])

    async def api_deletemycommands(self, params, uploads) -> bool:
        self.state.commands.pop(params.get("language_code") or "", None)
        return True

    async def api_sendchataction(self, params, uploads) -> bool:
        self._chat_of(params)
        return True

    async def api_sendmessage(self, params, uploads) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        text = _checked_text(params.get("text", ""), MAX_TEXT, params.get("parse_mode"))
        return await self._bot_says(chat_id, {"text": text}, params)

    async def api_sendphoto(self, params, uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "photo")

    async def api_senddocument(self, params, uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "document")

    async def api_sendvideo(self, params, uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "video")

    async def api_sendlocation(self, params, uploads) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        return await self._bot_says(chat_id, {"location": location}, params)

    async def api_sendmediagroup(self, params, uploads) -> list[dict[str, Any]]:
        chat_id = self._chat_of(params)
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media group must include 2-10 items")
        group_id = str(next(self._message_ids) * 1000)
        messages = []
        for item in media:
            content = self._media_content(item["type"], item["media"], uploads)
            if item.get("caption"):
                content["caption"] = _checked_text(item["caption"], MAX_CAPTION, item.get("parse_mode"))
            messages.append(await self._bot_says(chat_id, {**content, "media_group_id": group_id}, {}))
        return messages

    async def api_editmessagetext(self, params, uploads) -> dict[str, Any]:
        message = self._bot_message(params)
        text = _checked_text(params.get("text", ""), MAX_TEXT, params.get("parse_mode"))
        markup = _checked_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        message["text"], message["edit_date"] = text, int(time.time())
        _set_markup(message, markup)
        await self._notify()
        return message

    async def api_editmessagereplymarkup(self, params, uploads) -> dict[str, Any]:
        message = self._bot_message(params)
        _set_markup(message, _checked_markup(params.get("reply_markup")))
        await self._notify()
        return message

    async def api_deletemessage(self, params, uploads) -> bool:
        message = self._bot_message(params)
        message["deleted"] = True
        await self._notify()
        return True

    async def api_answercallbackquery(self, params, uploads) -> bool:
        self.state.callback_answers.append(params)
        await self._notify()
        return True

    async def api_getfile(self, params, uploads) -> dict[str, Any]:
        stored = self.state.files.get(params.get("file_id", ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data), "file_path": stored.file_path}

    # Sending helpers ---------------------------------------------------------------------------

    def _chat_of(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        message_id = int(params.get("message_id") or 0)
        for message in self.state.chats.get(chat_id, []):
            if message["message_id"] == message_id and message["from"]["is_bot"]:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    async def _send_media(self, params, uploads, kind: str) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        # A file_id or an attach:// reference is a parameter; a plain upload is a part named after the kind.
        content = self._media_content(kind, params.get(kind, kind), uploads)
        if params.get("caption"):
            content["caption"] = _checked_text(params["caption"], MAX_CAPTION, params.get("parse_mode"))
        return await self._bot_says(chat_id, content, params)

    def _media_content(self, kind: str, reference: Any, uploads: dict[str, tuple[bytes, str, str]]) -> dict[str, Any]:
        if isinstance(reference, str) and reference.startswith("attach://"):
            reference = reference.removeprefix("attach://")
        if isinstance(reference, str) and reference in uploads:
            data, filename, mime = uploads[reference]
            stored = self.store_file(data, filename, mime)
        elif isinstance(reference, str) and reference in self.state.files:
            stored = self.state.files[reference]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return media_json(kind, stored)

    async def _bot_says(self, chat_id: int, content: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": self.bot_user(),
            "chat": self._private_chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        _set_markup(message, _checked_markup(params.get("reply_markup")))
        self.state.chats.setdefault(chat_id, []).append(message)
        await self._notify()
        return message

    def _private_chat(self, chat_id: int) -> dict[str, Any]:
        user = self.users[chat_id]
        chat = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.username:
            chat["username"] = user.username
        return chat

    async def _notify(self) -> None:
        self.version += 1
        async with self._changed:
            self._changed.notify_all()

    # The citizen's side ------------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, username: str | None = None, language_code: str = "id") -> SandboxUser:
        user = self.users.setdefault(user_id, SandboxUser(user_id, first_name, username, language_code))
        self.state.chats.setdefault(user_id, [])
        return user

    def store_file(self, data: bytes, filename: str, mime_type: str) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        unique = "AQAD" + digest[:16]
        for stored in self.state.files.values():
            if stored.file_unique_id == unique:
                return stored
        file_id = "AgAC" + secrets.token_urlsafe(24)
        stored = StoredFile(file_id, unique, data, f"files/{digest[:12]}_{Path(filename).name}", mime_type)
        self.state.files[file_id] = stored
        return stored

    async def user_sends(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        """A message from a citizen (text, location, photo, ...): queued as an update for the bot."""
        message = {
            "message_id": next(self._message_ids),
            "from": self.users[user_id].as_json(),
            "chat": self._private_chat(user_id),
            "date": int(time.time()),
            **content,
        }
        self.state.chats[user_id].append(message)
        return await self.push_update({"message": message})

    async def user_sends_text(self, user_id: int, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.user_sends(user_id, content)

    async def user_sends_location(self, user_id: int, latitude: float, longitude: float, venue: dict | None = None) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        content: dict[str, Any] = {"location": location}
        if venue:
            content["venue"] = {"location": location, **venue}
        return await self.user_sends(user_id, content)

    async def user_sends_files(
        self, user_id: int, files: list[tuple[bytes, str, str]], caption: str | None = None, kind: str = "photo"
    ) -> list[dict[str, Any]]:
        """One file, or an album when several: each part is its own update sharing a media_group_id."""
        group = str(secrets.randbits(60)) if len(files) > 1 else None
        updates = []
        for index, (data, filename, mime_type) in enumerate(files):
            content = media_json(kind, self.store_file(data, filename, mime_type))
            if group:
                content["media_group_id"] = group
            if caption and index == 0:
                content["caption"] = caption
            updates.append(await self.user_sends(user_id, content))
        return updates

    async def user_taps(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        message = next(m for m in self.state.chats[user_id] if m["message_id"] == message_id)
        query = {
            "id": str(secrets.randbits(63)),
            "from": self.users[user_id].as_json(),
            "message": message,
            "chat_instance": str(user_id),
            "data": data,
        }
        return await self.push_update({"callback_query": query})

    async def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        return await self.redeliver(update)

    async def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; delivering one twice is what Telegram does after a webhook failure."""
        self.state.updates.append(update)
        if self.state.webhook_url:
            task = asyncio.get_running_loop().create_task(self._post_webhook(update))
            self._webhook_tasks.add(task)
            task.add_done_callback(self._webhook_tasks.discard)
        await self._notify()
        return update

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.state.webhook_secret} if self.state.webhook_secret else {}
        async with self._http.post(self.state.webhook_url, json=update, headers=headers) as response:
            if response.status == 200:
                self.state.confirmed_offset = max(self.state.confirmed_offset, update["update_id"] + 1)
                await self._notify()

    # Observing the bot -------------------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.state.chats.get(chat_id, []) if m["from"]["is_bot"] and not m.get("deleted")]

    def handled(self, update: dict[str, Any]) -> bool:
        """Fetched by the bot (confirmed through getUpdates' offset, or answered 200 by its webhook)."""
        return self.state.confirmed_offset > update["update_id"]

    def processed(self, update: dict[str, Any]) -> bool:
        """The bot's handlers are done with it (needs ``completion_handler`` in the application)."""
        return update["update_id"] in self.processed_ids

    def completion_handler(self):
        """A handler for the last group: it runs once every other handler is done with an update."""
        from telegram.ext import TypeHandler

        async def record(update, context) -> None:
            self.processed_ids.add(update.update_id)
            await self._notify()

        return TypeHandler(object, record)

    async def wait_until(self, predicate, timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)


def media_json(kind: str, stored: StoredFile) -> dict[str, Any]:
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data)}
    if kind == "photo":
        width, height = _image_size(stored.data)
        return {"photo": [{**base, "width": width, "height": height}]}
    if kind == "video":
        return {"video": {**base, "width": 0, "height": 0, "duration": 1, "mime_type": stored.mime_type}}
    return {"document": {**base, "file_name": Path(stored.file_path).name.split("_", 1)[-1], "mime_type": stored.mime_type}}


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, as Telegram reports them; 0 when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    index = 2
    while data[:2] == b"\xff\xd8" and index + 9 < len(data):
        marker, length = data[index + 1], int.from_bytes(data[index + 2 : index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[index + 7 : index + 9], "big"), int.from_bytes(data[index + 5 : index + 7], "big")
        index += 2 + length
    return 0, 0


async def _read_parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[bytes, str, str]]]:
    """Parameters as Telegram accepts them: query string, JSON body, form, or multipart with files."""
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, tuple[bytes, str, str]] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, uploads
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename:
                uploads[part.name] = (await part.read(), part.filename, part.headers.get("Content-Type", "application/octet-stream"))
            else:
                params[part.name] = _decode(part.name, await part.text())
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            params[name] = _decode(name, value)
    return params, uploads


def _decode(name: str, value: str) -> Any:
    if name in JSON_PARAMETERS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    """Inline keyboards stay on the message; reply keyboards belong to the chat (kept for the page)."""
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
        if markup:
            message["chat_keyboard"] = markup


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in markup.get("inline_keyboard", []):
        for key in row:
            data = key.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _checked_text(text: str, limit: int, parse_mode: str | None) -> str:
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if parse_mode and parse_mode.upper() == "HTML":
        visible = _HtmlChecker.visible_text(text)
    else:
        visible = text
    if len(visible) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    return text


class _HtmlChecker(HTMLParser):
    """Rejects what Telegram rejects: unknown tags and unbalanced ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []

    @classmethod
    def visible_text(cls, markup: str) -> str:
        checker = cls()
        checker.feed(markup)
        checker.close()
        if checker.open:
            raise ApiError(400, f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{checker.open[-1]}\"")
        return "".join(checker.text)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected end tag \"{tag}\"")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise ApiError(400, "Bad Request: can't parse entities: unescaped < or > in text")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append("&")  # one visible character

    def handle_charref(self, name: str) -> None:
        self.text.append("&")

"""The Bot API methods the emulator answers, one ``api_<method>`` each (names lower-cased, as dispatched).

A mixin of ``BotApiEmulator``: it works on ``self.state`` and tells waiters with ``self._notify()``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from bot.sandbox.htmlcheck import checked_caption, checked_markup, checked_text, set_markup
from bot.sandbox.media import MAX_DOWNLOAD, check_upload, media_json
from bot.sandbox.model import WEBHOOK_CONNECTIONS, ApiError, EmulatorState
from bot.sandbox.stats import Stats
from bot.sandbox.wire import Uploads

Params = dict[str, Any]
MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "sticker", "animation")


class BotApiMethods:
    # Provided by BotApiEmulator, with _notify(), _touch(), _chat_json(), store_file().
    state: EmulatorState
    webhook_connections: asyncio.Semaphore  # a webhook request holds one while it is open
    stats: Stats
    bot_id: int
    _changed: asyncio.Condition

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": "LAPOR! Sandbox", "username": "lapor_sandbox_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }

    async def api_getme(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return self.bot_user()

    async def api_logout(self, params: Params, uploads: Uploads) -> bool:
        return True

    async def api_close(self, params: Params, uploads: Uploads) -> bool:
        return True

    async def api_getupdates(self, params: Params, uploads: Uploads) -> list[dict[str, Any]]:
        if self.state.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset, limit, timeout = int(params.get("offset") or 0), int(params.get("limit") or 100), float(params.get("timeout") or 0)
        if offset:
            self._confirm(offset)
            await self._notify()
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                pending, remaining = self.state.pending_updates(), deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending[:limit]
                try:  # not asyncio.wait_for, which on Python 3.11 may drop a cancellation
                    async with asyncio.timeout(remaining):
                        await self._changed.wait()
                except TimeoutError:
                    pass

    async def api_setwebhook(self, params: Params, uploads: Uploads) -> bool:
        connections = int(params.get("max_connections") or WEBHOOK_CONNECTIONS)
        if not 1 <= connections <= 100:
            raise ApiError(400, "Bad Request: invalid webhook max_connections specified")
        self.state.webhook_url = params.get("url", "")
        self.state.webhook_secret, self.state.webhook_connections = params.get("secret_token"), connections
        self.webhook_connections = asyncio.Semaphore(connections)
        if params.get("drop_pending_updates"):
            self._confirm(self.state.last_update_id + 1)
        self.post_pending_to_webhook()
        await self._notify()
        return True

    async def api_deletewebhook(self, params: Params, uploads: Uploads) -> bool:
        self.state.webhook_url, self.state.webhook_secret = "", None
        if params.get("drop_pending_updates"):
            self._confirm(self.state.last_update_id + 1)
        await self._notify()
        return True

    async def api_getwebhookinfo(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        info = {"url": self.state.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self.state.pending_updates())}
        return {**info, "max_connections": self.state.webhook_connections} if self.state.webhook_url else info

    async def api_setmycommands(self, params: Params, uploads: Uploads) -> bool:
        self.state.commands[params.get("language_code") or ""] = params.get("commands", [])
        await self._notify()
        return True

    async def api_getmycommands(self, params: Params, uploads: Uploads) -> list[dict[str, Any]]:
        return self.state.commands.get(params.get("language_code") or "", [])

    async def api_deletemycommands(self, params: Params, uploads: Uploads) -> bool:
        self.state.commands.pop(params.get("language_code") or "", None)
        await self._notify()
        return True

    async def api_getchat(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return self._chat_json(self._chat_of(params))

    async def api_sendchataction(self, params: Params, uploads: Uploads) -> bool:
        self._chat_of(params)
        return True

    async def api_sendmessage(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        text = checked_text(params.get("text"), params.get("parse_mode"))
        return await self._bot_says(chat_id, {"text": text}, params)

    async def api_sendphoto(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "photo")

    async def api_senddocument(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "document")

    async def api_sendvideo(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "video")

    async def api_sendaudio(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "audio")

    async def api_sendvoice(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "voice")

    async def api_sendsticker(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "sticker")

    async def api_sendanimation(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        return await self._send_media(params, uploads, "animation")

    async def api_sendlocation(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        return await self._bot_says(chat_id, {"location": location}, params)

    async def api_sendmediagroup(self, params: Params, uploads: Uploads) -> list[dict[str, Any]]:
        chat_id = self._chat_of(params)
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media group must include 2-10 items")
        # Check every item before sending any: Telegram sends a whole album or nothing.
        contents = [self._media_item(item, uploads) for item in media]
        group_id = str(secrets.randbits(60))
        return [await self._bot_says(chat_id, {**content, "media_group_id": group_id}, {}) for content in contents]

    async def api_copymessage(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat_id, original = self._chat_of(params), self._source_message(params)
        content = {key: original[key] for key in ("text", "caption", "location", "venue", *MEDIA_KINDS) if key in original}
        if "caption" in params:
            content["caption"] = checked_caption(params["caption"], params.get("parse_mode"))
        message = await self._bot_says(chat_id, content, params)
        return {"message_id": message["message_id"]}

    async def api_forwardmessage(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        chat_id, original = self._chat_of(params), self._source_message(params)
        content = {key: value for key, value in original.items() if key not in ("message_id", "from", "chat", "date", "reply_markup")}
        origin = {"type": "user", "sender_user": original["from"], "date": original["date"]}
        return await self._bot_says(chat_id, {**content, "forward_origin": origin}, {})

    async def api_editmessagetext(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        message = self._bot_message(params)
        text = checked_text(params.get("text"), params.get("parse_mode"))
        markup = checked_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        message["text"], message["edit_date"] = text, int(time.time())
        set_markup(message, markup)
        await self._notify()
        return message

    async def api_editmessagecaption(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        message = self._bot_message(params)
        if not any(kind in message for kind in MEDIA_KINDS):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = checked_caption(params.get("caption"), params.get("parse_mode"))
        message.pop("caption", None)
        message.update({"caption": caption} if caption else {})
        message["edit_date"] = int(time.time())
        set_markup(message, checked_markup(params.get("reply_markup")))
        await self._notify()
        return message

    async def api_editmessagereplymarkup(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        message = self._bot_message(params)
        set_markup(message, checked_markup(params.get("reply_markup")))
        await self._notify()
        return message

    async def api_deletemessage(self, params: Params, uploads: Uploads) -> bool:
        chat_id = self._chat_of(params)
        message = self._find_message(chat_id, params.get("message_id"))
        if message is None or message.get("deleted"):
            raise ApiError(400, "Bad Request: message to delete not found")
        if not message["from"]["is_bot"] and chat_id < 0:
            raise ApiError(400, "Bad Request: message can't be deleted")  # the bot is no admin in groups
        message["deleted"] = True
        await self._notify()
        return True

    async def api_answercallbackquery(self, params: Params, uploads: Uploads) -> bool:
        self.state.callback_answers.append(params)
        await self._notify()
        return True

    async def api_getfile(self, params: Params, uploads: Uploads) -> dict[str, Any]:
        stored = self.state.files.get(params.get("file_id", ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data), "file_path": stored.file_path}

    # Helpers ----------------------------------------------------------------------------------

    def _chat_of(self, params: Params, key: str = "chat_id") -> int:
        try:
            chat_id = int(params.get(key))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if not self.state.chat_exists(chat_id):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _find_message(self, chat_id: int, message_id: Any) -> dict[str, Any] | None:
        try:
            wanted = int(message_id)
        except (TypeError, ValueError):
            return None
        return next((m for m in self.state.chats.get(chat_id, []) if m["message_id"] == wanted), None)

    def _bot_message(self, params: Params) -> dict[str, Any]:
        """The message an edit is for: it must exist and be the bot's."""
        message = self._find_message(self._chat_of(params), params.get("message_id"))
        if message is None or message.get("deleted"):
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message["from"]["is_bot"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _source_message(self, params: Params) -> dict[str, Any]:
        message = self._find_message(self._chat_of(params, "from_chat_id"), params.get("message_id"))
        if message is None or message.get("deleted"):
            raise ApiError(400, "Bad Request: message to copy not found")
        return message

    def _media_item(self, item: dict[str, Any], uploads: Uploads) -> dict[str, Any]:
        content = self._media_content(item.get("type", ""), item.get("media"), uploads)
        caption = checked_caption(item.get("caption"), item.get("parse_mode"))
        return {**content, "caption": caption} if caption else content

    async def _send_media(self, params: Params, uploads: Uploads, kind: str) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        # A file_id or an attach:// reference is a parameter; a plain upload is a part named after the kind.
        content = self._media_content(kind, params.get(kind, kind), uploads, emoji=params.get("emoji"), duration=params.get("duration") or 1)
        caption = checked_caption(params.get("caption"), params.get("parse_mode"))
        return await self._bot_says(chat_id, {**content, "caption": caption} if caption else content, params)

    def _media_content(self, kind: str, reference: Any, uploads: Uploads, **extra: Any) -> dict[str, Any]:
        if kind not in MEDIA_KINDS:
            raise ApiError(400, f"Bad Request: unsupported media type \"{kind}\"")
        if isinstance(reference, str) and reference.startswith("attach://"):
            reference = reference.removeprefix("attach://")
        if isinstance(reference, str) and reference in uploads:
            data, filename, mime = uploads[reference]
            check_upload(kind, data)
            stored = self.store_file(data, filename, mime)
        elif isinstance(reference, str) and reference in self.state.files:
            stored = self.state.files[reference]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return media_json(kind, stored, **extra)

    async def _bot_says(self, chat_id: int, content: dict[str, Any], params: Params) -> dict[str, Any]:
        message = {"message_id": self.state.next_message_id(), "from": self.bot_user(), "chat": self._chat_json(chat_id), "date": int(time.time()), **content}
        set_markup(message, checked_markup(params.get("reply_markup")))
        self.state.chats.setdefault(chat_id, []).append(message)
        self.stats.record_sent(chat_id, message["message_id"], message.get("text") or message.get("caption") or "")
        await self._notify()
        return message


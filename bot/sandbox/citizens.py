"""The citizens' side of the emulator: people join, write, share, tap, block; each act becomes an update.

A mixin of ``BotApiEmulator`` (tests call these methods, the web chat page calls them through its API).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from pathlib import Path
from typing import Any

from bot.sandbox.media import media_json, sticker_bytes, unique_id, voice_bytes
from bot.sandbox.model import EmulatorState, SandboxGroup, SandboxUser, StoredFile


class CitizenSide:
    # Provided by BotApiEmulator, with _notify(), _touch(), _chat_json(), bot_user(), redeliver().
    state: EmulatorState

    def add_user(self, user_id: int, first_name: str, username: str | None = None, language_code: str = "id") -> SandboxUser:
        user = self.state.users.setdefault(user_id, SandboxUser(user_id, first_name, username, language_code))
        self.state.chats.setdefault(user_id, [])
        self._touch()
        return user

    def add_group(self, chat_id: int, title: str, member_ids: list[int]) -> SandboxGroup:
        """A group with the bot and these (already added) users in it; group ids are negative, as in Telegram."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        unknown = [user_id for user_id in member_ids if user_id not in self.state.users]
        if unknown:
            raise ValueError(f"add these users first: {unknown}")
        group = self.state.groups.setdefault(chat_id, SandboxGroup(chat_id, title, list(member_ids)))
        self.state.chats.setdefault(chat_id, [])
        self._touch()
        return group

    def store_file(self, data: bytes, filename: str, mime_type: str) -> StoredFile:
        """Keep a file's bytes once: the same bytes always have the same file_unique_id, as in Telegram."""
        unique = unique_id(data)
        for stored in self.state.files.values():
            if stored.file_unique_id == unique:
                return stored
        digest = hashlib.sha256(data).hexdigest()
        name = re.sub(r"[^\w.-]", "_", Path(filename).name)[-80:] or "file"
        stored = StoredFile("AgAC" + secrets.token_urlsafe(24), unique, data, f"files/{digest[:12]}_{name}", mime_type,
                            Path(filename).name)
        self.state.files[stored.file_id] = stored
        self._touch()
        return stored

    async def user_sends(self, user_id: int, content: dict[str, Any], chat_id: int | None = None) -> dict[str, Any]:
        """A message from a citizen (text, location, photo, ...), in their private chat with the bot or in
        a group they are in: queued as an update for the bot."""
        chat_id = user_id if chat_id is None else chat_id
        if chat_id != user_id and user_id not in self.state.groups[chat_id].member_ids:
            raise ValueError(f"user {user_id} is not a member of group {chat_id}")
        message = {
            "message_id": self.state.next_message_id(),
            "from": self.state.users[user_id].as_json(),
            "chat": self._chat_json(chat_id),
            "date": int(time.time()),
            **content,
        }
        self.state.chats[chat_id].append(message)
        return await self.push_update({"message": message})

    async def user_sends_text(self, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.user_sends(user_id, content, chat_id)

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

    async def user_sends_sticker(self, user_id: int, emoji: str = "👍", chat_id: int | None = None) -> dict[str, Any]:
        stored = self.store_file(sticker_bytes(emoji), "sticker.webp", "image/webp")
        return await self.user_sends(user_id, media_json("sticker", stored, emoji=emoji), chat_id)

    async def user_sends_voice(self, user_id: int, duration: int = 3, chat_id: int | None = None) -> dict[str, Any]:
        stored = self.store_file(voice_bytes(duration), "voice.ogg", "audio/ogg")
        return await self.user_sends(user_id, media_json("voice", stored, duration=duration), chat_id)

    async def user_taps(self, user_id: int, message_id: int, data: str, chat_id: int | None = None) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message = next(m for m in self.state.chats[chat_id] if m["message_id"] == message_id)
        query = {
            "id": str(secrets.randbits(63)),
            "from": self.state.users[user_id].as_json(),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return await self.push_update({"callback_query": query})

    async def user_blocks(self, user_id: int) -> dict[str, Any]:
        """The citizen blocks the bot: sends to them fail with 403, and the bot hears of it as Telegram tells it."""
        self.state.blocked.add(user_id)
        return await self._bot_membership_changes(user_id, "member", "kicked")

    async def user_unblocks(self, user_id: int) -> dict[str, Any]:
        self.state.blocked.discard(user_id)
        return await self._bot_membership_changes(user_id, "kicked", "member")

    async def _bot_membership_changes(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            return {"user": self.bot_user(), "status": status, **({"until_date": 0} if status == "kicked" else {})}

        change = {
            "chat": self._chat_json(user_id),
            "from": self.state.users[user_id].as_json(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return await self.push_update({"my_chat_member": change})

    async def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.redeliver({"update_id": self.state.next_update_id(), **payload})

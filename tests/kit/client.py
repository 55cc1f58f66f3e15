"""A scripted citizen: drives the bot through the emulator the way a person in Telegram would.

Used by the tests and the benchmarks; every step waits until the bot has handled it (the
bot's ``Services.handled`` needs the emulator's ``bot_is_done``) instead of sleeping.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.sandbox.emulator import BotApiEmulator

QUIET_SECONDS = 0.3


class NoSuchButton(AssertionError):
    pass


class Citizen:
    def __init__(self, emulator: BotApiEmulator, user_id: int, first_name: str = "Siti", username: str | None = None) -> None:
        self.emulator = emulator
        self.user_id = user_id
        emulator.add_user(user_id, first_name, username)

    # Acting ----------------------------------------------------------------------------------

    async def send(self, text: str) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_sends_text(self.user_id, text))

    async def share_location(self, latitude: float, longitude: float, venue: dict | None = None) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_sends_location(self.user_id, latitude, longitude, venue))

    async def send_files(self, files: list[tuple[bytes, str, str]], caption: str | None = None, kind: str = "photo", settle: float = 0.0) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_sends_files(self.user_id, files, caption, kind), settle)

    async def send_sticker(self, emoji: str = "👍") -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_sends_sticker(self.user_id, emoji))

    async def send_voice(self, duration: int = 3) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_sends_voice(self.user_id, duration))

    async def block(self) -> list[dict[str, Any]]:
        """Block the bot: Telegram tells the bot (my_chat_member) and refuses its messages with 403."""
        return await self._act(self.emulator.user_blocks(self.user_id))

    async def unblock(self) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_unblocks(self.user_id))

    async def send_raw(self, content: dict[str, Any]) -> list[dict[str, Any]]:
        """Any message content (sticker, voice, contact ...), as Telegram would deliver it."""
        return await self._act(self.emulator.user_sends(self.user_id, content))

    async def tap(self, label: str) -> list[dict[str, Any]]:
        """Tap the inline button whose text contains ``label``, on the newest message that has one."""
        message, data = self.find_button(label)
        return await self._act(self.emulator.user_taps(self.user_id, message["message_id"], data))

    async def tap_data(self, message_id: int, data: str) -> list[dict[str, Any]]:
        return await self._act(self.emulator.user_taps(self.user_id, message_id, data))

    async def redeliver(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._act(self.emulator.redeliver(update))

    async def _act(self, action, settle: float = 0.0) -> list[dict[str, Any]]:
        """Do something and return what the bot said in answer."""
        before = len(self.emulator.bot_messages(self.user_id))
        result = await action
        updates = result if isinstance(result, list) else [result]
        await self.emulator.wait_until(lambda: all(self.emulator.processed(update) for update in updates))
        if settle:
            await self.quiet(settle)
        self.last_updates = updates
        return self.emulator.bot_messages(self.user_id)[before:]

    async def quiet(self, extra: float = 0.0) -> None:
        """Wait until the bot has stopped talking for a moment."""
        await asyncio.sleep(extra)
        while True:
            version = self.emulator.version
            await asyncio.sleep(QUIET_SECONDS)
            if self.emulator.version == version:
                return

    # Reading ---------------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.emulator.bot_messages(self.user_id)

    @property
    def last_text(self) -> str:
        return self.messages[-1].get("text", "") if self.messages else ""

    def find_button(self, label: str) -> tuple[dict[str, Any], str]:
        for message in reversed(self.messages):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for key in row:
                    if label in key["text"]:
                        return message, key["callback_data"]
        raise NoSuchButton(f"no button {label!r} in {[m.get('text', '')[:60] for m in self.messages[-3:]]}")

    def buttons(self) -> list[str]:
        for message in reversed(self.messages):
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard")
            if keyboard:
                return [key["text"] for row in keyboard for key in row]
        return []

    def callback_answers(self) -> list[str]:
        return [answer.get("text") for answer in self.emulator.state.callback_answers if answer.get("text")]

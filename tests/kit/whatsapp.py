"""A scripted person on WhatsApp: drives the bot through the WhatsApp emulator as tests/kit/client.Citizen does
through the Telegram one, and returns what the bot said in answer.

How it knows the bot's turn is over: when the bot reports its turns to the emulator (``emulator.listen_to(
services.handled)``: the inbox id of each webhook is computable, ``update_id_for``), it waits until the bot has handled the person's
message, exactly as Citizen does. Otherwise (a bot it cannot hear from) it waits until the webhook was answered,
then until the bot's sends to this person settle: at least one new message, then ``quiet`` seconds without
another (or ``timeout`` without any: the bot said nothing).
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.sandbox.whatsapp import NoSuchButton, WhatsAppEmulator

QUIET_SECONDS = 0.4
TIMEOUT = 10.0

__all__ = ["NoSuchButton", "WhatsAppPerson"]


class WhatsAppPerson:
    def __init__(self, emulator: WhatsAppEmulator, phone: str, name: str = "Siti", *, quiet: float = QUIET_SECONDS,
                 timeout: float = TIMEOUT) -> None:
        self.emulator, self.phone, self.name = emulator, phone, name
        self.quiet, self.timeout = quiet, timeout
        emulator.add_person(phone, name)
        self.last_entries: list[dict[str, Any]] = []

    # Acting ----------------------------------------------------------------------------------

    async def send(self, text: str) -> list[dict[str, Any]]:
        return await self._act(self.emulator.person_sends_text(self.phone, text, self.name))

    async def tap(self, label: str) -> list[dict[str, Any]]:
        """Tap the button, list row or quick reply whose title (or id) is ``label`` (else contains it)."""
        return await self._act(self.emulator.person_taps(self.phone, label))

    async def share_location(self, latitude: float, longitude: float, name: str | None = None,
                             address: str | None = None) -> list[dict[str, Any]]:
        return await self._act(self.emulator.person_shares_location(self.phone, latitude, longitude, name, address))

    async def send_file(self, content: bytes, mime: str, kind: str = "image", caption: str | None = None,
                        filename: str | None = None) -> list[dict[str, Any]]:
        return await self._act(self.emulator.person_sends_media(self.phone, kind, content, mime, caption, filename))

    async def send_files(self, files: list[tuple[bytes, str]], kind: str = "image", caption: str | None = None) -> list[dict[str, Any]]:
        """Several files in a row, as WhatsApp sends an album (one message each, the caption on the first)."""
        actions = [self.emulator.person_sends_media(self.phone, kind, content, mime, caption if index == 0 else None)
                   for index, (content, mime) in enumerate(files)]
        return await self._act(*actions)

    async def send_voice(self) -> list[dict[str, Any]]:
        return await self._act(self.emulator.person_sends_voice(self.phone))

    async def react(self, emoji: str, wamid: str | None = None) -> list[dict[str, Any]]:
        return await self._act(self.emulator.person_reacts(self.phone, emoji, wamid), expect_answer=False)

    def read(self) -> int:
        """Open the chat: the bot's delivered messages become read (status webhooks)."""
        return self.emulator.person_reads(self.phone)

    async def _act(self, *actions, expect_answer: bool = True) -> list[dict[str, Any]]:
        before = len(self.messages)
        self.last_entries = [await action for action in actions]
        if self.emulator.bot_reports_done:
            await self.emulator.wait_until(lambda: all(self.emulator.processed(entry) for entry in self.last_entries),
                                           self.timeout)
        else:
            await self._settle(before, expect_answer)
        return self.messages[before:]

    async def _settle(self, before: int, expect_answer: bool) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        answered = lambda: not self.emulator.pending_webhooks(self.phone)  # noqa: E731
        while not answered() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if expect_answer:
            while len(self.messages) == before and loop.time() < deadline:
                await asyncio.sleep(0.02)
        count, still_since = len(self.messages), loop.time()
        while loop.time() - still_since < (self.quiet if expect_answer or count > before else 0.1):
            await asyncio.sleep(0.02)
            if len(self.messages) != count:
                count, still_since = len(self.messages), loop.time()

    async def quiet_period(self, seconds: float | None = None) -> None:
        """Wait until the bot has sent nothing to this person for ``seconds``."""
        loop = asyncio.get_running_loop()
        count, still_since = len(self.messages), loop.time()
        while loop.time() - still_since < (seconds or self.quiet):
            await asyncio.sleep(0.02)
            if len(self.messages) != count:
                count, still_since = len(self.messages), loop.time()

    # Reading ---------------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages to this person, rendered (type, text, buttons/rows, status ...)."""
        return self.emulator.bot_messages(self.phone)

    @property
    def last_text(self) -> str:
        return self.messages[-1].get("text", "") if self.messages else ""

    def buttons(self) -> list[str]:
        """Titles of the newest bot message's buttons, list rows or quick replies."""
        for message in reversed(self.messages):
            choices = self.emulator.choices_of(message)
            if choices:
                return [choice["title"] for choice in choices]
        return []

    def statuses(self) -> list[str]:
        return [message["status"] for message in self.messages]

"""The whole story (tests/story.py) runs the same way on two channels: in memory, with no Telegram at all, and
through the Telegram emulator with the real python-telegram-bot Application; on SQLite and PostgreSQL each.
And the memory channel's run imports no module of python-telegram-bot."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.kit.client import Citizen
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.personas import Persona, seat
from tests.conftest import RunningBot
from tests.flows import png
from tests.memory_channel import MemoryBot, MemoryStage
from tests.story import Seen, the_whole_story
from tests.story_whatsapp import PDF, WhatsAppCitizen, digest
from tests.whatsapp_bot import WhatsAppBot, both_channels

ROOT = Path(__file__).resolve().parent.parent


def seen_on_telegram(emulator: BotApiEmulator, message: dict[str, Any]) -> Seen:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = tuple(key["text"] for row in keyboard for key in row)
    text = message.get("text") or message.get("caption") or ""
    for kind in ("photo", "video", "document"):
        if kind in message:
            media = message[kind][-1] if kind == "photo" else message[kind]
            return Seen(kind, text, buttons, digest(emulator.state.files[media["file_id"]].data))
    return Seen("location" if "location" in message else "text", text, buttons)


class EmulatedPerson:
    """A person of the story as a Telegram user of the emulator (tests.kit.client); a file is named by its content's
    digest, as on WhatsApp (tests/story_whatsapp.py), so that both channels can be compared."""

    def __init__(self, citizen: Citizen) -> None:
        self.citizen, self.user_id = citizen, citizen.user_id
        self._seeds = iter(range(500, 10_000))

    async def send(self, text: str) -> list[Seen]:
        return [seen_on_telegram(self.citizen.emulator, message) for message in await self.citizen.send(text)]

    async def tap(self, label: str) -> list[Seen]:
        return [seen_on_telegram(self.citizen.emulator, message) for message in await self.citizen.tap(label)]

    async def share_location(self, latitude: float, longitude: float) -> list[Seen]:
        return [seen_on_telegram(self.citizen.emulator, message) for message in await self.citizen.share_location(latitude, longitude)]

    async def send_file(self, kind: str, name: str, caption: str | None = None) -> str:
        data, mime = (png(next(self._seeds)), "image/png") if kind == "photo" else (PDF, "application/pdf")
        await self.citizen.send_files([(data, name, mime)], caption, kind)
        return digest(data)

    @property
    def seen(self) -> list[Seen]:
        return [seen_on_telegram(self.citizen.emulator, message) for message in self.citizen.messages]

    @property
    def last_text(self) -> str:
        return self.seen[-1].text if self.citizen.messages else ""

    def buttons(self) -> list[str]:
        return self.citizen.buttons()


@dataclass
class EmulatorStage:
    bot: RunningBot

    @property
    def engine(self):
        return self.bot.engine

    @property
    def router(self):
        return self.bot.router

    def citizen(self, first_name: str) -> EmulatedPerson:
        return EmulatedPerson(self.bot.citizen(first_name))

    def persona(self, persona: Persona) -> EmulatedPerson:
        seat(self.bot.emulator)  # as the sandbox does: each persona has started the bot, so it hears what it is told
        return EmulatedPerson(Citizen(self.bot.emulator, persona.user_id, persona.first_name))


@dataclass
class BothChannelsStage(EmulatorStage):
    """Citizens on WhatsApp; staff, admins and subscribers (the sandbox's personas) on Telegram."""

    bot: WhatsAppBot

    def citizen(self, first_name: str) -> WhatsAppCitizen:
        return WhatsAppCitizen(self.bot.whatsapp_citizen(first_name))


@pytest.fixture(params=["memory", "telegram", "whatsapp"])
async def stage(request, migrated_url, tmp_path):
    if request.param == "memory":
        bot = MemoryBot(migrated_url, tmp_path / "media")
        await bot.start()
        yield MemoryStage(bot)
        await bot.stop()
        return
    emulator = BotApiEmulator()
    await emulator.start()
    if request.param == "whatsapp":
        async with both_channels(emulator, migrated_url, tmp_path) as running:
            yield BothChannelsStage(running)
    else:
        running = RunningBot(emulator, migrated_url, tmp_path)
        await running.start()
        yield EmulatorStage(running)
        await running.stop()
    await emulator.stop()


async def test_the_whole_story(stage, request):
    started = time.monotonic()
    await the_whole_story(stage)
    print(f"\nstory {request.node.callspec.id}: {time.monotonic() - started:.2f} s")


MEMORY_ONLY = """
import asyncio, sys, tempfile
from pathlib import Path
from tests.memory_channel import MemoryBot, MemoryStage
from tests.story import the_whole_story

async def main(folder):
    bot = MemoryBot(f"sqlite+aiosqlite:///{folder}/lapor.db", Path(folder) / "media")
    await bot.start()
    try:
        await the_whole_story(MemoryStage(bot))
    finally:
        await bot.stop()

with tempfile.TemporaryDirectory() as folder:
    asyncio.run(main(folder))
loaded = sorted(name for name in sys.modules if name == "telegram" or name.startswith("telegram."))
print("telegram modules:", loaded)
sys.exit(1 if loaded else 0)
"""


def test_the_story_in_memory_imports_nothing_of_telegram():
    """In a fresh interpreter (this one has python-telegram-bot loaded for the emulator's tests)."""
    run = subprocess.run([sys.executable, "-c", MEMORY_ONLY], cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "telegram modules: []" in run.stdout

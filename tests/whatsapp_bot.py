"""The real bot with both channels, as the sandbox runs it: Telegram long-polling the Bot API emulator (where staff
work), WhatsApp receiving the WhatsApp emulator's signed webhooks on a port of its own (where citizens write)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from unittest import mock

from bot.app import ProcessRole, web_routes
from bot.channels.whatsapp import setup as whatsapp_setup
from bot.inbox.receivers import Polling
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.whatsapp import WhatsAppEmulator
from tests.conftest import RunningBot
from tests.kit.whatsapp import WhatsAppPerson
from tests.harness import free_port

_phones = itertools.count(6281300000001)
# Scripted people answer at once: a chat's messages go as fast as WhatsApp's pair rate lets them through (45 in
# 6 s: a burst of 10, then 5 a second), not at the one a second a person is paced at in service.
SCRIPTED_CHAT_PACE = {"chat_per_second": 5.0, "chat_burst": 10}


@contextmanager
def _scripted_pace() -> Iterator[None]:
    """The WhatsApp pacing made meanwhile paces chats at ``SCRIPTED_CHAT_PACE``, unless the test set its own."""
    made = whatsapp_setup.Pacing
    keywords = {**SCRIPTED_CHAT_PACE, **getattr(made, "keywords", {})}
    with mock.patch.object(whatsapp_setup, "Pacing", functools.partial(getattr(made, "func", made), **keywords)):
        yield


class WhatsAppBot(RunningBot):
    def __init__(self, emulator: BotApiEmulator, whatsapp: WhatsAppEmulator, port: int, database_url: str,
                 tmp_path, router=None) -> None:
        super().__init__(emulator, database_url, tmp_path, router)
        self.whatsapp, self.port = whatsapp, port
        self.settings = replace(self.settings, whatsapp=whatsapp.bot_settings())

    async def start(self, receiver=None, role: ProcessRole = ProcessRole.ALL) -> None:
        with _scripted_pace():
            await super().start(receiver, role)
        self.whatsapp.listen_to(self.services.handled)

    def receiver(self) -> Polling:
        """Polling for Telegram; the WhatsApp webhook (and the Open311 API) on the operations port, as ``serve`` does in
        the sandbox."""
        return Polling(timeout=1, operations_port=self.port, listen="127.0.0.1", routes=web_routes(self.application))

    def whatsapp_citizen(self, name: str = "Siti", phone: str | None = None) -> WhatsAppPerson:
        return WhatsAppPerson(self.whatsapp, phone or str(next(_phones)), name)


@asynccontextmanager
async def both_channels(emulator: BotApiEmulator, database_url: str, tmp_path, **whatsapp_options
                        ) -> AsyncIterator[WhatsAppBot]:
    """A WhatsApp emulator whose webhooks reach the bot, and the bot; both stopped afterwards."""
    port = free_port()
    whatsapp = WhatsAppEmulator(webhook_url=f"http://127.0.0.1:{port}/whatsapp",
                                **{"webhook_retry": 0.05, **whatsapp_options})
    await whatsapp.start()
    running = WhatsAppBot(emulator, whatsapp, port, database_url, tmp_path)
    try:
        await running.start()
        yield running
    finally:
        await running.stop()
        await whatsapp.stop()

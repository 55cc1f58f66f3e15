"""The WhatsApp emulator: one object, the Graph API on 127.0.0.1 for the bot and people for the tests.

    graph.py     the Graph API (messages, media), statuses   validate.py  the message body checks
    people.py    what people do -> webhooks                  webhooks.py  signed posts, retries, handshake
    templates.py approved templates and their checks         limits.py    throughput (130429, 131056)
    errors.py    Meta's error shape and codes                persistence.py  the state on disk

Point the bot's ``WhatsAppSettings`` at it with ``emulator.bot_settings()`` (api_base_url = its address, the same
token, app secret and verify token) and tell it the bot's webhook URL (``webhook_url=`` or the attribute, then
``resume_webhooks()``). ``faults`` (tests/kit/whatsapp_faults.py) makes calls fail; ``advance(hours=...)`` moves
its clock (the 24-hour window); ``stats`` counts what the bot did; ``state_dir`` keeps everything on disk.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
from aiohttp import web

from bot.sandbox.whatsapp.graph import GraphSide
from bot.sandbox.whatsapp.limits import Throttle, Throughput
from bot.sandbox.whatsapp.model import Clock, Faults, WhatsAppState, new_wamid
from bot.sandbox.whatsapp.people import PeopleSide
from bot.sandbox.persistence import Saver
from bot.sandbox.whatsapp.persistence import StateFolder, encode
from bot.sandbox.whatsapp.templates import DEFAULT_TEMPLATES, Template
from bot.sandbox.whatsapp.webhooks import WebhookSide


class Sent(NamedTuple):
    phone: str
    wamid: str
    type: str
    text: str


@dataclass
class Stats:
    calls: Counter = field(default_factory=Counter)  # per endpoint: messages, media, media_info, download ...
    refused: Counter = field(default_factory=Counter)  # error code -> calls answered with it (faults too)
    failed: Counter = field(default_factory=Counter)  # error code -> failed status webhooks (131047, 131026)
    sent: list[Sent] = field(default_factory=list)  # accepted messages, in order
    sent_at: list[float] = field(default_factory=list)
    uploads: int = 0
    downloads: int = 0

    def record_sent(self, phone: str, wamid: str, kind: str, text: str) -> None:
        self.sent.append(Sent(phone, wamid, kind, text))
        self.sent_at.append(time.monotonic())

    @property
    def templates(self) -> int:
        return sum(1 for sent in self.sent if sent.type == "template")

    def send_rate(self) -> float:
        if len(self.sent_at) < 2 or self.sent_at[-1] == self.sent_at[0]:
            return 0.0
        return (len(self.sent_at) - 1) / (self.sent_at[-1] - self.sent_at[0])

    def reset(self) -> None:
        self.calls.clear(), self.refused.clear(), self.failed.clear(), self.sent.clear(), self.sent_at.clear()
        self.uploads = self.downloads = 0


class WhatsAppEmulator(GraphSide, PeopleSide, WebhookSide):
    def __init__(
        self,
        *,
        token: str = "sandbox-whatsapp-token",
        phone_number_id: str = "100000000000001",
        display_phone_number: str = "6281100000000",
        waba_id: str = "200000000000001",
        app_secret: str = "sandbox-app-secret",
        verify_token: str = "sandbox-verify-token",
        webhook_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        throughput: Throughput | None = Throughput(),
        templates: tuple[Template, ...] = DEFAULT_TEMPLATES,
        state_dir: Path | None = None,
        status_webhooks: bool = True,
        status_delay: float = 0.05,
        auto_deliver: bool = True,
        webhook_retry: float = 0.2,
        webhook_retry_max: float = 5.0,
    ) -> None:
        self.token, self.phone_number_id, self.display_phone_number = token, phone_number_id, display_phone_number
        self.waba_id, self.app_secret, self.verify_token = waba_id, app_secret, verify_token
        self.webhook_url, self.host, self.port = webhook_url, host, port
        self.throttle = Throttle(throughput) if throughput else None
        self.templates = {(template.name, template.language): template for template in templates}
        self.status_webhooks, self.auto_deliver, self.status_delay = status_webhooks, auto_deliver, status_delay
        self._status_later: list[tuple[str, dict[str, Any]]] = []
        self.webhook_retry, self.webhook_retry_max = webhook_retry, webhook_retry_max
        self._folder = StateFolder(state_dir) if state_dir else None
        loaded = self._folder.load() if self._folder else None
        self.state, self.billing = loaded or (WhatsAppState(), {})
        self.clock = Clock(self.state.clock_offset)
        self._saver = Saver(self._folder, lambda: encode(self.state, self.billing),
                            lambda: {stored.path: stored for stored in self.state.media.values()},
                            "WhatsApp sandbox") if self._folder else None
        self.faults: Faults | None = None
        self.stats = Stats()
        self.version = 0
        self.processed_ids: set[int] = set()
        self.bot_reports_done = False  # True once listen_to() hooked the bot's Services.handled
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._init_webhooks()

    new_wamid = staticmethod(new_wamid)

    # Server ------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bot_settings(self, **overrides: Any):
        """The bot's WhatsAppSettings for this emulator."""
        from bot.config import WhatsAppSettings

        rate = self.throttle.limits.messages_per_second if self.throttle else 80.0
        values = dict(phone_number_id=self.phone_number_id, access_token=self.token, app_secret=self.app_secret,
                      verify_token=self.verify_token, api_base_url=self.base_url, messages_per_second=rate)
        return WhatsAppSettings(**{**values, **overrides})

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=128 * 1024 * 1024)
        self.graph_routes(app)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        if self._saver:
            self._saver.start()
        self.resume_webhooks()

    async def stop(self) -> None:
        self._queue_statuses()  # kept with the state, posted after a restart
        await self._stop_webhooks()
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()
        if self._saver:
            await self._saver.close()

    async def __aenter__(self) -> WhatsAppEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # The clock -----------------------------------------------------------------------------------

    def advance(self, hours: float = 0, minutes: float = 0, seconds: float = 0) -> None:
        """Move the emulator's clock forward (timestamps, the 24-hour window, billing conversations)."""
        self.clock.offset += hours * 3600 + minutes * 60 + seconds
        self.state.clock_offset = self.clock.offset
        self._touch()

    def now(self) -> float:
        return self.clock.now()

    # Observing ------------------------------------------------------------------------------------

    def conversation(self, phone: str) -> list[dict[str, Any]]:
        """Everything exchanged with this person, oldest first: theirs (``from`` person) and the bot's (``from`` bot,
        rendered: type, text, buttons/rows/media/location/template, ``status`` and ``statuses``)."""
        return list(self.state.conversations.get(phone, []))

    def bot_messages(self, phone: str) -> list[dict[str, Any]]:
        return [entry for entry in self.state.conversations.get(phone, []) if entry["from"] == "bot"]

    def set_reachable(self, phone: str, reachable: bool) -> None:
        """False: the number is not on WhatsApp, messages to it fail with 131026."""
        self.state.person(phone).reachable = reachable
        self._touch()

    def processed(self, entry: dict[str, Any]) -> bool:
        """The bot's turn for a person's message is over (needs ``bot_is_done`` among the bot's Services.handled;
        the inbox may have bumped the id by one on a collision)."""
        return entry["update_id"] in self.processed_ids or entry["update_id"] + 1 in self.processed_ids

    def listen_to(self, handled: list) -> None:
        """Hear from the bot when it is done with an update (pass the bot's ``Services.handled``)."""
        handled.append(self.bot_is_done)
        self.bot_reports_done = True

    async def bot_is_done(self, update_id: int) -> None:
        self.processed_ids.add(update_id)
        await self._notify()

    def _touch(self) -> None:
        self.version += 1
        if self._saver:
            self._saver.changed()

    async def _notify(self) -> None:
        self._touch()
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate, timeout: float = 10.0) -> None:
        async with self._changed, asyncio.timeout(timeout):  # not wait_for: it may drop a cancellation (3.11)
            await self._changed.wait_for(predicate)

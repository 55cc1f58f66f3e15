"""The WhatsApp emulator in a process of its own, with the load generator's route as the Bot API emulator has it
(bench/harness/emulator_process.py), and one for what it counted:

    POST /load/act {"user": id, "act": {...}, "expect": "fragment" | null}
      -> {"ok": true, "first_ms": ..., "awaited_ms": ...} once a reply matching ``expect`` came for that person
    GET /load/stats -> messages accepted (the people they went to, the templates among them), the first and last one's time (time.monotonic, which
      is the machine's: comparable with another process's), refusals by code, webhook posts

The generator's user ids become phone numbers ("62" + id). The times are taken here, where the bot's sends
arrive: from the moment the person's message is queued for the bot's webhook to the bot's first message to that
person (``first_ms``) and to the one the step waited for (``awaited_ms``), whose text or button titles hold
``expect``. Statuses (sent, delivered) follow each message as with Meta: the bot handles them too.
Usage: python -m bench.harness.whatsapp_process PORT WEBHOOK_URL [MESSAGES_PER_SECOND]   (0 or none: no limit)
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiohttp import web

from bench.harness.emulator_process import REPLY_TIMEOUT, Watch
from bot.sandbox.whatsapp import NoSuchButton, Throughput, WhatsAppEmulator


class LoadWhatsAppEmulator(WhatsAppEmulator):
    """Wakes only the act waiting on the person the bot just wrote to."""

    def __init__(self, port: int, webhook_url: str, throughput: Throughput | None) -> None:
        super().__init__(port=port, webhook_url=webhook_url, throughput=throughput)
        self._watches: dict[str, Watch] = {}

    def web_app(self) -> web.Application:
        app = super().web_app()
        app.router.add_post("/load/act", self._handle_act)
        app.router.add_get("/load/stats", self._handle_stats)
        return app

    async def bot_sends(self, phone: str, body: dict[str, Any], rendered: dict[str, Any]) -> dict[str, Any]:
        entry = await super().bot_sends(phone, body, rendered)
        watch = self._watches.get(phone)
        if watch is not None:
            watch.saw(" ".join([entry.get("text", ""), *(choice["title"] for choice in self.choices_of(entry))]))
        return entry

    async def _handle_act(self, request: web.Request) -> web.Response:
        body = await request.json()
        phone = f"62{int(body['user'])}"
        watch = self._watches[phone] = Watch(body.get("expect"))
        try:
            await self._perform(phone, body["act"])
            awaited = await asyncio.wait_for(watch.done, REPLY_TIMEOUT)
        except (TimeoutError, NoSuchButton) as error:
            return web.json_response({"ok": False, "why": type(error).__name__})
        finally:
            self._watches.pop(phone, None)
        return web.json_response({"ok": True, "first_ms": (watch.first - watch.started) * 1000,
                                  "awaited_ms": (awaited - watch.started) * 1000})

    async def _perform(self, phone: str, act: dict[str, Any]) -> dict[str, Any]:
        """The generator's acts (bench/harness/scripts.py) as a person does them on WhatsApp."""
        if "text" in act:
            return await self.person_sends_text(phone, act["text"])
        if "location" in act:
            return await self.person_shares_location(phone, *act["location"])
        if "photo" in act:
            from tests.flows import png

            return await self.person_sends_media(phone, "image", png(int(act["photo"])), "image/png")
        if "tap" in act:
            return await self.person_taps(phone, act["tap"])
        raise NoSuchButton(f"no such act on WhatsApp: {act}")

    async def _handle_stats(self, request: web.Request) -> web.Response:
        stats = self.stats
        return web.json_response({"sent": len(stats.sent), "people": len({sent.phone for sent in stats.sent}),
                                  "templates": stats.templates,
                                  "first_at": stats.sent_at[0] if stats.sent_at else None,
                                  "last_at": stats.sent_at[-1] if stats.sent_at else None,
                                  "refused": {str(code): count for code, count in stats.refused.items()},
                                  "failed": {str(code): count for code, count in stats.failed.items()},
                                  "webhooks": self.webhook_attempts, "webhook_failures": self.webhook_failures})


async def main(port: int, webhook_url: str, rate: float) -> None:
    emulator = LoadWhatsAppEmulator(port, webhook_url, Throughput(messages_per_second=rate) if rate else None)
    await emulator.start()
    print(json.dumps({"ready": emulator.base_url}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.0))

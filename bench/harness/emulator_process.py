"""The Bot API emulator in a process of its own, with one more route for the load generator:

    POST /load/act {"user": id, "act": {...}, "expect": "fragment" | null}
      -> {"ok": true, "first_ms": ..., "awaited_ms": ...} once a reply matching ``expect`` is in the chat

Both times are taken here, where the bot's replies arrive: from the moment the update is handed to the bot
(queued for getUpdates, or posted to the webhook) to the bot's first call that puts something in that chat
(``first_ms``, what the person sees first) and to the reply the step waited for (``awaited_ms``).
Usage: python -m bench.harness.emulator_process PORT
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.emulator import BotApiEmulator

REPLY_TIMEOUT = 30.0
CHAT_METHODS = {"sendmessage", "sendphoto", "sendmediagroup", "senddocument", "sendlocation", "editmessagetext",
                "editmessagereplymarkup", "editmessagecaption", "answercallbackquery"}


@dataclass
class Watch:
    """One act of one user, waiting for its reply."""

    expect: str | None
    started: float = field(default_factory=time.monotonic)
    first: float | None = None
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def saw(self, content: str) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first = now
        if not self.done.done() and (self.expect is None or self.expect in content):
            self.done.set_result(now)


class LoadEmulator(BotApiEmulator):
    """Wakes only the act waiting on a chat the bot just wrote to (the base class wakes every waiter on any
    change, which at hundreds of acts a second costs more than the bot under test)."""

    def __init__(self, port: int, spread: bool = False) -> None:
        super().__init__(port=port)
        self.spread = spread
        self._watches: dict[int, Watch] = {}
        self._callback_users: dict[str, int] = {}

    def web_app(self) -> web.Application:
        app = super().web_app()
        app.router.add_post("/load/act", self._handle_act)
        return app

    async def start(self) -> None:
        """Webhook posts on kept-alive connections, as Telegram makes them (up to setWebhook's max_connections) and as
        a proxy in front of the bot passes them on; with ``spread`` (several web processes sharing the port), each
        on a connection of its own instead: one kept-alive connection would take every update to the one web
        process the kernel gave it, and the other would handle none."""
        await super().start()
        if self.spread:
            await self._http.close()
            self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))

    async def _call(self, method: str, params: dict[str, Any], uploads) -> web.Response:
        response = await super()._call(method, params, uploads)
        if response.status == 200 and method.lower() in CHAT_METHODS:
            chat = self._callback_users.pop(str(params.get("callback_query_id")), None) \
                if method.lower() == "answercallbackquery" else _int(params.get("chat_id"))
            watch = self._watches.get(chat)
            if watch is not None:
                watch.saw(" ".join(str(params.get(key, "")) for key in ("text", "caption", "reply_markup", "media")))
        return response

    async def _handle_act(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = int(body["user"])
        if user not in self.users:
            self.add_user(user, f"Warga {user}")
        watch = self._watches[user] = Watch(body.get("expect"))
        try:
            update = await self._perform(user, body["act"])
            if "callback_query" in update:
                self._callback_users[update["callback_query"]["id"]] = user
            awaited = await asyncio.wait_for(watch.done, REPLY_TIMEOUT)
        except (TimeoutError, LookupError) as error:
            return web.json_response({"ok": False, "why": type(error).__name__})
        finally:
            self._watches.pop(user, None)
        return web.json_response({"ok": True, "first_ms": (watch.first - watch.started) * 1000,
                                  "awaited_ms": (awaited - watch.started) * 1000})

    async def _perform(self, user: int, act: dict[str, Any]) -> dict[str, Any]:
        if "text" in act:
            return await self.user_sends_text(user, act["text"])
        if "location" in act:
            return await self.user_sends_location(user, *act["location"])
        if "photo" in act:
            from tests.flows import png

            return (await self.user_sends_files(user, [(png(int(act["photo"])), "foto.png", "image/png")]))[0]
        message, data = self._button(user, act)
        return await self.user_taps(user, message["message_id"], data)

    def _button(self, user: int, act: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The newest message with a matching button; ``pick`` chooses among several (a report in a list)."""
        for message in reversed(self.bot_messages(user)):
            keys = [key for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for key in row
                    if ("tap" in act and act["tap"] in key["text"])
                    or ("tap_data" in act and key.get("callback_data", "").startswith(act["tap_data"]))]
            if keys:
                return message, keys[int(act.get("pick", 0)) % len(keys)]["callback_data"]
        raise LookupError(f"no button for {act}")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def main(port: int, spread: bool) -> None:
    emulator = LoadEmulator(port, spread)
    await emulator.start()
    print(json.dumps({"ready": emulator.base_url, "token": emulator.token}), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0, "--spread" in sys.argv[2:]))

"""Where updates come in: the bot's own getUpdates loop, or an aiohttp webhook receiver.

Either way an update is stored before Telegram learns it arrived: polling advances the offset (which
confirms) only after the batch is committed, and the webhook answers 200 only after the commit (with a tapped
button's answer where its turn committed by then: Telegram performs a Bot API call named in the answer). So a
crash at any point leaves every update either unconfirmed (Telegram sends it again) or stored.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.inbox import store
from bot.inbox.cleaning import read_json
from bot.inbox.dispatcher import InboxDispatcher
from bot.inbox.handling import Acknowledgement
from bot.web.operations import Operations

log = logging.getLogger(__name__)

# Routes another channel serves beside these (WhatsApp's webhook), storing into the same inbox.
AddRoutes = Callable[[web.Application, InboxDispatcher], None]

MAX_UPDATE_BYTES = 1024 * 1024  # real updates are a few kilobytes; anything larger is not from Telegram
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Polling:
    """Long polling: store each batch, then ask for the next one (which confirms the batch). With a port, the
    health and metrics endpoints listen there."""

    timeout: int = 20
    operations_port: int | None = None
    listen: str = "0.0.0.0"
    routes: tuple[AddRoutes, ...] = ()

    async def run(self, bot: Bot, dispatcher: InboxDispatcher, operations: Operations | None = None) -> None:
        if operations is not None and self.operations_port is not None:
            async with asyncio.TaskGroup() as group:
                group.create_task(serve_operations(operations, self.listen, self.operations_port,
                                                   self.routes, dispatcher))
                group.create_task(self._poll(bot, dispatcher))
        else:
            await self._poll(bot, dispatcher)

    async def _poll(self, bot: Bot, dispatcher: InboxDispatcher) -> None:
        await bot.delete_webhook()
        offset, failures = 0, 0
        while True:
            try:
                payloads = await _raw_updates(bot, offset, self.timeout)
                if payloads:
                    await dispatcher.receive(store.received(payloads, lambda payload: _parsed(payload, bot)))
                    offset = payloads[-1]["update_id"] + 1
                failures = 0
            except InvalidToken:
                raise
            except (TelegramError, OSError) as error:
                failures += 1
                delay = min(2 ** failures, 30)
                level = logging.ERROR if isinstance(error, Conflict) else logging.WARNING
                log.log(level, "getUpdates failed (%s); trying again in %ss", error, delay)
                await asyncio.sleep(delay)
            except Exception:  # the database: nothing was confirmed, so the same batch comes again
                failures += 1
                log.exception("storing updates failed; fetching them again")
                await asyncio.sleep(min(2 ** failures, 30))


async def _raw_updates(bot: Bot, offset: int, timeout: int) -> list[dict]:
    """getUpdates as Telegram sends it. python-telegram-bot parses the whole batch or raises, so one update it
    cannot read (a field a newer Bot API added or made required) would stop polling for good; here each
    update is stored as sent and parsed on its own. (The method is named in lower case, which the Bot API
    accepts, because python-telegram-bot warns when ``do_api_request`` names one of its own methods.)"""
    return await bot.do_api_request("getupdates", api_kwargs={
        "offset": offset, "timeout": timeout, "allowed_updates": list(Update.ALL_TYPES)}, read_timeout=timeout + 10)


def _parsed(payload: dict, bot: Bot) -> Update | None:
    """The update, or None when it cannot be read: stored all the same, it fails in its turn and is given up
    (with an apology where there is someone to tell) while the updates after it go on."""
    try:
        return Update.de_json(payload, bot)
    except Exception as error:
        log.warning("update %s cannot be read (%s); stored as it came", payload.get("update_id"), type(error).__name__)
        return None


@dataclass
class Webhook:
    """Telegram posts updates to ``url``; this receiver listens on ``listen:port`` at the URL's path."""

    url: str
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8080
    routes: tuple[AddRoutes, ...] = ()

    @property
    def path(self) -> str:
        from urllib.parse import urlparse

        return "/" + urlparse(self.url).path.lstrip("/")

    async def run(self, bot: Bot, dispatcher: InboxDispatcher, operations: Operations | None = None) -> None:
        app = self.web_app(dispatcher)
        if operations is not None:
            operations.add_routes(app)
        async with _serving(app, self.listen, self.port, share_port=True):
            await bot.set_webhook(self.url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES)
            await asyncio.Event().wait()  # until cancelled

    def web_app(self, dispatcher: InboxDispatcher) -> web.Application:
        async def receive(request: web.Request) -> web.Response:
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
                return web.Response(status=403, text="wrong secret token")
            payload = await _update_from(request)
            try:
                carried = await dispatcher.receive(store.received([payload]), answers=True)
            except Exception:  # Telegram retries on anything but 2xx: nothing is lost
                log.exception("storing a webhook update failed")
                return web.Response(status=503, text="try again")
            return web.json_response(_answer_call(carried[0])) if carried else web.Response(text="ok")

        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, receive)
        for add_routes in self.routes:
            add_routes(app, dispatcher)
        return app


async def serve_operations(operations: Operations, listen: str, port: int, routes: tuple[AddRoutes, ...] = (),
                           dispatcher: InboxDispatcher | None = None) -> None:
    """Health and metrics (a polling or a worker process), and a polling process's other channels' webhooks,
    until cancelled."""
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    operations.add_routes(app)
    for add_routes in routes if dispatcher is not None else ():
        add_routes(app, dispatcher)
    async with _serving(app, listen, port):
        await asyncio.Event().wait()


@asynccontextmanager
async def _serving(app: web.Application, listen: str, port: int, share_port: bool = False):
    """``share_port``: several web processes may listen on one port, the kernel spreading Telegram's
    connections among them (SO_REUSEPORT), so that adding one needs no change to the proxy in front."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port, reuse_port=share_port).start()
        yield
    finally:
        await runner.cleanup()


async def _update_from(request: web.Request) -> dict:
    try:
        payload = read_json(await request.read())
    except web.HTTPRequestEntityTooLarge:
        raise
    except ValueError as error:  # UnicodeDecodeError too
        raise web.HTTPBadRequest(text=f"the body is not JSON that can be read ({error})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int) or payload["update_id"] < 0:
        raise web.HTTPBadRequest(text="not a Telegram update")
    return payload


def _answer_call(acknowledgement: Acknowledgement) -> dict:
    """A tap's answer as the Bot API call Telegram performs when the webhook's answer names it (its outcome
    unknown to us: the answer only stops the button's spinner, and shows the notice where there is one)."""
    call = {"method": "answerCallbackQuery", "callback_query_id": acknowledgement.reference}
    return call | {"text": acknowledgement.text} if acknowledgement.text else call

"""A local Telegram Bot API emulator on 127.0.0.1: the sandbox's Telegram, and the tests'.

The bot talks to it through python-telegram-bot's ``base_url`` exactly as it talks to Telegram: the
same methods, request encodings (form, JSON, multipart) and response shapes, long-polled
``getUpdates`` or a webhook with the secret-token header, and Telegram's errors where the bot could
trip over them (lengths, HTML, callback data, upload sizes, unknown chats, blocked users). On the other
side, citizens act through ``user_*`` methods (tests) or the web chat page and its ``/sandbox/api``.

It misbehaves when ``faults`` says so (the tests arm it: tests/kit/faults.py), enforces Telegram's flood
limits when given ``rate_limits``, and counts what the bot did (``stats``). With ``state_dir`` it keeps
everything on disk and carries on after a restart where it stopped.

    bot_api.py    the Bot API methods          citizens.py   the citizens' side
    webchat.py    the page for people          limits.py     flood limits (token buckets)
    htmlcheck.py  text, caption, HTML checks   media.py      files in Telegram's shapes
    persistence.py  the state on disk          wire.py       request and answer encoding
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.bot_api import BotApiMethods
from bot.sandbox.citizens import CitizenSide
from bot.sandbox.limits import RateLimiter, RateLimits, counts_as_edit, counts_as_message
from bot.sandbox.media import media_json
from bot.sandbox.model import ApiError, EmulatorState, Faults, SandboxUser, StoredFile
from bot.sandbox.persistence import Saver, StateFolder, encode
from bot.sandbox.stats import Stats
from bot.sandbox.wire import Uploads, drop_connection, error_response, read_parameters, result_response

__all__ = ["ApiError", "BotApiEmulator", "EmulatorState", "Faults", "RateLimits", "SandboxUser", "StoredFile", "media_json"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
WEBHOOK_RETRY_SECONDS = 0.2  # the first retry of a failed webhook post; doubling up to 5 s


class BotApiEmulator(BotApiMethods, CitizenSide):
    def __init__(
        self,
        token: str = "123456:SANDBOX",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limits: RateLimits | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 123456
        self.host, self.port = host, port
        self._folder = StateFolder(state_dir) if state_dir else None
        self.state = (self._folder.load() if self._folder else None) or EmulatorState()
        self._saver = Saver(self._folder, lambda: encode(self.state),
                            lambda: {stored.file_path: stored for stored in self.state.files.values()}) if self._folder else None
        self.faults: Faults | None = None  # None: Telegram on a good day
        self.stats = Stats()
        self.rate_limits = rate_limits
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._webhook_tasks: set[asyncio.Task] = set()
        self.webhook_connections = asyncio.Semaphore(self.state.webhook_connections)
        self._posting: set[int] = set()  # update ids a webhook task is posting
        self.version = 0  # grows with every change, for the web chat's long poll
        self.processed_ids: set[int] = set()
        self.answered_ids: set[int] = set()  # updates a webhook answered 200 (each, not only the newest)
        self._late: dict[int, float] = {}  # update id -> seconds its first webhook post waits (a fault)
        self.whatsapp = None  # the sandbox's WhatsApp emulator, for the page's citizen on WhatsApp (webchat_whatsapp.py)

    @property
    def users(self) -> dict[int, SandboxUser]:
        return self.state.users

    # Flood limits ------------------------------------------------------------------------------

    @property
    def rate_limits(self) -> RateLimits | None:
        return self._limiter.limits if self._limiter else None

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        """Telegram's flood limits from now on (full buckets), or None for none."""
        self._limiter = RateLimiter(limits) if limits else None

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The buckets in use; a test may set its ``clock`` to stop time."""
        return self._limiter

    # Server ------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        from bot.sandbox import webchat  # the page for people; tests need only the API

        webchat.add_routes(app, self)
        return app

    async def start(self) -> None:
        # Long polls (the bot's getUpdates, the page's wait for news) would hold a stop for their whole
        # timeout: past this many seconds a stop cancels them, as a restarted Telegram drops its connections.
        self._runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._http = aiohttp.ClientSession()
        if self._saver:
            self._saver.start()

    async def stop(self) -> None:
        for task in self._webhook_tasks:
            task.cancel()
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()
        if self._saver:
            await self._saver.close()

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        self.stats.calls[method] += 1
        try:
            params, uploads = await read_parameters(request)
        except ValueError:
            return error_response(ApiError(400, "Bad Request: can't parse request parameters"))
        fault = self.faults.take(method) if self.faults else None
        error = fault.error() if fault else None
        if fault and (error or fault.drop):  # not carried out
            await asyncio.sleep(fault.delay)
            return drop_connection(request) if fault.drop else self._refuse(method, error)
        response = await self._call(method, params, uploads)
        if fault:
            await asyncio.sleep(fault.delay)  # done, but the answer is late: a slow Bot API
        return response

    async def _call(self, method: str, params: dict[str, Any], uploads: Uploads) -> web.Response:
        handler = getattr(self, f"api_{method.lower()}", None)
        try:
            if handler is None:
                raise ApiError(404, f"Not Found: method {method} is not emulated")
            self._admit(method, params)
            return result_response(await handler(params, uploads))
        except ApiError as error:
            return self._refuse(method, error)

    def _refuse(self, method: str, error: ApiError) -> web.Response:
        if error.code == 429:
            self.stats.too_many_requests[method] += 1
        return error_response(error)

    def _admit(self, method: str, params: dict[str, Any]) -> None:
        """The flood limits, for methods that put something in a chat (unknown chats fail first). A paid
        broadcast is counted: Telegram charges for it."""
        paid = counts_as_message(method) and str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")
        if self._limiter and (counts_as_message(method) or counts_as_edit(method)):
            self._limiter.admit(method, self._chat_of(params), paid)
        self.stats.paid_broadcasts += paid

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.file_path == path and request.match_info["token"] == self.token:
                return web.Response(body=stored.data, content_type=stored.mime_type)
        return web.Response(status=404, text="Not Found")

    # Shared by both sides ----------------------------------------------------------------------

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.state.groups:
            return self.state.groups[chat_id].as_json()
        user = self.state.users[chat_id]
        chat = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.username:
            chat["username"] = user.username
        return chat

    def _confirm(self, offset: int) -> None:
        """The bot has every update below ``offset``: Telegram forgets them."""
        self.state.confirmed_offset = max(self.state.confirmed_offset, offset)
        self.state.updates = self.state.pending_updates()

    def _touch(self) -> None:
        self.version += 1
        if self._saver:
            self._saver.changed()

    async def _notify(self) -> None:
        self._touch()
        async with self._changed:
            self._changed.notify_all()

    async def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; delivering one twice is what Telegram does after a webhook failure."""
        late = self.faults.take_late_delivery() if self.faults else 0.0
        if late:  # out of order, as Telegram's parallel webhook connections and retries may deliver
            self._late[update["update_id"]] = late
        self.state.updates.append(update)
        self.post_pending_to_webhook()
        await self._notify()
        return update

    def post_pending_to_webhook(self) -> None:
        """While a webhook is set, every pending update is posted to it (also those that waited for it)."""
        if not self.state.webhook_url:
            return
        for update in self.state.pending_updates():
            if update["update_id"] not in self._posting:
                self._posting.add(update["update_id"])
                task = asyncio.get_running_loop().create_task(self._post_webhook(update))
                self._webhook_tasks.add(task)
                task.add_done_callback(self._webhook_tasks.discard)

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        """Post until the bot answers 200, as Telegram does: an update whose receiver died or refused it comes
        again (to whichever process takes the next connection), later and later, while the webhook is set.
        An answered update is forgotten on its own: the ones before it that are not answered yet stay pending."""
        delay = WEBHOOK_RETRY_SECONDS
        try:
            await asyncio.sleep(self._late.pop(update["update_id"], 0.0))
            while self.state.webhook_url:
                if await self._post_once(update):
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        finally:
            self._posting.discard(update["update_id"])

    async def _post_once(self, update: dict[str, Any]) -> bool:
        """One webhook request, once one of setWebhook's max_connections is free (as Telegram, which keeps the
        rest waiting); True when it was answered 200."""
        async with self.webhook_connections:
            if not self.state.webhook_url:  # deleted meanwhile: the update stays pending
                return False
            secret = self.state.webhook_secret
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            try:
                async with self._http.post(self.state.webhook_url, json=update, headers=headers) as response:
                    if response.status != 200:
                        return False
                    await self._call_in_answer(response)
            except aiohttp.ClientError:
                return False
        self.answered_ids.add(update["update_id"])
        self.state.updates = [kept for kept in self.state.updates if kept["update_id"] != update["update_id"]]
        await self._notify()
        return True

    async def _call_in_answer(self, response: aiohttp.ClientResponse) -> None:
        """A Bot API call the bot named in its answer to the webhook ("method" and its parameters), carried out
        as Telegram does: its result and any error go nowhere."""
        if response.content_type != "application/json":
            return
        try:
            params = await response.json()
        except (ValueError, aiohttp.ClientError):  # unreadable: Telegram ignores it, the update was answered
            return
        method = params.pop("method", None) if isinstance(params, dict) else None
        if isinstance(method, str):
            self.stats.calls[method] += 1
            self.stats.in_webhook_answers[method] += 1
            await self._call(method, params, {})

    # Observing the bot -------------------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.state.chats.get(chat_id, []) if m["from"]["is_bot"] and not m.get("deleted")]

    def handled(self, update: dict[str, Any]) -> bool:
        """Fetched by the bot (confirmed through getUpdates' offset, or answered 200 by its webhook)."""
        if self.state.webhook_url:
            return update["update_id"] in self.answered_ids
        return self.state.confirmed_offset > update["update_id"]

    def processed(self, update: dict[str, Any]) -> bool:
        """The bot's handlers are done with it (needs ``bot_is_done`` among the bot's ``Services.handled``)."""
        return update["update_id"] in self.processed_ids

    async def bot_is_done(self, update_id: int) -> None:
        """The bot is done with an update (add to the bot's ``Services.handled``)."""
        self.processed_ids.add(update_id)
        await self._notify()

    async def wait_until(self, predicate, timeout: float = 10.0) -> None:
        async with self._changed, asyncio.timeout(timeout):  # not wait_for: it may drop a cancellation (3.11)
            await self._changed.wait_for(predicate)

"""The Bot API client (bot.channels.telegram.request.AiohttpRequest) against the emulator misbehaving: what
python-telegram-bot's own HTTPXRequest promises, on one aiohttp session. (The emulator's fault tests, the
delivery tests and the crash tests drive it too: the ``telegram_bot`` fixture and the running bot use it.)"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.app import bot_api_client
from bot.channels.telegram import request
from bot.channels.telegram.request import AiohttpRequest, Timeouts
from bot.config import Settings
from tests.kit.faults import Fault, inject

QUICK = Timeouts(connect=0.5, read=0.5, write=0.5, pool=0.2, media_write=0.5)


@asynccontextmanager
async def bot_on(emulator, requests: AiohttpRequest):
    emulator.add_user(42, "Rina")
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot",
              request=requests, get_updates_request=requests)
    async with bot:
        yield bot


async def test_429_is_retry_after_with_telegrams_seconds_and_500_a_network_error(emulator):
    async with bot_on(emulator, AiohttpRequest(timeouts=QUICK)) as bot:
        inject(emulator, Fault("sendMessage", status=429, retry_after=7))
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(42, "satu")
        assert refused.value._retry_after.total_seconds() == 7
        inject(emulator, Fault("sendMessage", status=500))
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(42, "dua")
        inject(emulator, Fault("sendMessage", status=400, description="Bad Request: chat not found"))
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(42, "tiga")
        await bot.send_message(42, "empat")
    assert [message["text"] for message in emulator.bot_messages(42)] == ["empat"]


async def test_a_dropped_connection_is_a_network_error_and_the_next_call_goes_through(emulator):
    async with bot_on(emulator, AiohttpRequest(timeouts=QUICK)) as bot:
        inject(emulator, Fault("sendMessage", drop=True, times=2))
        for text in ("hilang", "hilang lagi"):
            with pytest.raises(NetworkError) as raised:
                await bot.send_message(42, text)
            assert not isinstance(raised.value, TimedOut)
        await bot.send_message(42, "sampai")
    assert [message["text"] for message in emulator.bot_messages(42)] == ["sampai"]


async def test_a_slow_answer_past_the_read_timeout_is_timed_out_though_the_call_was_carried_out(emulator):
    async with bot_on(emulator, AiohttpRequest(timeouts=QUICK)) as bot:
        inject(emulator, Fault("sendMessage", delay=2.0))
        with pytest.raises(TimedOut):
            await bot.send_message(42, "pelan")
        assert [message["text"] for message in emulator.bot_messages(42)] == ["pelan"]
        slow_but_in_time = Fault("sendMessage", delay=0.3)
        inject(emulator, slow_but_in_time)
        assert (await bot.send_message(42, "pelan tapi sampai")).text == "pelan tapi sampai"


async def test_a_call_given_a_longer_read_timeout_waits_for_it(emulator):
    """Long polling passes its own read timeout (the poll's length and some): a slow answer within it is no
    timeout, though it is past the default."""
    async with bot_on(emulator, AiohttpRequest(timeouts=QUICK)) as bot:
        inject(emulator, Fault("getMe", delay=1.0))
        assert (await bot.get_me(read_timeout=3)).username


async def test_a_full_pool_is_timed_out_and_the_waiting_call_is_never_sent(emulator):
    async with bot_on(emulator, AiohttpRequest(connection_pool_size=1, timeouts=QUICK)) as bot:
        inject(emulator, Fault("sendMessage", delay=1.5))
        slow = asyncio.create_task(bot.send_message(42, "menunggu", read_timeout=3))
        await emulator.wait_until(lambda: emulator.bot_messages(42), timeout=2)
        with pytest.raises(TimedOut):
            await bot.send_message(42, "tidak terkirim")
        await slow
    assert [message["text"] for message in emulator.bot_messages(42)] == ["menunggu"]


async def test_an_unreachable_server_is_a_network_error():
    requests = AiohttpRequest(timeouts=QUICK)
    bot = Bot("123:ABC", base_url="http://127.0.0.1:9/bot", request=requests, get_updates_request=requests)
    try:
        with pytest.raises(NetworkError):
            await bot.initialize()  # getMe
    finally:
        await requests.shutdown()


async def test_files_go_as_multipart_with_their_captions(emulator):
    picture = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
               + b"\x08\x02\x00\x00\x00" + b"\x00" * 64)
    async with bot_on(emulator, AiohttpRequest(timeouts=QUICK)) as bot:
        sent = await bot.send_photo(42, picture, caption="Foto bukti")
        assert sent.caption == "Foto bukti" and sent.photo[-1].width == 640
        file = await bot.get_file(sent.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == picture


async def test_a_call_without_files_is_a_form_of_json_encoded_values_as_telegram_reads_it():
    received: list[tuple[str, dict[str, list[str]]]] = []

    async def record(request: web.Request) -> web.Response:
        received.append((request.content_type, parse_qs((await request.read()).decode())))
        return web.json_response({"ok": True, "result": True})

    keyboard = {"inline_keyboard": [[{"text": "Ya, kirim", "callback_data": "kirim:1"}]]}
    parameters = {"chat_id": 42, "text": "Laporan & foto: 100% terkirim?", "reply_markup": keyboard}
    requests = AiohttpRequest(timeouts=QUICK)
    await requests.initialize()
    try:
        async with served(record) as url:
            status, _ = await requests.do_request(f"{url}/botTOKEN/sendMessage", "POST", RequestData(
                [RequestParameter.from_input(name, value) for name, value in parameters.items()]))
    finally:
        await requests.shutdown()
    assert status == 200
    [(content_type, form)] = received
    assert content_type == "application/x-www-form-urlencoded"
    assert form == {"chat_id": ["42"], "text": [parameters["text"]], "reply_markup": [json.dumps(keyboard)]}


async def test_both_of_ptbs_slots_share_one_session_which_closes_once(emulator):
    requests = AiohttpRequest(timeouts=QUICK)
    async with bot_on(emulator, requests) as bot:
        assert bot.request is requests and bot._request[0] is requests
        await bot.get_updates(timeout=0)
        await bot.send_message(42, "satu sesi")
        session = requests._session
        assert session is not None and not session.closed
    assert session.closed
    await requests.shutdown()  # a second shutdown is harmless
    with pytest.raises(RuntimeError, match="not initialized"):
        await requests.do_request("http://127.0.0.1:9/", "POST")


async def test_calls_go_through_the_configured_proxy(emulator):
    async with forward_proxy() as proxy:
        settings = Settings(telegram_proxy=proxy.url)
        async with bot_on(emulator, bot_api_client(settings)) as bot:
            await bot.send_message(42, "lewat proxy")
    assert any(path.endswith("/sendMessage") for path in proxy.forwarded)
    assert [message["text"] for message in emulator.bot_messages(42)] == ["lewat proxy"]


async def test_calls_go_through_the_environments_proxy_unless_no_proxy_exempts_the_host(emulator, monkeypatch):
    """HTTP(S)_PROXY and NO_PROXY, as httpx honoured them, read once per host (not at every request)."""
    request._environment_proxy.cache_clear()
    async with forward_proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with bot_on(emulator, bot_api_client(Settings())) as bot:
            await bot.send_message(42, "lewat proxy")
        request._environment_proxy.cache_clear()
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with bot_on(emulator, bot_api_client(Settings())) as bot:
            await bot.send_message(42, "langsung")
    request._environment_proxy.cache_clear()
    assert sum(path.endswith("/sendMessage") for path in proxy.forwarded) == 1
    assert [message["text"] for message in emulator.bot_messages(42)] == ["lewat proxy", "langsung"]


class ForwardProxy:
    """An HTTP proxy for plain http URLs: it reads the absolute URL a client sends and forwards the call."""

    def __init__(self) -> None:
        self.forwarded: list[str] = []
        self.url = ""

    async def forward(self, request: web.Request) -> web.Response:
        self.forwarded.append(request.url.path)
        async with aiohttp.ClientSession() as http, http.request(
                request.method, str(request.url), data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")}) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)


@asynccontextmanager
async def forward_proxy():
    proxy = ForwardProxy()
    async with served(proxy.forward) as proxy.url:
        yield proxy


@asynccontextmanager
async def served(handler):
    """A web server on a free port of 127.0.0.1 answering every path with ``handler``; yields its URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    finally:
        await runner.cleanup()

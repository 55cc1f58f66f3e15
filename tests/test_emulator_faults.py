"""Faults on demand and the emulator's statistics, seen from python-telegram-bot and from a bare HTTP client."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.kit.faults import Fault, fault_plan, inject




async def call(emulator, method: str, **params) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(f"{emulator.base_url}/bot{emulator.token}/{method}", json=params)


async def test_the_nth_call_from_now_answers_429_with_retry_after(telegram_bot, emulator):
    await telegram_bot.send_message(42, "before the fault: not counted")
    inject(emulator, Fault("sendMessage", nth=2, status=429, retry_after=3))
    await telegram_bot.send_message(42, "first")
    with pytest.raises(RetryAfter) as refused:
        await telegram_bot.send_message(42, "second")
    assert refused.value._retry_after.total_seconds() == 3
    await telegram_bot.send_message(42, "third")
    assert [m["text"] for m in emulator.bot_messages(42)] == ["before the fault: not counted", "first", "third"]
    assert emulator.stats.too_many_requests["sendMessage"] == 1 and not fault_plan(emulator).pending


async def test_bad_request_with_the_given_description(telegram_bot, emulator):
    inject(emulator, Fault("sendmessage", status=400, description="Bad Request: message is too long"))
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await telegram_bot.send_message(42, "short")
    assert emulator.bot_messages(42) == []


@pytest.mark.parametrize(
    ("status", "description"),
    [(403, "Forbidden: bot was blocked by the user"), (500, "Internal Server Error"), (502, "Bad Gateway"), (429, "Too Many Requests: retry after 1")],
)
async def test_default_descriptions_are_telegrams(emulator, status, description):
    emulator.add_user(42, "Rina")
    inject(emulator, Fault("SENDPHOTO", status=status))
    response = await call(emulator, "sendPhoto", chat_id=42, photo="no-such-file")
    body = response.json()
    assert response.status_code == status and body["error_code"] == status and body["description"] == description
    assert body.get("parameters") == ({"retry_after": 1} if status == 429 else None)


async def test_a_blocked_fault_reaches_the_bot_as_forbidden(telegram_bot, emulator):
    inject(emulator, Fault("sendMessage", status=403))
    with pytest.raises(Forbidden, match="blocked"):
        await telegram_bot.send_message(42, "halo")


async def test_a_slow_answer_is_carried_out_before_it_arrives(telegram_bot, emulator):
    inject(emulator, Fault("sendMessage", delay=0.6))
    sending = asyncio.create_task(telegram_bot.send_message(42, "pelan"))
    await emulator.wait_until(lambda: len(emulator.bot_messages(42)) == 1, timeout=2)
    await asyncio.sleep(0.2)
    assert not sending.done()
    sent = await asyncio.wait_for(sending, 2)
    assert sent.text == "pelan"


async def test_a_dropped_connection_is_a_network_error_and_nothing_is_done(telegram_bot, emulator):
    inject(emulator, Fault("sendMessage", drop=True, times=2))
    with pytest.raises(httpx.TransportError):
        await call(emulator, "sendMessage", chat_id=42, text="hilang")
    with pytest.raises(NetworkError) as raised:
        await telegram_bot.send_message(42, "hilang juga")
    assert not isinstance(raised.value, (BadRequest, Forbidden, RetryAfter))
    assert emulator.bot_messages(42) == []
    assert (await call(emulator, "sendMessage", chat_id=42, text="sampai")).status_code == 200


async def test_repeated_faults_hit_consecutive_calls_then_stop(emulator):
    inject(emulator, Fault("getUpdates", drop=True, times=3))
    for _ in range(3):
        with pytest.raises(httpx.TransportError):
            await call(emulator, "getUpdates")
    assert (await call(emulator, "getUpdates")).json() == {"ok": True, "result": []}
    assert emulator.stats.calls["getUpdates"] == 4 and emulator.stats.calls["GETUPDATES"] == 4


async def test_faults_count_their_own_method_only(telegram_bot, emulator):
    inject(emulator, Fault("sendPhoto", status=500))
    inject(emulator, Fault("sendMessage", nth=2, status=500))
    await telegram_bot.get_me()
    await telegram_bot.send_message(42, "satu")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await telegram_bot.send_message(42, "dua")
    assert [fault.method for fault in fault_plan(emulator).pending] == ["sendPhoto"]


def test_a_fault_must_say_what_goes_wrong():
    with pytest.raises(ValueError):
        Fault("sendMessage")
    with pytest.raises(ValueError):
        Fault("sendMessage", status=500, drop=True)
    with pytest.raises(ValueError):
        Fault("sendMessage", status=400, retry_after=3)
    with pytest.raises(ValueError):
        Fault("sendMessage", nth=0, status=400)


async def test_stats_count_calls_and_every_message_sent(telegram_bot, emulator):
    emulator.stats.reset()  # opening the Bot called getMe
    for text in ("halo", "apa kabar", "halo"):
        await telegram_bot.send_message(42, text)
    await telegram_bot.get_me()
    stats = emulator.stats
    assert stats.calls["sendMessage"] == 3 and stats.calls["getMe"] == 1
    assert [(chat_id, text) for chat_id, _message_id, text in stats.sent] == [(42, "halo"), (42, "apa kabar"), (42, "halo")]
    assert [sent.text for sent in stats.duplicates()] == ["halo"]
    assert stats.send_rate() > 0

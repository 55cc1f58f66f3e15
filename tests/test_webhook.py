"""Webhook mode: updates arrive by HTTP POST, and only with Telegram's secret token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.inbox.cleaning import MAX_JSON_DEPTH, read_json
from bot.inbox.receivers import Webhook
from tests.conftest import RunningBot, eventually
from tests.flows import file_report
from tests.harness import free_port

SECRET = "s3cret-Token_for-tests"


@asynccontextmanager
async def webhook_bot(emulator, migrated_url, tmp_path) -> AsyncIterator[tuple[RunningBot, str]]:
    """The bot receiving by webhook on a free port, once the emulator knows its URL; stopped afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start(Webhook(url, SECRET, listen="127.0.0.1", port=port))
    try:
        await eventually(lambda: emulator.state.webhook_url == url)
        yield running, url
    finally:
        await running.stop()


async def test_webhook_takes_updates_with_the_secret_and_refuses_others(emulator, migrated_url, tmp_path):
    async with webhook_bot(emulator, migrated_url, tmp_path) as (running, url):
        assert emulator.state.webhook_secret == SECRET
        citizen = running.citizen()
        assert await file_report(citizen)

        forged = {"update_id": 999999, "message": {"message_id": 1, "date": 0, "chat": {"id": citizen.user_id, "type": "private"}, "from": emulator.users[citizen.user_id].as_json(), "text": "/lapor"}}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        assert not emulator.processed(forged)


async def test_json_nested_too_deeply_is_a_400_not_a_crash_and_the_next_update_is_handled(emulator, migrated_url, tmp_path):
    async with webhook_bot(emulator, migrated_url, tmp_path) as (running, url):
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        deep_bodies = ['{"update_id": 1, "message": ' + "[" * 100_000 + "]" * 100_000 + "}",  # the parser's recursion
                       '{"update_id": 2, "message": {"text": ' + "[" * 900 + "]" * 900 + "}}"]  # what reads it next
        async with aiohttp.ClientSession() as http:
            for body in deep_bodies:
                async with http.post(url, data=body, headers=headers) as response:
                    assert response.status == 400, await response.text()
                    assert "nested too deeply" in await response.text()
        citizen = running.citizen()
        assert "SP4N-LAPOR!" in (await citizen.send("/start"))[0]["text"], "the receiver goes on"


def test_the_json_guard_is_one_function_any_receiver_can_use():
    assert read_json(b'{"update_id": 1, "message": {"chat": {"id": 3}}}') == {"update_id": 1, "message": {"chat": {"id": 3}}}
    for body in (b"[" * 5000 + b"]" * 5000, b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), b"\xff", b"{"):
        with pytest.raises(ValueError):
            read_json(body)


async def test_a_tapped_buttons_answer_rides_in_the_webhooks_answer_not_in_a_call_of_its_own(emulator, migrated_url,
                                                                                          tmp_path):
    async with webhook_bot(emulator, migrated_url, tmp_path) as (running, _url):
        citizen = running.citizen()
        await citizen.send("/lapor")
        type_message, _data = citizen.find_button("Pengaduan")
        assert "Kategori" in (await citizen.tap("Pengaduan"))[-1]["text"]
        await citizen.tap_data(type_message["message_id"], "in:type:aspirasi")  # a button of a step gone by
        await eventually(lambda: len(emulator.state.callback_answers) == 2)
        answers = [answer.get("text") for answer in emulator.state.callback_answers]
        assert answers == [None, "Tombol itu sudah tidak berlaku."]
        assert emulator.stats.in_webhook_answers["answerCallbackQuery"] == 2
        assert emulator.stats.calls["answerCallbackQuery"] == 2, "no Bot API call of the bot's own"

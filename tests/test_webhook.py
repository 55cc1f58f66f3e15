"""Webhook mode: updates arrive by HTTP POST, and only with Telegram's secret token."""

from __future__ import annotations

import socket

import aiohttp

from bot.inbox.receivers import Webhook
from tests.conftest import RunningBot, eventually
from tests.flows import file_report

SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_takes_updates_with_the_secret_and_refuses_others(emulator, database_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    running = RunningBot(emulator, database_url, tmp_path)

    await running.start(Webhook(url, SECRET, listen="127.0.0.1", port=port))
    try:
        await eventually(lambda: emulator.state.webhook_url == url)
        assert emulator.state.webhook_secret == SECRET
        citizen = running.citizen()
        assert await file_report(citizen)

        forged = {"update_id": 999999, "message": {"message_id": 1, "date": 0, "chat": {"id": citizen.user_id, "type": "private"}, "from": emulator.users[citizen.user_id].as_json(), "text": "/lapor"}}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        assert not emulator.processed(forged)
    finally:
        await running.stop()

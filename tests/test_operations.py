"""Operations: /healthz and /metrics beside the webhook (and on PORT when polling), and JSON logs.

Health is 200 with the queues when the database and the Bot API answer, 503 when the Bot API does not; the
metrics count updates, their handling time and deliveries, and read the queues from the database."""

from __future__ import annotations

import json
import logging

import aiohttp

from bot.config import Settings, configure_logging
from bot.inbox.receivers import Polling, Webhook
from bot.web import operations
from tests.conftest import RunningBot, eventually
from tests.flows import file_report
from tests.kit.faults import Fault, inject
from tests.test_webhook import SECRET
from tests.harness import free_port


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_health_and_metrics_beside_the_webhook(emulator, migrated_url, tmp_path, monkeypatch):
    port = free_port()
    running, base = RunningBot(emulator, migrated_url, tmp_path), f"http://127.0.0.1:{port}"
    await running.start(Webhook(f"{base}/telegram/webhook", SECRET, listen="127.0.0.1", port=port))
    try:
        await eventually(lambda: emulator.state.webhook_url == f"{base}/telegram/webhook")
        assert await file_report(running.citizen())
        status, body = await _get(f"{base}/healthz")
        health = json.loads(body)
        assert status == 200 and health["database"] and health["bot_api"]
        assert health["inbox"] == {"depth": 0, "oldest_seconds": 0.0} and set(health["outbox"]) == {"depth", "oldest_seconds"}

        status, metrics = await _get(f"{base}/metrics")
        assert status == 200
        handled = next(line for line in metrics.splitlines() if line.startswith('lapor_updates_total{outcome="handled"}'))
        assert float(handled.split()[-1]) >= 10, "every message and tap of the report was counted"
        assert "lapor_update_handling_seconds_bucket" in metrics and 'lapor_delivery_total{outcome="sent"}' in metrics
        assert 'lapor_queue_depth{queue="outbox"}' in metrics and "lapor_reports_overdue 0.0" in metrics

        monkeypatch.setattr(operations, "BOT_API_CHECK_SECONDS", 0)
        inject(emulator, Fault("getMe", status=500, times=5))
        status, body = await _get(f"{base}/healthz")
        assert status == 503 and json.loads(body)["bot_api"] is False and json.loads(body)["database"] is True
    finally:
        await running.stop()


async def test_health_on_its_port_when_polling(emulator, migrated_url, tmp_path):
    port = free_port()
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start(Polling(timeout=1, operations_port=port, listen="127.0.0.1"))
    answers = []

    async def answered() -> bool:  # the receiver starts listening in the background
        try:
            answers.append(await _get(f"http://127.0.0.1:{port}/healthz"))
        except aiohttp.ClientConnectionError:
            return False
        return True

    try:
        await eventually(answered)
        status, body = answers[-1]
        assert status == 200 and json.loads(body)["database"]
    finally:
        await running.stop()


def test_logs_are_one_json_object_per_line_when_asked(capsys):
    # configure_logging replaces the root handlers with one on this test's captured stderr, which pytest closes
    # after the test: put back what was there, or every later log line fails to write.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(Settings(log_format="json"))
        logging.getLogger("lapor-bot").info("delivery round done")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["message"] == "delivery round done" and record["level"] == "INFO" and record["logger"] == "lapor-bot"
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)

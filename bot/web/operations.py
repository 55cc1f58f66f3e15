"""``/healthz`` and ``/metrics``, for load balancers, uptime checks and Prometheus.

Health answers 200 when the database and the Bot API answer, 503 otherwise, with the queues either way:
``{"database": true, "bot_api": true, "inbox": {"depth": 0, "oldest_seconds": 0}, "outbox": {...}}``. The Bot
API's answer is kept for a while, so that a check every few seconds does not become a getMe every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.db import Transactions
from bot.web.metrics import Metrics
from bot.web.queues import read_queues

log = logging.getLogger(__name__)

BOT_API_CHECK_SECONDS = 30.0
CHECK_TIMEOUT_SECONDS = 5.0


class Operations:
    def __init__(self, transactions: Transactions, channel_answers: Callable[[], Awaitable[object]],
                 metrics: Metrics) -> None:
        """``channel_answers`` raises when the messenger cannot be reached (Telegram: getMe)."""
        self._transactions, self._channel_answers, self.metrics = transactions, channel_answers, metrics
        self._bot_api: tuple[float, bool] | None = None  # when checked, and the answer

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/metrics", self.scrape)

    async def health(self, request: web.Request) -> web.Response:
        database, bot_api = await asyncio.gather(self._database_answers(), self._bot_api_answers())
        body = {"database": database, "bot_api": bot_api}
        if database:
            inbox, outbox = await read_queues(self._transactions)
            body |= {"inbox": asdict(inbox), "outbox": asdict(outbox)}
        return web.json_response(body, status=200 if database and bot_api else 503)

    async def scrape(self, request: web.Request) -> web.Response:
        body = await self.metrics.exposition(self._transactions)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), self._transactions.sessions() as session:
                await session.execute(text("SELECT 1"))
            return True
        except Exception as error:  # any failure means: not healthy, and say why in the log
            log.warning("health: the database does not answer (%s)", type(error).__name__)
            return False

    async def _bot_api_answers(self) -> bool:
        if self._bot_api is not None and time.monotonic() - self._bot_api[0] < BOT_API_CHECK_SECONDS:
            return self._bot_api[1]
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self._channel_answers()
            answered = True
        except Exception as error:  # the Bot API's errors, the network's, a timeout: not answering
            log.warning("health: the Bot API does not answer (%s)", type(error).__name__)
            answered = False
        self._bot_api = (time.monotonic(), answered)
        return answered

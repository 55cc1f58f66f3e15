"""Builds the python-telegram-bot Application and runs it (polling, webhook, or the sandbox)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseUpdateProcessor, Defaults, Updater

import handlers
from bot.config import Settings
from bot.db import Transactions, create_engine, migrate
from bot.outbox import OutboxSender
from bot.services.conversations import prune_processed_updates
from bot.services.jurisdiction import load_router
from routing.engine import Router
from handlers.render import notification_text

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX"
CONCURRENT_UPDATES = 32


@dataclass
class Services:
    """What handlers reach through ``context.bot_data["services"]``."""

    settings: Settings
    engine: AsyncEngine
    transactions: Transactions
    router: Router
    outbox: OutboxSender | None = None

    @property
    def sessions(self) -> async_sessionmaker:
        """For reads; changes go through ``transactions.begin()``."""
        return self.transactions.sessions


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Chats are served concurrently; the updates of one chat strictly one after another, in order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(settings: Settings, engine: AsyncEngine, router: Router, api_base_url: str | None = None) -> Application:
    base = (api_base_url or settings.api_base_url).rstrip("/")
    application = (
        Application.builder()
        .token(settings.bot_token or SANDBOX_TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .build()
    )
    services = Services(settings, engine, Transactions(engine), router)
    services.outbox = OutboxSender(
        services.transactions,
        send=lambda chat_id, text: application.bot.send_message(chat_id, text),
        render=notification_text(settings),
    )
    application.bot_data["services"] = services
    handlers.register(application)
    return application


async def start_bot(application: Application, receive_updates: Callable[[Updater], Awaitable[Any]]) -> None:
    """Start the application, its command menu and outbox sender, then take updates."""
    services: Services = application.bot_data["services"]
    await application.initialize()
    await application.start()
    await handlers.publish_commands(application, services.settings.default_locale)
    loop = asyncio.get_running_loop()
    application.bot_data["background"] = [
        loop.create_task(services.outbox.run_forever()),
        loop.create_task(_prune_forever(services.transactions)),
    ]
    await receive_updates(application.updater)


async def stop_bot(application: Application) -> None:
    if application.updater.running:
        await application.updater.stop()
    tasks = application.bot_data.pop("background", [])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await application.stop()
    await application.shutdown()


async def _prune_forever(transactions: Transactions, every_seconds: float = 3600) -> None:
    while True:
        try:
            async with transactions.begin() as session:
                pruned = await prune_processed_updates(session)
            log.info("pruned %d handled update ids past Telegram's redelivery window", pruned)
        except Exception:  # housekeeping must never stop the bot
            log.exception("pruning handled update ids failed")
        await asyncio.sleep(every_seconds)


async def load_routing(settings: Settings) -> Router:
    """Load the routing data (a few seconds) before the first citizen waits for it."""
    from routing.boundaries import packaged_index

    await asyncio.to_thread(packaged_index, "provinces")
    return await asyncio.to_thread(load_router, settings.routing_dir, settings.routing_polygons)


async def serve(settings: Settings, stop: asyncio.Event, api_base_url: str | None = None) -> None:
    """Run the bot until ``stop`` is set: webhook when WEBHOOK_URL is set, long polling otherwise."""
    engine = create_engine(settings.database_url)
    await migrate(engine)
    router = await load_routing(settings)
    application = build_application(settings, engine, router, api_base_url)
    try:
        await start_bot(application, lambda updater: _receive_updates(updater, settings))
        await stop.wait()
        await stop_bot(application)
    finally:
        await engine.dispose()


async def _receive_updates(updater: Updater, settings: Settings) -> None:
    if settings.webhook_url:
        await updater.start_webhook(
            listen="0.0.0.0",
            port=settings.port,
            url_path=_webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=20)


def _webhook_path(webhook_url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(webhook_url).path.lstrip("/")

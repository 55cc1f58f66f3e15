"""Builds the python-telegram-bot Application around the channel-neutral services (bot.runtime), and runs it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Defaults

import handlers
from bot.channels.telegram import inbound as telegram_inbound, outbound as telegram_outbound
from bot.channels.telegram.commands import publish_commands
from bot.channels.telegram.inbound import TelegramChannel
from bot.channels.telegram.outbound import TelegramTransport
from bot.channels.telegram.plain import plain_incoming
from bot.channels.telegram.request import AiohttpRequest, Timeouts
from bot.config import Settings
from bot.db import Transactions, create_engine, migrate, require_current_schema
from bot.delivery.pacing import Pacing
from bot.delivery.transport import ChannelRouter, Transport
from bot.event_loop import loaded_data_frozen
from bot.web.forwarding import StatusReceiver
from bot.web.open311 import Open311Api
from bot.services import contacts
from bot.services.media import MediaBridge
from bot.inbox.receivers import AddRoutes, Polling, Webhook, serve_operations
from bot.inbox.store import Stored
from bot.runtime import GiveUp, Process, ProcessRole, Services, build_services, start_background, stop_background
from bot.services.jurisdiction import load_router
from routing.engine import Router

__all__ = ["ProcessRole", "Services", "build_application", "serve", "start_bot", "stop_bot"]

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX"
# A send may take this long before it counts as failed; a claim outlives it, so a slow answer never
# makes the sender try again while the first attempt may still arrive.
SEND_TIMEOUT_SECONDS = 20.0
Receiver = Polling | Webhook


def build_application(settings: Settings, engine: AsyncEngine, router: Router, api_base_url: str | None = None,
                      pacing: Pacing | None = None) -> Application:
    base = (api_base_url or settings.api_base_url).rstrip("/")
    requests = bot_api_client(settings)
    application = (
        Application.builder()
        .token(settings.bot_token or SANDBOX_TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .request(requests).get_updates_request(requests)
        .updater(None)
        .build()
    )
    transactions = Transactions(engine)
    bridge = MediaBridge(transactions, {contacts.TELEGRAM: telegram_outbound.fetcher(application.bot)})
    telegram = TelegramTransport(application.bot, transactions.sessions, bridge)
    process, give_up = _inbox_work(application, TelegramChannel(application.bot))
    transport: Transport = telegram
    whatsapp, channel_pacing = None, {}
    if settings.whatsapp.enabled:
        from bot.channels.whatsapp.receiving import by_channel  # only where WhatsApp is configured
        from bot.channels.whatsapp.setup import whatsapp_parts

        whatsapp = whatsapp_parts(settings, transactions, bridge)
        transport = ChannelRouter({contacts.TELEGRAM: telegram, contacts.WHATSAPP: whatsapp.transport},
                                  contacts.channel_lookup(transactions.sessions))
        process, give_up = by_channel((process, give_up), (whatsapp.process, whatsapp.give_up))
        channel_pacing = {contacts.WHATSAPP: whatsapp.pacing}
    services = build_services(settings, transactions, engine, router, transport,
                              channel_answers=application.bot.get_me, process=process, give_up=give_up, pacing=pacing,
                              channel_pacing=channel_pacing)
    application.bot_data["services"] = services
    application.bot_data["whatsapp"] = whatsapp
    return application


def bot_api_client(settings: Settings) -> AiohttpRequest:
    """Every Bot API call, long polling too, on one aiohttp session."""
    timeout = min(SEND_TIMEOUT_SECONDS, settings.delivery_lease_seconds / 3)
    timeouts = Timeouts(connect=min(10.0, timeout), read=timeout, write=timeout, media_write=timeout)
    return AiohttpRequest(timeouts=timeouts, proxy=settings.telegram_proxy)


def _inbox_work(application: Application, channel: TelegramChannel) -> tuple[Process, GiveUp]:
    """What the inbox does with a stored Telegram update: read it and run its turn; and once given up, apologise."""

    async def process(services: Services, item: Stored) -> None:
        incoming = plain_incoming(item.payload, channel.username) if item.parsed is None else None
        update = (item.parsed or Update.de_json(item.payload, application.bot)) if incoming is None else None
        try:
            if update is not None:
                incoming = telegram_inbound.to_incoming(update, channel.username)
            if incoming is not None:
                await handlers.handle(incoming, services, channel)
            elif update.callback_query is not None:
                await telegram_inbound.answer_tap_without_chat(update, application.bot, services.translator_of)
        finally:
            for observer in services.handled:
                await observer(item.update_id)

    async def give_up(services: Services, payload: dict) -> None:
        try:
            incoming = telegram_inbound.to_incoming(Update.de_json(payload, application.bot), channel.username)
        except Exception:  # not even readable: nobody to answer
            return
        if incoming is not None:
            await handlers.apologise(incoming, services, channel)

    return process, give_up


async def start_bot(application: Application, receiver: Receiver, role: ProcessRole = ProcessRole.ALL) -> None:
    """Start the application, then the background work of its role: receiving, handling, sending, housekeeping."""
    services: Services = application.bot_data["services"]
    await _initialize(application)
    await application.start()
    if isinstance(receiver, Polling):  # getUpdates hands every update over in order: a gap is never filled later
        services.inbox.arrivals.wait = 0
    channel_work = []
    if role in (ProcessRole.ALL, ProcessRole.WEB):
        channel_work += [receiver.run(application.bot, services.inbox, services.operations),
                         _publish_commands(application, services.settings.default_locale)]
    if role is ProcessRole.WORKER and isinstance(receiver, Polling) and receiver.operations_port is not None:
        channel_work.append(serve_operations(services.operations, receiver.listen, receiver.operations_port))
    background = application.bot_data["background"] = await start_background(services, role, tuple(channel_work))
    log.info("started as %s (%s), named %s", role.value, type(receiver).__name__.lower(), background.sender.name)


async def stop_bot(application: Application) -> None:
    await stop_background(application.bot_data["services"], application.bot_data.pop("background"))
    await application.stop()
    await application.shutdown()
    if application.bot_data.get("whatsapp") is not None:
        await application.bot_data["whatsapp"].api.close()


async def _initialize(application: Application) -> None:
    """getMe must succeed before anything else; while Telegram cannot be reached, keep trying."""
    delay = 1.0
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except (TelegramError, OSError) as error:
            log.warning("cannot reach the Bot API yet (%s); trying again in %.0fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)


async def _publish_commands(application: Application, default_locale: str) -> None:
    """The command menu is a nicety: a failure is logged and tried again later, never fatal."""
    delay = 5.0
    while True:
        try:
            await publish_commands(application.bot, default_locale, handlers.menu_commands())
            return
        except TelegramError as error:
            log.warning("publishing the command menu failed (%s); trying again in %.0fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3600)


async def load_routing(settings: Settings) -> Router:
    """Load the routing data (a few seconds) before the first citizen waits for it."""
    from routing.boundaries import packaged_index

    await asyncio.to_thread(packaged_index, "provinces")
    return await asyncio.to_thread(load_router, settings.routing_dir, settings.routing_polygons)


def web_routes(application: Application) -> tuple[AddRoutes, ...]:
    """What the web side serves beside Telegram's webhook: the Open311 API, forwarded systems' status pushes, and
    WhatsApp's webhook when set up."""
    whatsapp = application.bot_data["whatsapp"]
    services = application.bot_data["services"]
    return (Open311Api(services).add_routes, StatusReceiver(services).add_routes,
            *((whatsapp.webhook.add_routes,) if whatsapp is not None else ()))


def receiver_for(settings: Settings, routes: tuple[AddRoutes, ...] = (), port: int | None = None) -> Receiver:
    """The webhook serves health and metrics beside it, and ``routes`` (another channel's webhook); polling serves
    them on PORT (on ``port`` in the sandbox, whose page owns PORT)."""
    if settings.webhook_url:
        return Webhook(settings.webhook_url, settings.webhook_secret or "", port=settings.port, routes=routes)
    return Polling(operations_port=port or (None if settings.sandbox else settings.port), routes=routes)


async def serve(settings: Settings, stop: asyncio.Event, api_base_url: str | None = None,
                prepare: Callable[[AsyncEngine, Router], Awaitable[None]] | None = None,
                role: ProcessRole = ProcessRole.ALL, web_port: int | None = None) -> None:
    """Run the bot until ``stop`` is set: webhook when WEBHOOK_URL is set, long polling otherwise.
    ``prepare`` runs once the schema is migrated and the routing data loaded (the sandbox's sample staff).
    Only the one-process role migrates; ``web`` and ``worker`` leave that to the release step."""
    engine = create_engine(settings.database_url, show_parameters=settings.debug, pool_size=settings.database_pool_size)
    if role is ProcessRole.ALL:
        await migrate(engine)
    else:
        await require_current_schema(engine)
    router = await load_routing(settings)
    if prepare is not None:
        await prepare(engine, router)
    application = build_application(settings, engine, router, api_base_url)
    try:
        with loaded_data_frozen():
            await start_bot(application, receiver_for(settings, web_routes(application), web_port), role)
            await stop.wait()
            await stop_bot(application)
    finally:
        await engine.dispose()

"""The WhatsApp channel's parts for a running bot, built when its settings are given (WhatsAppSettings.enabled):
its Graph API client, the port the turns use, the outbox's transport, the inbox's work and the webhook's routes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.whatsapp.api import GraphApi
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.limits import CHANNEL, INCOMING_SIZE
from bot.channels.whatsapp.outbound import WhatsAppTransport
from bot.channels.whatsapp.receiving import inbox_work
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.config import Settings
from bot.db import Transactions
from bot.delivery.pacing import Pacing
from bot.runtime import GiveUp, Process
from bot.services.media import Fetch, KeptFile, MediaBridge


@dataclass
class WhatsAppParts:
    api: GraphApi
    channel: WhatsAppChannel
    transport: WhatsAppTransport
    webhook: WhatsAppWebhook
    process: Process
    give_up: GiveUp
    pacing: Pacing


def whatsapp_parts(settings: Settings, transactions: Transactions, bridge: MediaBridge,
                   api: GraphApi | None = None) -> WhatsAppParts:
    api = api or GraphApi(settings.whatsapp)
    bridge.fetchers[CHANNEL] = fetcher(api)
    channel = WhatsAppChannel()
    process, give_up = inbox_work(channel, api, bridge)
    rate = settings.whatsapp.messages_per_second
    # One phone number's throughput; a person's pace as on Telegram (WhatsApp's pair limit allows bursts).
    pacing = Pacing(per_second=rate, burst=max(1, int(rate / 4)), bulk_per_second=rate * 0.8)
    return WhatsAppParts(api, channel, WhatsAppTransport(api, settings, transactions, bridge),
                         WhatsAppWebhook(settings.whatsapp), process, give_up, pacing)


def fetcher(api: GraphApi) -> Fetch:
    """A file a person sent on WhatsApp, by its media id (within the size WhatsApp allows for its kind)."""

    async def fetch(media_id: str, kind: str) -> KeptFile:
        info = await api.media_info(media_id)
        content = await api.download(info.url, INCOMING_SIZE.get(kind, INCOMING_SIZE["document"]))
        return KeptFile(kind, content, info.mime_type)

    return fetch

"""WhatsApp's webhook receiver: Meta's verification handshake (GET), and signed deliveries (POST) stored in the
inbox before Meta hears 200, so that a crash at any point leaves each message either unanswered (Meta retries,
for days) or stored. Nothing a person wrote, and no phone number, is logged here."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.channels.whatsapp import inbound
from bot.config import WhatsAppSettings
from bot.inbox.cleaning import read_json, storable
from bot.inbox.dispatcher import InboxDispatcher
from bot.signing import signature_of

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # a delivery is a few kilobytes; Meta batches at most some hundred items
SIGNATURE_HEADER = "X-Hub-Signature-256"


class WhatsAppWebhook:
    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings

    @property
    def path(self) -> str:
        return self.settings.webhook_path

    def add_routes(self, app: web.Application, dispatcher: InboxDispatcher) -> None:
        async def receive(request: web.Request) -> web.Response:
            return await self.receive(request, dispatcher)

        app.router.add_get(self.path, self.verify)
        app.router.add_post(self.path, receive)

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription handshake: the challenge back when the verify token is ours."""
        query = request.query
        expected = self.settings.verify_token
        given = query.get("hub.verify_token", "")
        if (query.get("hub.mode") == "subscribe" and expected
                and hmac.compare_digest(given.encode(), expected.encode())):
            log.info("WhatsApp webhook verified")
            return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")
        log.warning("WhatsApp webhook verification refused (mode or verify token wrong)")
        return web.Response(status=403, text="verification refused")

    async def receive(self, request: web.Request, dispatcher: InboxDispatcher) -> web.Response:
        body = await _body(request)
        if body is None:
            return web.Response(status=413, text="too large")
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            log.warning("WhatsApp webhook without a signature refused (%d bytes)", len(body))
            return web.Response(status=401, text="signature missing")
        if not self._signed(body, signature):
            log.warning("WhatsApp webhook with a wrong signature refused (%d bytes)", len(body))
            return web.Response(status=403, text="signature wrong")
        try:
            payload = storable(read_json(body))
        except ValueError:  # UnicodeDecodeError too
            log.warning("WhatsApp webhook body is not JSON that can be read (%d bytes)", len(body))
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict) or payload.get("object") != inbound.OBJECT:
            return web.Response(text="ignored")
        items, skipped = inbound.items(payload, self.settings.phone_number_id)
        if skipped:
            log.warning("WhatsApp webhook: %d malformed items skipped", skipped)
        if items:
            try:
                await dispatcher.receive(items, prepare=inbound.with_chat_ids)
            except Exception as error:  # Meta retries on anything but 2xx: nothing is lost
                log.error("storing a WhatsApp webhook delivery failed (%s); Meta will retry", type(error).__name__)
                return web.Response(status=503, text="try again")
        return web.Response(text="ok")

    def _signed(self, body: bytes, signature: str) -> bool:
        secret = self.settings.app_secret
        if not secret:
            return False
        return hmac.compare_digest(signature.strip().lower().encode(), signature_of(body, secret).encode())


async def _body(request: web.Request) -> bytes | None:
    """The raw body, or None when it is larger than ``MAX_BODY_BYTES`` (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)

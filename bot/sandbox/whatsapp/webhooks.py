"""Webhooks to the bot, as Meta posts them: one JSON body per event, signed ``X-Hub-Signature-256:
sha256=<HMAC-SHA256 of the raw body with the app secret>``, posted again with a growing pause until the bot
answers 2xx, in order per person (the one at the head of a person's queue holds the ones behind it). The queues
are part of the state: webhooks not yet answered survive a restart. Also the GET verification handshake.

A mixin of ``WhatsAppEmulator``: it uses ``self.state``, ``self.webhook_url``, ``self.app_secret``,
``self.verify_token``, ``self.faults``, ``self._http`` and ``self._notify()``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

import aiohttp

from bot.sandbox.whatsapp.model import Faults, WhatsAppState

log = logging.getLogger(__name__)
RAW = "~raw"  # the queue of payloads posted with post_webhook and no phone


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSide:
    state: WhatsAppState
    webhook_url: str | None
    app_secret: str
    verify_token: str
    waba_id: str
    phone_number_id: str
    display_phone_number: str
    faults: Faults | None
    webhook_retry: float
    webhook_retry_max: float
    _http: aiohttp.ClientSession | None

    def _init_webhooks(self) -> None:
        self._workers: dict[str, asyncio.Task] = {}
        self._late_tasks: set[asyncio.Task] = set()
        self.webhooks_answered: list[dict[str, Any]] = []  # payloads the bot answered 2xx, in that order
        self.webhook_attempts = 0
        self.webhook_failures = 0  # posts answered non-2xx or not answered

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        """A webhook body around one change's ``value`` (messages, contacts or statuses)."""
        metadata = {"display_phone_number": self.display_phone_number, "phone_number_id": self.phone_number_id}
        return {"object": "whatsapp_business_account", "entry": [{"id": self.waba_id, "changes": [
            {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}, "field": "messages"}]}]}

    def queue_webhook(self, phone: str, payload: dict[str, Any]) -> None:
        """Post ``payload`` after what is queued for ``phone`` (or late, out of order, when a fault says so)."""
        late = self.faults.take_late_delivery() if self.faults else 0.0
        if late:
            task = asyncio.get_running_loop().create_task(self._post_late(payload, late))
            self._late_tasks.add(task)
            task.add_done_callback(self._late_tasks.discard)
            return
        self.state.pending.setdefault(phone, []).append(payload)
        self._touch()
        self._wake(phone)

    async def post_webhook(self, payload: dict[str, Any], phone: str | None = None) -> None:
        """Any payload, raw (a test's own shape), in ``phone``'s order when given."""
        self.queue_webhook(phone or RAW, payload)
        await self._notify()

    def resume_webhooks(self) -> None:
        """Post what is pending (after a start, or once a webhook URL is set)."""
        for phone in list(self.state.pending):
            self._wake(phone)

    def pending_webhooks(self, phone: str | None = None) -> list[dict[str, Any]]:
        if phone is not None:
            return list(self.state.pending.get(phone, []))
        return [payload for queue in self.state.pending.values() for payload in queue]

    def acknowledged(self, entry: dict[str, Any]) -> bool:
        """The bot answered 2xx to the webhook carrying a person's message (``entry`` from ``person_sends``): it
        has the message, under whatever id it chose."""
        return any(entry["message"] in payload["entry"][0]["changes"][0]["value"].get("messages", ())
                   for payload in reversed(self.webhooks_answered))

    def _wake(self, phone: str) -> None:
        if not self.webhook_url or self._http is None:
            return
        worker = self._workers.get(phone)
        if worker is None or worker.done():
            self._workers[phone] = asyncio.get_running_loop().create_task(self._drain(phone))

    async def _drain(self, phone: str) -> None:
        while self.webhook_url and (queue := self.state.pending.get(phone)):
            await self._post_until_answered(queue[0])
            queue.pop(0)
            if not queue:
                self.state.pending.pop(phone, None)
            await self._notify()

    async def _post_late(self, payload: dict[str, Any], late: float) -> None:
        await asyncio.sleep(late)
        await self._post_until_answered(payload)
        await self._notify()

    async def _post_until_answered(self, payload: dict[str, Any]) -> None:
        delay = self.webhook_retry
        while True:
            if await self._post_once(payload):
                self.webhooks_answered.append(payload)
                return
            self.webhook_failures += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.webhook_retry_max)
            while not self.webhook_url:  # unset meanwhile: wait for a new one
                await asyncio.sleep(self.webhook_retry)

    async def _post_once(self, payload: dict[str, Any]) -> bool:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(self.app_secret, body),
                   "User-Agent": "facebookexternalua"}
        self.webhook_attempts += 1
        try:
            async with self._http.post(self.webhook_url, data=body, headers=headers) as response:
                await response.read()
                return 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError) as error:
            log.debug("webhook post failed: %s", type(error).__name__)
            return False

    async def verify_webhook(self, verify_token: str | None = None) -> bool:
        """Meta's GET handshake: True when the bot answers 200 with the challenge."""
        challenge = str(secrets.randbelow(10**9))
        query = {"hub.mode": "subscribe", "hub.verify_token": verify_token or self.verify_token, "hub.challenge": challenge}
        try:
            async with self._http.get(self.webhook_url, params=query) as response:
                return response.status == 200 and (await response.text()).strip() == challenge
        except aiohttp.ClientError:
            return False

    async def _stop_webhooks(self) -> None:
        tasks = [*self._workers.values(), *self._late_tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._workers.clear()

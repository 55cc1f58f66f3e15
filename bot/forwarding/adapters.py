"""The forwarders: each sends one queued ``Forward`` to its target and says what the target answered. A target
that is down, slow or answers garbage raises ``TryAgain``; one that refuses the forward for good (a 4xx other than
408 and 429) raises ``Refused``, which an admin sees and may send again.

The seam for SP4N-LAPOR!'s own integration API is this interface: a ``LaporForwarder`` gets the same ``Forward``
(its ``payload`` is ``bot.forwarding.queue.report_payload``, with ``lapor_topic`` from lapor_topics.csv) and
returns ``Sent(remote_id, lapor_id)``, the LAPOR! tracking ID in ``lapor_id``; its statuses come back through
``statuses`` like Open311's (README: "Forwarding").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from bot.db.models.forwarding import Forward
from bot.forwarding.queue import FILED
from bot.forwarding.targets import Target
from bot.signing import signature_of

TIMEOUT = aiohttp.ClientTimeout(total=20)
SIGNATURE_HEADER = "X-Lapor-Signature-256"
MAX_ANSWER_BYTES = 1024 * 1024


class TryAgain(Exception):
    """The target could not take it now (down, slow, 5xx, 429, an answer that cannot be read)."""


class Refused(Exception):
    """The target refused it for good (4xx): sending it again unchanged would be refused again."""


@dataclass(frozen=True)
class Sent:
    remote_id: str | None = None  # the target's id of the report (or a token standing for it)
    lapor_id: str | None = None


@dataclass(frozen=True)
class RemoteStatus:
    remote_id: str
    closed: bool
    note: str | None
    updated_at: datetime | None


class Forwarder(Protocol):
    target: Target

    async def send(self, http: aiohttp.ClientSession, forward: Forward) -> Sent: ...


def signature(secret: str, body: bytes) -> str:
    """The ``X-Lapor-Signature-256`` of ``body``: signed as Meta signs WhatsApp's webhooks."""
    return signature_of(body, secret)


async def _answer(response: aiohttp.ClientResponse) -> Any:
    """The target's JSON answer, or the error its status means."""
    if response.status in (408, 429) or response.status >= 500:
        raise TryAgain(f"HTTP {response.status}")
    if response.status >= 400:
        raise Refused(f"HTTP {response.status}: {(await response.content.read(500)).decode(errors='replace')}")
    body = await response.content.read(MAX_ANSWER_BYTES)
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        raise TryAgain("an answer that is not JSON") from None


async def _call(http: aiohttp.ClientSession, method: str, url: str, **options) -> Any:
    try:
        async with http.request(method, url, timeout=TIMEOUT, **options) as response:
            return await _answer(response)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise TryAgain(type(error).__name__) from None


class WebhookForwarder:
    """Every event as JSON, signed with the target's secret (``X-Lapor-Signature-256: sha256=<HMAC-SHA256>``),
    with its idempotency key (``Idempotency-Key``): the receiver takes each key once."""

    def __init__(self, target: Target) -> None:
        self.target = target

    async def send(self, http: aiohttp.ClientSession, forward: Forward) -> Sent:
        body = json.dumps(forward.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(self.target.secret, body),
                   "Idempotency-Key": forward.key, "X-Lapor-Event": forward.event}
        answer = await _call(http, "POST", self.target.url, data=body, headers=headers)
        answer = answer if isinstance(answer, dict) else {}
        return Sent(_text(answer.get("remote_id")), _text(answer.get("lapor_id")))


class Open311Forwarder:
    """A filing as Open311's ``POST requests`` (with ``Idempotency-Key``; a server that ignores it may, after a
    lost answer, get the filing twice); statuses read with ``GET requests``."""

    def __init__(self, target: Target) -> None:
        self.target = target

    async def send(self, http: aiohttp.ClientSession, forward: Forward) -> Sent:
        if forward.event != FILED:  # Open311 takes no changes: nothing to send
            return Sent()
        report = forward.payload
        fields = {"api_key": self.target.secret, "service_code": report["service_code"],
                  "description": report["description"]}
        if report.get("lat") is not None:
            fields |= {"lat": str(report["lat"]), "long": str(report["long"])}
        if report.get("address"):
            fields["address_string"] = report["address"]
        if self.target.jurisdiction_id:
            fields["jurisdiction_id"] = self.target.jurisdiction_id
        reporter = report.get("reporter") or {}
        fields |= {name: reporter[source] for name, source in (("first_name", "name"), ("email", "email"),
                                                                ("phone", "phone")) if reporter.get(source)}
        if report.get("confidential"):
            fields["attribute[confidential]"] = "true"
        answer = await _call(http, "POST", self.target.url + "requests.json", data=fields,
                             headers={"Idempotency-Key": forward.key})
        first = answer[0] if isinstance(answer, list) and answer and isinstance(answer[0], dict) else None
        remote_id = (_text(first.get("service_request_id")) or _token(first.get("token"))) if first else None
        if remote_id is None:
            raise TryAgain("an answer without service_request_id or token")
        return Sent(remote_id)

    async def statuses(self, http: aiohttp.ClientSession, remote_ids: list[str]) -> list[RemoteStatus]:
        """The status of up to 100 requests at once (tokens are first turned into ids)."""
        params = {"api_key": self.target.secret, "service_request_id": ",".join(remote_ids)}
        if self.target.jurisdiction_id:
            params["jurisdiction_id"] = self.target.jurisdiction_id
        answer = await _call(http, "GET", self.target.url + "requests.json", params=params)
        if not isinstance(answer, list):
            raise TryAgain("a list of requests was expected")
        return [status for item in answer if (status := parse_status(item)) is not None]

    async def id_of_token(self, http: aiohttp.ClientSession, token: str) -> str | None:
        answer = await _call(http, "GET", f"{self.target.url}tokens/{token}.json", params={"api_key": self.target.secret})
        first = answer[0] if isinstance(answer, list) and answer and isinstance(answer[0], dict) else {}
        return _text(first.get("service_request_id"))


TOKEN_PREFIX = "token:"


def _token(value: Any) -> str | None:
    text = _text(value)
    return TOKEN_PREFIX + text if text else None


def _text(value: Any, limit: int = 64) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return value[:limit] if isinstance(value, str) and value.strip() else None


def parse_status(item: Any) -> RemoteStatus | None:
    """An Open311 request record's status, or None when it has no id or no open/closed status."""
    if not isinstance(item, dict) or not (remote_id := _text(item.get("service_request_id"))):
        return None
    status = item.get("status")
    if status not in ("open", "closed"):
        return None
    note = item.get("status_notes") if isinstance(item.get("status_notes"), str) else None
    return RemoteStatus(remote_id, status == "closed", (note or "").strip()[:4000] or None,
                        _moment(item.get("updated_datetime")))


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def forwarder_for(target: Target) -> WebhookForwarder | Open311Forwarder:
    return Open311Forwarder(target) if target.kind == "open311" else WebhookForwarder(target)

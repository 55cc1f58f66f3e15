"""The one webhook signature the bot makes and checks: ``sha256=<HMAC-SHA256 of the raw body with a secret>``, as
Meta signs WhatsApp's webhooks and as forwarding signs its events and status pushes."""

from __future__ import annotations

import hashlib
import hmac


def signature_of(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

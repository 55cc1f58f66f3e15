"""WhatsApp's errors told in the outbox's terms: retried after a wait (rate limits, the token, the account, the
network), or refused for good with WhatsApp's reason, never a phone number."""

from __future__ import annotations

import logging
import re

from bot.channels.whatsapp.api import GraphError
from bot.delivery.transport import Failure, SendFailed

log = logging.getLogger(__name__)

WINDOW_CLOSED = 131047
# Rate limits: retry after WhatsApp's Retry-After, else this long (seconds). 130429 the number's throughput,
# 131056 too many messages to one person, 80007 the business account's rate, 131048 spam rate limit.
RATE_CODES = {130429: 5.0, 131056: 10.0, 80007: 60.0, 131048: 60.0}
# Refused for good, with WhatsApp's reason recorded: undeliverable, unsupported type, media problems, an invalid
# parameter, the window closed (only where the template itself was refused). Template problems are 132000-132999.
REFUSED_CODES = {131026, 131051, 131052, 131053, 100, WINDOW_CLOSED, 131009, 131021}
TEMPLATE_CODES = range(132000, 133000)
# The access token expired or was revoked (190, HTTP 401), or the account cannot send for now (locked, payment,
# the number not registered, a policy block): nothing is lost, everything waits this long and tries again.
TOKEN_CODES = {190}
ACCOUNT_CODES = {131031, 131042, 133010, 368}
ACCOUNT_WAIT = 300.0
# A media id WhatsApp no longer takes (they expire): the file is uploaded again, once.
STALE_MEDIA_CODES = {100, 131009, 131052, 131053}

_PHONE_LIKE = re.compile(r"\+?\d[\d ]{7,}\d")


def token_refused(error: GraphError) -> bool:
    return error.code in TOKEN_CODES or error.status == 401


def failure(error: GraphError) -> SendFailed:
    why = reason(error)
    code = error.code
    if token_refused(error):
        return SendFailed(Failure.RETRY, why, ACCOUNT_WAIT)
    if code in RATE_CODES:
        return SendFailed(Failure.RETRY, why, error.retry_after or RATE_CODES[code])
    if code in ACCOUNT_CODES:
        log.error("WhatsApp cannot send for this account now (%s): messages wait", code)
        return SendFailed(Failure.RETRY, why, ACCOUNT_WAIT)
    if code in REFUSED_CODES or code in TEMPLATE_CODES:
        return SendFailed(Failure.REFUSED, why)
    if code == 0 or error.status == 0 or error.status >= 500 or error.status == 429:
        return SendFailed(Failure.RETRY, why, error.retry_after)
    return SendFailed(Failure.REFUSED, why)  # a request WhatsApp calls wrong does not get better


def reason(error: GraphError) -> str:
    """WhatsApp's code and words, without anything that looks like a phone number (the sender logs reasons)."""
    code = error.code or (f"HTTP {error.status}" if error.status else "network")
    text = f"WhatsApp {code}: {error.title}" + (f" ({error.details})" if error.details else "")
    return _PHONE_LIKE.sub("…", text)[:500]

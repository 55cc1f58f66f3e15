"""What became of a send, settled in the outbox: sent, refused for good, or to wait (a retry later, a chat that
blocked the bot)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Transactions
from bot.delivery import claiming, outbox
from bot.delivery.outbox import Claim
from bot.delivery.transport import Failure, SendFailed
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
# What else follows when a chat turns out to have blocked the bot, once delivery has held its messages and marked it
# unreachable (the process wires in the ending of its announcements): chat id, Telegram's reason.
Blocked = Callable[[AsyncSession, int, str], Awaitable[None]]


class Outcome(Enum):
    SENT = "sent"
    REFUSED = "refused"  # the channel refused it for good: given up, the chat's next messages go on
    WAIT = "wait"  # its chat must wait: a retry later, or the chat blocked the bot


async def settle_failure(transactions: Transactions, metrics: Metrics, on_blocked: Blocked | None, claim: Claim,
                         error: Exception) -> Outcome:
    """A send that failed: postponed (Telegram's retry_after, or a growing backoff), the chat held (blocked), or
    given up (refused)."""
    failure = error.failure if isinstance(error, SendFailed) else Failure.REFUSED  # a message it cannot send
    reason = error.reason if isinstance(error, SendFailed) else f"{type(error).__name__}: {error}"
    metrics.delivery.labels({Failure.BLOCKED: "blocked", Failure.REFUSED: "refused"}.get(failure, "retried")).inc()
    async with transactions.begin() as session:
        if failure is Failure.RETRY and error.retry_after is not None:
            await claiming.postpone(session, claim, error.retry_after, reason, count_attempt=False)
        elif failure is Failure.BLOCKED:
            await outbox.hold_chat(session, claim.chat_id, reason)
            if on_blocked is not None:
                await on_blocked(session, claim.chat_id, reason)
            log.info("outbox %s: chat blocked the bot; its messages are held until it unblocks", claim.id)
        elif failure is Failure.REFUSED:
            await claiming.mark_failed(session, claim, reason)
            log.warning("outbox %s refused: %s", claim.id, reason)
            return Outcome.REFUSED
        else:  # network trouble, a timeout, the server's 5xx: retry with backoff
            backoff = min(2 ** claim.attempts, MAX_BACKOFF_SECONDS)
            await claiming.postpone(session, claim, backoff, reason, count_attempt=True)
    if failure is not Failure.BLOCKED:
        log.info("outbox %s postponed: %s", claim.id, reason)
    return Outcome.WAIT

"""The seam between the outbox and a channel: a transport sends one neutral message, and says what went wrong in
the outbox's terms, so that the sender retries, gives up or holds the chat without knowing any messenger."""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from bot.delivery.messages import Outgoing


class Failure(Enum):
    RETRY = "retry"  # network trouble, a timeout, the server's 5xx, or a rate limit (with ``retry_after``)
    REFUSED = "refused"  # refused for good: given up, the chat's next messages go on
    BLOCKED = "blocked"  # the person blocked the bot: their messages wait until they unblock it


class SendFailed(Exception):
    def __init__(self, failure: Failure, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.failure, self.reason, self.retry_after = failure, reason, retry_after


class Transport(Protocol):
    async def send(self, chat_id: int, message: Outgoing, paid: bool = False) -> None:
        """Send one message; raises ``SendFailed`` (anything else is taken as refused)."""

"""The seam between the outbox and a channel: a transport sends one neutral message, and says what went wrong in
the outbox's terms, so that the sender retries, gives up or holds the chat without knowing any messenger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


class Purpose(Enum):
    """Why a message goes out: a channel that may not send free-form messages at any time (WhatsApp's 24-hour
    window) sends a template chosen by it instead."""

    REPLY = "reply"  # an answer to what the person just did
    NOTICE = "notice"  # news of a report, a request, a deadline: may reach the person days later
    ANNOUNCEMENT = "announcement"  # an admin's broadcast to subscribers (who opted in)


@dataclass(frozen=True)
class Envelope:
    """What a transport may need besides the message: its outbox row (to record the channel's id of it, which
    later delivery receipts name) and its purpose."""

    outbox_id: int | None = None
    purpose: Purpose = Purpose.REPLY


class Transport(Protocol):
    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope: Envelope | None = None) -> None:
        """Send one message; raises ``SendFailed`` (anything else is taken as refused)."""


class ChannelRouter:
    """A transport over several channels: each message goes through the transport of the channel its chat is on
    (``channel_of``: bot.services.contacts.channel_lookup)."""

    def __init__(self, transports: dict[str, Transport], channel_of: Callable[[int], Awaitable[str]]) -> None:
        self._transports, self._channel_of = transports, channel_of

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope: Envelope | None = None) -> None:
        await self._transports[await self._channel_of(chat_id)].send(chat_id, message, paid, envelope)

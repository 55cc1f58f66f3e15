"""Telegram's flood limits, as token buckets: off unless asked for, so that tests stay fast.

Telegram publishes them loosely ("about 30 messages per second", "avoid more than one message per
second in a single chat", "no more than 20 messages per minute in one group"), and in practice lets a
short burst into a private chat pass. The buckets here:

- all chats together: 30 tokens, refilled at 30/s;
- one private chat: 5 tokens, refilled at 1/s (a reply of a few messages passes, a loop of them does not);
- one group: 20 tokens, refilled at 20 per minute;
- paid broadcasts (``allow_paid_broadcast``): 1,000 a second, instead of the overall bucket.

A message costs one token of the overall bucket and one of its chat's (an album counts as one message).
Edits cost a token of the chat's bucket only. A refused call costs nothing and answers 429 with
``retry_after``: the whole seconds until every bucket it needs has a token again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.model import ApiError

# Sending methods that do not put a message in the chat.
_NOT_MESSAGES = {"sendchataction", "sendinvoice", "sendgift"}
_COPIES = {"copymessage", "copymessages", "forwardmessage", "forwardmessages"}


@dataclass(frozen=True)
class Rate:
    capacity: float  # the burst
    per_second: float  # the sustained rate


@dataclass(frozen=True)
class RateLimits:
    overall: Rate = Rate(30, 30)
    private_chat: Rate = Rate(5, 1)
    group_chat: Rate = Rate(20, 20 / 60)
    paid_broadcast: Rate = Rate(1000, 1000)

    @classmethod
    def telegram(cls) -> RateLimits:
        return cls()


def counts_as_message(method: str) -> bool:
    method = method.lower()
    return (method.startswith("send") and method not in _NOT_MESSAGES) or method in _COPIES


def counts_as_edit(method: str) -> bool:
    return method.lower().startswith("editmessage")


@dataclass
class TokenBucket:
    rate: Rate
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0 when one is)."""
        self.tokens = min(self.rate.capacity, self.tokens + (now - self.stamp) * self.rate.per_second)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate.per_second

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class RateLimiter:
    limits: RateLimits
    clock: Callable[[], float] = time.monotonic
    _overall: TokenBucket | None = None
    _paid: TokenBucket | None = None
    _chats: dict[int, TokenBucket] = field(default_factory=dict)

    def admit(self, method: str, chat_id: int, paid: bool = False) -> None:
        """Take the tokens ``method`` into ``chat_id`` needs, or raise 429 and take none."""
        if counts_as_message(method) and paid:
            self._paid = self._paid or self._full(self.limits.paid_broadcast)
            buckets = [self._paid, self._chat_bucket(chat_id)]
        elif counts_as_message(method):
            buckets = [self._overall_bucket(), self._chat_bucket(chat_id)]
        elif counts_as_edit(method):
            buckets = [self._chat_bucket(chat_id)]
        else:
            return
        now = self.clock()
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for bucket in buckets:
            bucket.take()

    def _overall_bucket(self) -> TokenBucket:
        if self._overall is None:
            self._overall = self._full(self.limits.overall)
        return self._overall

    def _chat_bucket(self, chat_id: int) -> TokenBucket:
        if chat_id not in self._chats:
            self._chats[chat_id] = self._full(self.limits.group_chat if chat_id < 0 else self.limits.private_chat)
        return self._chats[chat_id]

    def _full(self, rate: Rate) -> TokenBucket:
        return TokenBucket(rate, rate.capacity, self.clock())

"""WhatsApp's throughput limits: a token bucket per business phone number (80 messages a second by default:
130429) and the pair rate, a cap on bursts to one person (more than ``pair_burst`` messages within
``pair_seconds``: 131056). Real (monotonic) time, not the emulator's clock: these are about speed."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.whatsapp.errors import MetaError


@dataclass(frozen=True)
class Throughput:
    messages_per_second: float = 80.0
    burst: float | None = None  # the bucket's size (default: one second's worth)
    pair_burst: int = 45
    pair_seconds: float = 6.0


@dataclass
class Throttle:
    limits: Throughput = field(default_factory=Throughput)
    clock: Callable[[], float] = time.monotonic
    _tokens: float | None = None
    _stamp: float = 0.0
    _pairs: dict[str, deque[float]] = field(default_factory=dict)

    def admit(self, phone: str) -> None:
        """Take a token for a message to ``phone``, or raise 130429 / 131056 and take none."""
        now = self.clock()
        capacity = self.limits.burst or max(1.0, self.limits.messages_per_second)
        if self._tokens is None:
            self._tokens, self._stamp = capacity, now
        self._tokens = min(capacity, self._tokens + (now - self._stamp) * self.limits.messages_per_second)
        self._stamp = now
        if self._tokens < 1:
            wait = (1 - self._tokens) / self.limits.messages_per_second
            raise MetaError(130429, retry_after=max(1, math.ceil(wait)))
        recent = self._pairs.setdefault(phone, deque())
        while recent and now - recent[0] >= self.limits.pair_seconds:
            recent.popleft()
        if len(recent) >= self.limits.pair_burst:
            raise MetaError(131056, retry_after=max(1, math.ceil(self.limits.pair_seconds - (now - recent[0]))))
        self._tokens -= 1
        recent.append(now)

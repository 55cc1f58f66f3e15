"""Telegram's rate limits, kept on our side with aiolimiter's leaky buckets (see shared/DESIGN.md).

About 30 messages a second across chats, about one a second to one chat (short bursts pass), 20 a
minute to one group. The overall budget serves the most urgent waiting message first: a bulk message
(a broadcast's copy) takes a turn only while no reply or notification waits, and bulk messages have a slower
bucket of their own inside the overall one, which leaves at least ``reply_share`` of every second to replies
that come in meanwhile. Paid broadcasts (``allow_paid_broadcast``, when the
operator enables them) are outside Telegram's free limit: they have a bucket of their own at the paid rate.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from bot.delivery.outbox import Priority

CHAT_LIMITERS_KEPT = 10_000


@dataclass(frozen=True)
class Pacing:
    per_second: float = 30.0
    burst: int = 5  # small: a full bucket at our end plus a little jitter must not look like a flood at Telegram's
    chat_per_second: float = 1.0
    chat_burst: int = 10
    group_per_minute: int = 20
    bulk_per_second: float = 25.0
    paid_per_second: float = 0.0  # announcements as paid broadcasts (up to 1,000/s); 0: off
    reply_share: float = 1 / 6  # of per_second, never spent on bulk (5 of Telegram's 30 a second)

    @property
    def paid(self) -> bool:
        return self.paid_per_second > 0

    @property
    def bulk_rate(self) -> float:
        """Bulk messages a second at most: their own pace, below the overall budget less the replies' reserve."""
        return min(self.bulk_per_second, self.per_second * (1 - self.reply_share))


def _bucket(capacity: float, per_second: float) -> AsyncLimiter:
    return AsyncLimiter(capacity, capacity / per_second)


class Pacer:
    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self._overall = UrgentFirst(pacing.burst, pacing.per_second)
        self._bulk = _bucket(min(pacing.burst, pacing.bulk_rate), pacing.bulk_rate)
        self._paid = _bucket(max(1.0, pacing.paid_per_second / 10), pacing.paid_per_second) if pacing.paid else None
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    async def wait(self, chat_id: int, priority: int, paid: bool = False) -> None:
        """Wait until a message to this chat may go out (``paid``: as a paid broadcast)."""
        await self._chat(chat_id).acquire()
        if paid and self._paid is not None:
            await self._paid.acquire()
            return
        if priority >= Priority.BULK:
            await self._bulk.acquire()
        await self._overall.acquire(priority)

    def _chat(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            pacing = self.pacing
            if chat_id < 0:  # groups and channels
                limiter = AsyncLimiter(pacing.group_per_minute, 60)
            else:
                limiter = _bucket(pacing.chat_burst, pacing.chat_per_second)
            self._chats[chat_id] = limiter
            if len(self._chats) > CHAT_LIMITERS_KEPT:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter


class ChannelPacers:
    """A pacer per channel, each with its own budget (Telegram's is per bot, WhatsApp's per phone number), chosen by
    the chat a message goes to (``channel_of``: the channel an id fixes, or None); the default for the rest."""

    def __init__(self, default: Pacing, channels: dict[str, Pacing] | None = None,
                 channel_of: Callable[[int], str | None] | None = None) -> None:
        self.pacing = default
        self._default = Pacer(default)
        self._pacers = {name: Pacer(pacing) for name, pacing in (channels or {}).items()}
        self._channel_of = channel_of

    def pacer_of(self, chat_id: int) -> Pacer:
        if self._pacers and self._channel_of is not None:
            return self._pacers.get(self._channel_of(chat_id)) or self._default
        return self._default

    async def wait(self, chat_id: int, priority: int, paid: bool = False) -> None:
        await self.pacer_of(chat_id).wait(chat_id, priority, paid)


class UrgentFirst:
    """A token bucket (``burst`` tokens, refilled at ``per_second``) whose waiters are served most urgent first
    (lowest priority number), in arrival order among equals. A message arriving while more urgent ones wait
    waits behind them, so a reply never queues behind bulk messages that came first."""

    def __init__(self, burst: float, per_second: float) -> None:
        self._capacity, self._rate = float(burst), per_second
        self._tokens, self._stamp = float(burst), time.monotonic()
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, priority: int) -> None:
        self._drop_cancelled()
        if not self._waiting and self._take():
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), granted))
        self._schedule()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted, but the waiter is gone: the token comes back
                self._tokens += 1
            self._schedule()
            raise

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def _take(self) -> bool:
        self._refill()
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def _drop_cancelled(self) -> None:
        while self._waiting and self._waiting[0][2].done():
            heapq.heappop(self._waiting)

    def _grant(self) -> None:
        self._timer = None
        self._drop_cancelled()
        while self._waiting and self._take():
            heapq.heappop(self._waiting)[2].set_result(None)
            self._drop_cancelled()
        self._schedule()

    def _schedule(self) -> None:
        self._drop_cancelled()
        if self._timer is None and self._waiting:
            self._refill()
            wait = max(0.0, (1 - self._tokens) / self._rate)
            self._timer = asyncio.get_running_loop().call_later(wait, self._grant)

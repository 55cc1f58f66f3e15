"""Telegram's rate limits, kept on our side with aiolimiter's leaky buckets (see shared/DESIGN.md).

About 30 messages a second across chats, about one a second to one chat (short bursts pass), 20 a
minute to one group. Bulk messages (broadcasts) have a slower bucket of their own inside the overall
one, so that interactive replies always find room. Paid broadcasts (``allow_paid_broadcast``, when the
operator enables them) are outside Telegram's free limit: they have a bucket of their own at the paid rate.
"""

from __future__ import annotations

from collections import OrderedDict
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

    @property
    def paid(self) -> bool:
        return self.paid_per_second > 0


def _bucket(capacity: float, per_second: float) -> AsyncLimiter:
    return AsyncLimiter(capacity, capacity / per_second)


class Pacer:
    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self._overall = _bucket(pacing.burst, pacing.per_second)
        self._bulk = _bucket(min(pacing.burst, pacing.bulk_per_second), pacing.bulk_per_second)
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
        await self._overall.acquire()

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

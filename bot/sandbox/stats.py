"""What the bot did to the emulator, for tests and benchmarks: calls, 429s, and every message sent."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple


class MethodCounts(Counter):
    """Counts per Bot API method; names are case-insensitive, as Telegram's are."""

    def __getitem__(self, method: str) -> int:
        return super().__getitem__(method.lower())

    def __setitem__(self, method: str, count: int) -> None:
        super().__setitem__(method.lower(), count)

    def __contains__(self, method: object) -> bool:
        return isinstance(method, str) and super().__contains__(method.lower())

    def get(self, method: str, default: int | None = None):
        return super().get(method.lower(), default)


class Sent(NamedTuple):
    chat_id: int
    message_id: int
    text: str  # the text, or the caption of media ("" when none)


@dataclass
class Stats:
    calls: MethodCounts = field(default_factory=MethodCounts)
    too_many_requests: MethodCounts = field(default_factory=MethodCounts)  # 429s answered, from limits and faults
    in_webhook_answers: MethodCounts = field(default_factory=MethodCounts)  # calls named in answers to webhooks
    sent: list[Sent] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.monotonic() of each entry of ``sent``
    paid_broadcasts: int = 0  # messages sent with allow_paid_broadcast (Telegram charges Stars for them)

    def record_sent(self, chat_id: int, message_id: int, text: str) -> None:
        self.sent.append(Sent(chat_id, message_id, text))
        self.sent_at.append(time.monotonic())

    def duplicates(self) -> list[Sent]:
        """Messages whose text had already been sent to the same chat."""
        seen: set[tuple[int, str]] = set()
        repeated = []
        for message in self.sent:
            key = (message.chat_id, message.text)
            if key in seen:
                repeated.append(message)
            seen.add(key)
        return repeated

    def send_rate(self) -> float:
        """Messages per second from the first to the last message sent (0 with fewer than two)."""
        if len(self.sent_at) < 2 or self.sent_at[-1] == self.sent_at[0]:
            return 0.0
        return (len(self.sent_at) - 1) / (self.sent_at[-1] - self.sent_at[0])

    def reset(self) -> None:
        self.calls.clear()
        self.too_many_requests.clear()
        self.sent.clear()
        self.sent_at.clear()
        self.paid_broadcasts = 0

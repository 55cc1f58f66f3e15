"""Faults on demand: the Bot API misbehaving exactly when a test wants it to.

    inject(emulator, Fault("sendMessage", nth=2, status=429, retry_after=3))  # the 2nd sendMessage from now
    inject(emulator, Fault("sendMessage", delay=8.0))    # carried out, but the answer comes 8 s late
    inject(emulator, Fault("getUpdates", drop=True, times=3))  # 3 connections closed without an answer
    deliver_late(emulator, 0.5)  # the next update reaches the webhook 0.5 s late, after those behind it

The emulator (bot/sandbox) only asks its ``faults`` what to do; the plan that answers lives here, with the
tests, so that the product does not ship it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.model import ApiError

# What Telegram says with each status when nothing more specific applies.
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Fault:
    """What happens to calls ``nth`` .. ``nth + times - 1`` of ``method`` made after the fault is injected.

    ``status``: the call is not carried out and answers this error. ``drop``: the call is not carried out
    and the connection closes without an answer. ``delay`` alone: the call is carried out and its answer
    held back that many seconds (with ``status`` or ``drop``, the error or the drop comes that late).
    """

    method: str
    nth: int = 1
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1

    def __post_init__(self) -> None:
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times count from 1")
        if self.status is None and not self.drop and self.delay <= 0:
            raise ValueError("a fault needs a status, drop=True or a delay")
        if self.status is not None and self.drop:
            raise ValueError("a dropped connection has no status")
        if self.retry_after is not None and self.status != 429:
            raise ValueError("retry_after goes with status 429")

    def error(self) -> ApiError | None:
        if self.status is None:
            return None
        retry_after = (self.retry_after or 1) if self.status == 429 else None
        template = self.description or DEFAULT_DESCRIPTIONS.get(self.status, "Error")
        return ApiError(self.status, template.format(retry_after=retry_after), retry_after)


@dataclass
class _Armed:
    fault: Fault
    calls: int = 0  # calls of the fault's method seen since it was injected

    def count(self, method: str) -> bool:
        """Count a call; True when this call is one the fault hits."""
        if method.lower() != self.fault.method.lower():
            return False
        self.calls += 1
        return self.fault.nth <= self.calls < self.fault.nth + self.fault.times

    @property
    def spent(self) -> bool:
        return self.calls >= self.fault.nth + self.fault.times - 1


class FaultPlan:
    """The injected faults; every one counts every call of its method, the first injected one that hits wins.
    (The emulator's ``Faults``.)"""

    def __init__(self) -> None:
        self._armed: list[_Armed] = []
        self._late_next = 0.0

    def add(self, fault: Fault) -> None:
        self._armed.append(_Armed(fault))

    def take(self, method: str) -> Fault | None:
        hits = [armed.fault for armed in self._armed if armed.count(method)]
        self._armed = [armed for armed in self._armed if not armed.spent]
        return hits[0] if hits else None

    def delay_next_update(self, seconds: float) -> None:
        self._late_next = seconds

    def take_late_delivery(self) -> float:
        late, self._late_next = self._late_next, 0.0
        return late

    @property
    def pending(self) -> list[Fault]:
        return [armed.fault for armed in self._armed]

    def clear(self) -> None:
        self._armed.clear()
        self._late_next = 0.0


def fault_plan(emulator: BotApiEmulator) -> FaultPlan:
    """The emulator's plan, armed on first use."""
    if not isinstance(emulator.faults, FaultPlan):
        emulator.faults = FaultPlan()
    return emulator.faults


def inject(emulator: BotApiEmulator, fault: Fault) -> Fault:
    """Arm a fault; ``nth`` counts calls of its method from now on."""
    fault_plan(emulator).add(fault)
    return fault


def deliver_late(emulator: BotApiEmulator, seconds: float) -> None:
    """The next update reaches the webhook ``seconds`` late, after updates sent behind it: out of order, as
    Telegram's parallel webhook connections and retries may deliver. (getUpdates always hands them over
    in order.)"""
    fault_plan(emulator).delay_next_update(seconds)

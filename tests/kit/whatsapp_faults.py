"""Faults on demand for the WhatsApp emulator: the Graph API misbehaving exactly when a test wants it to.

    inject(emulator, WhatsAppFault("messages", code=130429, retry_after=3))   # the next send: rate limit
    inject(emulator, WhatsAppFault("messages", nth=2, code=131026, times=3)) # the 2nd to 4th sends from now
    inject(emulator, WhatsAppFault("messages", status=500))                  # Meta's "unknown error", HTTP 500
    inject(emulator, WhatsAppFault("messages", code=190))                    # the token expired (HTTP 401)
    inject(emulator, WhatsAppFault("media_info", drop=True))                 # connection closed, no answer
    inject(emulator, WhatsAppFault("messages", delay=5.0))                   # carried out, answered 5 s late
    deliver_late(emulator, 0.5)  # the next webhook reaches the bot 0.5 s late, after those behind it

Methods (endpoints): messages, media (upload), media_info, media_delete, download. The plan is Telegram's
(tests/kit/faults.py FaultPlan); only the fault's error is WhatsApp's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.whatsapp import MetaError, WhatsAppEmulator
from bot.sandbox.whatsapp.errors import KNOWN
from tests.kit.faults import FaultPlan

METHODS = ("messages", "media", "media_info", "media_delete", "download")


@dataclass(frozen=True)
class WhatsAppFault:
    """What happens to calls ``nth`` .. ``nth + times - 1`` of ``method`` made after the fault is injected.

    ``code``: WhatsApp's error code (HTTP status Meta answers with it unless ``status`` is given); ``status``
    alone: that HTTP status with code 1 (500), 2 (503) or 100. ``drop``: the connection closes without an
    answer. ``delay`` alone: carried out, answered late.
    """

    method: str
    nth: int = 1
    code: int | None = None
    status: int | None = None
    details: str = ""
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times count from 1")
        if self.code is None and self.status is None and not self.drop and self.delay <= 0:
            raise ValueError("a fault needs a code, a status, drop=True or a delay")
        if (self.code is not None or self.status is not None) and self.drop:
            raise ValueError("a dropped connection has no code or status")

    def error(self) -> MetaError | None:
        if self.code is None and self.status is None:
            return None
        code = self.code if self.code is not None else {500: 1, 503: 2, 401: 190}.get(self.status, 100)
        status = self.status if self.status is not None else KNOWN.get(code, (400,))[0]
        retry_after = self.retry_after if self.retry_after is not None else (1 if code in (130429, 131056, 80007) else None)
        return MetaError(code, self.details, status=status, retry_after=retry_after)


def fault_plan(emulator: WhatsAppEmulator) -> FaultPlan:
    if not isinstance(emulator.faults, FaultPlan):
        emulator.faults = FaultPlan()
    return emulator.faults


def inject(emulator: WhatsAppEmulator, fault: WhatsAppFault) -> WhatsAppFault:
    """Arm a fault; ``nth`` counts calls of its method from now on."""
    fault_plan(emulator).add(fault)
    return fault


def deliver_late(emulator: WhatsAppEmulator, seconds: float) -> None:
    fault_plan(emulator).delay_next_update(seconds)

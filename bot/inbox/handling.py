"""What became of one update while the application handled it, and the link between its turn and the
receiver that got it fresh: the receiver waits for the turn to store the update (and may carry the answer to a
tapped button in its own answer), then stores what no turn did."""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Acknowledgement:
    """A tapped button's answer: its spinner stopped, with a short notice or none. A receiver whose channel can
    perform a call given in its HTTP answer (Telegram's webhook) gives it there, a Bot API call fewer."""

    reference: str
    text: str | None


@dataclass
class Handling:
    """What became of one update while the application handled it (set by Turn and the error handler)."""

    update_id: int
    claimed: bool = False
    deferred: bool = False
    error: BaseException | None = None
    fresh: ReceiverLink | None = None

    def committed(self, acknowledgement: Acknowledgement | None = None) -> bool:
        """The turn committed, its update stored as handled: the receiver may confirm it to Telegram now,
        while the replies are still going out. True: the receiver gives ``acknowledgement`` in its answer,
        and the turn must not give it again."""
        if self.fresh is None:
            return False
        carried = self.fresh.carry(acknowledgement)
        self.fresh.tell(True)
        return carried


current_handling: contextvars.ContextVar[Handling | None] = contextvars.ContextVar("current_handling", default=None)


@dataclass
class ReceiverLink:
    """A fresh update's link to the receiver that got it: whether its turn stored it, and when the receiver
    has stored what its turns did not."""

    stored: asyncio.Future
    taken: asyncio.Future
    answers: bool = False  # the receiver can carry a tap's acknowledgement in its answer
    acknowledgement: Acknowledgement | None = None

    def tell(self, stored_by_its_turn: bool) -> None:
        if not self.taken.done():
            self.taken.set_result(stored_by_its_turn)

    def carry(self, acknowledgement: Acknowledgement | None) -> bool:
        """Hand the acknowledgement to the receiver, if it still waits for this turn (nothing was told yet)."""
        if acknowledgement is None or not self.answers or self.taken.done():
            return False
        self.acknowledgement = acknowledgement
        return True

    def stored_by_its_turn(self) -> bool:
        return self.taken.done() and self.taken.result()


async def until_one_needs_storing(taken: list[asyncio.Future], patience: float) -> None:
    """Wait until every turn stored its update, or one did not (a failure waits for the store to record it),
    or ``patience`` is over."""
    deadline = asyncio.get_running_loop().time() + patience
    waiting = taken
    while waiting:
        done, waiting = await asyncio.wait(waiting, timeout=deadline - asyncio.get_running_loop().time(),
                                           return_when=asyncio.FIRST_COMPLETED)
        if not done or not all(future.result() for future in done):
            return

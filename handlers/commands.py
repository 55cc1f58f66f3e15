"""What each feature answers: its commands and the kinds of choice it takes, with the handler of each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.choices import ChoiceData
from handlers.turn import Turn

Handler = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str  # Indonesian: the name shown in the command menu
    alias: str | None  # English, also understood
    description: str  # an English msgid, for the command menu
    handler: Handler
    menu: bool = True  # staff commands stay out of the citizens' command menu
    groups: bool = False  # also in group chats (staff groups)


@dataclass(frozen=True)
class Tap:
    """A kind of choice (bot.domain.choices) and the handler of a tap on one."""

    kind: type[ChoiceData]
    handler: Handler
    groups: bool = False

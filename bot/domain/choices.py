"""What a tapped choice carries: one typed class per kind of choice, each under a prefix of its own, all in one
registry. Packed as ``<prefix>:<field>:<field>…`` (the format of the buttons already sent, which keep working),
with empty trailing fields left out. Every field has a bound, so that the longest packing is known and a test
proves it within every channel's limit (Telegram: 64 bytes of callback data).

Unpacked data is only a wish: handlers check it against the state and the tapper's roles again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

TRACKING_ID = 16  # "K7MQ9-TRXZS" and room to spare
REGISTRY: dict[str, type[ChoiceData]] = {}

T = TypeVar("T", bound="type[ChoiceData]")


def bounded(characters: int, default: str | int | None = None):
    """A field of at most ``characters`` characters (an int: digits) once packed."""
    if default is None:
        return field(metadata={"max": characters})
    return field(default=default, metadata={"max": characters})


class ChoiceData:
    PREFIX: ClassVar[str]

    def pack(self) -> str:
        fields, values = dataclasses.fields(self), []
        for index, item in enumerate(fields):
            value = str(getattr(self, item.name))
            if len(value) > item.metadata["max"] or (":" in value and index < len(fields) - 1):
                raise ValueError(f"{type(self).__name__}.{item.name} cannot be packed: {value!r}")
            values.append(value)
        while values and values[-1] == "":
            values.pop()
        return ":".join([self.PREFIX, *values])


def choice(prefix: str):
    """Register a class of choice data under ``prefix`` (made a frozen dataclass)."""

    def register(cls: T) -> T:
        if prefix in REGISTRY:
            raise ValueError(f"choice prefix {prefix!r} is taken by {REGISTRY[prefix].__name__}")
        made = dataclass(frozen=True)(cls)
        made.PREFIX = prefix
        REGISTRY[prefix] = made
        return made

    return register


def unpack(data: str) -> ChoiceData | None:
    """The typed choice ``data`` packs, or None when no registered class reads it (an old or forged button)."""
    prefix, _, rest = data.partition(":")
    kind = REGISTRY.get(prefix)
    if kind is None:
        return None
    fields = dataclasses.fields(kind)
    parts = rest.split(":", len(fields) - 1) if rest and fields else []
    if len(parts) > len(fields) or (not fields and rest):
        return None
    values = {}
    for item, part in zip(fields, parts):
        try:
            values[item.name] = int(part) if item.type in ("int", int) else part
        except ValueError:
            return None
    try:
        return kind(**values)
    except TypeError:  # a required field missing
        return None


# Citizens ---------------------------------------------------------------------------------------

@choice("in")
class IntakeChoice(ChoiceData):
    """An answer to one question of a report being written (or back, or cancel)."""

    step: str = bounded(16)
    value: str = bounded(32, "")


@choice("menu")
class MenuChoice(ChoiceData):
    item: str = bounded(16)


@choice("lang")
class LanguageChoice(ChoiceData):
    locale: str = bounded(8)


@choice("show")
class ShowReport(ChoiceData):
    tracking_id: str = bounded(TRACKING_ID)


@choice("ans")
class AnswerFor(ChoiceData):
    """The report a citizen's answer belongs to."""

    tracking_id: str = bounded(TRACKING_ID)


@choice("rate")
class Rating(ChoiceData):
    tracking_id: str = bounded(TRACKING_ID)
    stars: int = bounded(1, 0)


@choice("nfx")
class NotFixed(ChoiceData):
    """A resolved report that is not fixed; ``answer`` confirms ("yes") or keeps it closed ("no")."""

    tracking_id: str = bounded(TRACKING_ID)
    answer: str = bounded(3, "")


@choice("flw")
class Following(ChoiceData):
    """Follow a supported report again (``on`` 1) or stop following it (0)."""

    tracking_id: str = bounded(TRACKING_ID)
    on: int = bounded(1, 0)


@choice("rpl")
class ReplyTo(ChoiceData):
    """Reply to the agency's answer."""

    tracking_id: str = bounded(TRACKING_ID)


@choice("sub")
class SubscriptionChoice(ChoiceData):
    """Announcements: area, topic, change, stop, type."""

    verb: str = bounded(8)
    value: str = bounded(16, "")


# Staff and admins -------------------------------------------------------------------------------

@choice("sia")
class BroadcastChoice(ChoiceData):
    """An admin composing or steering a broadcast."""

    verb: str = bounded(10)
    value: str = bounded(16, "")


@choice("sib")
class InboxPage(ChoiceData):
    view: str = bounded(12)
    page: int = bounded(4, 0)


@choice("sir")
class OpenReport(ChoiceData):
    tracking_id: str = bounded(TRACKING_ID)


@choice("sac")
class StaffActionChoice(ChoiceData):
    """A staff action on a report as it was at ``version``; ``kind`` the resolution class once taken."""

    action: str = bounded(10)
    tracking_id: str = bounded(TRACKING_ID)
    version: int = bounded(9)
    kind: str = bounded(20, "")


@choice("sag")
class AgencyPick(ChoiceData):
    """One of the agencies found for a forward, by its place in the list."""

    index: int = bounded(2)


@choice("skn")
class KeptText(ChoiceData):
    """Use the text typed before an action was refused."""


@choice("fgt")
class ForgetChoice(ChoiceData):
    """The answer to "forget your contact?": ``yes`` or ``no``."""

    answer: str = bounded(3)


# Either side ------------------------------------------------------------------------------------

@choice("dsc")
class Discard(ChoiceData):
    """Discard the open conversation of ``flow`` and run the command ``then`` (none: start it again by hand)."""

    flow: str = bounded(16)
    then: str = bounded(16, "")


@choice("kpo")
class KeepOpen(ChoiceData):
    """Keep the open conversation of ``flow`` after all."""

    flow: str = bounded(16)


def longest_packing(kind: type[ChoiceData]) -> str:
    """``kind`` packed with every field at its bound: the longest data it can make."""
    values = {item.name: (10 ** item.metadata["max"] - 1 if item.type in ("int", int) else "x" * item.metadata["max"])
              for item in dataclasses.fields(kind)}
    return kind(**values).pack()

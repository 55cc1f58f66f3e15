"""What a message offers besides its text, as the flows write it: choices to tap, or a request (a place, a typed
answer). Each channel's adapter renders these the way it can (Telegram: inline or reply keyboards) within its
limits. Stored in the outbox as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    label: str
    data: str  # packed by bot.domain.choices; comes back in ``Tapped.data``

    @classmethod
    def of(cls, label: str, data: Any) -> Choice:
        """A choice that carries ``data`` (a ``bot.domain.choices.ChoiceData``), packed."""
        return cls(label, data.pack())


class Choices:
    """Rows of choices under a message."""

    __slots__ = ("rows",)

    def __init__(self, rows: Iterable[Iterable[Choice]]) -> None:
        self.rows: tuple[tuple[Choice, ...], ...] = tuple(tuple(row) for row in rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Choices) and other.rows == self.rows

    def __repr__(self) -> str:
        return f"Choices({self.rows!r})"

    @property
    def all(self) -> list[Choice]:
        return [choice for row in self.rows for choice in row]


@dataclass(frozen=True)
class AskPlace:
    """Ask for the phone's location with one button; ``options`` are answers typed by tapping (back, cancel)."""

    button: str
    options: tuple[str, ...] = ()
    placeholder: str | None = None


@dataclass(frozen=True)
class AskText:
    """Ask for a typed answer to this very message."""

    placeholder: str | None = None


@dataclass(frozen=True)
class ClearRequest:
    """Take away an earlier request's buttons (a place was given)."""


Markup = Choices | AskPlace | AskText | ClearRequest | None


def to_json(markup: Markup) -> dict[str, Any] | None:
    match markup:
        case None:
            return None
        case Choices(rows=rows):
            return {"choices": [[[choice.label, choice.data] for choice in row] for row in rows]}
        case AskPlace(button, options, placeholder):
            return {"ask_place": {"button": button, "options": list(options), "placeholder": placeholder}}
        case AskText(placeholder):
            return {"ask_text": {"placeholder": placeholder}}
        case ClearRequest():
            return {"clear": True}
    raise TypeError(f"not a markup: {markup!r}")


def from_json(data: dict[str, Any] | None) -> Markup:
    if not data:
        return None
    if "choices" in data:
        return Choices([Choice(label, value) for label, value in row] for row in data["choices"])
    if "ask_place" in data:
        ask = data["ask_place"]
        return AskPlace(ask["button"], tuple(ask["options"]), ask["placeholder"])
    if "ask_text" in data:
        return AskText(data["ask_text"]["placeholder"])
    if "clear" in data:
        return ClearRequest()
    return _from_telegram_json(data)


def _from_telegram_json(data: dict[str, Any]) -> Markup:
    """Rows written before the markup was neutral (migration 0016 and earlier) held Bot API reply markup."""
    if "inline_keyboard" in data:
        return Choices([Choice(button["text"], button["callback_data"]) for button in row]
                       for row in data["inline_keyboard"])
    if "keyboard" in data:
        buttons = [button if isinstance(button, str) else button["text"] for row in data["keyboard"] for button in row]
        return AskPlace(buttons[0], tuple(buttons[1:]), data.get("input_field_placeholder"))
    if "force_reply" in data:
        return AskText(data.get("input_field_placeholder"))
    if "remove_keyboard" in data:
        return ClearRequest()
    raise ValueError(f"not a reply markup: {sorted(data)}")

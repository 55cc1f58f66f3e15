"""What the bot sends, as typed values that fit in the outbox (JSON); a channel's transport makes each one call
of its API (bot.channels.<channel>.outbound)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.channels import markup as markups
from bot.channels.markup import Markup
from bot.domain.plain import plain

MediaKind = Literal["photo", "video", "document", "audio", "voice"]


@dataclass(frozen=True)
class Text:
    text: str
    markup: Markup = None


@dataclass(frozen=True)
class Edit:
    """New text (and buttons) for a message the bot sent earlier."""

    message_id: int
    text: str
    markup: Markup = None


@dataclass(frozen=True)
class Media:
    """A photo, video or document sent by the channel's reference (never downloaded and uploaded again)."""

    kind: MediaKind
    file_id: str
    caption: str | None = None
    markup: Markup = None


@dataclass(frozen=True)
class Album:
    """2 to 10 photos, videos or documents shown together; the first caption is the album's."""

    items: tuple[Media, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Files:
    """Files the bot made (bot.delivery.files, by id): one document, or 1 to 10 photos shown together."""

    kind: Literal["document", "photo"]
    file_ids: tuple[int, ...]


Outgoing = Text | Edit | Media | Album | Location | Files
_TYPES: dict[str, type] = {"text": Text, "edit": Edit, "media": Media, "album": Album, "location": Location,
                           "files": Files}
_NAMES = {kind: name for name, kind in _TYPES.items()}


def to_payload(message: Outgoing) -> dict[str, Any]:
    payload = {"type": _NAMES[type(message)], **plain(message)}
    if hasattr(message, "markup"):
        payload["markup"] = markups.to_json(message.markup)
    if isinstance(message, Album):
        payload["items"] = [{**plain(item), "markup": None} for item in message.items]  # an album's items have none
    return payload


def from_payload(payload: dict[str, Any]) -> Outgoing:
    fields = dict(payload)
    kind = _TYPES[fields.pop("type")]
    if kind is Album:
        return Album(tuple(from_payload(item | {"type": "media"}) for item in fields["items"]))
    if kind is Files:
        return Files(fields["kind"], tuple(fields["file_ids"]))
    if "markup" in fields:
        fields["markup"] = markups.from_json(fields["markup"])
    return kind(**fields)

"""What a chat's open conversation holds: one typed state per flow, tagged with its flow and a schema version.

A conversation row stores the tag in ``flow``, the version in ``state_version`` and the state's fields as JSON
in ``draft``. Version 1 of every state is the JSON its flow stored before states were typed, key for key: old
rows load as they are, and a process of the previous release reads what this one writes while a release rolls
out (README, "Upgrading"). A state whose fields change gets a new version and an entry in ``UPGRADES`` that
turns the previous version's JSON into it, so that rows stored earlier still load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from bot.domain.actions import Action
from bot.domain.draft import AttachmentRef, Draft, Json, known_fields
from bot.domain.flows import Flow
from bot.domain.plain import plain


@dataclass(frozen=True)
class KeptText:
    """A text sent outside any flow, offered as a new report's description."""

    FLOW: ClassVar[Flow] = Flow.TYPED
    SCHEMA_VERSION: ClassVar[int] = 1

    text: str = ""

    def to_json(self) -> Json:
        return {"text": self.text}

    @classmethod
    def from_json(cls, data: Json) -> KeptText:
        return cls(data.get("text") or "")


@dataclass(frozen=True)
class ReporterAnswer:
    """What one message of the citizen carries: text, files, a place; held while they choose the report it
    answers."""

    FLOW: ClassVar[Flow] = Flow.ANSWER
    SCHEMA_VERSION: ClassVar[int] = 1

    text: str | None = None
    files: list[AttachmentRef] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None

    def note(self) -> str | None:
        parts = [self.text] if self.text else []
        if self.latitude is not None and self.longitude is not None:
            parts.append(f"📍 {self.latitude:.5f}, {self.longitude:.5f}")
        return "\n".join(parts) or None

    def to_json(self) -> Json:
        return plain(self)

    @classmethod
    def from_json(cls, data: Json) -> ReporterAnswer:
        return cls(data.get("text"), [AttachmentRef.from_json(item) for item in data.get("files") or []],
                   data.get("latitude"), data.get("longitude"))


class Purpose(StrEnum):
    REPLY = "reply"  # waits for the reply to the agency's answer
    COMMENT = "comment"  # waits for a comment on the rating
    ALBUM_REST = "album_rest"  # the rest of an album whose first part was added to the report


@dataclass(frozen=True)
class FollowUp:
    """The citizen's next message, awaited for one of their reports."""

    FLOW: ClassVar[Flow] = Flow.FOLLOW_UP
    SCHEMA_VERSION: ClassVar[int] = 1

    tracking_id: str
    purpose: Purpose
    album_id: str | None = None
    event_id: int | None = None  # the history event the album's files join
    acknowledgement: str | None = None  # what the album's first part was answered, said once for the whole album

    def to_json(self) -> Json:
        return {**plain(self), "purpose": self.purpose.value}

    @classmethod
    def from_json(cls, data: Json) -> FollowUp:
        return cls(**{**known_fields(cls, data), "purpose": Purpose(data["purpose"])})


@dataclass(frozen=True)
class AreaQuestion:
    """/langganan asked for a regency or city to be typed: nothing more to hold than that it waits."""

    FLOW: ClassVar[Flow] = Flow.SUBSCRIPTION_AREA
    SCHEMA_VERSION: ClassVar[int] = 1

    def to_json(self) -> Json:
        return {}

    @classmethod
    def from_json(cls, data: Json) -> AreaQuestion:
        return cls()


@dataclass
class PendingAction:
    """A staff action that waits for what the staff member still has to type or choose."""

    FLOW: ClassVar[Flow] = Flow.STAFF_ACTION
    SCHEMA_VERSION: ClassVar[int] = 1

    action: Action
    tracking_id: str
    version: int  # of the report, as the member saw it
    agency_code: str | None = None
    files: list[AttachmentRef] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # agency codes offered after a search
    kept_note: str | None = None  # typed for an action the report had moved on from: offered again

    def to_json(self) -> Json:
        return {**plain(self), "action": self.action.value}

    @classmethod
    def from_json(cls, data: Json) -> PendingAction:
        return cls(Action(data["action"]), data["tracking_id"], int(data["version"]), data.get("agency_code"),
                   [AttachmentRef.from_json(item) for item in data.get("files") or []], list(data.get("found") or []),
                   data.get("kept_note"))


@dataclass
class BroadcastComposition:
    """An announcement being written by an admin, and the audience chosen for it."""

    FLOW: ClassVar[Flow] = Flow.BROADCAST
    SCHEMA_VERSION: ClassVar[int] = 1

    scope: str | None  # the admin's area; None: everyone
    area: str | None = None  # narrowed to a province or regency inside the scope; None: the whole scope
    text: str = ""
    media_kind: str | None = None
    media_file_id: str | None = None
    language: str | None = None
    topic: str | None = None
    category: str | None = None

    @property
    def reach(self) -> str | None:
        return self.area or self.scope

    def to_json(self) -> Json:
        return plain(self)

    @classmethod
    def from_json(cls, data: Json) -> BroadcastComposition:
        return cls(**{"scope": None, **known_fields(cls, data)})


ConversationState = Draft | KeptText | ReporterAnswer | FollowUp | AreaQuestion | PendingAction | BroadcastComposition
STATES: dict[Flow, type[ConversationState]] = {
    kind.FLOW: kind for kind in (Draft, KeptText, ReporterAnswer, FollowUp, AreaQuestion, PendingAction, BroadcastComposition)
}
# (flow, version) -> the JSON of version + 1 made from version's; none yet, as every state is at version 1.
UPGRADES: dict[tuple[Flow, int], Callable[[Json], Json]] = {}


class UnreadableState(ValueError):
    """A stored state of a flow, or of a version, that this release does not know (a newer release wrote it)."""


@dataclass(frozen=True)
class StoredState:
    """A state as a row holds it: the tag, the version, the fields."""

    flow: Flow
    version: int
    data: Json


def to_json(state: ConversationState) -> StoredState:
    return StoredState(state.FLOW, state.SCHEMA_VERSION, state.to_json())


def from_json(flow: str, version: int | None, data: Json | None) -> ConversationState:
    """The typed state of a stored row; a row of an earlier version is upgraded on the way (no version: 1)."""
    version = version or 1
    kind = STATES[Flow(flow)] if flow in STATES else None
    if kind is None or version > kind.SCHEMA_VERSION:
        raise UnreadableState(f"conversation state {flow!r} version {version}")
    data = dict(data or {})
    for step in range(version, kind.SCHEMA_VERSION):
        data = UPGRADES[(kind.FLOW, step)](data)
    return kind.from_json(data)

"""The citizen's draft report, and the record of where it goes.

A draft is stored as JSON with the chat's conversation (the intake's state in ``conversation_state``).
``to_json`` writes the same keys as the dict drafts of earlier releases did (an unanswered question has no key), and ``from_json`` reads any of
them, old or new: a missing key means the default. So drafts saved before an upgrade still load, and
processes of two releases can share one database while a new release rolls out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from bot.domain.flows import Flow
from bot.domain.plain import plain
from bot.domain.vocabulary import CATEGORY_BY_CODE, Category, ReportType

Json = dict[str, Any]


def known_fields(cls, data: Json) -> Json:
    """The keys of ``data`` that ``cls`` has fields for: an unknown key from another release is ignored."""
    names = {item.name for item in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _without_nones(data: Json) -> Json:
    return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class Place:
    """A GPS point (maybe with a venue's name and address), or a typed address."""

    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.latitude, self.longitude) if self.latitude is not None and self.longitude is not None else None

    @classmethod
    def from_json(cls, data: Json) -> Place:
        return cls(**known_fields(cls, data))


@dataclass(frozen=True)
class PlaceOption:
    """An area the citizen may mean, offered with the question "which place do you mean?"."""

    code: str
    label: str


@dataclass
class RoutingRecord:
    """Who answers the report and why: the routing engine's answer, kept as plain data for the draft
    and the report, so that staff later see the explanation the citizen saw."""

    agency_code: str = ""
    agency_name: str = ""
    reason: str = ""  # one of routing.engine's reasons (BY_ROAD, BY_AREA ...)
    confidence: str = ""
    province: str | None = None
    regency: str | None = None
    district: str | None = None
    village: str | None = None
    area_name: str | None = None
    province_name: str | None = None
    regency_name: str | None = None
    road_name: str | None = None
    road_status: str | None = None
    road_source: str | None = None
    sample_road: bool = False
    alternatives: list[PlaceOption] = field(default_factory=list)

    def offered(self, code: str) -> PlaceOption | None:
        return next((option for option in self.alternatives if option.code == code), None)

    def to_json(self) -> Json:
        return plain(self)

    @classmethod
    def from_json(cls, data: Json) -> RoutingRecord:
        known = known_fields(cls, data)
        known["alternatives"] = [PlaceOption(**known_fields(PlaceOption, item)) for item in data.get("alternatives") or []]
        return cls(**known)


@dataclass(frozen=True)
class AttachmentRef:
    """A photo, video or document the citizen sent, kept as Telegram's ids (valid for the bot for good)."""

    kind: str
    file_id: str
    file_unique_id: str
    file_size: int | None = None
    file_name: str | None = None

    @classmethod
    def from_json(cls, data: Json) -> AttachmentRef:
        return cls(**known_fields(cls, data))


@dataclass(frozen=True)
class Suggestion:
    """A report like the draft near its place, offered for support instead ("Dukung laporan ini"): what the citizen
    is shown of it (never who filed it), as it was when found."""

    tracking_id: str
    excerpt: str
    status: str
    filed_at: str  # ISO 8601
    supporters: int = 0
    photos: int = 0
    photo: str | None = None  # the first, by its channel's reference, shown above the question

    @classmethod
    def from_json(cls, data: Json) -> Suggestion:
        return cls(**known_fields(cls, data))


@dataclass
class Draft:
    """A report being written: the intake's conversation state. ``None`` is a question not yet answered."""

    FLOW: ClassVar[Flow] = Flow.INTAKE
    SCHEMA_VERSION: ClassVar[int] = 1

    report_type: ReportType | None = None
    category: str | None = None  # a code of CATEGORY_BY_CODE
    description: str | None = None
    place: Place | None = None
    place_choice: str | None = None  # the area chosen among the offered ones, or NONE_OF_THESE
    road_answer: str | None = None  # the road the citizen named; "" when they do not know it
    routing: RoutingRecord | None = None
    attachments: list[AttachmentRef] = field(default_factory=list)
    anonymous: bool | None = None
    confidential: bool | None = None
    editing: bool = False  # changing one answer from the summary: the summary comes next
    album_id: str | None = None  # the album (media group) whose parts are arriving
    album_refusals: list[str] = field(default_factory=list)  # why some of its files were not kept
    unknown_places: int = 0  # typed places in a row that named no regency or city we know
    proposed_place: Place | None = None  # a pin sent at the summary, offered as the new place
    suggestions: list[Suggestion] | None = None  # reports like it nearby; None: not looked for since the place changed
    similar_answer: str | None = None  # "different": the citizen goes on filing their own

    @property
    def category_info(self) -> Category | None:
        return CATEGORY_BY_CODE.get(self.category or "")

    def move_to(self, place: Place) -> None:
        """A new place: what was chosen or named about the old one no longer holds."""
        self.place = place
        self.place_choice = self.road_answer = self.routing = self.proposed_place = None
        self.forget_suggestions()

    def forget_suggestions(self) -> None:
        """Look for reports like it again (its place or category changed)."""
        self.suggestions = self.similar_answer = None

    def to_json(self) -> Json:
        return _without_nones(
            {
                "report_type": self.report_type.value if self.report_type else None,
                "category": self.category,
                "description": self.description,
                "location": plain(self.place) if self.place else None,
                "place_choice": self.place_choice,
                "road_answer": self.road_answer,
                "routing": self.routing.to_json() if self.routing else None,
                "attachments": [plain(attachment) for attachment in self.attachments],
                "anonymous": self.anonymous,
                "confidential": self.confidential,
                "editing": self.editing,
                "unknown_places": self.unknown_places,
                "album_id": self.album_id,
                "album_refusals": self.album_refusals or None,
                "proposed_place": plain(self.proposed_place) if self.proposed_place else None,
                "suggestions": [plain(item) for item in self.suggestions] if self.suggestions is not None else None,
                "similar_answer": self.similar_answer,
            }
        )

    @classmethod
    def from_json(cls, data: Json | None) -> Draft:
        data = data or {}
        report_type, place, routing = data.get("report_type"), data.get("location"), data.get("routing")
        proposed, suggestions = data.get("proposed_place"), data.get("suggestions")
        return cls(
            report_type=ReportType(report_type) if report_type else None,
            category=data.get("category"),
            description=data.get("description"),
            place=Place.from_json(place) if place else None,
            place_choice=data.get("place_choice"),
            road_answer=data.get("road_answer"),
            routing=RoutingRecord.from_json(routing) if routing else None,
            attachments=[AttachmentRef.from_json(item) for item in data.get("attachments") or []],
            anonymous=data.get("anonymous"),
            confidential=data.get("confidential"),
            editing=bool(data.get("editing")),
            unknown_places=int(data.get("unknown_places") or 0),
            album_id=data.get("album_id"),
            album_refusals=list(data.get("album_refusals") or []),
            proposed_place=Place.from_json(proposed) if proposed else None,
            suggestions=None if suggestions is None else [Suggestion.from_json(item) for item in suggestions],
            similar_answer=data.get("similar_answer"),
        )

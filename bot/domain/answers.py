"""What each step of the intake accepts. Each function checks one answer and puts it in the draft, or
raises ``InputRejected`` with a translatable message when the answer does not fit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from bot.domain.draft import AttachmentRef, Draft, Place
from bot.domain.steps import Step
from bot.domain.vocabulary import (
    ADDRESS_MAX_CHARS,
    ADDRESS_MIN_CHARS,
    CATEGORY_BY_CODE,
    DESCRIPTION_MAX_CHARS,
    DESCRIPTION_MIN_CHARS,
    FILE_NAME_MAX_CHARS,
    MAX_ATTACHMENTS,
    MAX_DOWNLOAD_BYTES,
    ROAD_NAME_MAX_CHARS,
    ReportType,
    category_groups_for,
)
from bot.i18n import N_
from routing.boundaries import in_indonesia

NONE_OF_THESE = "none"
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")
_TOO_LONG = N_("That is too long: please keep it within {maximum} characters.")


@dataclass
class InputRejected(Exception):
    """Input that does not fit the step. ``message`` is an untranslated msgid with {placeholders}."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


def choose_type(draft: Draft, value: str) -> None:
    try:
        report_type = ReportType(value)
    except ValueError:
        raise InputRejected(N_("Please choose one of the report types with the buttons.")) from None
    draft.report_type = report_type
    category = draft.category_info
    if category and category.group not in category_groups_for(report_type):
        draft.category = None  # an edited type may rule out the chosen category: ask again


def choose_category(draft: Draft, code: str) -> None:
    category = CATEGORY_BY_CODE.get(code)
    if category is None or category.group not in category_groups_for(draft.report_type):
        raise InputRejected(N_("Please choose one of the categories with the buttons."))
    if code != draft.category:
        draft.forget_suggestions()
    draft.category = code


def set_description(draft: Draft, text: str) -> None:
    text = text.strip()
    if len(text) < DESCRIPTION_MIN_CHARS:
        raise InputRejected(
            N_("Please describe what happened in at least {minimum} characters: what, where and since when."),
            {"minimum": DESCRIPTION_MIN_CHARS},
        )
    if len(text) > DESCRIPTION_MAX_CHARS:
        raise InputRejected(_TOO_LONG, {"maximum": DESCRIPTION_MAX_CHARS})
    draft.description = text


def set_location_point(draft: Draft, latitude: float, longitude: float, address: str | None = None) -> None:
    _require_indonesia(latitude, longitude)
    draft.move_to(Place(latitude, longitude, address))
    draft.unknown_places = 0  # a pin is never asked for again: typed tries before it are forgotten


def propose_point(draft: Draft, latitude: float, longitude: float, address: str | None = None) -> None:
    """A pin sent at the summary: kept, to be offered as the new place."""
    _require_indonesia(latitude, longitude)
    draft.proposed_place = Place(latitude, longitude, address)


def take_proposed_place(draft: Draft) -> bool:
    """The offered pin becomes the place; False when none is offered (an old button)."""
    place, draft.proposed_place = draft.proposed_place, None
    if place is None or place.point is None:
        return False
    set_location_point(draft, *place.point, place.address)
    return True


def _require_indonesia(latitude: float, longitude: float) -> None:
    if not in_indonesia(latitude, longitude):
        raise InputRejected(
            N_("That point is outside Indonesia. Please share a location in Indonesia or type the address.")
        )


def set_location_text(draft: Draft, text: str) -> None:
    """A typed address, or typed coordinates such as ``-0.9471, 100.4172``."""
    text = text.strip()
    coordinates = parse_coordinates(text)
    if coordinates:
        set_location_point(draft, *coordinates)
        return
    if len(text) < ADDRESS_MIN_CHARS or not any(ch.isalpha() for ch in text):
        raise InputRejected(
            N_("Please type the address (street, village, district, city) or share a location pin.")
        )
    if len(text) > ADDRESS_MAX_CHARS:
        raise InputRejected(
            N_("That address is too long: please keep it within {maximum} characters."), {"maximum": ADDRESS_MAX_CHARS}
        )
    draft.move_to(Place(address=text))


def parse_coordinates(text: str) -> tuple[float, float] | None:
    match = _COORDINATES.match(text)
    if not match:
        return None
    latitude, longitude = (float(part.replace(",", ".")) for part in match.groups())
    return latitude, longitude


DIFFERENT = "different"


def choose_place(draft: Draft, code: str) -> None:
    """One of the areas offered with the question, or none of them."""
    offered = draft.routing is not None and draft.routing.offered(code) is not None
    if code != NONE_OF_THESE and not offered:
        raise InputRejected(N_("Please use the buttons of the current question."))
    draft.place_choice = code
    draft.forget_suggestions()


def file_anyway(draft: Draft) -> None:
    """The citizen's problem is not among the reports like it nearby: they go on filing their own."""
    draft.similar_answer = DIFFERENT


def set_road(draft: Draft, text: str | None) -> None:
    """The road the citizen names; None when they do not know."""
    if text is not None:
        text = text.strip()
        if len(text) < 3 or not any(ch.isalpha() for ch in text):
            raise InputRejected(N_("Please type the name of the road, for example: Jl. Sudirman."))
        if len(text) > ROAD_NAME_MAX_CHARS:
            raise InputRejected(_TOO_LONG, {"maximum": ROAD_NAME_MAX_CHARS})
    draft.road_answer = text or ""


def add_attachment(draft: Draft, attachment: AttachmentRef) -> None:
    if any(existing.file_unique_id == attachment.file_unique_id for existing in draft.attachments):
        return  # the same file sent twice counts once
    if (attachment.file_size or 0) > MAX_DOWNLOAD_BYTES:
        raise InputRejected(
            N_("That file is larger than {megabytes} MB, which the bot cannot receive. Please send a smaller one."),
            {"megabytes": MAX_DOWNLOAD_BYTES // (1024 * 1024)},
        )
    if len(draft.attachments) >= MAX_ATTACHMENTS:
        raise InputRejected(
            N_("A report can carry at most {maximum} photos or files; this one was not added."),
            {"maximum": MAX_ATTACHMENTS},
        )
    draft.attachments.append(replace(attachment, file_name=shorten_file_name(attachment.file_name)))


def shorten_file_name(name: str | None, limit: int = FILE_NAME_MAX_CHARS) -> str | None:
    """A name that fits ``limit`` characters, keeping its extension: ``very-long….pdf``."""
    if name is None or len(name) <= limit:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) > limit // 4:  # no real extension is that long
        suffix = ""
    return name[: limit - len(suffix) - 1] + "…" + suffix


def set_flag(draft: Draft, step: Step, value: bool) -> None:
    if step == Step.ANONYMOUS:
        draft.anonymous = value
    elif step == Step.CONFIDENTIAL:
        draft.confidential = value
    else:
        raise ValueError(f"{step} is not a yes/no question")

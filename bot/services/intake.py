"""The citizen's intake draft: its steps, their order, and what each step accepts.

A draft is a plain dict (stored as JSON with the conversation). Functions here validate input and
change the draft; they raise ``InputRejected`` with a translatable message when input does not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain import (
    CATEGORY_BY_CODE,
    DESCRIPTION_MAX_CHARS,
    DESCRIPTION_MIN_CHARS,
    MAX_ATTACHMENTS,
    MAX_DOWNLOAD_BYTES,
    ReportType,
    category_groups_for,
)
from bot.i18n import N_
from routing.boundaries import in_indonesia

Draft = dict[str, Any]


class Step(StrEnum):
    TYPE = "type"
    CATEGORY = "category"
    DESCRIPTION = "description"
    LOCATION = "location"
    PLACE = "place"  # only when the place is uncertain: "Maksud Anda ...?"
    ROAD = "road"  # only for a road complaint whose road was not recognised
    ATTACHMENTS = "attachments"
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"
    SUMMARY = "summary"


STEPS = tuple(Step)
CONDITIONAL_STEPS = (Step.PLACE, Step.ROAD)
FLAG_STEPS = (Step.ANONYMOUS, Step.CONFIDENTIAL)
NONE_OF_THESE = "none"
ADDRESS_MIN_CHARS = 5
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")


@dataclass
class InputRejected(Exception):
    """Input that does not fit the step. ``message`` is an untranslated msgid with {placeholders}."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


def new_draft() -> Draft:
    return {"attachments": []}


def previous_step(draft: Draft, current: Step) -> Step | None:
    """Back from an edit returns to the summary, unless the edit left an answer missing."""
    if draft.get("editing") and not missing_steps(draft):
        return Step.SUMMARY
    earlier = [step for step in STEPS[: STEPS.index(current)] if step not in CONDITIONAL_STEPS]
    return earlier[-1] if earlier else None


def start_edit(draft: Draft, step: Step) -> Step:
    draft["editing"] = True
    return step


def choose_type(draft: Draft, value: str) -> None:
    try:
        report_type = ReportType(value)
    except ValueError:
        raise InputRejected(N_("Please choose one of the report types with the buttons.")) from None
    draft["report_type"] = report_type.value
    category = CATEGORY_BY_CODE.get(draft.get("category", ""))
    if category and category.group not in category_groups_for(report_type):
        del draft["category"]  # an edited type may rule out the chosen category: ask again


def choose_category(draft: Draft, code: str) -> None:
    category = CATEGORY_BY_CODE.get(code)
    if category is None or category.group not in category_groups_for(ReportType(draft["report_type"])):
        raise InputRejected(N_("Please choose one of the categories with the buttons."))
    draft["category"] = code


def set_description(draft: Draft, text: str) -> None:
    text = text.strip()
    if len(text) < DESCRIPTION_MIN_CHARS:
        raise InputRejected(
            N_("Please describe what happened in at least {minimum} characters: what, where and since when."),
            {"minimum": DESCRIPTION_MIN_CHARS},
        )
    if len(text) > DESCRIPTION_MAX_CHARS:
        raise InputRejected(
            N_("That is too long: please keep it within {maximum} characters."), {"maximum": DESCRIPTION_MAX_CHARS}
        )
    draft["description"] = text


def set_location_point(draft: Draft, latitude: float, longitude: float, address: str | None = None) -> None:
    if not in_indonesia(latitude, longitude):
        raise InputRejected(
            N_("That point is outside Indonesia. Please share a location in Indonesia or type the address.")
        )
    _new_place(draft, {"latitude": latitude, "longitude": longitude, "address": address})


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
    if len(text) > 500:
        raise InputRejected(N_("That address is too long: please keep it within {maximum} characters."), {"maximum": 500})
    _new_place(draft, {"latitude": None, "longitude": None, "address": text})


def _new_place(draft: Draft, location: dict[str, Any]) -> None:
    """A new place: what was chosen or named about the old one no longer holds."""
    draft["location"] = location
    for key in ("place_choice", "road_answer", "routing"):
        draft.pop(key, None)


def choose_place(draft: Draft, code: str, offered: list[str]) -> None:
    if code != NONE_OF_THESE and code not in offered:
        raise InputRejected(N_("Please use the buttons of the current question."))
    draft["place_choice"] = code


def set_road(draft: Draft, text: str | None) -> None:
    """The road the citizen names; None when they do not know."""
    if text is not None:
        text = text.strip()
        if len(text) < 3 or not any(ch.isalpha() for ch in text):
            raise InputRejected(N_("Please type the name of the road, for example: Jl. Sudirman."))
        if len(text) > 200:
            raise InputRejected(N_("That is too long: please keep it within {maximum} characters."), {"maximum": 200})
    draft["road_answer"] = text or ""


def parse_coordinates(text: str) -> tuple[float, float] | None:
    match = _COORDINATES.match(text)
    if not match:
        return None
    latitude, longitude = (float(part.replace(",", ".")) for part in match.groups())
    return latitude, longitude


def add_attachment(draft: Draft, attachment: dict[str, Any]) -> None:
    attachments = draft.setdefault("attachments", [])
    if any(existing["file_unique_id"] == attachment["file_unique_id"] for existing in attachments):
        return  # the same file sent twice counts once
    if (attachment.get("file_size") or 0) > MAX_DOWNLOAD_BYTES:
        raise InputRejected(
            N_("That file is larger than {megabytes} MB, which the bot cannot receive. Please send a smaller one."),
            {"megabytes": MAX_DOWNLOAD_BYTES // (1024 * 1024)},
        )
    if len(attachments) >= MAX_ATTACHMENTS:
        raise InputRejected(
            N_("A report can carry at most {maximum} photos or files; this one was not added."),
            {"maximum": MAX_ATTACHMENTS},
        )
    attachments.append(attachment)


def set_flag(draft: Draft, step: Step, value: bool) -> None:
    draft[step.value] = value


def missing_steps(draft: Draft) -> list[Step]:
    """Steps whose answer the draft still lacks (the summary shows only complete drafts)."""
    required = {
        Step.TYPE: "report_type",
        Step.CATEGORY: "category",
        Step.DESCRIPTION: "description",
        Step.LOCATION: "location",
        Step.ANONYMOUS: "anonymous",
        Step.CONFIDENTIAL: "confidential",
    }
    return [step for step, key in required.items() if key not in draft]


def finish_step(draft: Draft, current: Step) -> Step:
    """Where the conversation goes once ``current`` is answered.

    Straight on through the steps; but an edit from the summary, and the last step, lead to the
    first answer still missing, or else to the summary.
    """
    following = next(step for step in STEPS[STEPS.index(current) + 1 :] if step not in CONDITIONAL_STEPS)
    if not draft.get("editing") and following != Step.SUMMARY:
        return following
    missing = missing_steps(draft)
    if missing:
        draft["editing"] = True
        return missing[0]
    draft["editing"] = False
    return Step.SUMMARY

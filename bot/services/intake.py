"""The intake service: what handlers call to take a citizen's answers and move the conversation on.

The rules are pure and live in ``bot.domain`` (the draft, the steps, what each step accepts); this
module adds what needs the routing engine: working out who answers the draft, which may raise a
question about the place or the road, and offering the places again when the citizen goes back.
"""

from __future__ import annotations

from bot.domain.answers import (  # what each step accepts, for handlers to call from here
    DIFFERENT,
    NONE_OF_THESE,
    InputRejected,
    add_attachment,
    choose_category,
    choose_place,
    choose_type,
    file_anyway,
    parse_coordinates,
    propose_point,
    set_description,
    set_flag,
    set_location_point,
    set_location_text,
    set_road,
    take_proposed_place,
)
from bot.domain.draft import Draft
from bot.domain.steps import Step, bears_on_routing, next_step, previous_step
from bot.services.jurisdiction import questions, record, route_draft
from routing.engine import Router
from routing.regions import REGENCY

UNKNOWN_PLACE_QUESTIONS = 2  # a place we cannot find is asked for again at most this often

__all__ = [
    "DIFFERENT",
    "NONE_OF_THESE",
    "InputRejected",
    "add_attachment",
    "choose_category",
    "choose_place",
    "choose_type",
    "file_anyway",
    "UNKNOWN_PLACE_QUESTIONS",
    "ask_again_for_place",
    "go_back",
    "new_draft",
    "parse_coordinates",
    "proceed",
    "propose_point",
    "set_description",
    "set_flag",
    "set_location_point",
    "set_location_text",
    "set_road",
    "take_proposed_place",
]


def new_draft() -> Draft:
    return Draft()


def proceed(router: Router, draft: Draft, answered: Step) -> Step:
    """The step after ``answered``; who answers the report is worked out again first when the answer
    bears on it (the draft then carries the new routing record)."""
    if not bears_on_routing(draft, answered):
        return next_step(draft, answered)
    jurisdiction = route_draft(router, draft)
    draft.routing = record(router, jurisdiction)
    return next_step(draft, answered, questions(jurisdiction))


def go_back(router: Router, draft: Draft, current: Step) -> Step | None:
    """The step Back leads to from ``current``, or None at the first question."""
    previous = previous_step(draft, current)
    if previous == Step.PLACE:
        # A chosen area leaves no others in the routing record: offer again those offered before.
        draft.place_choice = None
        draft.routing = record(router, route_draft(router, draft))
    elif previous == Step.SUMMARY:
        draft.editing = False
    return previous


def ask_again_for_place(router: Router, draft: Draft) -> bool:
    """Whether to ask again for a typed place that names no regency or city we know (and nothing to choose
    from): twice at most; after that the report goes to the hub of whatever area is known."""
    address = draft.place.address if draft.place and draft.place.point is None else None
    match = router.places.match(address) if address else None
    unknown = match is not None and not match.alternatives and (match.region is None or match.region.level < REGENCY)
    if not unknown:
        draft.unknown_places = 0
        return False
    draft.unknown_places += 1
    return draft.unknown_places <= UNKNOWN_PLACE_QUESTIONS

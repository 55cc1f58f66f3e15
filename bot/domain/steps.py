"""The steps of the intake conversation, their order, and the one place that decides the next step.

type -> category -> description -> location -> [place] -> [road] -> [similar] -> attachments -> anonymous
-> confidential -> summary. The place and road questions are asked only when routing cannot settle
the place ("which place do you mean?") or, for a road complaint, the road ("which road?"); the similar one only
when open reports like it are near ("support one of these, or file your own?").
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from bot.domain.draft import Draft


class Step(StrEnum):
    TYPE = "type"
    CATEGORY = "category"
    DESCRIPTION = "description"
    LOCATION = "location"
    PLACE = "place"  # only when the place is uncertain: "Maksud Anda ...?"
    ROAD = "road"  # only for a road complaint whose road was not recognised
    SIMILAR = "similar"  # only when reports like it are near: support one instead, or file anyway
    ATTACHMENTS = "attachments"
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"
    SUMMARY = "summary"


STEPS = tuple(Step)
PLACE_QUESTIONS = (Step.PLACE, Step.ROAD)  # asked only when routing needs them, in this order
WHEN_NEEDED = (*PLACE_QUESTIONS, Step.SIMILAR)  # every question asked only when the draft calls for it
FLAG_STEPS = (Step.ANONYMOUS, Step.CONFIDENTIAL)
# Answers that change who is responsible, once the place is known.
ROUTING_INPUTS = (Step.CATEGORY, Step.LOCATION, Step.PLACE, Step.ROAD)

# The draft's field that holds each step's answer (the files are optional, the summary asks nothing).
_ANSWER_FIELDS = {
    Step.TYPE: "report_type",
    Step.CATEGORY: "category",
    Step.DESCRIPTION: "description",
    Step.LOCATION: "place",
    Step.PLACE: "place_choice",
    Step.ROAD: "road_answer",
    Step.SIMILAR: "similar_answer",
    Step.ANONYMOUS: "anonymous",
    Step.CONFIDENTIAL: "confidential",
}
_REQUIRED = (Step.TYPE, Step.CATEGORY, Step.DESCRIPTION, Step.LOCATION, Step.ANONYMOUS, Step.CONFIDENTIAL)


def answered(draft: Draft, step: Step) -> bool:
    field_name = _ANSWER_FIELDS.get(step)
    return field_name is not None and getattr(draft, field_name) is not None


def missing_steps(draft: Draft) -> list[Step]:
    """Steps whose answer the draft still lacks (the summary shows only complete drafts)."""
    return [step for step in _REQUIRED if not answered(draft, step)]


def bears_on_routing(draft: Draft, step: Step) -> bool:
    """Whether answering ``step`` changes who is responsible: routing must run again."""
    return step in ROUTING_INPUTS and draft.place is not None


def next_step(draft: Draft, answered_step: Step, place_questions: Collection[Step] = ()) -> Step:
    """Where the conversation goes once ``answered_step`` is answered. The one place that decides it.

    ``place_questions`` are the questions routing raised about the draft just now (see
    ``bot.services.jurisdiction.questions``), and the similar reports' question when some were found; the first
    one not yet answered comes next. Once the place
    is settled, an answer that bears on routing goes on as after the last place question. Otherwise
    straight on through the steps, past a description the draft already holds (the citizen's text that started
    the report, or one kept while they went back to the category); but an edit from the summary, and the last step, lead to the first
    answer still missing (asked as an edit, so that it returns to the summary), or else to the summary.
    """
    for question in WHEN_NEEDED:
        if question in place_questions and not answered(draft, question):
            return question
    if bears_on_routing(draft, answered_step):
        answered_step = PLACE_QUESTIONS[-1]
    following = _following(answered_step)
    if following == Step.DESCRIPTION and answered(draft, Step.DESCRIPTION):  # typed before the report began
        following = _following(Step.DESCRIPTION)
    if not draft.editing and following != Step.SUMMARY:
        return following
    missing = missing_steps(draft)
    draft.editing = bool(missing)
    return missing[0] if missing else Step.SUMMARY


def wants_suggestions(draft: Draft, step: Step) -> bool:
    """Whether to look for reports like the draft before ``step``: its category and place are settled (no place
    question comes next) and not looked for since they changed."""
    return (step not in PLACE_QUESTIONS and draft.suggestions is None and draft.category is not None
            and draft.place is not None)


def suggestions_first(draft: Draft, step: Step) -> Step:
    """The similar reports' question, where some were found and not yet answered, before ``step`` if it comes later."""
    if draft.suggestions and not answered(draft, Step.SIMILAR) and STEPS.index(step) > STEPS.index(Step.SIMILAR):
        return Step.SIMILAR
    return step


def previous_step(draft: Draft, current: Step) -> Step | None:
    """Where Back leads: the question before, counting the place and road questions only where they
    were asked. Back from an edit returns to the summary, unless the edit left an answer missing."""
    if draft.editing and not missing_steps(draft):
        return Step.SUMMARY
    earlier = [step for step in STEPS[: STEPS.index(current)] if step not in WHEN_NEEDED or answered(draft, step)]
    return earlier[-1] if earlier else None


def start_edit(draft: Draft, step: Step) -> Step:
    draft.editing = True
    return step


def _following(step: Step) -> Step:
    return next(later for later in STEPS[STEPS.index(step) + 1 :] if later not in WHEN_NEEDED)

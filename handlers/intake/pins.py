"""A location pin or venue (live or not) in a report: the place, at the location question and at any step after
it; at the summary it is offered as the new place first. Before the location question it waits its turn."""

from __future__ import annotations

from bot.channels.incoming import PlaceSent
from bot.channels.markup import Choices, ClearRequest
from bot.db.models import Conversation
from bot.domain.draft import Draft
from bot.domain.steps import FLAG_STEPS, STEPS, Step, start_edit
from bot.services import intake
from bot.services.conversations import save_draft
from handlers import keyboards, render
from bot.domain.choices import IntakeChoice
from handlers.intake.flow import go_to, hint, move_on
from handlers.turn import Turn

MOVE, KEEP = "move", "keep"  # the answers to "change the place to this point?", under the summary's step
# Steps where a pin is the place: the location question and every step after it (the summary asks first).
_TAKEN_AT = frozenset(STEPS[STEPS.index(Step.LOCATION):STEPS.index(Step.SUMMARY)])
# Of those, the ones past the place's questions: the citizen comes back to them once the new place is settled.
_RESUMED = frozenset({Step.ATTACHMENTS, *FLAG_STEPS})


async def take_point(turn: Turn, conversation: Conversation, step: Step, draft: Draft, location: PlaceSent) -> None:
    _, address = turn._, location.venue_text
    if step == Step.SUMMARY:
        intake.propose_point(draft, location.latitude, location.longitude, address)
        save_draft(conversation, draft, step)
        _offer_move(turn, draft)
    elif step in _TAKEN_AT:
        intake.set_location_point(draft, location.latitude, location.longitude, address)
        await location_taken(turn, conversation, draft, resume=step)
    elif draft.place is not None:  # an earlier answer being changed from the summary
        hint(turn, conversation, _("Please answer this question first; the place can be changed from the summary."))
    else:
        hint(turn, conversation, _("A location is asked for later; please answer this question first."))


async def location_taken(turn: Turn, conversation: Conversation, draft: Draft, resume: Step = Step.LOCATION) -> None:
    """Say where the report now is, and go on: to a question about the new place if routing raises one, else from
    the location question, or back to ``resume``, the later step the citizen was at."""
    _, where = turn._, draft.place
    text = _("📍 Place noted: {place}").format(place=render.place(_, where.latitude, where.longitude, where.address))
    if draft.unknown_places > intake.UNKNOWN_PLACE_QUESTIONS:  # asked for twice already: the office below forwards it
        text += "\n" + _("I still cannot tell which city or regency this is, so an office that forwards reports will "
                         "take yours.")
    turn.say(text, ClearRequest())
    if resume in FLAG_STEPS:  # after any question about the place, back to the first answer still missing
        start_edit(draft, resume)
    await move_on(turn, conversation, draft, Step.LOCATION, resume=resume if resume in _RESUMED else None)


def _offer_move(turn: Turn, draft: Draft) -> None:
    _, offered = turn._, draft.proposed_place
    text = _("📍 Change the place to this point?") + "\n" + render.place(_, offered.latitude, offered.longitude,
                                                                        offered.address)
    buttons = [keyboards.button(_("📍 Yes, change it"), IntakeChoice(Step.SUMMARY, MOVE)),
               keyboards.button(_("No, keep the place"), IntakeChoice(Step.SUMMARY, KEEP))]
    turn.say(text, Choices([buttons]))


async def answer_move(turn: Turn, conversation: Conversation, draft: Draft, value: str) -> None:
    """Yes: the offered pin is the place, and the summary follows (after any question about it); no: the summary."""
    _ = turn._
    if value == MOVE and intake.take_proposed_place(draft):
        turn.settle_button(_("📍 Yes, change it"))
        start_edit(draft, Step.LOCATION)
        await location_taken(turn, conversation, draft)
        return
    draft.proposed_place = None
    turn.settle_button(_("No, keep the place"))
    go_to(turn, conversation, draft, Step.SUMMARY)

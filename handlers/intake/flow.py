"""Moving between the steps of the intake conversation: on, back, cancel, and a hint that asks again."""

from __future__ import annotations

from bot.channels.markup import ClearRequest
from bot.db.models import Conversation
from bot.domain.draft import Draft
from bot.domain.steps import PLACE_QUESTIONS, Step, bears_on_routing, suggestions_first, wants_suggestions
from bot.i18n import Translator
from bot.services import intake, support
from bot.services.conversations import draft_of, end_conversation, save_draft
from bot.services.intake import InputRejected
from handlers import keyboards, render
from handlers.intake.prompts import (
    prompt,
)
from handlers.turn import Turn

# Entry points ----------------------------------------------------------------------------------


def go_to(turn: Turn, conversation: Conversation, draft: Draft, step: Step, preface: str | None = None) -> None:
    save_draft(conversation, draft, step)
    prompt(turn, step, draft, preface)


async def move_on(turn: Turn, conversation: Conversation, draft: Draft, answered: Step,
                  resume: Step | None = None) -> None:
    """On from an answered step (or back to ``resume``, unless a question about the place, or reports like it
    nearby, come first). Where the answer changes who is responsible, say who and why, once no question about the
    place or the road is left."""
    rerouted = bears_on_routing(draft, answered)
    step = intake.proceed(turn.services.router, draft, answered)
    if wants_suggestions(draft, step):
        draft.suggestions = await support.similar_to(turn.session, draft, turn.user.id)
    if resume is not None and step not in PLACE_QUESTIONS:
        step = resume
    step = suggestions_first(draft, step)
    preface = None
    if rerouted and step not in PLACE_QUESTIONS and step is not Step.SUMMARY:
        preface = "🏛️ " + render.routing_explanation(turn._, draft.routing)
    go_to(turn, conversation, draft, step, preface)


async def go_back(turn: Turn, conversation: Conversation) -> None:
    draft, current = draft_of(conversation), Step(conversation.step)
    previous = intake.go_back(turn.services.router, draft, current)
    if previous is None:
        prompt(turn, current, draft, turn._("This is the first question."))
        return
    turn.settle_button(turn._("⬅️ Back"))
    go_to(turn, conversation, draft, previous)


async def cancel(turn: Turn) -> None:
    _ = turn._
    await end_conversation(turn.session, turn.chat_id)
    turn.settle_button(_("✖️ Cancelled"))
    turn.say(_("Your draft report has been discarded."), ClearRequest())
    turn.say(_("What would you like to do?"), keyboards.main_menu(_))


def rejection_text(_: Translator, rejected: InputRejected) -> str:
    """The reason in the user's language, numbers in its format (4.096 in Indonesian)."""
    params = {key: _.number(value) if isinstance(value, int) else value for key, value in rejected.params.items()}
    return _(rejected.message).format(**params)


def hint(turn: Turn, conversation: Conversation, reason: str) -> None:
    """Never silence: say what went wrong and ask the current question again."""
    prompt(turn, Step(conversation.step), draft_of(conversation), reason)



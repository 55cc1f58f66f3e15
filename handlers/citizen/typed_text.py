"""A text sent outside any flow ("halo, jalan di depan rumah saya rusak"): kept, and offered as the description
of a new report, which then asks only the type and the category before the place.

Several texts in a row are kept together (a citizen often writes in more than one message); one sent after a
pause of more than ``KEPT_FOR`` starts afresh. The text stays until the citizen takes it or starts something
else, and never replaces a flow that is open (a draft, a staff action); a photo sent after it starts a report
with both."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.channels.markup import Choices
from bot.db.models import Conversation, utcnow
from bot.domain import DESCRIPTION_MAX_CHARS
from bot.domain.conversation_state import KeptText
from bot.domain.draft import Draft
from bot.domain.flows import Flow
from bot.domain.steps import Step
from bot.services import intake
from bot.services.conversations import (draft_of, load_conversation, other_flow_open, save_draft, save_state, start_conversation,
                                        state_of)
from bot.textlimits import shorten
from handlers import keyboards
from bot.domain.choices import MenuChoice
from handlers.intake.prompts import prompt
from handlers.turn import Turn

KEPT_FOR = timedelta(minutes=30)
FROM_TEXT = "typed"  # menu:typed, the button that starts a report with the kept text
OFFER_STEP = "offer"
SHOWN_CHARS = 300


async def offer(turn: Turn) -> None:
    """The greeting and the menu, and, where what the citizen wrote could describe a problem, a button to
    report it."""
    _ = turn._
    text = await _keep(turn, (turn.incoming.typed or "").strip())
    if text is None or not _describes(text):
        turn.say(_("Hello! Tap <i>📝 File a report</i> to tell me about a problem."), keyboards.main_menu(_))
        return
    button = keyboards.button(_("📝 Report this text"), MenuChoice(FROM_TEXT))
    turn.say(_("Hello! Shall I file what you wrote as a report? Tap <i>📝 Report this text</i>: I will ask "
               "a few questions (the kind of report, the category, the place) and keep your text as the "
               "description. Or choose something else below."),
             Choices([[button], *keyboards.main_menu(_).rows]))


async def _keep(turn: Turn, text: str) -> str | None:
    """The text kept so far with this one; None when nothing can be kept (no text, or another flow is open)."""
    if not text or await other_flow_open(turn.session, turn.chat_id, Flow.TYPED):
        return None
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.TYPED)
    earlier = state_of(conversation, KeptText).text if conversation is not None else None
    together = f"{earlier}\n{text}"
    if earlier and utcnow() - conversation.updated_at <= KEPT_FOR and len(together) <= DESCRIPTION_MAX_CHARS:
        text = together
    if conversation is None:
        await start_conversation(turn.session, turn.chat_id, turn.user.id, KeptText(text), OFFER_STEP)
    else:
        save_state(conversation, KeptText(text), OFFER_STEP)
    return text


def _describes(text: str) -> bool:
    """Whether the text would be taken as a report's description (long enough, not too long)."""
    try:
        intake.set_description(Draft(), text)
    except intake.InputRejected:
        return False
    return True


async def kept_description(turn: Turn) -> str | None:
    """The text kept for this chat, if it would describe a report."""
    kept = await load_conversation(turn.session, turn.chat_id, Flow.TYPED)
    text = state_of(kept, KeptText).text if kept is not None else None
    return text if text and _describes(text) else None


async def start_report(turn: Turn, description: str | None) -> Conversation:
    """A new report (replacing the kept text), described by ``description`` when there is one."""
    conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id)
    if description:
        draft = draft_of(conversation)
        intake.set_description(draft, description)
        save_draft(conversation, draft, Step.TYPE)
    return conversation


async def report_kept_text(turn: Turn) -> None:
    """The button under the offer: a new report whose description is the kept text."""
    _ = turn._
    text = await kept_description(turn)
    if text is None:
        turn.notify_callback(_("That button is no longer active."))
        return
    conversation = await start_report(turn, text)
    draft = draft_of(conversation)
    turn.settle_button(_("📝 Report this text"))
    prompt(turn, Step.TYPE, draft, _("📝 Your text is the description of the report (you can change it on the "
                                     "summary before sending):\n<i>{text}</i>").format(
        text=escape(shorten(" ".join(text.split()), SHOWN_CHARS))))  # one line: a long prompt is split by lines

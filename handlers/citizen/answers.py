"""A citizen's message outside a draft is never thrown away.

When one of their reports waits for their information ("Perlu informasi tambahan"), what they send
(text, photos, videos, documents, a location) is added to it and it goes back to the agency's queue;
with several waiting, the bot keeps the message and asks which report it is for. Files sent with no
report waiting start a new report with them.
"""

from __future__ import annotations

from html import escape

from bot.channels.markup import Choices
from bot.db.models import Conversation, Report
from bot.domain.conversation_state import ReporterAnswer
from bot.domain.flows import Flow
from bot.services.conversations import end_conversation, load_conversation, save_state, start_conversation, state_of
from bot.services.replies import add_answer, waiting_reports
from handlers import keyboards
from bot.domain.choices import AnswerFor
from handlers.citizen import typed_text
from handlers.citizen.follow_up import acknowledge, answer_of
from handlers.commands import Tap
from handlers.intake import messages as intake_messages
from handlers.turn import Turn


async def take(turn: Turn) -> bool:
    """Handle a message outside a draft if it answers a waiting report or brings files; False otherwise."""
    answer = answer_of(turn.incoming)
    if answer is None:
        return False
    pending = await _pending_choice(turn)
    if pending is not None:  # still choosing the report: keep this message with the earlier one
        _keep_with(pending, answer)
        _ask_which(turn, await waiting_reports(turn.session, turn.user.id))
        return True
    waiting = await waiting_reports(turn.session, turn.user.id)
    if len(waiting) == 1:
        await _add(turn, waiting[0], answer)
    elif waiting:
        await start_conversation(turn.session, turn.chat_id, turn.user.id, answer)
        _ask_which(turn, waiting)
    elif answer.files:  # a photo before /lapor: it starts the report (described by a text sent just before)
        conversation = await typed_text.start_report(turn, await typed_text.kept_description(turn))
        await intake_messages.on_message(turn, conversation)
    else:
        return False
    return True


async def _pending_choice(turn: Turn) -> Conversation | None:
    return await load_conversation(turn.session, turn.chat_id, Flow.ANSWER)


def _keep_with(conversation: Conversation, answer: ReporterAnswer) -> None:
    kept = state_of(conversation, ReporterAnswer)
    texts = [text for text in (kept.text, answer.text) if text]
    merged = ReporterAnswer("\n\n".join(texts) or None, kept.files + answer.files,
                            answer.latitude if answer.latitude is not None else kept.latitude,
                            answer.longitude if answer.longitude is not None else kept.longitude)
    save_state(conversation, merged)


def _ask_which(turn: Turn, waiting: list[Report]) -> None:
    buttons = [keyboards.button(report.tracking_id, AnswerFor(report.tracking_id)) for report in waiting[:8]]
    turn.say(
        turn._("Several of your reports wait for more information. <b>Which report is this for?</b>"),
        Choices(keyboards.rows(buttons, 2)),
    )


async def on_choice(turn: Turn) -> None:
    tracking_id = turn.choice.tracking_id
    conversation = await _pending_choice(turn)
    report = next((r for r in await waiting_reports(turn.session, turn.user.id) if r.tracking_id == tracking_id), None)
    if conversation is None or report is None:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    turn.settle_button(turn._("For report {tracking_id}").format(tracking_id=tracking_id))
    await _add(turn, report, state_of(conversation, ReporterAnswer))
    await end_conversation(turn.session, turn.chat_id)


async def settle_kept(turn: Turn) -> None:
    """Before a new conversation replaces it, a kept answer whose report was never chosen goes to the newest
    report that waits (nothing the citizen sent is dropped)."""
    conversation = await _pending_choice(turn)
    if conversation is None:
        return
    waiting = await waiting_reports(turn.session, turn.user.id)
    if waiting:
        await _add(turn, waiting[0], state_of(conversation, ReporterAnswer))
    await end_conversation(turn.session, turn.chat_id)


async def _add(turn: Turn, report: Report, answer: ReporterAnswer) -> None:
    event = await add_answer(turn.session, report, answer, turn.services.notices)
    await acknowledge(turn, report, event, turn._(
        "✅ Thank you. Your information was added to report <code>{tracking_id}</code>, which goes back to "
        "{agency}. You will hear here when it moves on."
    ).format(tracking_id=report.tracking_id, agency=escape(report.agency_name or turn._("the agency"))))



TAPS = (Tap(AnswerFor, on_choice),)

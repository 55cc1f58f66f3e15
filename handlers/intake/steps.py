"""The citizen's answers, and moving between the steps of the intake conversation.

type -> category -> description -> place -> files -> anonymous -> confidential -> summary -> send.
The draft and its step live in the database (see Turn); which step comes next is decided in one
place, ``bot.domain.steps.next_step`` (through ``bot.services.intake``).
"""

from __future__ import annotations

from html import escape

from bot.channels.markup import ClearRequest
from bot.db.models import Conversation
from bot.domain.draft import Draft
from bot.domain.flows import Flow
from bot.domain.answers import DIFFERENT
from bot.domain.steps import FLAG_STEPS, Step, start_edit
from bot.i18n import N_, Translator
from bot.services import intake, support
from bot.services.conversations import draft_of, end_conversation, load_conversation, start_conversation
from bot.services.intake import InputRejected
from bot.services.reports import submit
from handlers import keyboards, render
from handlers.admin import broadcast as admin_broadcast
from bot.domain.choices import IntakeChoice
from handlers.citizen import announcements, answers, follow_up, supporting
from handlers.commands import Command, Tap
from handlers.intake import pins
from handlers.intake.flow import cancel, go_back, go_to, move_on, rejection_text
from handlers.intake.prompts import (
    EDIT,
    EDITABLE,
    FILES_DONE,
    MORE_GROUP_PREFIX,
    SUBMIT,
    UNKNOWN_ROAD,
    category_prompt,
    prompt,
)
from handlers.keyboards import BACK, CANCEL
from handlers.openings import room_for
from handlers.staff import actions as staff_actions
from handlers.turn import Turn

# Entry points ----------------------------------------------------------------------------------


async def begin(turn: Turn) -> None:
    """Start a new report, or pick up the one in progress."""
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        prompt(turn, Step(conversation.step), draft_of(conversation), turn._("Let us carry on with your report."))
        return
    if not await room_for(turn, Flow.INTAKE, "lapor"):
        return
    await answers.settle_kept(turn)
    conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id)
    prompt(turn, Step.TYPE, draft_of(conversation))


async def on_callback(turn: Turn) -> None:
    choice: IntakeChoice = turn.choice
    step_value, value = choice.step, choice.value
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation is None or conversation.step != step_value or not value:
        await _stale_button(turn, conversation)
    elif value == BACK:
        await go_back(turn, conversation)
    elif value == CANCEL:
        await cancel(turn)
    else:
        await _answer_choice(turn, conversation, Step(conversation.step), draft_of(conversation), value)


async def _stale_button(turn: Turn, conversation: Conversation | None) -> None:
    _ = turn._
    turn.notify_callback(_("That button is no longer active."))
    if conversation:
        prompt(turn, Step(conversation.step), draft_of(conversation))
    else:
        turn.say(_("There is no report in progress."), keyboards.main_menu(_))


async def on_back(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        await go_back(turn, conversation)
    else:
        turn.say(turn._("There is no report in progress."), keyboards.main_menu(turn._))


async def on_cancel(turn: Turn) -> None:
    if (await staff_actions.stop(turn) or await follow_up.stop(turn) or await announcements.stop_typing(turn)
            or await admin_broadcast.stop(turn)):
        return
    if turn.in_group:  # a staff group: only a staff action can wait here
        turn.say(turn._("Nothing waits to be stopped."))
        return
    if await load_conversation(turn.session, turn.chat_id):
        await cancel(turn)
    else:
        turn.say(turn._("There is no report in progress."), ClearRequest())


# Tapped answers --------------------------------------------------------------------------------


async def _answer_choice(turn: Turn, conversation: Conversation, step: Step, draft: Draft, value: str) -> None:
    _ = turn._
    if step == Step.CATEGORY and value.startswith(MORE_GROUP_PREFIX):
        text, markup = category_prompt(_, draft, value[1:] or None)
        turn.edit_tapped(text, markup)
        return
    if step == Step.SUMMARY:
        await _summary_action(turn, conversation, draft, value)
        return
    if step == Step.SIMILAR and value != DIFFERENT:
        await _support_instead(turn, conversation, draft, value)
        return
    try:
        chosen = _apply_choice(_, step, draft, value)
    except InputRejected as rejected:
        turn.notify_callback(rejection_text(_, rejected))
        return
    turn.settle_button(chosen)
    await move_on(turn, conversation, draft, step)


def _apply_choice(_: Translator, step: Step, draft: Draft, value: str) -> str:
    """Apply a tapped choice; returns the line that replaces the buttons."""
    if step == Step.TYPE:
        intake.choose_type(draft, value)
        return _("Type: {value}").format(value=render.type_label(_, draft.report_type))
    if step == Step.CATEGORY:
        intake.choose_category(draft, value)
        return _("Category: {value}").format(value=render.category_label(_, draft.category))
    if step == Step.PLACE:
        intake.choose_place(draft, value)
        option = draft.routing.offered(value) if draft.routing else None
        return _("Place: {value}").format(value=escape(option.label) if option else _("None of these"))
    if step == Step.ROAD and value == UNKNOWN_ROAD:
        intake.set_road(draft, None)
        return _("Road: not known")
    if step == Step.SIMILAR:
        intake.file_anyway(draft)
        return _("📝 Mine is different")
    if step == Step.ATTACHMENTS and value == FILES_DONE:
        return _("Photos and files: {value}").format(value=render.attachments_line(_, len(draft.attachments)))
    if step in FLAG_STEPS and value in ("0", "1"):
        intake.set_flag(draft, step, value == "1")
        label = _("Anonymous: {value}") if step == Step.ANONYMOUS else _("Confidential: {value}")
        return label.format(value=render.yes_no(_, value == "1"))
    raise InputRejected(N_("Please use the buttons of the current question."))


async def _support_instead(turn: Turn, conversation: Conversation, draft: Draft, tracking_id: str) -> None:
    """A suggested report is the citizen's problem: they support it, and their draft is not filed."""
    _ = turn._
    if not any(suggestion.tracking_id == tracking_id for suggestion in draft.suggestions or []):
        turn.notify_callback(_("Please use the buttons of the current question."))
        return
    if await supporting.support_report(turn, tracking_id, support.SUGGESTED):
        await end_conversation(turn.session, turn.chat_id)
        turn.settle_button(_("👍 Supported instead"))
        turn.say(_("Your draft was not filed: it would repeat that report. What would you like to do?"),
                 keyboards.main_menu(_))
        return
    draft.suggestions = [suggestion for suggestion in draft.suggestions if suggestion.tracking_id != tracking_id]
    if draft.suggestions:  # closed meanwhile (or the hour's supports spent): the others may still be it
        go_to(turn, conversation, draft, Step.SIMILAR)
    else:
        intake.file_anyway(draft)
        await move_on(turn, conversation, draft, Step.SIMILAR)


async def _summary_action(turn: Turn, conversation: Conversation, draft: Draft, value: str) -> None:
    _ = turn._
    if value == SUBMIT:
        staff_language = turn.services.settings.translator()
        explanation = render.routing_explanation(staff_language, draft.routing) if draft.routing else None
        report = await submit(turn.session, conversation, turn.services.notices, explanation)
        turn.settle_button(_("Report sent."))
        turn.say(
            _(
                "✅ <b>Thank you, your report has been filed.</b>\n\nTracking ID: <code>{tracking_id}</code>\n"
                "Keep it to check the status with /status {tracking_id}. Every change of status will be sent to "
                "you in this chat."
            ).format(tracking_id=report.tracking_id),
            keyboards.main_menu(_),
        )
    elif value in (pins.MOVE, pins.KEEP):
        await pins.answer_move(turn, conversation, draft, value)
    elif value.startswith(EDIT) and value.removeprefix(EDIT) in {step.value for step, _label in EDITABLE}:
        go_to(turn, conversation, draft, start_edit(draft, Step(value.removeprefix(EDIT))))
    else:
        turn.notify_callback(_("Please use the buttons of the current question."))


# Registration ----------------------------------------------------------------------------------

COMMANDS = (
    Command("lapor", "report", N_("File a report"), begin),
    Command("kembali", "back", N_("Back one question"), on_back),
    Command("batal", "cancel", N_("Discard the draft report"), on_cancel, groups=True),
)


TAPS = (Tap(IntakeChoice, on_callback),)


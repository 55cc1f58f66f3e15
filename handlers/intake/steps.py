"""The citizen's answers, and moving between the steps of the intake conversation.

type -> category -> description -> place -> files -> anonymous -> confidential -> summary -> send.
The draft and its step live in the database (see Turn); which step comes next is decided in one
place, ``bot.domain.steps.next_step`` (through ``bot.services.intake``).
"""

from __future__ import annotations

from html import escape

from telegram import Message, ReplyKeyboardRemove
from telegram.ext import Application, CallbackQueryHandler

from bot.db.models import Conversation
from bot.domain import MAX_ATTACHMENTS
from bot.domain.draft import AttachmentRef, Draft
from bot.domain.steps import FLAG_STEPS, PLACE_QUESTIONS, Step, bears_on_routing, start_edit
from bot.i18n import N_, Translator
from bot.services import intake
from bot.services.conversations import draft_of, end_conversation, load_conversation, save_draft, start_conversation
from bot.services.intake import InputRejected
from bot.services.reports import submit
from handlers import keyboards, render
from handlers.commands import Command, add_commands
from handlers.intake import albums
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
from handlers.turn import Turn, turn_handler

# Entry points ----------------------------------------------------------------------------------


async def begin(turn: Turn) -> None:
    """Start a new report, or pick up the one in progress."""
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        prompt(turn, Step(conversation.step), draft_of(conversation), turn._("Let us carry on with your report."))
        return
    conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id)
    prompt(turn, Step.TYPE, draft_of(conversation))


async def on_callback(turn: Turn) -> None:
    _prefix, step_value, value = (turn.update.callback_query.data.split(":", 2) + ["", ""])[:3]
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
    if await load_conversation(turn.session, turn.chat_id):
        await cancel(turn)
    else:
        turn.say(turn._("There is no report in progress."), ReplyKeyboardRemove())


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
    try:
        chosen = _apply_choice(_, step, draft, value)
    except InputRejected as rejected:
        turn.notify_callback(rejection_text(_, rejected))
        return
    turn.settle_button(chosen)
    move_on(turn, conversation, draft, step)


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
    if step == Step.ATTACHMENTS and value == FILES_DONE:
        return _("Photos and files: {value}").format(value=render.attachments_line(_, len(draft.attachments)))
    if step in FLAG_STEPS and value in ("0", "1"):
        intake.set_flag(draft, step, value == "1")
        label = _("Anonymous: {value}") if step == Step.ANONYMOUS else _("Confidential: {value}")
        return label.format(value=render.yes_no(_, value == "1"))
    raise InputRejected(N_("Please use the buttons of the current question."))


async def _summary_action(turn: Turn, conversation: Conversation, draft: Draft, value: str) -> None:
    _ = turn._
    if value == SUBMIT:
        staff_language = turn.services.settings.translator()
        explanation = render.routing_explanation(staff_language, draft.routing) if draft.routing else None
        report = await submit(turn.session, conversation, explanation)
        turn.settle_button(_("Report sent."))
        turn.say(
            _(
                "✅ <b>Thank you, your report has been filed.</b>\n\nTracking ID: <code>{tracking_id}</code>\n"
                "Keep it to check the status with /status {tracking_id}. Every change of status will be sent to "
                "you in this chat."
            ).format(tracking_id=report.tracking_id),
            keyboards.main_menu(_),
        )
    elif value.startswith(EDIT) and value.removeprefix(EDIT) in {step.value for step, _label in EDITABLE}:
        go_to(turn, conversation, draft, start_edit(draft, Step(value.removeprefix(EDIT))))
    else:
        turn.notify_callback(_("Please use the buttons of the current question."))


# Moving between steps --------------------------------------------------------------------------


def go_to(turn: Turn, conversation: Conversation, draft: Draft, step: Step, preface: str | None = None) -> None:
    save_draft(conversation, draft, step)
    prompt(turn, step, draft, preface)


def move_on(turn: Turn, conversation: Conversation, draft: Draft, answered: Step) -> None:
    """On from an answered step. Where the answer changes who is responsible, say who and why, once no
    question about the place or the road is left."""
    rerouted = bears_on_routing(draft, answered)
    step = intake.proceed(turn.services.router, draft, answered)
    preface = None
    if rerouted and step not in PLACE_QUESTIONS:
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
    turn.say(_("Your draft report has been discarded."), ReplyKeyboardRemove())
    turn.say(_("What would you like to do?"), keyboards.main_menu(_))


def rejection_text(_: Translator, rejected: InputRejected) -> str:
    """The reason in the user's language, numbers in its format (4.096 in Indonesian)."""
    params = {key: _.number(value) if isinstance(value, int) else value for key, value in rejected.params.items()}
    return _(rejected.message).format(**params)


def hint(turn: Turn, conversation: Conversation, reason: str) -> None:
    """Never silence: say what went wrong and ask the current question again."""
    prompt(turn, Step(conversation.step), draft_of(conversation), reason)


# Sent answers ----------------------------------------------------------------------------------


async def on_message(turn: Turn, conversation: Conversation) -> None:
    """A message while a report is in progress: the answer to the current step, or a hint."""
    message, step, draft = turn.message, Step(conversation.step), draft_of(conversation)
    try:
        if attachment_of(message):
            _take_attachment(turn, conversation, step, draft, message)
        elif message.location:
            _take_point(turn, conversation, step, draft, message)
        elif message.text:
            await _take_text(turn, conversation, step, draft, message.text)
        else:
            hint(turn, conversation, turn._("I cannot use that kind of message here."))
    except InputRejected as rejected:
        hint(turn, conversation, "⚠️ " + rejection_text(turn._, rejected))


async def _take_text(turn: Turn, conversation: Conversation, step: Step, draft: Draft, text: str) -> None:
    _ = turn._
    if step == Step.LOCATION and text.strip() == _("⬅️ Back"):  # the location step's reply keyboard
        await go_back(turn, conversation)
    elif step == Step.LOCATION and text.strip() == _("✖️ Cancel"):
        await cancel(turn)
    elif step == Step.DESCRIPTION:
        intake.set_description(draft, text)
        move_on(turn, conversation, draft, step)
    elif step == Step.LOCATION:
        intake.set_location_text(draft, text)
        _location_taken(turn, conversation, draft)
    elif step == Step.ROAD:
        intake.set_road(draft, text)
        move_on(turn, conversation, draft, step)
    else:
        hint(turn, conversation, _("Please answer with the buttons below."))


def _take_point(turn: Turn, conversation: Conversation, step: Step, draft: Draft, message: Message) -> None:
    if step != Step.LOCATION:
        hint(turn, conversation, turn._("A location is asked for later; please answer this question first."))
        return
    location, venue = message.location, message.venue
    address = ", ".join(part for part in (venue.title, venue.address) if part) if venue else None
    intake.set_location_point(draft, location.latitude, location.longitude, address)
    _location_taken(turn, conversation, draft)


def _location_taken(turn: Turn, conversation: Conversation, draft: Draft) -> None:
    _, where = turn._, draft.place
    text = _("📍 Place noted: {place}").format(place=render.place(_, where.latitude, where.longitude, where.address))
    turn.say(text, ReplyKeyboardRemove())
    move_on(turn, conversation, draft, Step.LOCATION)


def attachment_of(message: Message) -> AttachmentRef | None:
    if message.photo:
        media, kind = message.photo[-1], "photo"  # the largest size
    elif message.video:
        media, kind = message.video, "video"
    elif message.document:
        media, kind = message.document, "document"
    else:
        return None
    return AttachmentRef(kind, media.file_id, media.file_unique_id, media.file_size, getattr(media, "file_name", None))


def _take_attachment(turn: Turn, conversation: Conversation, step: Step, draft: Draft, message: Message) -> None:
    """Files are kept at any step, so that nothing a citizen sends is lost."""
    _, album = turn._, message.media_group_id
    try:
        intake.add_attachment(draft, attachment_of(message))
        refusal = None
    except InputRejected as rejected:
        if album is None:
            raise
        refusal = rejection_text(_, rejected)
    if album is not None:
        albums.note_part(draft, album, refusal)
    save_draft(conversation, draft, step)
    if message.caption and step == Step.DESCRIPTION and _caption_describes(draft, message.caption):
        move_on(turn, conversation, draft, step)
        return
    note = None
    if step != Step.ATTACHMENTS:
        note = _("📎 File kept for your report ({count} of {maximum}). Now, please answer this question:").format(
            count=len(draft.attachments), maximum=MAX_ATTACHMENTS
        )
    if album is None:
        prompt(turn, step, draft, note)
    else:
        albums.acknowledge(turn, step, draft, note)


def _caption_describes(draft: Draft, caption: str) -> bool:
    """A caption long enough to be the description is taken as it; a short one is not."""
    try:
        intake.set_description(draft, caption)
    except InputRejected:
        return False
    return True


# Registration ----------------------------------------------------------------------------------

COMMANDS = (
    Command("lapor", "report", N_("File a report"), begin),
    Command("kembali", "back", N_("Back one question"), on_back),
    Command("batal", "cancel", N_("Discard the draft report"), on_cancel),
)


def register(application: Application) -> None:
    add_commands(application, COMMANDS)
    application.add_handler(CallbackQueryHandler(turn_handler(on_callback), pattern=f"^{keyboards.INTAKE}:"))

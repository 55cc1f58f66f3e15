"""The citizen's intake conversation: type -> category -> description -> place -> files -> anonymous
-> confidential -> summary -> confirm. The draft and its step live in the database (see Turn)."""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from bot.db.models import Conversation
from bot.domain import (
    CATEGORY_GROUP_LABELS,
    MALADMINISTRATION,
    MAX_ATTACHMENTS,
    REPORT_TYPE_LABELS,
    ReportType,
    categories_in,
    category_groups_for,
)
from bot.i18n import N_, Translator
from bot.services import intake
from bot.services.conversations import draft_of, end_conversation, load_conversation, save_draft, start_conversation
from bot.services.intake import Draft, InputRejected, Step
from bot.services.jurisdiction import question_for, record, route_draft
from bot.services.reports import submit
from handlers import keyboards, render
from handlers.keyboards import BACK, CANCEL, button, rows, step_keyboard
from handlers.turn import Turn

ALBUM_SETTLE_SECONDS = 1.0  # an album's parts arrive as separate updates within a moment
SUBMIT, EDIT = "submit", "edit-"
UNKNOWN_ROAD = "unknown"
MORE_GROUP_PREFIX = "@"


# Prompts ---------------------------------------------------------------------------------------


def prompt(turn: Turn, step: Step, draft: Draft, preface: str | None = None) -> None:
    turn.say(*prompt_content(turn._, step, draft, preface))


def prompt_content(_: Translator, step: Step, draft: Draft, preface: str | None = None) -> tuple[str, Any]:
    """The question of a step, after an optional preface (a hint, a confirmation)."""
    text, markup = PROMPTS[step](_, draft)
    return _join(preface, text), markup


def _join(preface: str | None, text: str) -> str:
    return f"{preface}\n\n{text}" if preface else text


def _type_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(_(label), report_type.value) for report_type, label in REPORT_TYPE_LABELS.items()]
    return _("<b>What kind of report is it?</b>"), step_keyboard(_, Step.TYPE, choices, back=False)


def _category_prompt(_: Translator, draft: Draft, group: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    report_type = ReportType(draft["report_type"])
    if group == MALADMINISTRATION:
        choices = [(_(category.label), category.code) for category in categories_in(MALADMINISTRATION)]
        choices.append((_("⬅️ Other categories"), MORE_GROUP_PREFIX))
        text = _("<b>What did the official do wrong?</b>")
    else:
        choices = [
            (_(category.label), category.code)
            for group_code in category_groups_for(report_type)
            if group_code != MALADMINISTRATION
            for category in categories_in(group_code)
        ]
        if MALADMINISTRATION in category_groups_for(report_type):
            choices.append((f"⚖️ {_(CATEGORY_GROUP_LABELS[MALADMINISTRATION])}…", MORE_GROUP_PREFIX + MALADMINISTRATION))
        text = _("<b>Which category fits best?</b>")
    return text, step_keyboard(_, Step.CATEGORY, choices, width=2)


def _location_prompt(_: Translator, draft: Draft) -> tuple[str, Any]:
    text = _(
        "<b>Where is it?</b> Tap <i>📍 Send my location</i> if you are there, share a pin "
        "(📎 → Location), or type the address: street, village, district, city."
    )
    return text, keyboards.location_keyboard(_)


def _description_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>What happened?</b> Describe it in your own words: what, where exactly, and since when. "
        "At least {minimum} characters."
    ).format(minimum=intake.DESCRIPTION_MIN_CHARS)
    return text, InlineKeyboardMarkup([keyboards.navigation_row(_, Step.DESCRIPTION)])


def _place_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    choices = [(item["label"], item["code"]) for item in draft["routing"]["alternatives"]]
    choices.append((_("None of these"), intake.NONE_OF_THESE))
    return _("<b>Which place do you mean?</b>"), step_keyboard(_, Step.PLACE, choices)


def _road_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>Which road is it?</b> Type its name, for example: Jl. Sudirman. Whether it is a national, "
        "provincial or regency road decides which office must fix it."
    )
    return text, step_keyboard(_, Step.ROAD, [(_("I do not know"), UNKNOWN_ROAD)])


def _attachments_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    count = len(draft.get("attachments", []))
    text = _(
        "<b>Photos or files</b> (optional): send up to {maximum} photos, videos or documents; an album is fine. "
        "Then tap <i>Continue</i>."
    ).format(maximum=MAX_ATTACHMENTS)
    if count:
        text += "\n" + _("Received so far: {count} of {maximum}.").format(count=count, maximum=MAX_ATTACHMENTS)
    label = _("Continue ➡️") if count else _("Skip, no photos ➡️")
    return text, step_keyboard(_, Step.ATTACHMENTS, [(label, "done")])


def _anonymous_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>Report anonymously?</b> If yes, the agency and the public will not learn who you are. "
        "You still get every update in this chat."
    )
    return text, step_keyboard(_, Step.ANONYMOUS, [(_("Yes, anonymous"), "1"), (_("No"), "0")], width=2)


def _confidential_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>Keep the content confidential?</b> If yes, what you wrote is never made public; "
        "only the agencies handling it can read it."
    )
    return text, step_keyboard(_, Step.CONFIDENTIAL, [(_("Yes, confidential"), "1"), (_("No"), "0")], width=2)


EDITABLE = (
    (Step.TYPE, N_("✏️ Type")),
    (Step.CATEGORY, N_("✏️ Category")),
    (Step.DESCRIPTION, N_("✏️ Description")),
    (Step.LOCATION, N_("✏️ Place")),
    (Step.ATTACHMENTS, N_("✏️ Photos")),
    (Step.ANONYMOUS, N_("✏️ Anonymous")),
    (Step.CONFIDENTIAL, N_("✏️ Confidential")),
)


def _summary_prompt(_: Translator, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    edit_buttons = [button(_(label), keyboards.INTAKE, Step.SUMMARY, EDIT + step) for step, label in EDITABLE]
    markup = InlineKeyboardMarkup(
        [
            *rows(edit_buttons, 2),
            [button(_("✅ Send report"), keyboards.INTAKE, Step.SUMMARY, SUBMIT)],
            [button(_("✖️ Cancel"), keyboards.INTAKE, Step.SUMMARY, CANCEL)],
        ]
    )
    return render.draft_summary(_, draft), markup


PROMPTS = {
    Step.TYPE: _type_prompt,
    Step.CATEGORY: _category_prompt,
    Step.DESCRIPTION: _description_prompt,
    Step.LOCATION: _location_prompt,
    Step.PLACE: _place_prompt,
    Step.ROAD: _road_prompt,
    Step.ATTACHMENTS: _attachments_prompt,
    Step.ANONYMOUS: _anonymous_prompt,
    Step.CONFIDENTIAL: _confidential_prompt,
    Step.SUMMARY: _summary_prompt,
}


# Answers that change who is responsible, once the place is known.
ROUTING_INPUTS = (Step.CATEGORY, Step.PLACE, Step.ROAD)


# Entry points ----------------------------------------------------------------------------------


async def begin(turn: Turn) -> None:
    """Start a new report, or pick up the one in progress."""
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        prompt(turn, Step(conversation.step), conversation.draft, turn._("Let us carry on with your report."))
        return
    conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id)
    prompt(turn, Step.TYPE, conversation.draft)


async def on_callback(turn: Turn) -> None:
    _prefix, step_value, value = (turn.update.callback_query.data.split(":", 2) + ["", ""])[:3]
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation is None or conversation.step != step_value or not value:
        await _stale_button(turn, conversation)
        return
    step, draft = Step(conversation.step), draft_of(conversation)
    if value == BACK:
        await go_back(turn, conversation)
    elif value == CANCEL:
        await cancel(turn)
    else:
        await _answer_choice(turn, conversation, step, draft, value)


async def _stale_button(turn: Turn, conversation: Conversation | None) -> None:
    _ = turn._
    turn.notify_callback(_("That button is no longer active."))
    if conversation:
        prompt(turn, Step(conversation.step), conversation.draft)
    else:
        turn.say(_("There is no report in progress."), keyboards.main_menu(_))


async def _answer_choice(turn: Turn, conversation: Conversation, step: Step, draft: Draft, value: str) -> None:
    _ = turn._
    if step == Step.CATEGORY and value.startswith(MORE_GROUP_PREFIX):
        text, markup = _category_prompt(_, draft, value[1:] or None)
        turn.after(lambda: turn.update.callback_query.edit_message_text(text, reply_markup=markup))
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
    if step in ROUTING_INPUTS and "location" in draft:
        route_and_continue(turn, conversation, draft)
    else:
        advance(turn, conversation, draft, step)


def _apply_choice(_: Translator, step: Step, draft: Draft, value: str) -> str:
    """Apply a tapped choice; returns the line that replaces the buttons."""
    if step == Step.TYPE:
        intake.choose_type(draft, value)
        return _("Type: {value}").format(value=render.type_label(_, draft["report_type"]))
    if step == Step.CATEGORY:
        intake.choose_category(draft, value)
        return _("Category: {value}").format(value=render.category_label(_, draft["category"]))
    if step == Step.PLACE:
        offered = {item["code"]: item["label"] for item in draft["routing"]["alternatives"]}
        intake.choose_place(draft, value, list(offered))
        return _("Place: {value}").format(value=escape(offered.get(value, _("None of these"))))
    if step == Step.ROAD and value == UNKNOWN_ROAD:
        intake.set_road(draft, None)
        return _("Road: not known")
    if step == Step.ATTACHMENTS and value == "done":
        return _("Photos and files: {value}").format(
            value=render.attachments_line(_, len(draft.get("attachments", [])))
        )
    if step in intake.FLAG_STEPS and value in ("0", "1"):
        intake.set_flag(draft, step, value == "1")
        label = _("Anonymous: {value}") if step == Step.ANONYMOUS else _("Confidential: {value}")
        return label.format(value=render.yes_no(_, value == "1"))
    raise InputRejected(N_("Please use the buttons of the current question."))


async def _summary_action(turn: Turn, conversation: Conversation, draft: Draft, value: str) -> None:
    _ = turn._
    if value == SUBMIT:
        staff_language = turn.services.settings.translator()
        report = await submit(turn.session, conversation, render.routing_explanation(staff_language, draft["routing"]))
        turn.settle_button(_("Report sent."))
        turn.say(
            _(
                "✅ <b>Thank you, your report has been filed.</b>\n\nTracking ID: <code>{tracking_id}</code>\n"
                "Keep it to check the status with /status {tracking_id}. Every change of status will be sent to "
                "you in this chat."
            ).format(tracking_id=report.tracking_id),
            keyboards.main_menu(_),
        )
        return
    if value.startswith(EDIT) and value[len(EDIT) :] in {step.value for step, _label in EDITABLE}:
        step = intake.start_edit(draft, Step(value[len(EDIT) :]))
        go_to(turn, conversation, draft, step)
        return
    turn.notify_callback(_("Please use the buttons of the current question."))


# Moving between steps --------------------------------------------------------------------------


def go_to(turn: Turn, conversation: Conversation, draft: Draft, step: Step, preface: str | None = None) -> None:
    save_draft(conversation, draft, step)
    prompt(turn, step, draft, preface)


def advance(turn: Turn, conversation: Conversation, draft: Draft, answered: Step, preface: str | None = None) -> None:
    go_to(turn, conversation, draft, intake.finish_step(draft, answered), preface)


async def go_back(turn: Turn, conversation: Conversation) -> None:
    draft = draft_of(conversation)
    previous = intake.previous_step(draft, Step(conversation.step))
    if previous is None:
        prompt(turn, Step(conversation.step), draft, turn._("This is the first question."))
        return
    if previous == Step.SUMMARY:
        draft["editing"] = False
    turn.settle_button(turn._("⬅️ Back"))
    go_to(turn, conversation, draft, previous)


async def cancel(turn: Turn) -> None:
    _ = turn._
    await end_conversation(turn.session, turn.chat_id)
    turn.settle_button(_("✖️ Cancelled"))
    turn.say(_("Your draft report has been discarded."), ReplyKeyboardRemove())
    turn.say(_("What would you like to do?"), keyboards.main_menu(_))


# Messages --------------------------------------------------------------------------------------


async def on_message(turn: Turn, conversation: Conversation) -> None:
    """A message while a report is in progress: the answer to the current step, or a hint."""
    message, step, draft = turn.message, Step(conversation.step), draft_of(conversation)
    try:
        if attachment_of(message):
            _take_attachment(turn, conversation, step, draft, message)
        elif message.location:
            await _take_point(turn, conversation, step, draft, message)
        elif message.text:
            await _take_text(turn, conversation, step, draft, message.text)
        else:
            hint(turn, conversation, turn._("I cannot use that kind of message here."))
    except InputRejected as rejected:
        hint(turn, conversation, "⚠️ " + rejection_text(turn._, rejected))


def rejection_text(_: Translator, rejected: InputRejected) -> str:
    """The reason in the user's language, numbers in its format (4.096 in Indonesian)."""
    params = {key: _.number(value) if isinstance(value, int) else value for key, value in rejected.params.items()}
    return _(rejected.message).format(**params)


def hint(turn: Turn, conversation: Conversation, reason: str) -> None:
    """Never silence: say what went wrong and ask the current question again."""
    prompt(turn, Step(conversation.step), conversation.draft, reason)


async def _take_text(turn: Turn, conversation: Conversation, step: Step, draft: Draft, text: str) -> None:
    _ = turn._
    if step == Step.LOCATION and text.strip() == _("⬅️ Back"):
        await go_back(turn, conversation)
    elif step == Step.LOCATION and text.strip() == _("✖️ Cancel"):
        await cancel(turn)
    elif step == Step.DESCRIPTION:
        intake.set_description(draft, text)
        advance(turn, conversation, draft, step)
    elif step == Step.LOCATION:
        intake.set_location_text(draft, text)
        _location_taken(turn, conversation, draft)
    elif step == Step.ROAD:
        intake.set_road(draft, text)
        route_and_continue(turn, conversation, draft)
    else:
        hint(turn, conversation, _("Please answer with the buttons below."))


async def _take_point(turn: Turn, conversation: Conversation, step: Step, draft: Draft, message: Message) -> None:
    if step != Step.LOCATION:
        hint(turn, conversation, turn._("A location is asked for later; please answer this question first."))
        return
    location, venue = message.location, message.venue
    address = ", ".join(part for part in (venue.title, venue.address) if part) if venue else None
    intake.set_location_point(draft, location.latitude, location.longitude, address)
    _location_taken(turn, conversation, draft)


def _location_taken(turn: Turn, conversation: Conversation, draft: Draft) -> None:
    _ = turn._
    where = draft["location"]
    text = _("📍 Place noted: {place}").format(
        place=render.place(_, where["latitude"], where["longitude"], where["address"])
    )
    turn.say(text, ReplyKeyboardRemove())
    route_and_continue(turn, conversation, draft)


def route_and_continue(turn: Turn, conversation: Conversation, draft: Draft) -> None:
    """Work out who is responsible; ask about the place or the road if need be, else say who and why."""
    router = turn.services.router
    jurisdiction = route_draft(router, draft)
    draft["routing"] = record(router, jurisdiction)
    question = question_for(draft, jurisdiction)
    if question:
        go_to(turn, conversation, draft, question)
        return
    explanation = "🏛️ " + render.routing_explanation(turn._, draft["routing"])
    # The place questions are done: go on as after the last of them (to the files, or the summary).
    advance(turn, conversation, draft, Step.ROAD, explanation)


def attachment_of(message: Message) -> dict[str, Any] | None:
    if message.photo:
        media, kind = message.photo[-1], "photo"  # the largest size
    elif message.video:
        media, kind = message.video, "video"
    elif message.document:
        media, kind = message.document, "document"
    else:
        return None
    return {
        "kind": kind,
        "file_id": media.file_id,
        "file_unique_id": media.file_unique_id,
        "file_size": media.file_size,
        "file_name": getattr(media, "file_name", None),
    }


def _take_attachment(turn: Turn, conversation: Conversation, step: Step, draft: Draft, message: Message) -> None:
    """Files are kept at any step, so that nothing a citizen sends is lost."""
    _ = turn._
    album = message.media_group_id
    try:
        intake.add_attachment(draft, attachment_of(message))
    except InputRejected as rejected:
        if album is None:
            raise
        album_acks(turn).reject(turn.chat_id, album, rejection_text(_, rejected))
    save_draft(conversation, draft, step)
    if message.caption and step == Step.DESCRIPTION:
        try:
            intake.set_description(draft, message.caption)
        except InputRejected:
            pass  # a short caption is not the description; the prompt below asks for it
        else:
            advance(turn, conversation, draft, step)
            return
    count = len(draft["attachments"])
    if step != Step.ATTACHMENTS:
        note = _("📎 File kept for your report ({count} of {maximum}). Now, please answer this question:")
        note = note.format(count=count, maximum=MAX_ATTACHMENTS)
    else:
        note = None
    if album is None:
        prompt(turn, step, draft, note)
    else:
        album_acks(turn).schedule(turn, step, draft, note)


def album_acks(turn: Turn) -> "AlbumAcks":
    return turn.context.bot_data.setdefault("album_acks", AlbumAcks())


class AlbumAcks:
    """Answers an album once, after its last part, instead of once per photo."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str], asyncio.Task] = {}
        self._rejections: dict[tuple[int, str], list[str]] = {}

    def reject(self, chat_id: int, album: str, reason: str) -> None:
        reasons = self._rejections.setdefault((chat_id, album), [])
        if reason not in reasons:
            reasons.append(reason)

    def schedule(self, turn: Turn, step: Step, draft: Draft, note: str | None) -> None:
        key = (turn.chat_id, turn.message.media_group_id)
        previous = self._pending.get(key)
        if previous:
            previous.cancel()

        async def acknowledge() -> None:
            await asyncio.sleep(ALBUM_SETTLE_SECONDS)
            self._pending.pop(key, None)
            reasons = self._rejections.pop(key, [])
            preface = "\n".join([note or "", *("⚠️ " + escape(reason) for reason in reasons)]).strip() or None
            text, markup = prompt_content(turn._, step, draft, preface)
            await turn.context.bot.send_message(turn.chat_id, text, reply_markup=markup)

        # Scheduled once the transaction has committed, so the acknowledgement never runs ahead of it.
        turn.after(lambda: _start(self._pending, key, acknowledge))


async def _start(pending: dict, key: tuple[int, str], acknowledge) -> None:
    pending[key] = asyncio.get_running_loop().create_task(acknowledge())

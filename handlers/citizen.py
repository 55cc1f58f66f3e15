"""Commands and menu for citizens: start, help, language, status look-ups, their own reports."""

from __future__ import annotations

from html import escape

from telegram import ReplyKeyboardRemove

from bot.i18n import LANGUAGE_NAMES, Translator, normalise_locale
from bot.services.conversations import load_conversation
from bot.services.reports import find_by_tracking_id, reports_of
from bot.services.tracking import InvalidTrackingId, parse_tracking_id
from handlers import intake, keyboards, render
from handlers.turn import Turn

EXAMPLE_ID = "K7MQ9-TRXZS"


def help_text(_: Translator) -> str:
    return _(
        "<b>How lapor-bot works</b>\n"
        "/lapor — file a report (complaint, aspiration or request for information)\n"
        "/status ID — the status of a report\n"
        "/laporanku — your reports\n"
        "/bahasa — choose the language\n"
        "/batal — discard the report you are writing, /kembali — go back one question\n\n"
        "Your report is sent to the agency responsible. You can file anonymously (the agency does not learn "
        "who you are) or confidentially (the content is never made public)."
    )


async def start(turn: Turn) -> None:
    _ = turn._
    name = turn.update.effective_user.first_name
    turn.say(
        _(
            "Hello {name}! 👋 I am the <b>SP4N-LAPOR!</b> bot. Tell me about a problem with a public service, "
            "a road, or an official, and I will pass it to the agency responsible and keep you informed."
        ).format(name=escape(name)),
        keyboards.main_menu(_),
    )
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        intake.prompt(turn, intake.Step(conversation.step), conversation.draft, _("You have a report in progress:"))


async def show_help(turn: Turn) -> None:
    turn.say(help_text(turn._), keyboards.main_menu(turn._))


async def choose_language(turn: Turn) -> None:
    turn.say(turn._("Choose your language:"), keyboards.language_menu())


async def set_language(turn: Turn) -> None:
    code = turn.update.callback_query.data.split(":", 1)[1]
    if code not in LANGUAGE_NAMES:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    turn.user.locale = normalise_locale(code)
    turn._ = turn.services.settings.translator(turn.user.locale)
    turn.settle_button(LANGUAGE_NAMES[code])
    turn.say(turn._("From now on I will speak English with you."), keyboards.main_menu(turn._))


async def status_command(turn: Turn) -> None:
    typed = " ".join(turn.context.args or [])
    if not typed:
        ask_for_tracking_id(turn)
        return
    await show_status(turn, typed)


def ask_for_tracking_id(turn: Turn) -> None:
    turn.say(
        turn._("Send me the tracking ID, for example <code>{example}</code>, or type /status {example}.").format(
            example=EXAMPLE_ID
        )
    )


async def show_status(turn: Turn, typed: str) -> None:
    _ = turn._
    try:
        tracking_id = parse_tracking_id(typed)
    except InvalidTrackingId:
        turn.say(
            _(
                "<code>{typed}</code> is not a valid tracking ID: one character seems mistyped. "
                "Please check it; it looks like <code>{example}</code>."
            ).format(typed=escape(typed[:40]), example=EXAMPLE_ID)
        )
        return
    report = await find_by_tracking_id(turn.session, tracking_id)
    if report is None:
        turn.say(_("No report has the tracking ID <code>{tracking_id}</code>.").format(tracking_id=tracking_id))
        return
    turn.say(render.report_card(_, report, for_reporter=report.reporter_id == turn.user.id))


async def my_reports(turn: Turn) -> None:
    reports = await reports_of(turn.session, turn.user.id)
    buttons = [keyboards.button(report.tracking_id, keyboards.SHOW, report.tracking_id) for report in reports]
    markup = keyboards.InlineKeyboardMarkup(keyboards.rows(buttons, 2)) if buttons else keyboards.main_menu(turn._)
    turn.say(render.report_list(turn._, reports), markup)


async def show_from_button(turn: Turn) -> None:
    await show_status(turn, turn.update.callback_query.data.split(":", 1)[1])


async def on_menu(turn: Turn) -> None:
    item = turn.update.callback_query.data.split(":", 1)[1]
    action = MENU_ACTIONS.get(item)
    if action is None:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    await action(turn)


async def _ask_status(turn: Turn) -> None:
    ask_for_tracking_id(turn)


MENU_ACTIONS = {
    "new": intake.begin,
    "status": _ask_status,
    "mine": my_reports,
    "help": show_help,
    "language": choose_language,
}


async def on_message(turn: Turn) -> None:
    """Any message: the answer to a report in progress, a tracking ID, or else the menu."""
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        await intake.on_message(turn, conversation)
        return
    text = (turn.message.text or "").strip()
    if text and len(text) <= 16:
        try:
            parse_tracking_id(text)
        except InvalidTrackingId:
            pass
        else:
            await show_status(turn, text)
            return
    turn.say(turn._("Hello! Tap <i>📝 File a report</i> to tell me about a problem."), keyboards.main_menu(turn._))


async def on_unknown_command(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id)
    reason = turn._("I do not know that command.")
    if conversation:
        intake.hint(turn, conversation, reason)
    else:
        turn.say(f"{reason}\n\n{help_text(turn._)}", keyboards.main_menu(turn._))


async def on_edited_message(turn: Turn) -> None:
    turn.say(turn._("I do not read edited messages. Please send the corrected text as a new message."))


async def on_back(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        await intake.go_back(turn, conversation)
    else:
        turn.say(turn._("There is no report in progress."), keyboards.main_menu(turn._))


async def on_cancel(turn: Turn) -> None:
    if await load_conversation(turn.session, turn.chat_id):
        await intake.cancel(turn)
    else:
        turn.say(turn._("There is no report in progress."), ReplyKeyboardRemove())


async def on_unknown_button(turn: Turn) -> None:
    turn.notify_callback(turn._("That button is no longer active."))

"""The welcome, the main menu, help, and the choice of language."""

from __future__ import annotations

from html import escape

from bot.domain.steps import Step
from bot.i18n import LANGUAGE_NAMES, N_, Translator, normalise_locale
from bot.services.conversations import draft_of, load_conversation
from handlers import keyboards
from bot.domain.choices import LanguageChoice, MenuChoice
from handlers.citizen import typed_text
from handlers.citizen.reports import my_reports
from handlers.citizen.status import ask_for_tracking_id
from handlers.commands import Command, Tap
from handlers.intake.prompts import prompt
from handlers.intake.steps import begin
from handlers.turn import Turn


def help_text(_: Translator) -> str:
    return _(
        "<b>How lapor-bot works</b>\n"
        "/lapor — file a report (complaint, aspiration or request for information)\n"
        "/status ID — the status of a report\n"
        "/laporanku — your reports\n"
        "/langganan — announcements from public services in your area (/berhenti stops them)\n"
        "/bahasa — choose the language, /lupakan — make the bot forget your number and name\n"
        "/batal — discard the report you are writing, /kembali — go back one question\n\n"
        "Your report is sent to the agency responsible. You can file anonymously (the agency does not learn "
        "who you are) or confidentially (the content is never made public)."
    )


async def start(turn: Turn) -> None:
    _ = turn._
    name = turn.incoming.sender.name
    turn.say(
        _(
            "Hello {name}! 👋 I am the <b>SP4N-LAPOR!</b> bot. Tell me about a problem with a public service, "
            "a road, or an official, and I will pass it to the agency responsible and keep you informed."
        ).format(name=escape(name)),
        keyboards.main_menu(_),
    )
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        prompt(turn, Step(conversation.step), draft_of(conversation), _("You have a report in progress:"))


async def show_help(turn: Turn) -> None:
    turn.say(help_text(turn._), keyboards.main_menu(turn._))


async def choose_language(turn: Turn) -> None:
    turn.say(turn._("Choose your language:"), keyboards.language_menu())


async def set_language(turn: Turn) -> None:
    code = turn.choice.locale
    if code not in LANGUAGE_NAMES:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    turn.user.locale = normalise_locale(code)
    turn._ = turn.services.settings.translator(turn.user.locale)
    turn.settle_button(LANGUAGE_NAMES[code])
    turn.say(turn._("From now on I will speak English with you."), keyboards.main_menu(turn._))


MENU_ACTIONS = {
    "new": begin,
    "status": ask_for_tracking_id,
    typed_text.FROM_TEXT: typed_text.report_kept_text,
    "mine": my_reports,
    "help": show_help,
    "language": choose_language,
}


async def on_menu(turn: Turn) -> None:
    item = turn.choice.item
    action = MENU_ACTIONS.get(item)
    if action is None:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    await action(turn)


COMMANDS = (
    Command("bahasa", "language", N_("Choose the language"), choose_language),
    Command("bantuan", "help", N_("Help"), show_help),
)


TAPS = (Tap(MenuChoice, on_menu), Tap(LanguageChoice, set_language))

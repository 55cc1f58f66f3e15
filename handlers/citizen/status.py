"""The status of a report: /status ID, a tracking ID sent on its own, or a button of "my reports"."""

from __future__ import annotations

from html import escape

from bot.db.models import Conversation, Report
from bot.domain.flows import Question
from bot.i18n import N_
from bot.services import elsewhere
from bot.services.conversations import open_conversation
from bot.services.lookups import minutes_until_allowed, take_lookup
from bot.services.reports import find_by_tracking_id
from bot.services.tracking import InvalidTrackingId, looks_like_tracking_id, parse_tracking_id
from handlers import render
from bot.domain.choices import ShowReport
from handlers.commands import Command, Tap
from handlers.replies import say_in_parts
from handlers.turn import Turn

EXAMPLE_ID = "K7MQ9-TRXZS"
LONGEST_TYPED_ID = 16  # a tracking ID with spaces or dashes where the citizen put them


async def status_command(turn: Turn) -> None:
    typed = " ".join(turn.args)
    if typed:
        await show_status(turn, typed)
    else:
        await ask_for_tracking_id(turn)


async def ask_for_tracking_id(turn: Turn) -> None:
    """Ask for the ID; in the middle of a report (or any flow) the ID sent next answers this, not the flow."""
    conversation = await open_conversation(turn.session, turn.chat_id)
    if conversation is not None:
        conversation.question = Question.TRACKING_ID
    turn.say(
        turn._("Send me the tracking ID, for example <code>{example}</code>, or type /status {example}.").format(
            example=EXAMPLE_ID
        )
    )


async def answer_to_question(turn: Turn) -> Conversation | None:
    """A tracking ID sent after /status asked for one while a flow was open: its status is shown, and the flow's
    conversation (whose question comes again) returned; None when the message is no such answer."""
    conversation = await open_conversation(turn.session, turn.chat_id)
    text = (turn.incoming.typed or "").strip()
    if conversation is None or conversation.question != Question.TRACKING_ID or not is_tracking_id(text):
        return None
    conversation.question = None
    await show_status(turn, text)
    return conversation


def is_tracking_id(text: str) -> bool:
    """Whether a message is a tracking ID sent on its own."""
    if not text or len(text) > LONGEST_TYPED_ID:
        return False
    try:
        parse_tracking_id(text)
    except InvalidTrackingId:
        return False
    return True


async def show_status(turn: Turn, typed: str) -> None:
    report = await report_typed(turn, typed)
    if report is None:
        return
    # A long history may need more than one message.
    say_in_parts(turn, render.report_card(turn._, report, for_reporter=report.reporter_id == turn.user.id,
                                          area=area_of(turn, report),
                                          elsewhere=await elsewhere.of_report(turn.session, report.id)))


async def report_typed(turn: Turn, typed: str) -> Report | None:
    """The report a typed tracking ID names; None once the citizen is told why not (not an ID, no such report, or
    too many look-ups of others' reports: IDs cannot be guessed, nor tried one after another)."""
    _ = turn._
    try:
        tracking_id = parse_tracking_id(typed)
    except InvalidTrackingId:
        tracking_id = None
    report = await find_by_tracking_id(turn.session, tracking_id) if tracking_id else None
    if not (report and report.reporter_id == turn.user.id) and not take_lookup(turn.user):
        turn.say(
            _(
                "You have looked up many reports in a short time. Please try again in {minutes} minutes. "
                "Your own reports are always here: /laporanku"
            ).format(minutes=minutes_until_allowed(turn.user))
        )
        return None
    if tracking_id is None:
        turn.say(not_an_id(turn, typed))
        return None
    if report is None:
        turn.say(_("No report has the tracking ID <code>{tracking_id}</code>.").format(tracking_id=tracking_id))
    return report


def not_an_id(turn: Turn, typed: str) -> str:
    """A typo only where the text has a tracking ID's shape; anything else is simply not one."""
    if looks_like_tracking_id(typed):
        text = turn._("<code>{typed}</code> is not a valid tracking ID: one character seems mistyped. "
                      "Please check it; it looks like <code>{example}</code>.")
    else:
        text = turn._("<code>{typed}</code> is not a tracking ID. A tracking ID looks like <code>{example}</code>: "
                      "ten letters and digits, as the bot sent them when the report was filed. Your reports: /laporanku")
    return text.format(typed=escape(typed[:40]), example=EXAMPLE_ID)


def area_of(turn: Turn, report) -> str | None:
    """The most precise area the report was routed to, by name ("Padang Barat, Kota Padang, Sumatera Barat")."""
    hierarchy = turn.services.router.hierarchy
    code = report.village_code or report.district_code or report.regency_code or report.province_code
    region = hierarchy.get(code) if code else None
    return hierarchy.describe(region) if region else None


async def show_from_button(turn: Turn) -> None:
    await show_status(turn, turn.choice.tracking_id)


COMMANDS = (Command("status", None, N_("Status of a report"), status_command),)


TAPS = (Tap(ShowReport, show_from_button),)

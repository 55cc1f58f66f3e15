"""Support ("dukung"): a citizen adds their voice to a report already filed, one suggested while filing theirs,
or by its ID (/dukung ID, or a shared link ``t.me/<bot>?start=dukung_<ID>``); they hear its changes in this chat
until they stop following."""

from __future__ import annotations

from bot.db.models import Report
from bot.domain.choices import Following
from bot.i18n import N_
from bot.notices.status import following_keyboard
from bot.services import support
from bot.services.reports import find_by_tracking_id
from bot.services.support import SupportRefused
from handlers.citizen.status import EXAMPLE_ID, report_typed
from handlers.commands import Command, Tap
from handlers.turn import Turn

LINK_PREFIX = "dukung_"  # a deep link's payload: dukung_<tracking ID>
REFUSALS = {
    SupportRefused.OWN: N_("This is your own report: you hear of every change already."),
    SupportRefused.CLOSED: N_("This report is closed, so it can no longer be supported. If the problem is still "
                              "there, please file a new report: /lapor"),
    SupportRefused.TOO_MANY: N_("You have supported many reports in the last hour. Please try again later."),
}


async def support_report(turn: Turn, tracking_id: str, via: str) -> bool:
    """Add the citizen's support to a report and say so; False (and why) where it cannot be added."""
    report = await find_by_tracking_id(turn.session, tracking_id)
    if report is None:
        turn.say(turn._("No report has the tracking ID <code>{tracking_id}</code>.").format(tracking_id=tracking_id))
        return False
    return await _support(turn, report, via)


async def _support(turn: Turn, report: Report, via: str) -> bool:
    _, tracking_id = turn._, report.tracking_id
    try:
        supported = await support.support(turn.session, report, turn.user.id, turn.chat_id, via)
    except SupportRefused as refused:
        turn.say(_(REFUSALS[refused.reason]))
        return False
    if supported.new:
        text = _("👍 <b>You now support report {tracking_id}.</b>")
    else:
        text = _("👍 <b>You support report {tracking_id} already</b>; it counts once.")
    count = _.plural("{count} person supports it.", "{count} people support it.", supported.supporters)
    text = "\n".join([text.format(tracking_id=tracking_id), count.format(count=_.number(supported.supporters)),
                      _("Every change of its status will be sent to you in this chat. Details: /status {tracking_id}")
                      .format(tracking_id=tracking_id)])
    turn.say(text, following_keyboard(_, tracking_id, following=True))
    return True


async def support_command(turn: Turn) -> None:
    typed = " ".join(turn.args)
    if not typed:
        turn.say(turn._("To support a report someone else filed, type /dukung and its tracking ID, for example "
                        "<code>/dukung {example}</code>.").format(example=EXAMPLE_ID))
        return
    await _support_typed(turn, typed)


async def support_from_link(turn: Turn) -> None:
    """``/start dukung_<ID>``: a shared link to a report."""
    await _support_typed(turn, turn.args[0].removeprefix(LINK_PREFIX))


async def _support_typed(turn: Turn, typed: str) -> None:
    report = await report_typed(turn, typed)  # read once, with the look-up limit and its refusals
    if report is not None:
        await _support(turn, report, support.LINK)


async def on_following(turn: Turn) -> None:
    choice: Following = turn.choice
    _ = turn._
    report = await find_by_tracking_id(turn.session, choice.tracking_id)
    if report is None or not await support.follow(turn.session, report.id, turn.user.id, bool(choice.on),
                                                  turn.chat_id if choice.on else None):
        turn.notify_callback(_("You do not support this report."))
        return
    if choice.on:
        text = _("🔔 You follow report {tracking_id} again: its changes come to this chat.")
    else:
        text = _("🔕 You no longer follow report {tracking_id}. Your support still counts.")
    turn.edit_tapped(text.format(tracking_id=report.tracking_id), following_keyboard(_, report.tracking_id, bool(choice.on)))


def is_support_link(args: list[str] | tuple[str, ...]) -> bool:
    return bool(args) and args[0].startswith(LINK_PREFIX)


COMMANDS = (Command("dukung", "support", N_("Support a report someone else filed"), support_command),)
TAPS = (Tap(Following, on_following),)

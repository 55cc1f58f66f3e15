"""The buttons under a staff report view, the view itself as the reader may see it now (after a command, or
after an action met a report that had moved on), and what an action came to."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.domain.actions import Action
from bot.domain.roles import Grant
from bot.i18n import N_, Translator
from bot.services import inbox
from bot.services.staff_view import StaffReportView
from bot.services.workflow import ActionResult, Outcome
from handlers import keyboards, render
from bot.domain.choices import StaffActionChoice
from handlers.replies import say_in_parts
from handlers.staff.report_view import media_messages, report_text
from handlers.turn import Turn

ACTION_LABELS = {
    Action.VERIFY: N_("✅ Verify and forward"),
    Action.ASK: N_("❓ Ask the reporter"),
    Action.FORWARD: N_("↪️ Not ours: send on"),
    Action.ARCHIVE: N_("🗄 Archive"),
    Action.TAKE: N_("📥 Take it"),
    Action.ANSWER: N_("💬 Answer"),
    Action.HAND_BACK: N_("↩️ Hand back to the hub"),
    Action.RESOLVE: N_("🏁 Resolved"),
    Action.MERGE: N_("🔗 Duplicate of…"),
    Action.UNMERGE: N_("↩️ Undo the merge"),
}


def action_keyboard(_, tracking_id: str, version: int, actions: tuple[Action, ...]) -> Choices | None:
    buttons = [keyboards.button(_(ACTION_LABELS[action]), StaffActionChoice(action.value, tracking_id, version)) for action in actions]
    return Choices(keyboards.rows(buttons, 2)) if buttons else None


async def find_view(turn: Turn, grants: list[Grant], tracking_id: str) -> StaffReportView | None:
    """The report as the reader may see it now; None when it does not exist or lies outside their scope."""
    router = turn.services.router
    return await inbox.find_for_staff(turn.session, grants, router.directory, tracking_id, hierarchy=router.hierarchy)


def show_view(turn: Turn, view: StaffReportView) -> None:
    """The view, with a button for each action the reader may take, then its place and files."""
    say_in_parts(turn, report_text(turn._, view), action_keyboard(turn._, view.tracking_id, view.version, view.actions))
    for message in media_messages(view):
        turn.send(message)


def result_text(_: Translator, tracking_id: str, result: ActionResult) -> str:
    """What an action came to: done, or why not."""
    status = render.status_label(_, result.status) if result.status else ""
    if result.outcome is Outcome.DONE and result.merged_into:
        return _("✅ Done. Report <code>{tracking_id}</code> is closed as a duplicate of <code>{kept}</code>; its "
                 "reporter is told, and now supports that one.").format(tracking_id=tracking_id,
                                                                        kept=result.merged_into)
    if result.outcome is Outcome.DONE:
        return _("✅ Done. Report <code>{tracking_id}</code> is now: {status}. The reporter is told.").format(
            tracking_id=tracking_id, status=status)
    if result.outcome is Outcome.CHANGED:
        when = _.datetime(result.last_event.at) if result.last_event else ""
        return _("⚠️ Someone else acted on report <code>{tracking_id}</code> first ({when}); it is now: {status}. "
                 "Nothing was changed; here it is as it is now.").format(
            tracking_id=tracking_id, when=when, status=status)
    reasons = {
        Outcome.NOT_FOUND: _("No report has the tracking ID <code>{tracking_id}</code>."),
        Outcome.NOT_ALLOWED: _("This action on report <code>{tracking_id}</code> belongs to the other side of the "
                               "counter (the hub or the agency)."),
        Outcome.NOT_NOW: _("Report <code>{tracking_id}</code> is {status}: this action does not fit now."),
        Outcome.INCOMPLETE: _("Something is missing for this action on <code>{tracking_id}</code>; please start again."),
        Outcome.UNKNOWN_AGENCY: _("That agency is not in the directory; please start again."),
        Outcome.UNCHANGED: _("Report <code>{tracking_id}</code> is already there, and {status}: nothing was changed."),
        Outcome.INTO_MISSING: _("That is not the tracking ID of a report you can see; nothing was changed."),
        Outcome.INTO_ITSELF: _("A report cannot be merged into itself; nothing was changed."),
        Outcome.INTO_CLOSED: _("That report is closed: a duplicate can be merged only into an open one. Nothing was "
                               "changed."),
        Outcome.INTO_ELSEWHERE: _("That report is with another agency: a duplicate can be merged only into a report of "
                                  "the same agency. Nothing was changed."),
    }
    return reasons[result.outcome].format(tracking_id=tracking_id, status=status)

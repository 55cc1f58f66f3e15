"""The reporter's push about a status change: rendered when it is sent, in the reporter's language of that moment,
from the report and its history event (the outbox row names both), with the buttons that answer it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.markup import Choice, Choices
from bot.db.models import OutboxMessage, Report, ReportEvent, User
from bot.delivery.messages import Text
from bot.domain import Status
from bot.domain.actions import Action, LoopAction
from bot.domain.choices import Following, NotFixed, Rating, ReplyTo
from bot.domain.deadlines import FIXED_WORKING_DAYS, Deadline
from bot.i18n import Translator
from bot.notices.text import shown, status_label
from routing.agencies import is_hub_code

NOTE_IN_NOTIFICATION = 3000


def status_notification(_: Translator, report: Report, event: ReportEvent) -> str:
    if event.action in (Action.MERGE.value, Action.UNMERGE.value):
        return merge_notification(_, report, event)
    if event.action == Action.ANSWER.value:
        title = _("💬 <b>The agency answered your report {tracking_id}</b>")
    else:
        title = _("🔔 <b>Your report {tracking_id} has a new status</b>")
    lines = _head(_, title, report, event)
    if event.note:
        lines.append(f"<b>{_note_label(_, event)}:</b> {shown(event.note, NOTE_IN_NOTIFICATION)}")
    if event.to_status == Status.WAITING_REPORTER:
        lines.append(_("Please answer in this chat so that your report can go on."))
    if event.action == Action.ANSWER.value:
        lines.append(_("Tap <i>Reply</i> to answer the agency. Without a reply, the report closes after {days} "
                       "working days.").format(days=FIXED_WORKING_DAYS[Deadline.AUTO_CLOSE]))
    if event.action == LoopAction.AUTO_CLOSE.value:
        lines.append(_("It closed on its own: the agency's answer had no reply within {days} working days.").format(
            days=FIXED_WORKING_DAYS[Deadline.AUTO_CLOSE]))
    lines.append(_("Details: /status {tracking_id}").format(tracking_id=report.tracking_id))
    if event.action in (Action.RESOLVE.value, LoopAction.AUTO_CLOSE.value):  # the question the buttons answer
        lines += ["", _("<b>How satisfied are you with the answer?</b> Tap the stars below (1 poor, 5 very good), or "
                        "<i>Not fixed</i> if the problem is still there.")]
    return "\n".join(lines)


def merge_notification(_: Translator, report: Report, event: ReportEvent) -> str:
    """A report merged into the one kept (its tracking ID the event's note), or that undone."""
    if event.action == Action.MERGE.value:
        text = _("🔗 <b>Your report {tracking_id} repeats report {kept}</b>, which the agency is handling, so it was "
                 "joined to it: your photos and files are there too. You now support {kept} and hear of every change "
                 "of it in this chat. Details: /status {kept}")
    else:
        text = _("↩️ <b>Your report {tracking_id} is open again</b>: it was joined to report {kept} by mistake. "
                 "<b>Status:</b> {status}. Details: /status {tracking_id}")
    return text.format(tracking_id=report.tracking_id, kept=shown(event.note, 16),
                       status=status_label(_, event.to_status))


def supporter_notification(_: Translator, report: Report, event: ReportEvent) -> str:
    """A supporter's copy: the new status and the agency's answer, but not a question meant for the reporter, nor
    anything written of a confidential report."""
    if event.action == Action.MERGE.value:
        return _("🔗 Report {tracking_id}, which you support, repeats report {kept} and was joined to it. To follow that "
                 "one: /dukung {kept}").format(tracking_id=report.tracking_id, kept=shown(event.note, 16))
    if event.action == Action.ANSWER.value:
        title = _("💬 <b>The agency answered report {tracking_id}, which you support</b>")
    else:
        title = _("🔔 <b>Report {tracking_id}, which you support, has a new status</b>")
    lines = _head(_, title, report, event)
    if event.note and not report.confidential and event.action != Action.ASK.value:
        lines.append(f"<b>{_note_label(_, event)}:</b> {shown(event.note, NOTE_IN_NOTIFICATION)}")
    lines.append(_("Details: /status {tracking_id}").format(tracking_id=report.tracking_id))
    return "\n".join(lines)


def following_keyboard(_: Translator, tracking_id: str, following: bool = True) -> Choices:
    """Stop following a supported report (or follow it again)."""
    label = _("🔕 Stop following") if following else _("🔔 Follow again")
    return Choices([[Choice.of(label, Following(tracking_id, 0 if following else 1))]])


def _head(_: Translator, title: str, report: Report, event: ReportEvent) -> list[str]:
    """The title, the new status, and where a forward sent the report."""
    sent_to = _sent_to_line(_, report, event)
    return [title.format(tracking_id=report.tracking_id),
            _("<b>Status:</b> {value}").format(value=status_label(_, event.to_status)), *([sent_to] if sent_to else [])]


def _sent_to_line(_: Translator, report: Report, event: ReportEvent) -> str | None:
    """Where a forward sent the report. Rendered when sent (right after the action): the report's agency then is
    the one the action chose, unless it has already gone back to a hub, which the next push will tell."""
    if event.action == Action.FORWARD.value:
        return _("<b>Sent on to:</b> {value}").format(value=shown(report.agency_name))
    if event.to_status == Status.ASSIGNED and report.agency_name and not is_hub_code(report.agency_code):
        return _("<b>Forwarded to:</b> {value}").format(value=shown(report.agency_name))
    return None


def _note_label(_: Translator, event: ReportEvent) -> str:
    if event.action in (Action.ANSWER.value, Action.RESOLVE.value):
        return _("Answer") if event.action == Action.ANSWER.value else _("Final answer")
    if event.action == Action.ASK.value:
        return _("Question")
    return _("Reason") if event.to_status == Status.REJECTED else _("Note")


def notification_keyboard(_: Translator, tracking_id: str, action: str | None) -> Choices | None:
    """Under an answer: reply to it. Under a resolved report: rate the final answer, or say it is not fixed."""
    if action == Action.ANSWER.value:
        return Choices([[Choice.of(_("💬 Reply"), ReplyTo(tracking_id))]])
    if action in (Action.RESOLVE.value, LoopAction.AUTO_CLOSE.value):
        return closing_keyboard(_, tracking_id)
    return None


def closing_keyboard(_: Translator, tracking_id: str) -> Choices:
    """Under a resolved report's notification: rate the final answer, or say it is not fixed."""
    stars = [Choice.of("⭐" * stars, Rating(tracking_id, stars)) for stars in range(1, 6)]
    return Choices([stars[:3], stars[3:], [Choice.of(_("❌ Not fixed"), NotFixed(tracking_id))]])


def status_renderer(translator: Callable[[str | None], Translator]):
    """Renders a status change when it is sent, in the reporter's language of that moment."""

    async def render(session: AsyncSession, row: OutboxMessage) -> Text:
        report, event = await session.get(Report, row.report_id), await session.get(ReportEvent, row.event_id)
        user = await session.get(User, row.user_id)
        _ = translator(user.locale if user else None)
        if row.user_id is not None and row.user_id != report.reporter_id:  # a supporter's copy
            return Text(supporter_notification(_, report, event), following_keyboard(_, report.tracking_id))
        if event.action == Action.MERGE.value:  # they follow the report kept now, and may stop
            return Text(status_notification(_, report, event), following_keyboard(_, event.note))
        return Text(status_notification(_, report, event), notification_keyboard(_, report.tracking_id, event.action))

    return render

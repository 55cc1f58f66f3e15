"""What staff read when a report comes to them, a reporter acts on one they hold, or a deadline nears or passes
(rendered in each reader's language when it is queued)."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.deadlines import Due, Notice, NoticeKind
from bot.i18n import N_, Translator


class Headline(StrEnum):
    """Why staff hear of a report: each has its first line (a msgid with ``{tracking_id}``)."""

    NEW_REPORT = "new_report"
    ANSWERED = "answered"
    REPLIED = "replied"
    REOPENED = "reopened"
    FORWARD_FAILED = "forward_failed"


HEADLINES = {
    Headline.NEW_REPORT: N_("📥 <b>A report for you</b>: {tracking_id}."),
    Headline.ANSWERED: N_("📨 <b>The reporter sent the information asked for</b> on report {tracking_id}."),
    Headline.REPLIED: N_("💬 <b>The reporter replied</b> on report {tracking_id}."),
    Headline.REOPENED: N_("🔁 <b>Report {tracking_id} was reopened</b>: the reporter says it is not fixed."),
    Headline.FORWARD_FAILED: N_("⚠️ <b>Report {tracking_id} could not be forwarded</b> to the agency's own system; "
                                "it is tried again (the operator sees why: lapor-bot forwarding list)."),
}


def headline_text(_: Translator, headline: Headline, tracking_id: str) -> str:
    return _(HEADLINES[headline]).format(tracking_id=tracking_id) + "\n" + open_line(_, tracking_id)


def open_line(_: Translator, tracking_id: str) -> str:
    return _("Open it: /kotakmasuk {tracking_id}").format(tracking_id=tracking_id)


def due_text(_: Translator, due: Due) -> str:
    """The deadline in the report's own time zone (WIB, WITA, WIT), where the working days are counted."""
    return _.datetime(due.at, due.time_zone.zone)


def deadline_text(_: Translator, notice: Notice) -> str:
    if notice.kind is NoticeKind.REMINDER:
        text = _("⏰ <b>Report {tracking_id} is due soon</b>: by {due}.")
    else:
        text = _("🔴 <b>Report {tracking_id} is overdue</b> since {due}; it is escalated to you.")
    return text.format(tracking_id=notice.tracking_id, due=due_text(_, notice.due)) + "\n" + open_line(_, notice.tracking_id)

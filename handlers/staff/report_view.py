"""Texts and messages built from the staff's views (HTML; everything typed or imported is escaped and shortened).

Only ``StaffReportView`` and ``InboxPage`` reach here: what they do not hold (an anonymous reporter's
identity) cannot be shown. Media go out again by ``file_id``: the citizen's message is never forwarded.
"""

from __future__ import annotations

from html import escape

from bot.delivery.messages import Album, Location, Media, Outgoing
from bot.domain.deadlines import Deadline, Urgency
from bot.i18n import N_, Translator
from bot.notices.staff import due_text
from bot.notices.text import shown
from bot.services.inbox import COUNT_LIMIT, InboxItem, InboxPage, View
from bot.services.staff_view import StaffReportView
from handlers import render

DESCRIPTION_IN_VIEW = 2500  # with the rest of the view, still one message in most cases
REASON_SHOWN = 600
ALBUM_LIMIT = 10  # Telegram's most items in one album

VIEW_LABELS = {
    View.TO_DO: N_("📌 To do"),
    View.NEW: N_("🆕 New"),
    View.DUE_SOON: N_("⏳ Due soon"),
    View.OVERDUE: N_("🔴 Overdue"),
    View.WAITING: N_("💬 Waiting for reporter"),
    View.OPEN: N_("📂 All open"),
    View.SUPPORTED: N_("👍 Most supported"),
}
URGENCY_LABELS = {
    Urgency.ON_TRACK: N_("on track"),
    Urgency.DUE_SOON: N_("due soon"),
    Urgency.OVERDUE: N_("overdue"),
}


# The clocks after verification, as the view names them.
CLOCK_LABELS = {
    Deadline.FIRST_ANSWER: N_("First answer due"),
    Deadline.RESOLUTION: N_("Resolution due"),
    Deadline.REOPEN_WINDOW: N_("The reporter may reopen it until"),
    Deadline.AUTO_CLOSE: N_("Closes without the reporter's reply on"),
}


def _clock_lines(_: Translator, view: StaffReportView) -> list[str]:
    lines = []
    for due, urgency in ((view.running, view.running_urgency), (view.closes_at, None)):
        if due is not None:
            value = due_text(_, due) + (f" — {_(URGENCY_LABELS[urgency])}" if urgency else "")
            lines.append(f"<b>{_(CLOCK_LABELS[due.kind])}:</b> {value}")
    return lines


def _deadline_value(_: Translator, view: StaffReportView) -> str:
    due = due_text(_, view.verification)
    if view.urgency is not None:
        return f"{due} — {_(URGENCY_LABELS[view.urgency])}"
    if view.verified:
        return _("{date} (verified)").format(date=due)
    return _("{date} (closed without verification)").format(date=due)  # archived, or merged, at the hub


def inbox_text(_: Translator, page: InboxPage) -> str:
    title = _("<b>Inbox: {view}</b>").format(view=_(VIEW_LABELS[page.view]))
    if not page.items:
        return title + "\n\n" + _("No reports here.")
    if page.counted:
        count = _.plural("{count} report", "{count} reports", page.total).format(count=page.total)
        where = _("Page {page} of {pages} · {count}").format(page=page.page + 1, pages=page.pages, count=count)
    else:
        where = _("Page {page} · more than {count} reports").format(page=page.page + 1, count=_.number(COUNT_LIMIT))
    where += ", " + (_("most supported first") if page.view is View.SUPPORTED else _("oldest first"))
    lines = [title, where, ""]
    lines += [_item_line(_, item) for item in page.items]
    lines += ["", _("Tap a tracking ID to open the report.")]
    return "\n".join(lines)


def _item_line(_: Translator, item: InboxItem) -> str:
    line = (f"• <code>{item.tracking_id}</code> · {render.category_label(_, item.category)} · "
            f"{render.status_label(_, item.status)} · {_.date(item.created_at)}")
    if item.urgency is not None:
        line += " · " + _("verify by {date} ({urgency})").format(
            date=due_text(_, item.verification), urgency=_(URGENCY_LABELS[item.urgency]))
    if item.supporters:
        line += f" · 👍 {_.number(item.supporters)}"
    return line


def report_text(_: Translator, view: StaffReportView) -> str:
    """The whole view; long parts are shortened, and every line keeps its tags (so it may be split)."""
    lines = [
        _("<b>Report {tracking_id}</b>").format(tracking_id=view.tracking_id),
        _("<b>Status:</b> {value}").format(value=render.status_label(_, view.status)),
        _("<b>Type:</b> {value}").format(value=render.type_label(_, view.report_type)),
        _("<b>Category:</b> {value}").format(value=render.category_label(_, view.category)),
        _("<b>Filed:</b> {value}").format(value=_.datetime(view.created_at)),
        _("<b>Verification deadline:</b> {value}").format(value=_deadline_value(_, view)),
        *_clock_lines(_, view),
        _("<b>Reporter:</b> {value}").format(value=_reporter(_, view)),
        _("<b>Confidential:</b> {value}").format(value=render.yes_no(_, view.confidential)),
    ]
    if view.supporters:
        lines.append(render.supporters_line(_, view.supporters))
    if view.filed_through:
        lines.append(_("<b>Filed through:</b> {value} (Open311 API)").format(value=shown(view.filed_through.system)))
    if view.areas:
        areas = ", ".join(f"{shown(area.name)} ({escape(area.code)})" if area.name else escape(area.code)
                          for area in view.areas)
        lines.append(_("<b>Area:</b> {value}").format(value=areas))
    lines.append(_("<b>Place:</b> {value}").format(value=render.place(_, view.latitude, view.longitude, view.address)))
    if view.road_name:
        lines.append(_("<b>Road:</b> {value}").format(value=shown(view.road_name)))
    holder = render.agency_line(_, view.status, view.agency_code, f"{shown(view.agency_name)} ({escape(view.agency_code)})",
                                verified=view.verified) if view.agency_code else None
    lines += [holder] if holder else []
    lines += [render.elsewhere_line(_, item) for item in view.elsewhere]
    if view.routing_reason:  # the routing's words to the citizen, which a later forward does not change
        lines.append(_("<b>Routing when filed</b> (as the reporter was told): {value}").format(
            value="<i>" + shown(view.routing_reason, REASON_SHOWN) + "</i>"))
    lines.append(_("<b>What happened:</b> {value}").format(value=shown(view.description, DESCRIPTION_IN_VIEW)))
    lines.append(_("<b>Photos and files:</b> {value}").format(value=render.attachments_line(_, len(view.attachments))))
    if view.filed_through and view.filed_through.media_url:
        lines.append(_("<b>Photo online:</b> {value}").format(value=shown(view.filed_through.media_url, 500)))
    lines += ["", _("<b>History</b>")]
    lines += [render.history_line(_, entry) for entry in view.history]
    if view.rating is not None:
        rating = "⭐" * view.rating + (f" — {shown(view.rating_comment, render.NOTE_IN_HISTORY)}" if view.rating_comment else "")
        lines.append(_("<b>Reporter's rating:</b> {value}").format(value=rating))
    return "\n".join(lines)


def _reporter(_: Translator, view: StaffReportView) -> str:
    if view.reporter is None:
        return _("anonymous (the reporter's identity is withheld)")
    name = shown(view.reporter.first_name)
    name = f"{name} (@{escape(view.reporter.username)})" if view.reporter.username else name
    return f"{name} · {shown(view.reporter.contact)}" if view.reporter.contact else name


def media_messages(view: StaffReportView) -> list[Outgoing]:
    """The place as a map pin, then the photos and videos (albums of up to 10), then each document and recording
    (voice notes to play)."""
    messages: list[Outgoing] = []
    if view.latitude is not None and view.longitude is not None:
        messages.append(Location(view.latitude, view.longitude))
    visual = [Media(a.kind, a.file_id) for a in view.attachments if a.kind in ("photo", "video")]
    for start in range(0, len(visual), ALBUM_LIMIT):
        chunk = tuple(visual[start : start + ALBUM_LIMIT])
        messages.append(Album(chunk) if len(chunk) > 1 else chunk[0])
    messages += [Media(a.kind, a.file_id) for a in view.attachments if a.kind in ("document", "audio", "voice")]
    return messages

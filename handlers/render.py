"""Texts built from drafts and reports (HTML parse mode: everything a user typed is escaped).

Nothing rendered here may exceed Telegram's limits (bot/textlimits.py): what a user or an operator
typed, and names from imported data, are shortened for display (the stored text stays whole). Every
line keeps its tags balanced, so that a long text can be split between lines.
"""

from __future__ import annotations

from collections.abc import Sequence


from bot.db.models import Report, ReportEvent
from bot.domain import CLOSED_STATUSES, Status
from bot.domain.actions import Action, LoopAction
from bot.domain.draft import Draft, RoutingRecord
from bot.i18n import N_, Translator
from bot.notices.text import NAME_SHOWN, category_label, shown, status_label, type_label, yes_no
from bot.services.elsewhere import Elsewhere
from bot.services.staff_view import HistoryEntry
from routing import engine
from routing.agencies import is_hub_code

__all__ = ["NAME_SHOWN", "category_label", "shown", "status_label", "type_label", "yes_no"]  # moved to bot.notices.text

# How much of a long text is shown, in characters. A summary at these limits, with a preface, stays
# well within a message (see tests/test_limits.py).
DESCRIPTION_IN_SUMMARY = 1500
DESCRIPTION_PREVIEW = 300  # in a report card
ADDRESS_SHOWN = 300
NOTE_IN_HISTORY = 300


def place(_: Translator, latitude: float | None, longitude: float | None, address: str | None) -> str:
    parts = []
    if address:
        parts.append(shown(address, ADDRESS_SHOWN))
    if latitude is not None and longitude is not None:
        parts.append(_("pin at {latitude}, {longitude}").format(latitude=f"{latitude:.5f}", longitude=f"{longitude:.5f}"))
    return " — ".join(parts) or _("not given")


def attachments_line(_: Translator, count: int) -> str:
    if count == 0:
        return _("none")
    return _.plural("{count} file", "{count} files", count).format(count=count)


ROAD_STATUS_LABELS = {
    "nasional": N_("national"),
    "provinsi": N_("provincial"),
    "kabupaten": N_("regency"),
    "kota": N_("city"),
}


def routing_explanation(_: Translator, routing: RoutingRecord) -> str:
    """Who will answer and why, in plain words."""
    agency = shown(routing.agency_name)
    reason = routing.reason
    if reason == engine.BY_ROAD:
        status = routing.road_status
        area = routing.province_name if status in ("nasional", "provinsi") else routing.regency_name
        text = _("{road} is a {status} road of {area}, so your report goes to {agency}.").format(
            road=shown(routing.road_name), status=_(ROAD_STATUS_LABELS[status]), area=shown(area), agency=agency
        )
        if routing.sample_road:
            text += " " + _("(The road's status comes from the sample registry, not from an official list.)")
        return text
    if reason == engine.BY_AREA:
        return _("The place is in {area}; there {agency} handles this, so your report goes to them.").format(
            area=shown(routing.area_name), agency=agency
        )
    if reason == engine.ROAD_UNKNOWN:
        return _(
            "The road's status is not known, so your report goes to {agency}, who will check it and pass it to "
            "the office responsible."
        ).format(agency=agency)
    if reason == engine.NO_OFFICE:
        return _("Your report goes to {agency}, who will pass it to the office responsible.").format(agency=agency)
    return _(
        "The place could not be pinned down, so your report goes to {agency}, who will pass it to the office "
        "responsible."
    ).format(agency=agency)


def draft_summary(_: Translator, draft: Draft) -> str:
    where = draft.place
    lines = [
        _("<b>Please check your report</b>"),
        "",
        _("<b>Type:</b> {value}").format(value=type_label(_, draft.report_type)),
        _("<b>Category:</b> {value}").format(value=category_label(_, draft.category)),
        *_description_lines(_, draft.description),
        _("<b>Place:</b> {value}").format(value=place(_, where.latitude, where.longitude, where.address)),
        *_area_lines(_, draft.routing),
        _("<b>Photos and files:</b> {value}").format(value=attachments_line(_, len(draft.attachments))),
        _("<b>Anonymous:</b> {value}").format(value=yes_no(_, draft.anonymous)),
        _("<b>Confidential:</b> {value}").format(value=yes_no(_, draft.confidential)),
        "",
        _("Tap a button to change a part, or send the report."),
    ]
    return "\n".join(lines)


def _description_lines(_: Translator, description: str) -> list[str]:
    lines = [_("<b>What happened:</b> {value}").format(value=shown(description, DESCRIPTION_IN_SUMMARY))]
    if len(description) > DESCRIPTION_IN_SUMMARY:
        lines.append("<i>" + _("(Shortened here; your whole text is kept with the report.)") + "</i>")
    return lines


def _area_lines(_: Translator, routing: RoutingRecord | None) -> list[str]:
    if not routing:
        return []
    lines = []
    if routing.area_name:
        lines.append(_("<b>Area:</b> {value}").format(value=shown(routing.area_name)))
    lines.append(_("<b>Goes to:</b> {value}").format(value=shown(routing.agency_name)))
    lines.append("<i>" + routing_explanation(_, routing) + "</i>")
    return lines


def report_card(_: Translator, report: Report, *, for_reporter: bool, area: str | None = None,
                elsewhere: Sequence[Elsewhere] = ()) -> str:
    """A report as its reporter sees it, or as anyone else holding the tracking ID may.

    Others never learn who filed it; of a confidential report they learn its status only (its category,
    agency and filing time would already tell a neighbour or an employer much)."""
    lines = [
        _("<b>Report {tracking_id}</b>").format(tracking_id=report.tracking_id),
        _("<b>Status:</b> {value}").format(value=status_label(_, report.status)),
    ]
    if report.confidential and not for_reporter:
        return "\n".join([*lines, _("The content of this report is confidential.")])
    lines += [
        _("<b>Type:</b> {value}").format(value=type_label(_, report.report_type)),
        _("<b>Category:</b> {value}").format(value=category_label(_, report.category)),
        _("<b>Filed:</b> {value}").format(value=_.datetime(report.created_at)),
    ]
    holder = agency_line(_, Status(report.status), report.agency_code, shown(report.agency_name),
                         verified=report.verified_at is not None)
    lines += [holder] if holder else []
    lines.append(_("<b>What happened:</b> {value}").format(value=shown(report.description, DESCRIPTION_PREVIEW)))
    lines.append(_("<b>Place:</b> {value}").format(value=place(_, report.latitude, report.longitude, report.address)))
    if area:
        lines.append(_("<b>Area:</b> {value}").format(value=shown(area)))
    lines += [elsewhere_line(_, item) for item in elsewhere]
    lines += [supporters_line(_, report.supporters)] if report.supporters else []
    if not for_reporter and report.status not in CLOSED_STATUSES:
        lines.append(_("Is it your problem too? Support it: /dukung {tracking_id}").format(
            tracking_id=report.tracking_id))
    if for_reporter:
        lines.append(_("<b>Anonymous:</b> {value}").format(value=yes_no(_, report.anonymous)))
        lines.append(_("<b>Confidential:</b> {value}").format(value=yes_no(_, report.confidential)))
        lines += ["", _("<b>History</b>"), *(history_line(_, event) for event in report.events)]
    return "\n".join(lines)


def supporters_line(_: Translator, count: int) -> str:
    return _.plural("<b>Supported by:</b> {count} person", "<b>Supported by:</b> {count} people", count).format(
        count=_.number(count))


def elsewhere_line(_: Translator, item: Elsewhere) -> str:
    """The report's number in a system it was forwarded to (and on LAPOR!, with its link)."""
    line = _("<b>Also filed in:</b> {system}, number {number}").format(system=shown(item.system),
                                                                     number=shown(item.remote_id))
    if item.lapor_id:
        line += " · " + _("LAPOR! {number}: {link}").format(number=shown(item.lapor_id), link=shown(item.lapor_url, 200))
    return line


def agency_line(_: Translator, status: Status, agency_code: str | None, agency: str, *, verified: bool) -> str | None:
    """Who holds the report now, as true as its status: a hub checking it, the agency routing proposes (until the
    hub verifies and forwards it), or the agency it was forwarded to. ``agency`` is already HTML."""
    if not agency or status is Status.REJECTED:
        return None
    if is_hub_code(agency_code):
        return _("<b>Being checked by:</b> {value}").format(value=agency)
    if status in (Status.SUBMITTED, Status.VERIFIED) or not verified:
        return _("<b>Proposed agency:</b> {value} (the hub verifies and forwards it)").format(value=agency)
    return _("<b>Forwarded to:</b> {value}").format(value=agency)


# What a history line names besides the status, where the status alone would not say what happened.
EVENT_LABELS = {
    Action.ASK.value: N_("question to the reporter"),
    Action.ANSWER.value: N_("answer"),
    LoopAction.REPLY.value: N_("the reporter's reply"),
    LoopAction.REOPEN.value: N_("reopened: not fixed"),
    LoopAction.AUTO_CLOSE.value: N_("closed on its own"),
    LoopAction.COMMENT.value: N_("comment on the rating"),
    Action.MERGE.value: N_("a duplicate, merged into"),
    Action.UNMERGE.value: N_("merge undone, was merged into"),
    LoopAction.MERGED_IN.value: N_("a duplicate merged in"),
    LoopAction.MERGED_OUT.value: N_("merge undone"),
}


def history_line(_: Translator, event: ReportEvent | HistoryEntry) -> str:
    line = f"• {_.datetime(event.at)}: {status_label(_, event.to_status)}"
    if event.action in EVENT_LABELS:
        line += f" ({_(EVENT_LABELS[event.action])})"
    return f"{line} — {shown(event.note, NOTE_IN_HISTORY)}" if event.note else line


def report_list(_: Translator, reports: list[Report]) -> str:
    if not reports:
        return _("You have not filed any report yet.")
    lines = [_("<b>Your latest reports</b>"), ""]
    for report in reports:
        lines.append(
            f"<code>{report.tracking_id}</code> · {category_label(_, report.category)} · "
            f"{status_label(_, report.status)} · {_.date(report.created_at)}"
        )
    return "\n".join(lines)

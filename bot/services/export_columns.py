"""An export's columns as its reader sees them: headers and values in the reader's language, and beside each
coded value (a type, a category, a status) a column of the code itself, for machines.

The msgids of labels the chat also shows (road statuses, resolution classes) are the chat's, so one
translation serves both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain import CATEGORIES, REPORT_TYPE_LABELS, STATUS_LABELS
from bot.domain.deadlines import Deadline, ResolutionClass
from bot.i18n import N_, Translator
from bot.services.exports import COLUMNS

ROAD_STATUS_LABELS = {"nasional": N_("national"), "provinsi": N_("provincial"), "kabupaten": N_("regency"),
                      "kota": N_("city")}
RESOLUTION_LABELS = {
    ResolutionClass.LIGHT: N_("Light (2 working days)"),
    ResolutionClass.NORMATIVE: N_("Normative (5 working days)"),
    ResolutionClass.WITHOUT_INSPECTION: N_("Without an inspection (14 working days)"),
    ResolutionClass.WITH_INSPECTION: N_("With an inspection (60 working days)"),
}
DEADLINE_LABELS = {
    Deadline.VERIFICATION: N_("verification"),
    Deadline.FIRST_ANSWER: N_("first answer"),
    Deadline.RESOLUTION: N_("resolution"),
    Deadline.AUTO_CLOSE: N_("closing without the reporter's reply"),
    Deadline.REOPEN_WINDOW: N_("time to reopen"),
}


@dataclass(frozen=True)
class Column:
    header: str  # an English msgid
    source: str  # the value's name in ``exports.COLUMNS``
    labels: Mapping[str, str] | None = None  # code -> msgid: shown as the label, the code in a column after it


COLUMN_LIST = (
    Column(N_("Tracking ID"), "tracking_id"),
    Column(N_("When received"), "received_at"),
    Column(N_("Report type"), "report_type", REPORT_TYPE_LABELS),
    Column(N_("Report category"), "category", {category.code: category.label for category in CATEGORIES}),
    Column(N_("Report status"), "status", STATUS_LABELS),
    Column(N_("Anonymous"), "anonymous"),
    Column(N_("Confidential"), "confidential"),
    Column(N_("Reporter's name"), "reporter_name"),
    Column(N_("What happened"), "description"),
    Column(N_("Address"), "address"),
    Column(N_("Latitude"), "latitude"),
    Column(N_("Longitude"), "longitude"),
    Column(N_("Province code"), "province_code"),
    Column(N_("Regency/city code"), "regency_code"),
    Column(N_("District code"), "district_code"),
    Column(N_("Village code"), "village_code"),
    Column(N_("Road name"), "road_name"),
    Column(N_("Road status"), "road_status", ROAD_STATUS_LABELS),
    Column(N_("Agency code"), "agency_code"),
    Column(N_("Agency name"), "agency_name"),
    Column(N_("Resolution class"), "resolution_class", RESOLUTION_LABELS),
    Column(N_("Running deadline"), "deadline", DEADLINE_LABELS),
    Column(N_("Deadline at"), "deadline_at"),
    Column(N_("Overdue"), "overdue"),
    Column(N_("Escalation level"), "escalation_level"),
    Column(N_("When verified"), "verified_at"),
    Column(N_("When answered"), "answered_at"),
    Column(N_("Rating (1-5)"), "rating"),
    Column(N_("Supporters"), "supporters"),
    Column(N_("Duplicate of"), "merged_into"),
    Column(N_("Status history"), "status_history"),
)
DATES = frozenset({"received_at", "deadline_at", "verified_at", "answered_at"})
FLAGS = frozenset({"anonymous", "confidential", "overdue"})
TYPED = frozenset({"reporter_name", "description", "address", "road_name"})  # free text: a formula stays text


@dataclass(frozen=True)
class Sheet:
    """The columns in one language. ``row`` turns a row of ``exports.COLUMNS`` into the sheet's; the positions
    of its moments, yes/no flags and typed text say what a file writer must convert."""

    title: str
    headers: tuple[str, ...]
    dates: tuple[int, ...]
    flags: tuple[int, ...]
    typed: tuple[int, ...]
    yes: str
    no: str
    _layout: tuple[tuple[int, Mapping[str, str] | None], ...]  # per column: its source position, its labels

    def row(self, values: tuple) -> list:
        out = []
        for position, labels in self._layout:
            value = values[position]
            if labels is None:
                out.append(value)
            else:
                out += [labels.get(value, value) if value is not None else None, value]
        return out


def sheet(_: Translator) -> Sheet:
    headers, layout, kinds = [], [], {"dates": [], "flags": [], "typed": []}
    for column in COLUMN_LIST:
        kind = "dates" if column.source in DATES else "flags" if column.source in FLAGS else \
            "typed" if column.source in TYPED else None
        if kind:
            kinds[kind].append(len(headers))
        headers.append(_(column.header))
        labels = {code: _(label) for code, label in column.labels.items()} if column.labels else None
        if labels:
            headers.append(_("{column} (code)").format(column=_(column.header)))
        layout.append((COLUMNS.index(column.source), labels))
    return Sheet(_("Reports"), tuple(headers), tuple(kinds["dates"]), tuple(kinds["flags"]), tuple(kinds["typed"]),
                 _("Yes"), _("No"), tuple(layout))

"""Reports as rows for a spreadsheet, a chunk at a time: area codes, agency, status history and deadlines.

Streamed in id order with keyset pages (``id > last``), so an export of a million reports holds one page in
memory. Privacy: an anonymous reporter's name is never in a row (nor is any reporter's Telegram id), and a
confidential report's text and address are left out. Rows carry codes; ``export_columns`` shows them in the
reader's language, except the status history, which the database writes in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.local_dates import local_time_text
from bot.db.models import Report, ReportEvent, User
from bot.domain import STATUS_LABELS
from bot.domain.actions import Action, LoopAction
from bot.i18n import N_, Translator, zone_label
from bot.domain.reach import Reach
from bot.services.periods import Period
from bot.services.reach import condition
from bot.services.statistics import OPEN_STATUSES

PAGE = 2000
WITHHELD = N_("[confidential]")  # in place of a confidential report's text and address

COLUMNS = (
    "tracking_id", "received_at", "report_type", "category", "status", "anonymous", "confidential", "reporter_name",
    "description", "address", "latitude", "longitude", "province_code", "regency_code", "district_code",
    "village_code", "road_name", "road_status", "agency_code", "agency_name", "resolution_class", "deadline",
    "deadline_at", "overdue", "escalation_level", "verified_at", "answered_at", "rating", "supporters", "merged_into",
    "status_history",
)

# What happened, beside the status, in the status history (the chat's msgids where it has them).
EVENT_LABELS = {
    Action.VERIFY: N_("verified and forwarded"),
    Action.ASK: N_("question to the reporter"),
    Action.FORWARD: N_("sent on to the competent body"),
    Action.ARCHIVE: N_("archived"),
    Action.TAKE: N_("taken by the agency"),
    Action.ANSWER: N_("answer"),
    Action.HAND_BACK: N_("handed back to the hub"),
    Action.RESOLVE: N_("final answer"),
    LoopAction.REPLY: N_("the reporter's reply"),
    LoopAction.REOPEN: N_("reopened: not fixed"),
    LoopAction.AUTO_CLOSE: N_("closed on its own"),
    LoopAction.COMMENT: N_("comment on the rating"),
    Action.MERGE: N_("a duplicate, merged into"),
    Action.UNMERGE: N_("merge undone, was merged into"),
    LoopAction.MERGED_IN: N_("a duplicate merged in"),
    LoopAction.MERGED_OUT: N_("merge undone"),
}
# Events whose note is a tracking ID (the other report of a merge): written after the label, as the chat does.
NAMING_REPORTS = (Action.MERGE.value, Action.UNMERGE.value, LoopAction.MERGED_IN.value, LoopAction.MERGED_OUT.value)


@dataclass(frozen=True)
class ExportRequest:
    reach: Reach
    period: Period
    zone: ZoneInfo
    language: str = "id"

    def translator(self) -> Translator:
        return Translator(self.language, self.zone.key)

    def where(self) -> tuple[ColumnElement[bool], ...]:
        return condition(self.reach), self.period.condition(self.zone)


async def count(session: AsyncSession, request: ExportRequest) -> int:
    """How many reports the export will hold."""
    return await session.scalar(select(func.count()).select_from(Report).where(*request.where())) or 0


async def pages(session: AsyncSession, request: ExportRequest, now: datetime) -> AsyncIterator[list[tuple]]:
    """Lists of rows (one tuple per report, in ``COLUMNS`` order), oldest report first."""
    _ = request.translator()
    last_id, history, withheld = 0, _history(_, *_suffix(request.zone, now)), _(WITHHELD)
    while True:
        rows = (await session.execute(
            select(*_REPORT_COLUMNS, User.first_name.label("reporter_name"), _KEPT.tracking_id.label("merged_into"),
                   history)
            .join(User, User.id == Report.reporter_id, isouter=True)
            .join(_KEPT, _KEPT.id == Report.merged_into_id, isouter=True)
            .where(*request.where(), Report.id > last_id)
            .order_by(Report.id).limit(PAGE))).all()
        if not rows:
            return
        yield [_row(report, request.zone, now, withheld) for report in rows]
        last_id = rows[-1].id


def _history(_: Translator, offset_hours: int, suffix: str):
    """The report's events, oldest first, as one text in the reader's language ("2026-11-02 09:00 WIB Belum
    terverifikasi; ... (diverifikasi dan diteruskan)"), built by the database: a million reports' histories
    would cost Python more than the rest of the export."""
    status = case({code.value: _(label) for code, label in STATUS_LABELS.items()}, value=ReportEvent.to_status,
                  else_=ReportEvent.to_status)
    action = case({code.value: _(label) for code, label in EVENT_LABELS.items()}, value=ReportEvent.action,
                  else_=ReportEvent.action)
    minute = func.substr(local_time_text(ReportEvent.at, literal(offset_hours)), 1, 16)  # no seconds
    named = case((ReportEvent.action.in_(NAMING_REPORTS), func.coalesce(" " + ReportEvent.note, "")), else_="")
    step = minute + suffix + " " + status + func.coalesce(" (" + action + named + ")", "")
    steps = select(step.label("step")).where(ReportEvent.report_id == Report.id).order_by(ReportEvent.id) \
        .correlate(Report).subquery()
    return select(func.aggregate_strings(steps.c.step, "; ")).scalar_subquery().label("status_history")


def _suffix(zone: ZoneInfo, now: datetime) -> tuple[int, str]:
    """The zone's offset in whole hours, and its name as written after a time (" WIB"); Indonesia's never change."""
    local = now.astimezone(zone)
    return int(local.utcoffset().total_seconds() // 3600), " " + zone_label(zone, local)


# Plain columns, not ORM objects: a million rows are read several times faster without the identity map.
_REPORT_COLUMNS = tuple(getattr(Report, name) for name in (
    "id", "tracking_id", "created_at", "report_type", "category", "status", "anonymous", "confidential", "description",
    "address", "latitude", "longitude", "province_code", "regency_code", "district_code", "village_code", "road_name",
    "road_status", "agency_code", "agency_name", "resolution_class", "due_kind", "due_at", "escalation_level",
    "verified_at", "answered_at", "rating", "supporters"))
_KEPT = aliased(Report, name="kept")  # the report a duplicate was merged into


def _row(report, zone: ZoneInfo, now: datetime, withheld: str) -> tuple:
    secret = report.confidential
    overdue = report.status in OPEN_STATUSES and report.due_at is not None and report.due_at < now
    return (
        report.tracking_id, _local(report.created_at, zone), report.report_type, report.category, report.status,
        report.anonymous, report.confidential, None if report.anonymous else report.reporter_name,
        withheld if secret else report.description, withheld if secret and report.address else report.address,
        None if secret else report.latitude, None if secret else report.longitude,
        report.province_code, report.regency_code, report.district_code, report.village_code,
        report.road_name, report.road_status, report.agency_code, report.agency_name, report.resolution_class,
        report.due_kind, _local(report.due_at, zone), overdue, report.escalation_level,
        _local(report.verified_at, zone), _local(report.answered_at, zone), report.rating, report.supporters,
        report.merged_into, report.status_history,
    )


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """In the export's time zone, to the second (what a spreadsheet shows)."""
    return moment.astimezone(zone).replace(microsecond=0) if moment is not None else None

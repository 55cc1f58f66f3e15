"""Staff actions on a report: one transaction each, with its history event, its audit entry, the new
deadline and everyone it concerns told (the citizen, and whoever the report is sent on to).

The report is read within the actor's reach (outside it: not found) and locked; the action names the
version of the report the actor saw, so of two people acting at once exactly one wins and the other learns
what happened meanwhile. The version moves with status changes and staff actions only: a reporter's reply
meanwhile is no competing action. No Telegram here; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Report, ReportEvent, User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Media
from bot.domain import Status
from bot.domain.actions import RULES, Action, LoopAction, available
from bot.domain.deadlines import ResolutionClass
from bot.domain.draft import AttachmentRef
from bot.domain.reach import Reach
from bot.domain.roles import Grant
from bot.services import audit, clocks, merging, notices
from bot.services.notices import Notices
from bot.services.reach import condition
from bot.services.replies import add_files
from bot.services.reports import StatusChangeRefused, record_change
from bot.services.staff import roles_of
from routing.agencies import Directory


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # missing, or outside the actor's reach: the same answer
    NOT_ALLOWED = "not_allowed"  # in reach, but not this actor's side of the counter
    CHANGED = "changed"  # someone acted first: the report is not as the actor saw it
    NOT_NOW = "not_now"  # the action does not fit the report's status
    INCOMPLETE = "incomplete"  # a reason, an agency or a resolution class is missing
    UNKNOWN_AGENCY = "unknown_agency"
    UNCHANGED = "unchanged"  # the report is already where the action would put it: nobody is told again
    # A merge's report kept (its tracking ID typed as the note): not in the actor's reach, the same report, closed,
    # or another agency's.
    INTO_MISSING, INTO_ITSELF, INTO_CLOSED, INTO_ELSEWHERE = "into_missing", "into_itself", "into_closed", "into_elsewhere"


@dataclass(frozen=True)
class ActionRequest:
    action: Action
    tracking_id: str
    seen_version: int
    note: str | None = None
    agency_code: str | None = None
    resolution: ResolutionClass | None = None
    files: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class ActionResult:
    outcome: Outcome
    status: Status | None = None  # the report's status after the action (or as it is, when refused)
    version: int | None = None
    last_event: ReportEvent | None = None  # what happened meanwhile, for CHANGED
    handed_to: str | None = None  # the agency or hub the action sent the report to (told already)
    next_actions: tuple[Action, ...] = ()  # what the actor may do next, on the report as it is now
    merged_into: str | None = None  # the tracking ID of the report a MERGE closed it into


async def routed_agency(session: AsyncSession, grants: Sequence[Grant], directory: Directory, tracking_id: str) -> str | None:
    """The agency (not a hub) a report in the reader's reach is routed to now: what verifying offers first."""
    reach = Reach.of(grants, directory)
    if reach.empty:
        return None
    code = await session.scalar(select(Report.agency_code).where(Report.tracking_id == tracking_id, condition(reach)))
    agency = directory.agencies.get(code or "")
    return agency.code if agency and not agency.hub else None


OPERATOR = "cli"  # a status set from the command line, for nobody in particular: whoever holds the database


async def actor_for(session: AsyncSession, user_id: int | None, report: Report, directory: Directory) -> str:
    """Who a status set from the command line is recorded as: the operator, or the staff member ``user_id`` it is
    set on behalf of, who must act for the report now (a hub admin of its area, its agency's staff)."""
    if user_id is None:
        return OPERATOR
    if not Reach.of(await roles_of(session, user_id), directory).sides(report):
        raise StatusChangeRefused(f"user {user_id} does not act for report {report.tracking_id}")
    return f"staff:{user_id}"


async def check(session: AsyncSession, grants: Sequence[Grant], directory: Directory,
                request: ActionRequest) -> ActionResult | None:
    """What the action would meet now, before the text or choice it still needs: checked when its button is
    tapped, so that nobody types an answer for a report that has moved on. None: it may go ahead."""
    reach = Reach.of(grants, directory)
    report = await _in_reach(session, reach, request.tracking_id, lock=False)
    if report is None:
        return ActionResult(Outcome.NOT_FOUND)
    refused = _refusal(report, reach, directory, request, complete=False)
    return _refused(report, refused) if refused is not None else None


async def act(session: AsyncSession, actor_id: int, grants: Sequence[Grant], notify: Notices,
              request: ActionRequest, now: datetime | None = None) -> ActionResult:
    """Take the action as ``actor_id`` with ``grants``, telling everyone it concerns (``notify`` also knows the
    directory the actor's reach is read in)."""
    now, directory = now or utcnow(), notify.directory
    reach = Reach.of(grants, directory)
    report = await _in_reach(session, reach, request.tracking_id, lock=True)
    if report is None:
        return ActionResult(Outcome.NOT_FOUND)
    refused = _refusal(report, reach, directory, request)
    kept = None
    if refused is None and request.action is Action.MERGE:
        kept, refused = await _kept(session, reach, report, request.note)
    if refused is not None:
        return _refused(report, refused)
    event = await _apply(session, report, actor_id, directory, request, now, kept)
    audit.record(session, actor_id, f"report.{request.action.value}", report.tracking_id,
                 status=report.status, agency=report.agency_code, resolution=report.resolution_class)
    await session.flush()
    sends_on = RULES[request.action].needs_agency or request.action is Action.HAND_BACK
    handed_to = report.agency_code if sends_on else None
    if handed_to:
        await notify.handed_to(session, report, handed_to)
    next_actions = tuple(available(Status(report.status), reach.sides(report), report.merged_into_id is not None))
    return ActionResult(Outcome.DONE, Status(report.status), report.version, event, handed_to, next_actions,
                        kept.tracking_id if kept is not None else None)


async def _in_reach(session: AsyncSession, reach: Reach, tracking_id: str, *, lock: bool) -> Report | None:
    if reach.empty:
        return None
    statement = (select(Report).where(Report.tracking_id == tracking_id, condition(reach))
                 .options(selectinload(Report.events), selectinload(Report.attachments)))
    return await session.scalar(statement.with_for_update() if lock else statement)


async def _kept(session: AsyncSession, reach: Reach, duplicate: Report, typed: str | None
                ) -> tuple[Report | None, Outcome | None]:
    """The report a duplicate is merged into, by the tracking ID typed, locked; or why it cannot be."""
    tracking_id = merging.kept_id(typed)
    kept = await _in_reach(session, reach, tracking_id, lock=True) if tracking_id else None
    try:
        merging.check_into(duplicate, kept)
    except merging.IntoRefused as refused:
        return None, Outcome(f"into_{refused.reason}")
    return kept, None


def _refused(report: Report, outcome: Outcome) -> ActionResult:
    moved_on = [event for event in report.events if event.action != LoopAction.REPLY.value]  # what moved the version
    last = moved_on[-1] if moved_on and outcome is Outcome.CHANGED else None
    return ActionResult(outcome, Status(report.status), report.version, last)


def _refusal(report: Report, reach: Reach, directory: Directory, request: ActionRequest, *,
             complete: bool = True) -> Outcome | None:
    """Why the action cannot be taken; ``complete=False`` leaves out what the actor has not given yet."""
    rule = RULES[request.action]
    if report.version != request.seen_version:
        return Outcome.CHANGED
    if not rule.sides & reach.sides(report):
        return Outcome.NOT_ALLOWED
    if Status(report.status) not in rule.from_statuses or (request.action is Action.UNMERGE) != (
            report.merged_into_id is not None):
        return Outcome.NOT_NOW
    if not complete:
        return None
    if (rule.needs_note and not (request.note or "").strip()) or (rule.needs_resolution and request.resolution is None) \
            or (rule.needs_agency and not request.agency_code):
        return Outcome.INCOMPLETE
    if rule.needs_agency and request.agency_code not in directory.agencies:
        return Outcome.UNKNOWN_AGENCY
    if _changes_nothing(report, request):
        return Outcome.UNCHANGED
    return None


def _changes_nothing(report: Report, request: ActionRequest) -> bool:
    """Sending a report on, in the status it has, to whoever has it already (the same status set again)."""
    rule = RULES[request.action]
    return rule.to_status is Status(report.status) and (not rule.needs_agency or request.agency_code == report.agency_code)


async def _apply(session: AsyncSession, report: Report, actor_id: int, directory: Directory, request: ActionRequest,
                 now: datetime, kept: Report | None = None) -> ReportEvent:
    rule, actor, note = RULES[request.action], f"staff:{actor_id}", (request.note or "").strip() or None
    if request.action in (Action.MERGE, Action.UNMERGE):
        return await _merge_or_undo(session, report, actor, kept, now)
    if rule.needs_agency:
        agency = directory.agencies[request.agency_code]
        report.agency_code, report.agency_name = agency.code, agency.name
    if request.action is Action.HAND_BACK:  # back to the hub of the report's area
        hub = directory.hub_for_codes(report.province_code, report.regency_code)
        report.agency_code, report.agency_name = hub.code, hub.name
    if request.action is Action.VERIFY and Status(report.status) is Status.SUBMITTED:
        await record_change(session, report, Status.VERIFIED, actor=actor, action=request.action.value)
    if request.resolution is not None:
        report.resolution_class = request.resolution.value
    event = await record_change(session, report, rule.to_status or Status(report.status), actor=actor, note=note,
                                action=request.action.value)
    add_files(report, list(request.files), event.id)
    files_out = list(request.files) if request.files and await notices.reporter_hears(session, report) else []
    reporter = await session.get(User, report.reporter_id) if files_out else None
    for file in files_out:  # the answer's files follow its text in the citizen's chat
        await outbox.enqueue(session, report.chat_id, Media(file.kind, file.file_id), user=reporter,
                             priority=outbox.Priority.NOTIFICATION)
    if rule.starts is not None:
        clocks.start_clock(report, rule.starts, now)
    elif rule.to_status in (Status.WAITING_REPORTER, Status.REJECTED):
        clocks.stop_clock(report)
    if request.action is Action.ANSWER:
        clocks.await_reply(report, now)
    _stamp_milestones(report, request.action, now)
    return event


async def _merge_or_undo(session: AsyncSession, report: Report, actor: str, kept: Report | None,
                         now: datetime) -> ReportEvent:
    """A duplicate closed into ``kept`` (the note names it), or a merge undone: back to the status it left."""
    if kept is not None:
        event = await record_change(session, report, Status.REJECTED, actor=actor, note=kept.tracking_id,
                                    action=Action.MERGE.value)
        clocks.stop_clock(report)
        await merging.join(session, report, kept, actor)
        return event
    kept, before = await merging.part(session, report, actor)
    event = await record_change(session, report, before, actor=actor, note=kept.tracking_id,
                                action=Action.UNMERGE.value)
    if before is not Status.WAITING_REPORTER:  # the reporter owes the answer there, nobody at the counter
        clocks.resume_clock(report, now)
    return event


def _stamp_milestones(report: Report, action: Action, now: datetime) -> None:
    """The first verification and the first answer (or resolution), which the statistics measure."""
    if action is Action.VERIFY and report.verified_at is None:
        report.verified_at = now
    if action in (Action.ANSWER, Action.RESOLVE) and report.answered_at is None:
        report.answered_at = now

"""What staff do to a report: the actions, who takes them, from which status, and what they lead to.

Pure rules (see shared/DESIGN.md, "Hub admin actions" and "Who does what"): the hub verifies and forwards,
asks the reporter for more, sends a report that is not its own on, or archives it; the agency takes it
(choosing the resolution class), answers the citizen, hands it back to the hub, or resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.deadlines import Deadline
from bot.domain.vocabulary import Status


class Action(StrEnum):
    VERIFY = "verify"  # verifikasi: checked, and forwarded to the agency that must act
    ASK = "ask"  # tunda: ask the reporter for more
    FORWARD = "forward"  # bukan wewenang: not this hub's, sent on to the right body or hub
    ARCHIVE = "archive"  # arsipkan: cannot be processed, with a reason
    TAKE = "take"  # the agency takes it, choosing the resolution class
    ANSWER = "answer"  # tindak lanjut: an answer to the citizen, with files
    HAND_BACK = "hand_back"  # not the agency's: back to the hub, with a reason
    RESOLVE = "resolve"  # selesai: resolved, with the final answer
    MERGE = "merge"  # duplikat: closed into another report of the same agency, its reporter now a supporter there
    UNMERGE = "unmerge"  # a merge undone: open again as it was


class Side(StrEnum):
    HUB = "hub"  # hub admins of the report's area, and the national admin
    AGENCY = "agency"  # the liaison and staff of the agency the report is assigned to


@dataclass(frozen=True)
class Rule:
    sides: frozenset[Side]
    from_statuses: frozenset[Status]
    to_status: Status | None  # None: the status stays (an answer while the agency works on it)
    needs_note: bool  # a reason, a question or an answer
    needs_agency: bool = False  # where the report goes
    needs_resolution: bool = False
    takes_files: bool = False
    starts: Deadline | None = None  # the clock that runs from this action


OPEN_AT_HUB = frozenset({Status.SUBMITTED, Status.VERIFIED})
AT_AGENCY = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})

RULES: dict[Action, Rule] = {
    Action.VERIFY: Rule(frozenset({Side.HUB}), OPEN_AT_HUB, Status.ASSIGNED, needs_note=False, needs_agency=True,
                        starts=Deadline.FIRST_ANSWER),
    Action.ASK: Rule(frozenset({Side.HUB, Side.AGENCY}), OPEN_AT_HUB | AT_AGENCY, Status.WAITING_REPORTER,
                     needs_note=True),
    Action.FORWARD: Rule(frozenset({Side.HUB}), OPEN_AT_HUB, Status.SUBMITTED, needs_note=True, needs_agency=True,
                         starts=Deadline.VERIFICATION),
    Action.ARCHIVE: Rule(frozenset({Side.HUB}), OPEN_AT_HUB | {Status.WAITING_REPORTER}, Status.REJECTED,
                         needs_note=True),
    Action.TAKE: Rule(frozenset({Side.AGENCY}), frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, needs_note=False,
                      needs_resolution=True, starts=Deadline.RESOLUTION),
    Action.ANSWER: Rule(frozenset({Side.AGENCY}), frozenset({Status.IN_PROGRESS}), None, needs_note=True,
                        takes_files=True),
    Action.HAND_BACK: Rule(frozenset({Side.AGENCY}), AT_AGENCY, Status.VERIFIED, needs_note=True,
                           starts=Deadline.VERIFICATION),
    Action.RESOLVE: Rule(frozenset({Side.AGENCY}), frozenset({Status.IN_PROGRESS}), Status.RESOLVED, needs_note=True,
                         takes_files=True, starts=Deadline.REOPEN_WINDOW),
    # The "note" of a merge is the tracking ID of the report kept; an undone merge returns to the status it left.
    Action.MERGE: Rule(frozenset({Side.HUB, Side.AGENCY}), OPEN_AT_HUB | AT_AGENCY | {Status.WAITING_REPORTER},
                       Status.REJECTED, needs_note=True),
    Action.UNMERGE: Rule(frozenset({Side.HUB, Side.AGENCY}), frozenset({Status.REJECTED}), None, needs_note=False),
}


def available(status: Status, sides: frozenset[Side], merged: bool = False) -> list[Action]:
    """The actions a reader on ``sides`` may take on a report in ``status`` (``merged`` into another: undoing it
    only), in the order they are offered."""
    return [action for action, rule in RULES.items() if status in rule.from_statuses and rule.sides & sides
            and (action is Action.UNMERGE) == merged]


class LoopAction(StrEnum):
    """History events that are not staff actions: the reporter's side of the loop, and the sweep's close."""

    REPLY = "reply"  # the reporter replied to the agency's answer
    REOPEN = "reopen"  # the reporter said a resolved report is not fixed
    AUTO_CLOSE = "auto_close"  # an answer left without a reply for the auto-close period
    COMMENT = "comment"  # the reporter's comment on their rating of the final answer
    MERGED_IN = "merged_in"  # another report was merged into this one (its tracking ID the note)
    MERGED_OUT = "merged_out"  # ... and that merge was undone

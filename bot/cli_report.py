"""``lapor-bot report set-status``: an operator changes a report's status from the command line.

Everyone the change concerns is told, as when it is made in the chat: the reporter, and whoever the new status
puts the report with (its agency once assigned, the hub of its area once back from the agency). The history and
the audit trail say who acted: the operator (``cli``), or with ``--by`` the staff member it is done for, who must
act for that report."""

from __future__ import annotations

import argparse
import sys

from bot.cli_staff import directory_of
from bot.config import Settings
from bot.db import create_engine, migrate, session_factory
from bot.domain import Status
from bot.services import audit
from bot.services.notices import Notices
from bot.services.reports import StatusChangeRefused, change_status, locked_for_change
from bot.services.tracking import InvalidTrackingId, parse_tracking_id
from bot.services.workflow import actor_for


def add_parser(commands) -> None:
    report = commands.add_parser("report", help="work on reports").add_subparsers(title="report commands", required=True)
    set_status = report.add_parser("set-status", help="change a report's status; the reporter and its new holder are told")
    set_status.add_argument("tracking_id", help="the report's tracking ID, e.g. K7MQ9-TRXZS")
    set_status.add_argument("status", choices=[status.value for status in Status], help="the new status")
    set_status.add_argument("--note", help="what the reporter reads (required for rejected and waiting_reporter)")
    set_status.add_argument("--by", type=int, metavar="USER_ID",
                            help="the staff member (Telegram user id) it is done for, recorded as the actor; they must "
                                 "act for the report. Without it the history says the command line did it")
    set_status.set_defaults(command=report_set_status)


async def report_set_status(settings: Settings, arguments: argparse.Namespace) -> int:
    try:
        tracking_id = parse_tracking_id(arguments.tracking_id)
    except InvalidTrackingId:
        print(f"{arguments.tracking_id!r} is not a valid tracking ID (check character does not match)", file=sys.stderr)
        return 2
    by, new_status = getattr(arguments, "by", None), Status(arguments.status)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        notify = Notices(directory_of(settings), settings.translator, settings.forwarding)
        async with session_factory(engine)() as session, session.begin():
            report = await locked_for_change(session, tracking_id)
            if report is None:
                print(f"no report {tracking_id}", file=sys.stderr)
                return 1
            previous = report.status
            actor = await actor_for(session, by, report, notify.directory)
            await change_status(session, report, new_status, notify, actor=actor, note=arguments.note)
            audit.record(session, by, "report.set_status", tracking_id, status=new_status.value)
    except StatusChangeRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"{tracking_id}: {previous} -> {new_status.value} by {actor}; the reporter and whoever now holds it will be notified")
    return 0

"""``lapor-bot forwarding ...``: what waits to reach the systems of FORWARDING_FILE, and why; a refused forward
sent again once its cause is mended."""

from __future__ import annotations

import argparse

from sqlalchemy import func, select, update

from bot.cli_transaction import in_transaction
from bot.config import Settings
from bot.db.models import Forward, Report, utcnow
from bot.jobs.forwarding import PENDING, SENT


class ForwardingRefused(ValueError):
    pass


def add_parser(commands) -> None:
    group = commands.add_parser("forwarding", help="forwarding to other systems").add_subparsers(
        title="forwarding commands", required=True)
    group.add_parser("list", help="per system: sent, waiting, refused; and each forward not through yet, with why"
                     ).set_defaults(command=list_command)
    retry = group.add_parser("retry", help="send a refused (or waiting) forward again now")
    retry.add_argument("id", type=int, help="the forward's number (see `lapor-bot forwarding list`)")
    retry.set_defaults(command=retry_command)


async def list_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        counts = await session.execute(select(Forward.target, Forward.state, func.count())
                                       .group_by(Forward.target, Forward.state).order_by(Forward.target))
        for target, state, count in counts:
            print(f"  {target:<32} {state:<8} {count}")
        stuck = await session.execute(
            select(Forward, Report.tracking_id).join(Report, Report.id == Forward.report_id)
            .where(Forward.state != SENT, Forward.attempts > 0).order_by(Forward.id).limit(200))
        for forward, tracking_id in stuck:
            print(f"  #{forward.id} {forward.target} {tracking_id} {forward.event}: {forward.state}, "
                  f"{forward.attempts} tries, next {forward.next_attempt_at:%Y-%m-%d %H:%M} UTC: {forward.last_error}")
        return 0

    return await in_transaction(settings, work, (ForwardingRefused,))


async def retry_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        done = await session.execute(update(Forward).where(Forward.id == arguments.id, Forward.state != SENT)
                                     .values(state=PENDING, next_attempt_at=utcnow()))
        if not done.rowcount:
            raise ForwardingRefused(f"no forward #{arguments.id} that is waiting or refused")
        print(f"forward #{arguments.id} goes again at the job's next round")
        return 0

    return await in_transaction(settings, work, (ForwardingRefused,))




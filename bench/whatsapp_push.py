"""A status push to thousands of people on WhatsApp against the configured throughput (issue 25): N people, each
with a report filed from WhatsApp more than 24 hours ago, whose reports all change status at once (as the
command line changes one: ``reports.change_status``, the reporter's notice queued in the same transaction).
The bot (bench/harness/: one process on SQLite, a worker and a web process on PostgreSQL) sends the notices as
templates at its WHATSAPP_RATE, to the WhatsApp emulator, which holds it to Meta's throughput (80 messages a
second, 130429 above it) and posts the status webhooks back as Meta does.

Prints, per database and configured rate: the rate the emulator received them at (first to last), as a share of
the configured one, the time from the commit to the last one, the bot's CPU time (its status webhooks' included),
the 130429s, and the people reached (a duplicate would show as more messages than people). Usage:
    python bench/whatsapp_push.py [--people 5000] [--rates 80,20] [--limit 80]   (BENCH_DATABASES as elsewhere)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.harness import cluster  # noqa: E402
from bench.harness.cluster import Cluster, WhatsAppOptions  # noqa: E402
from bench.harness.seed import whatsapp_reporters  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import create_engine, session_factory  # noqa: E402
from bot.db.models import Report  # noqa: E402
from bot.domain import Status  # noqa: E402
from bot.services.jurisdiction import load_router  # noqa: E402
from bot.services.notices import Notices  # noqa: E402
from bot.services.reports import change_status  # noqa: E402
from bot.services.workflow import OPERATOR  # noqa: E402


async def change_all(database_url: str) -> tuple[float, float]:
    """Every report to in progress in one transaction; (when it began, when it committed) by time.monotonic."""
    notify = Notices(load_router(None).directory, Settings().translator)
    engine = create_engine(database_url)
    try:
        began = time.monotonic()
        async with session_factory(engine)() as session, session.begin():
            for report in await session.scalars(select(Report).order_by(Report.id)):
                await change_status(session, report, Status.IN_PROGRESS, notify, actor=OPERATOR)
        return began, time.monotonic()
    finally:
        await engine.dispose()


def received(running: Cluster) -> dict:
    with urllib.request.urlopen(f"{running.whatsapp.base_url}/load/stats", timeout=10) as answer:
        return json.loads(answer.read())


def push(database_url: str, people: int, rate: float, limit: float) -> str:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if database_url == "sqlite":
            database_url = f"sqlite+aiosqlite:///{folder}/push.db"
        options = WhatsAppOptions(rate=rate, limit=limit)
        with cluster.lapor_bot(folder, database_url, 1, lambda url: whatsapp_reporters(url, people), options) as running:
            running.wait_until_idle()
            cpu_before = sum(bot.cpu_seconds() for bot in running.bots)
            began, committed = asyncio.run(change_all(database_url))
            deadline = committed + people / min(rate, limit or rate) * 3 + 60
            while (stats := received(running))["sent"] < people and time.monotonic() < deadline:
                time.sleep(0.5)
            running.wait_until_idle()  # the status webhooks handled too
            idle = time.monotonic()
            stats = received(running)
            cpu = sum(bot.cpu_seconds() for bot in running.bots) - cpu_before
    sent, spread = stats["sent"], (stats["last_at"] or 0) - (stats["first_at"] or 0)
    achieved = (sent - 1) / spread if sent > 1 and spread else 0.0
    return (f"WHATSAPP_RATE {rate:3.0f}/s (Meta's limit {limit:.0f}/s): {sent} of {people} notices "
            f"({stats['templates']} templates) at {achieved:5.1f}/s = {achieved / rate:6.1%} of the configured rate; "
            f"the last {stats['last_at'] - committed if stats['last_at'] else float('nan'):6.1f} s after the commit "
            f"(queued in {committed - began:4.1f} s), the bot idle after {idle - committed:6.1f} s, its CPU "
            f"{cpu / (idle - began):4.0%} of one core, {cpu * 1000 / max(sent, 1):4.1f} ms per notice; "
            f"130429: {stats['refused'].get('130429', 0)}; other refusals: "
            f"{ {code: n for code, n in stats['refused'].items() if code != '130429'} or 'none'}; "
            f"people reached {stats['people']}, duplicates {sent - stats['people']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", default=5000, type=int)
    parser.add_argument("--rates", default="80,20", type=lambda text: [float(r) for r in text.split(",")])
    parser.add_argument("--limit", default=80.0, type=float, help="Meta's throughput at the emulator (0: none)")
    arguments = parser.parse_args()
    from tests import postgres

    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    for rate in arguments.rates:
        if "sqlite" in databases:
            print(f"sqlite      {push('sqlite', arguments.people, rate, arguments.limit)}", flush=True)
        if "postgresql" not in databases:
            continue
        postgres.create_run_database()
        try:
            if postgres.problem():
                print(f"postgresql: skipped ({postgres.problem()})")
                continue
            print(f"postgresql  {push(postgres.run_url(), arguments.people, rate, arguments.limit)}", flush=True)
        finally:
            postgres.drop_run_database()


if __name__ == "__main__":
    main()

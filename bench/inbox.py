"""Staff inbox latency: N reports across 500 agencies; an inbox page and a report view per reader, and the
deadline sweep.

Prints, per database, p50/p99 in milliseconds of one inbox page (each view, first and a later page) and of
one report view, for a liaison, a regency hub, a province hub and the national admin (target p99 < 50 ms);
then the time of one deadline sweep (target < 2 s) and how many sweeps work through the overdue backlog.
Usage: python bench/inbox.py [reports]   (default 100,000; PostgreSQL at TEST_POSTGRES_URL when reachable)
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import Transactions, create_engine, migrate, session_factory  # noqa: E402
from bot.db.models import Report, ReportEvent, StaffRole, User, utcnow  # noqa: E402
from bot.jobs import deadlines as deadline_job  # noqa: E402
from bot.domain.calendar import time_zone_for_province  # noqa: E402
from bot.domain.deadlines import Deadline, Due  # noqa: E402
from bot.domain.roles import Grant, Role  # noqa: E402
from bot.services import inbox  # noqa: E402
from bot.services.jurisdiction import load_router  # noqa: E402
from bot.services.notices import Notices  # noqa: E402
from bot.services.tracking import new_tracking_id  # noqa: E402

AGENCIES = 500
REPORTERS = 5000
ROUNDS = 60
STATUSES = ["resolved"] * 6 + ["rejected", "submitted", "assigned", "in_progress", "waiting_reporter", "verified"]


def sample_agencies(directory) -> list:
    """AGENCIES offices with an area (bench/open311.py fills its reports with these too)."""
    offices = [a for a in directory.agencies.values() if not a.hub and a.area_code and "." in a.area_code]
    return random.Random(1).sample(offices, AGENCIES)


async def fill_reports(sessions, agencies: list, count: int) -> list[str]:
    rng, now = random.Random(2), utcnow()
    ids = [new_tracking_id() for _ in range(count)]
    async with sessions() as session, session.begin():
        await session.execute(insert(User), [dict(id=9_000_000 + i, first_name="Warga", reachable=True, lookups=0,
                                                  created_at=now) for i in range(REPORTERS)])
        for start in range(0, count, 10_000):
            rows = []
            for tracking_id in ids[start : start + 10_000]:
                agency = rng.choice(agencies)
                province = agency.area_code.split(".")[0]
                due = Due(Deadline.FIRST_ANSWER, now + timedelta(hours=rng.randrange(-24 * 60, 24 * 10)),
                          time_zone_for_province(province))
                rows.append(dict(
                    tracking_id=tracking_id, reporter_id=9_000_000 + rng.randrange(REPORTERS), chat_id=1,
                    report_type="pengaduan", category="jalan", description="Jalan rusak", anonymous=rng.random() < 0.3,
                    confidential=False, status=rng.choice(STATUSES), province_code=province,
                    regency_code=agency.area_code, agency_code=agency.code, agency_name=agency.name,
                    created_at=now - timedelta(minutes=rng.randrange(60 * 24 * 180)), updated_at=now,
                    due_kind=due.kind.value, due_at=due.at, next_alert_at=due.next_alert(reminded=False, level=0)))
            await session.execute(insert(Report), rows)
        report_ids = list(await session.scalars(select(Report.id)))
        for start in range(0, len(report_ids), 10_000):
            await session.execute(insert(ReportEvent), [dict(report_id=i, at=now, actor="reporter", to_status="submitted")
                                                        for i in report_ids[start : start + 10_000]])
    return ids


async def timed(samples: list[float], call) -> None:
    started = time.perf_counter()
    await call()
    samples.append((time.perf_counter() - started) * 1000)


def latency_line(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"  {label:50} p50 {statistics.median(samples):6.1f} ms   p99 {p99:6.1f} ms   ({len(samples)} runs)"


async def bench(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    directory = load_router(None).directory
    agencies = sample_agencies(directory)
    started = time.perf_counter()
    ids = await fill_reports(sessions, agencies, count)
    print(f"{database_url.split(':')[0]}: {count} reports across {AGENCIES} agencies, filled in "
          f"{time.perf_counter() - started:.1f} s")
    rng = random.Random(3)
    readers = {
        "liaison": lambda: [Grant(Role.LIAISON, rng.choice(agencies).code)],
        "regency hub": lambda: [Grant(Role.HUB_ADMIN, "HUB-" + rng.choice(agencies).area_code)],
        "province hub": lambda: [Grant(Role.HUB_ADMIN, "HUB-" + rng.choice(agencies).area_code.split(".")[0])],
        "national admin": lambda: [Grant(Role.NATIONAL_ADMIN, None)],
    }
    for name, roles in readers.items():
        pages, views = [], []
        for _ in range(ROUNDS):
            async with sessions() as session:
                for view in inbox.View:
                    for page in (0, 3):
                        await timed(pages, lambda: inbox.inbox(session, roles(), directory, view=view, page=page))
                await timed(views, lambda: inbox.find_for_staff(session, roles(), directory, rng.choice(ids),
                                                                 hierarchy=None))
        print(latency_line(f"{name}: inbox page (each view, pages 1 and 4)", pages))
        print(latency_line(f"{name}: report view", views))
    await _sweeps(engine, directory, agencies)
    await engine.dispose()


async def _sweeps(engine, directory, agencies: list) -> None:
    """Staff at every agency and hub, then sweeps until the overdue backlog is worked through."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        holders = [(Role.LIAISON.value, agency.code) for agency in agencies]
        holders += [(Role.HUB_ADMIN.value, code) for code in {"HUB-" + a.area_code for a in agencies}]
        holders += [(Role.NATIONAL_ADMIN.value, None)]
        await session.execute(insert(StaffRole), [dict(user_id=8_000_000 + i, role=role, agency_code=code, granted_at=utcnow())
                                                 for i, (role, code) in enumerate(holders)])
    transactions, settings, timings, queued = Transactions(engine), Settings(), [], 0
    while True:
        started = time.perf_counter()
        count = await deadline_job.run_once(transactions, Notices(directory, settings.translator))
        timings.append((time.perf_counter() - started) * 1000)
        queued += count or 0
        if not count:
            break
    print(f"  deadline sweep: {len(timings)} sweeps queued {queued} messages; one sweep p50 "
          f"{statistics.median(timings):.0f} ms, slowest {max(timings):.0f} ms, the last (nothing left) {timings[-1]:.0f} ms")


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

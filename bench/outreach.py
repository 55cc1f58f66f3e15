"""How long /statistik and an export take over many reports, on PostgreSQL (the production database).

Fills a database of its own with N synthetic reports (default 1,000,000; labelled "contoh", spread over the
last 12 months, the 514 regencies and every category, in all states, with a submitted and a verified event
each where it applies), then prints the time to compute the national statistics, a province hub's, and to
write the national export as CSV and as XLSX. Targets (issue 13): statistics under 2 s, an export under 30 s.
Usage: python bench/outreach.py [reports]     (BENCH_DATABASES=sqlite,postgresql to add SQLite)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bot.db import create_engine, migrate, session_factory  # noqa: E402
from bot.db.models import utcnow  # noqa: E402
from bot.domain.reach import Hub, Reach  # noqa: E402
from bot.domain.vocabulary import CATEGORIES  # noqa: E402
from bot.services import export_files, statistics  # noqa: E402
from bot.services.export_files import Format  # noqa: E402
from bot.services.exports import ExportRequest  # noqa: E402
from bot.services.periods import Period, local_today  # noqa: E402
from routing.regions import Hierarchy  # noqa: E402

ZONE = ZoneInfo("Asia/Jakarta")
BATCH = 100_000
# Status by report number modulo 10: most are worked, a few wait, some were archived.
STATUSES = ("resolved", "resolved", "resolved", "in_progress", "assigned", "verified", "submitted",
            "waiting_reporter", "rejected", "resolved")


async def bench(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    started = time.perf_counter()
    await _fill(engine, count)
    kind = database_url.split(":")[0]
    print(f"{kind}: {count:,} reports written in {time.perf_counter() - started:.0f} s")
    sessions = session_factory(engine)
    period = Period.last_months(local_today(ZONE, utcnow()))
    for name, scope in (("national", Reach(everything=True)), ("province hub (32)", Reach(hubs=(Hub("HUB-32", "32"),)))):
        for attempt in ("cold", "warm"):
            began = time.perf_counter()
            figures = await statistics.compute(sessions, scope, period, ZONE, utcnow())
            print(f"  /statistik {name:18} {attempt}: {time.perf_counter() - began:6.2f} s "
                  f"({figures.received:,} reports, follow-up rate {figures.follow_up_rate:.1%})")
    with tempfile.TemporaryDirectory() as folder:
        for kind_of_file in (Format.CSV, Format.XLSX):
            path = Path(folder) / f"export.{kind_of_file.value}"
            async with sessions() as session:
                began = time.perf_counter()
                written = await export_files.write(session, ExportRequest(Reach(everything=True), period, ZONE), kind_of_file, path, utcnow())
                print(f"  export {kind_of_file.value:4} national: {time.perf_counter() - began:6.1f} s "
                      f"({written:,} reports, {path.stat().st_size / 1e6:.0f} MB)")
    await engine.dispose()


async def _fill(engine, count: int) -> None:
    regencies = [region.code for region in Hierarchy.from_lokal().at_level(2)]
    categories = [category.code for category in CATEGORIES]
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO users (id, first_name, reachable, created_at, lookups) "
                                      "VALUES (1, 'Warga (contoh)', true, :now, 0)"), {"now": utcnow()})
    for first in range(1, count + 1, BATCH):
        rows = [_report(number, regencies, categories) for number in range(first, min(first + BATCH, count + 1))]
        async with engine.begin() as connection:
            await connection.execute(text(REPORT_INSERT), rows)
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO report_events (report_id, at, actor, to_status) "
                                      "SELECT id, created_at, 'reporter', 'submitted' FROM reports"))
        await connection.execute(text("INSERT INTO report_events (report_id, at, actor, from_status, to_status, action) "
                                      "SELECT id, verified_at, 'staff:1', 'submitted', 'assigned', 'verify' FROM reports "
                                      "WHERE verified_at IS NOT NULL"))
        if connection.dialect.name == "postgresql":
            await connection.execute(text("ANALYZE"))


REPORT_INSERT = (
    "INSERT INTO reports (tracking_id, reporter_id, chat_id, report_type, category, description, anonymous, confidential, "
    "status, province_code, regency_code, agency_code, agency_name, created_at, updated_at, version, escalation_level, "
    "verified_at, answered_at, rating, due_kind, due_at) VALUES (:tracking_id, 1, 1, :report_type, :category, "
    ":description, :anonymous, :confidential, :status, :province, :regency, :agency, :agency_name, :created_at, "
    ":created_at, 1, 0, :verified_at, :answered_at, :rating, :due_kind, :due_at)"
)


def _report(number: int, regencies: list[str], categories: list[str]) -> dict:
    from datetime import timedelta

    now = utcnow()
    created = now - timedelta(days=number % 360, hours=number % 24, minutes=number % 60)
    status = STATUSES[number % 10]
    verified = created + timedelta(days=number % 4, hours=3) if status not in ("submitted", "waiting_reporter") else None
    answered = verified + timedelta(days=number % 9, hours=5) if verified and status in ("resolved", "in_progress") else None
    regency = regencies[number % len(regencies)]
    return {
        "tracking_id": f"B{number:09d}", "report_type": ("pengaduan", "aspirasi", "informasi")[number % 3],
        "category": categories[(number * 7) % len(categories)], "description": f"Laporan contoh nomor {number}",
        "anonymous": number % 10 == 0, "confidential": number % 20 == 0, "status": status,
        "province": regency[:2], "regency": regency, "agency": f"PUPR-{regency}", "agency_name": f"Dinas PUPR {regency} (contoh)",
        "created_at": created, "verified_at": min(verified, now) if verified else None,
        "answered_at": min(answered, now) if answered else None, "rating": 1 + number % 5 if status == "resolved" else None,
        "due_kind": "first_answer" if status == "assigned" else None,
        "due_at": (verified or created) + timedelta(days=7) if status == "assigned" else None,
    }


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    import os

    from tests import postgres

    os.environ.setdefault("BENCH_DATABASES", "postgresql")
    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

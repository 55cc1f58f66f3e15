"""Possible duplicates while filing (issue 27): ``bot.services.support.similar_to``, the query a citizen's draft
runs once its category and place are known, over N reports (default 1,000,000).

The reports are synthetic (labelled "(contoh bench)"): most spread over Indonesia's land at random, a tenth packed
into busy city centres (1 km across, where duplicates are found), in the 22 categories, a third of them open.
Prints, per database, the fill time and p50/p99 in milliseconds of: a pin in a busy centre, a pin anywhere, a
typed place (a district), and a draft with nothing near.
Usage: python bench/nearby.py [reports]   (PostgreSQL at TEST_POSTGRES_URL when reachable;
BENCH_DATABASES=postgresql for that one alone)
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.inbox import latency_line  # noqa: E402
from bot.db import Transactions, create_engine, migrate  # noqa: E402
from bot.db.models import Report, User, utcnow  # noqa: E402
from bot.domain import CATEGORIES  # noqa: E402
from bot.domain.draft import Draft, Place, RoutingRecord  # noqa: E402
from bot.domain.nearby import grid_cell  # noqa: E402
from bot.services.support import similar_to  # noqa: E402
from bot.services.tracking import new_tracking_id  # noqa: E402

ROUNDS = 300
BATCH = 10_000
CENTRES = [(-6.2000, 106.8166), (-7.2575, 112.7521), (-0.9492, 100.3543), (3.5952, 98.6722), (-5.1477, 119.4327),
           (-6.9175, 107.6191), (-8.6705, 115.2126), (-0.0263, 109.3425)]  # Jakarta, Surabaya, Padang, Medan, ...
WORDS = ("jalan berlubang rusak lampu mati sampah menumpuk saluran tersumbat banjir jembatan retak pasar sekolah "
         "masjid terminal puskesmas kantor desa bau gelap bahaya motor anak").split()
OPEN, CLOSED = ("submitted", "verified", "assigned", "in_progress"), ("resolved", "rejected")
DISTRICTS = 7_000


def _row(rng: random.Random, now, reporter: int) -> dict:
    if rng.random() < 0.1:
        centre = rng.choice(CENTRES)
        latitude, longitude = centre[0] + rng.uniform(-0.005, 0.005), centre[1] + rng.uniform(-0.005, 0.005)
    else:
        latitude, longitude = rng.uniform(-10.5, 5.5), rng.uniform(95.5, 140.5)
    return dict(tracking_id=new_tracking_id(), reporter_id=reporter, chat_id=reporter, report_type="pengaduan",
                category=rng.choice(CATEGORIES).code, description="(contoh bench) " + " ".join(rng.sample(WORDS, 8)),
                latitude=latitude, longitude=longitude, grid_cell=grid_cell(latitude, longitude),
                district_code=f"99.{rng.randrange(DISTRICTS):05d}", anonymous=False, confidential=rng.random() < 0.05,
                status=rng.choice(OPEN) if rng.random() < 0.33 else rng.choice(CLOSED), created_at=now, updated_at=now)


async def fill(transactions: Transactions, count: int) -> None:
    rng, now = random.Random(7), utcnow()
    async with transactions.begin() as session:
        await session.execute(insert(User), [dict(id=8_000_000 + i, first_name="Warga (contoh bench)", lookups=0,
                                                  created_at=now) for i in range(1000)])
    for start in range(0, count, BATCH):
        async with transactions.begin() as session:
            await session.execute(insert(Report), [_row(rng, now, 8_000_000 + rng.randrange(1000))
                                                   for _ in range(min(BATCH, count - start))])


def _draft(rng: random.Random, place: Place, district: str | None = None) -> Draft:
    return Draft(category=rng.choice(CATEGORIES).code, description=" ".join(rng.sample(WORDS, 8)), place=place,
                 routing=RoutingRecord(district=district) if district else None)


async def bench(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    transactions = Transactions(engine)
    started = time.perf_counter()
    await fill(transactions, count)
    print(f"{database_url.split(':')[0]}: {count} reports, filled in {time.perf_counter() - started:.1f} s")
    rng = random.Random(11)
    drafts = {
        "a pin in a busy city centre": lambda: _draft(rng, Place(*_near(rng, rng.choice(CENTRES)))),
        "a pin anywhere": lambda: _draft(rng, Place(rng.uniform(-10.5, 5.5), rng.uniform(95.5, 140.5))),
        "a typed place (its district)": lambda: _draft(rng, Place(address="Kec. Contoh"),
                                                       f"99.{rng.randrange(DISTRICTS):05d}"),
        "nothing near (the open sea)": lambda: _draft(rng, Place(-3.0, 128.0 + rng.random())),
    }
    for name, draft in drafts.items():
        samples: list[float] = []
        found = 0
        for _ in range(ROUNDS):
            asked = draft()
            async with transactions.sessions() as session:
                started = time.perf_counter()
                found += len(await similar_to(session, asked, user_id=1))
                samples.append((time.perf_counter() - started) * 1000)
        print(latency_line(f"{name} ({found / ROUNDS:.1f} found)", samples))
    await engine.dispose()


def _near(rng: random.Random, centre: tuple[float, float]) -> tuple[float, float]:
    return centre[0] + rng.uniform(-0.004, 0.004), centre[1] + rng.uniform(-0.004, 0.004)


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

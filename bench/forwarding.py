"""Forwarding throughput: N filed reports forwarded by the forwarding job to a local Open311 receiver (an aiohttp
server answering each POST requests at once, as a fast city system would), per database.

Prints the forwards a second the job reaches, and how many the receiver got (each once).
Usage: python bench/forwarding.py [forwards]   (default 2,000; BENCH_DATABASES as for the other benchmarks)
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bench.inbox import fill_reports, sample_agencies  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Transactions, create_engine, migrate  # noqa: E402
from bot.db.models import Forward, Report, ReportLink  # noqa: E402
from bot.forwarding.targets import OPEN311, Target, Targets  # noqa: E402
from bot.jobs.forwarding import ForwardingJob  # noqa: E402
from bot.services.jurisdiction import load_router  # noqa: E402
from bot.services.notices import Notices  # noqa: E402


class Receiver:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.posts = 0
        self.numbers = itertools.count(1)

    async def handle(self, request: web.Request) -> web.Response:
        await request.post()
        self.posts += 1
        self.keys.add(request.headers["Idempotency-Key"])
        return web.json_response([{"service_request_id": f"R{next(self.numbers)}"}])


async def bench(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    transactions = Transactions(engine)
    directory = load_router(None).directory
    await fill_reports(transactions.sessions, sample_agencies(directory), count)
    receiver, app = Receiver(), web.Application()
    app.router.add_post("/open311/v2/requests.json", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    target = Target("kota", OPEN311, frozenset(), f"http://127.0.0.1:{port}/open311/v2/", secret="k",
                    pull_minutes=10_000, default_service_code="ROAD")
    async with transactions.begin() as session:
        rows = (await session.execute(select(Report.id, Report.tracking_id))).all()
        await session.execute(insert(ReportLink), [dict(report_id=i, target="kota", kind=OPEN311) for i, _ in rows])
        await session.execute(insert(Forward), [dict(
            report_id=i, target="kota", event="filed", key=f"kota:{t}:filed:0", state="pending", attempts=0,
            payload={"event": "filed", "service_code": "ROAD", "description": "Jalan rusak", "lat": -0.95,
                     "long": 100.35, "idempotency_key": f"kota:{t}:filed:0"}) for i, t in rows])
    job = ForwardingJob(transactions, Targets((target,)), Notices(directory, Settings().translator), lambda: None)
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        while await job.run_once(http):
            pass
    seconds = time.perf_counter() - started
    print(f"{database_url.split(':')[0]}: {count} forwards in {seconds:.1f} s: {count / seconds:.0f}/s; "
          f"the receiver got {receiver.posts} posts, {len(receiver.keys)} keys")
    await runner.cleanup()
    await engine.dispose()


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

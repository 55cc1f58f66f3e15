"""Open311 read latency: ``GET requests`` over N reports (500 agencies, the last 180 days), through the real API
handlers over HTTP on 127.0.0.1, with a read key.

Prints, per database, p50/p99 in milliseconds of: the default list (the newest 100 of the last 90 days), a later
page, one service, closed ones, 50 ids at once, one request by id.
Usage: python bench/open311.py [reports]   (default 100,000; PostgreSQL at TEST_POSTGRES_URL when reachable;
BENCH_DATABASES=postgresql for that one alone)
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.inbox import fill_reports, latency_line, sample_agencies, timed  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Transactions, create_engine, migrate  # noqa: E402
from bot.services import api_keys  # noqa: E402
from bot.services.jurisdiction import load_router  # noqa: E402
from bot.web.open311 import Open311Api  # noqa: E402

ROUNDS = 200


@dataclass
class ReadSide:
    """What the API's read endpoints use of the bot's services (the bot itself is not needed to read)."""

    settings: Settings
    transactions: Transactions

    @property
    def sessions(self):
        return self.transactions.sessions


async def bench(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    transactions = Transactions(engine)
    started = time.perf_counter()
    ids = await fill_reports(transactions.sessions, sample_agencies(load_router(None).directory), count)
    async with transactions.begin() as session:
        key = (await api_keys.create(session, "bench", api_keys.READ))[1]
    print(f"{database_url.split(':')[0]}: {count} reports, filled in {time.perf_counter() - started:.1f} s")
    app = web.Application()
    Open311Api(ReadSide(Settings(open311_per_minute=100_000), transactions)).add_routes(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/open311/v2/"
    rng = random.Random(4)
    queries = {
        "default list (newest 100, last 90 days)": lambda: ("requests.json", {}),
        "page 20 of 100": lambda: ("requests.json", {"page": "20"}),
        "one service, 1,000 a page": lambda: ("requests.json", {"service_code": "jalan", "page_size": "1000"}),
        "closed ones": lambda: ("requests.json", {"status": "closed"}),
        "50 ids at once": lambda: ("requests.json", {"service_request_id": ",".join(rng.sample(ids, 50))}),
        "one request by id": lambda: (f"requests/{rng.choice(ids)}.json", {}),
        "one request by id, XML": lambda: (f"requests/{rng.choice(ids)}.xml", {}),
    }
    async with aiohttp.ClientSession() as http:
        for name, query in queries.items():
            samples: list[float] = []
            for _ in range(ROUNDS):
                path, params = query()
                await timed(samples, lambda: _get(http, base + path, {"api_key": key, **params}))
            print(latency_line(name, samples))
    await runner.cleanup()
    await engine.dispose()


async def _get(http: aiohttp.ClientSession, url: str, params: dict) -> None:
    async with http.get(url, params=params) as response:
        await response.read()
        assert response.status == 200, (url, response.status)


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

"""How fast a broadcast reaches its subscribers against Telegram's limits, and whether a stop halfway loses or
repeats anyone: N subscribers, one announcement, the sender and the broadcast job stopped when half have it and
started afresh.

The emulator enforces Telegram's limits (30 messages/s overall, about 1/s per chat); announcements go at the
bulk pace (25/s by default, below Telegram's 30/s, so that replies to citizens always find room). Prints, per
database: the achieved rate as a share of the bulk rate, the 429s, and duplicates and losses after the stop.
With a paid rate, announcements go as Telegram's paid broadcasts (``allow_paid_broadcast``, up to 1,000/s)
and the share is of that rate. Usage: python bench/broadcast.py [subscribers] [paid rate]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from telegram import Bot  # noqa: E402

from bench.against_telegram import against_telegram  # noqa: E402
from bot.channels.telegram.outbound import TelegramTransport  # noqa: E402
from bot.db import Transactions  # noqa: E402
from bot.db.models import Subscription, utcnow  # noqa: E402
from bot.delivery.pacing import Pacing  # noqa: E402
from bot.delivery.sender import Delivery  # noqa: E402
from bot.i18n import Translator  # noqa: E402
from bot.jobs import broadcasts as broadcast_job  # noqa: E402
from bot.services import broadcasts  # noqa: E402

FIRST_USER = 8_500_000
ANNOUNCEMENT = "📣 Pelayanan KTP keliling hadir di kantor camat pada hari Sabtu."


async def bench(database_url: str, count: int, paid_rate: float) -> None:
    pacing = Pacing(paid_per_second=paid_rate)
    rate = paid_rate or pacing.bulk_per_second
    async with against_telegram(database_url, range(FIRST_USER, FIRST_USER + count)) as setup:
        transactions, stats = setup.transactions, setup.emulator.stats
        await _subscribe(transactions, count)
        async with transactions.begin() as session:
            await broadcasts.start(session, 1, broadcasts.Audience(), ANNOUNCEMENT, "id")
        started = time.perf_counter()
        tasks = _run(transactions, setup.bot, pacing)
        while len(stats.sent) < count // 2:
            await asyncio.sleep(0.1)
        first_half = stats.send_rate()
        await _stop(tasks)  # halfway: the process stops; a new one carries on from the stored cursor
        tasks = _run(transactions, setup.bot, pacing)
        reached: set[int] = set()
        while len(reached) < count and time.perf_counter() - started < count / rate * 3 + 60:
            await asyncio.sleep(0.2)
            reached = {sent.chat_id for sent in stats.sent}
        elapsed = time.perf_counter() - started
        await _stop(tasks)
    achieved = len(stats.sent) / elapsed
    kind = database_url.split(":")[0]
    print(f"{kind:22} {count} subscribers: first half {first_half:5.2f}/s = {first_half / rate:6.1%} of the "
          f"{'paid' if paid_rate else 'bulk'} rate {rate:.0f}/s; all, the stop included, in {elapsed:6.1f} s = {achieved:5.2f}/s; "
          f"paid broadcasts: {stats.paid_broadcasts}; "
          f"429s: {sum(stats.too_many_requests.values())}; after the stop halfway: duplicates "
          f"{len(stats.duplicates())}, lost {count - len(reached)}")


def _run(transactions: Transactions, bot: Bot, pacing: Pacing) -> list[asyncio.Task]:
    delivery = Delivery(transactions, TelegramTransport(bot), lambda locale: Translator(locale or "id"), pacing)
    job = broadcast_job.run_forever(transactions, lambda locale: Translator(locale or "id"), "id", delivery.kick)
    return [asyncio.create_task(delivery.run_forever()), asyncio.create_task(job)]


async def _stop(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _subscribe(transactions: Transactions, count: int) -> None:
    now = utcnow()
    async with transactions.begin() as session:
        await session.execute(insert(Subscription), [dict(user_id=i, regency_code=None, topics=["lapor"], subscribed_at=now)
                                                     for i in range(FIRST_USER, FIRST_USER + count)])


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    paid_rate = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count, paid_rate))


if __name__ == "__main__":
    asyncio.run(main())

"""How fast the outbox drains against Telegram's rate limits: N notifications to N chats.

The emulator enforces Telegram's limits (30 messages/s overall, about 1/s per chat); the sender paces
itself at the configured rate (DELIVERY_RATE, 30/s). Prints, per database: the achieved rate as a share
of the configured one, the 429s received, and duplicates. Usage: python bench/delivery.py [messages]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.against_telegram import against_telegram  # noqa: E402
from bot.channels.telegram.outbound import TelegramTransport  # noqa: E402
from bot.db import Transactions  # noqa: E402
from bot.db.models import OutboxMessage, utcnow  # noqa: E402
from bot.delivery.messages import Text, to_payload  # noqa: E402
from bot.delivery.outbox import PENDING, Priority  # noqa: E402
from bot.delivery.pacing import Pacing  # noqa: E402
from bot.delivery.sender import Delivery  # noqa: E402
from bot.config import Settings  # noqa: E402

RATE = 30.0
FIRST_USER = 8_000_000


async def bench(database_url: str, count: int) -> None:
    async with against_telegram(database_url, range(FIRST_USER, FIRST_USER + count)) as setup:
        await _fill(setup.transactions, count)
        delivery = Delivery(setup.transactions, TelegramTransport(setup.bot), Settings().translator, Pacing(per_second=RATE))
        started = time.perf_counter()
        sender = asyncio.create_task(delivery.run_forever())
        while len(setup.emulator.stats.sent) < count:
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - started
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        stats = setup.emulator.stats
    rate = count / elapsed
    kind = database_url.split(":")[0]
    print(f"{kind:22} {count} notifications to {count} chats in {elapsed:6.1f} s: {rate:5.2f}/s = "
          f"{rate / RATE:6.1%} of the configured {RATE:.0f}/s; 429s: {sum(stats.too_many_requests.values())}; "
          f"duplicates: {len(stats.duplicates())}")


async def _fill(transactions: Transactions, count: int) -> None:
    now = utcnow()
    async with transactions.begin() as session:
        await session.execute(insert(OutboxMessage), [
            dict(chat_id=i, user_id=i, kind="message", payload=to_payload(Text(f"🔔 Laporan Anda kini <b>Terverifikasi</b> ({i})")),
                 priority=int(Priority.NOTIFICATION), state=PENDING, attempts=0, next_attempt_at=now, created_at=now)
            for i in range(FIRST_USER, FIRST_USER + count)
        ])


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, count))


if __name__ == "__main__":
    asyncio.run(main())

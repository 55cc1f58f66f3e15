"""Paid broadcasts: when the operator enables them (PAID_BROADCAST_RATE), announcements go out with
``allow_paid_broadcast`` at the paid rate, outside Telegram's free 30/s, which replies to citizens keep; the
emulator enforces both limits and counts what Telegram would charge for."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, insert, select
from telegram import Bot

from bot.channels.telegram.outbound import TelegramTransport
from bot.db import Transactions
from bot.db.models import OutboxMessage, Subscription, User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Delivery
from bot.i18n import Translator
from bot.jobs import broadcasts as broadcast_job
from bot.sandbox.limits import RateLimits
from bot.services import broadcasts
from tests.conftest import eventually

SUBSCRIBERS = range(8_600_000, 8_600_120)
CITIZEN = 8_700_000


async def test_announcements_go_as_paid_broadcasts_and_replies_stay_free(emulator, engine):
    emulator.rate_limits = RateLimits.telegram()
    for user_id in (*SUBSCRIBERS, CITIZEN):
        emulator.add_user(user_id, f"Warga {user_id}")
    transactions = Transactions(engine)
    async with transactions.begin() as session:
        await session.execute(insert(User), [dict(id=i, first_name="Warga", reachable=True, lookups=0, created_at=utcnow())
                                             for i in (*SUBSCRIBERS, CITIZEN)])
        await session.execute(insert(Subscription), [dict(user_id=i, topics=["lapor"], subscribed_at=utcnow()) for i in SUBSCRIBERS])
        await broadcasts.start(session, 1, broadcasts.Audience(), "Vaksinasi gratis di puskesmas hari Sabtu.", "id")
        await outbox.enqueue(session, CITIZEN, Text("Laporan Anda sudah diterima."))
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot")
    await bot.initialize()
    delivery = Delivery(transactions, TelegramTransport(bot), lambda locale: Translator(locale or "id"), Pacing(paid_per_second=300))
    tasks = [asyncio.create_task(delivery.run_forever()), asyncio.create_task(broadcast_job.run_forever(
        transactions, lambda locale: Translator(locale or "id"), "id", delivery.kick))]
    async def all_marked_sent() -> bool:  # so that no mark is still being written when the tasks stop
        async with transactions.sessions() as session:
            return not await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != outbox.SENT))

    try:
        await eventually(lambda: len(emulator.stats.sent) == len(SUBSCRIBERS) + 1, timeout=30)
        await eventually(all_marked_sent, timeout=30)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await delivery.close()
        await bot.shutdown()
    stats = emulator.stats
    assert stats.paid_broadcasts == len(SUBSCRIBERS), "every announcement, and only announcements, paid"
    assert sum(stats.too_many_requests.values()) == 0 and stats.duplicates() == []
    assert {sent.chat_id for sent in stats.sent} == {*SUBSCRIBERS, CITIZEN}

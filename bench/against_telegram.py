"""What the delivery benchmarks share: an emulator with Telegram's rate limits, a migrated database, chat users
in both, and a Bot API client connected to the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import insert
from telegram import Bot

from bot.db import Transactions, create_engine, migrate
from bot.db.models import User, utcnow
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.limits import RateLimits


@dataclass
class Setup:
    emulator: BotApiEmulator
    transactions: Transactions
    bot: Bot


@asynccontextmanager
async def against_telegram(database_url: str, user_ids: range) -> AsyncIterator[Setup]:
    emulator = BotApiEmulator(rate_limits=RateLimits.telegram())
    await emulator.start()
    engine = create_engine(database_url)
    await migrate(engine)
    transactions = Transactions(engine)
    for user_id in user_ids:
        emulator.add_user(user_id, f"Warga {user_id}")
    async with transactions.begin() as session:
        await session.execute(insert(User), [dict(id=i, first_name="Warga", reachable=True, lookups=0, created_at=utcnow())
                                             for i in user_ids])
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot")
    await bot.initialize()
    try:
        yield Setup(emulator, transactions, bot)
    finally:
        await bot.shutdown()
        await engine.dispose()
        await emulator.stop()

"""Group commit of "sent" marks: every message is recorded as sent before its chat's next one goes out,
but the marks of many chats share one transaction, so a busy sender commits a few times a second
instead of once per message (on SQLite every commit takes the single writer)."""

from __future__ import annotations

import asyncio

from bot.db import Transactions
from bot.delivery import claiming
from bot.delivery.outbox import Claim


class SentMarks:
    def __init__(self, transactions: Transactions) -> None:
        self._transactions = transactions
        self._waiting: list[tuple[list[Claim], asyncio.Future]] = []
        self._flushing: asyncio.Task | None = None

    def mark(self, claims: list[Claim]) -> asyncio.Future:
        """Record the claims as sent; the future is done once that is committed."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((claims, done))
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush())
        return done

    async def flushed(self) -> None:
        """Wait until every mark asked for so far is committed. For shutdown: a flush cut off by the end of the
        event loop leaves its messages unmarked (sent again after a restart) and its connection half-closed,
        which aiosqlite may never finish closing, so the loop's own shutdown waits for ever."""
        while self._flushing is not None:
            await asyncio.shield(self._flushing)

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    async with self._transactions.one_statement() as connection:
                        await claiming.mark_all_sent(connection, [claim for claims, _done in batch for claim in claims])
                except Exception as error:  # each waiter sees the failure, as if it had committed alone
                    for _claims, done in batch:
                        if not done.done():  # a waiter may have been cancelled (shutdown)
                            done.set_exception(error)
                else:
                    for _claims, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._flushing = None

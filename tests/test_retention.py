"""What the outbox keeps: the text of a message only as long as a retry may need it (OUTBOX_KEEP_DAYS), then the
retention job, run once per cluster, forgets it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.config import ConfigError, Settings
from bot.db import Transactions
from bot.db.models import OutboxMessage, User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Text, to_payload
from bot.jobs import retention

import pytest

SECRET = "Kepala dinas meminta uang pelicin (laporan rahasia)"


async def test_settled_messages_lose_their_text_after_the_keep_period_and_pending_ones_never(engine):
    transactions = Transactions(engine)
    long_ago, lately = utcnow() - timedelta(days=8), utcnow() - timedelta(days=1)
    rows = {  # what each row is: (state, written and settled at)
        "sent long ago": (outbox.SENT, long_ago), "sent lately": (outbox.SENT, lately),
        "refused long ago": (outbox.FAILED, long_ago), "withdrawn long ago": (outbox.WITHDRAWN, long_ago),
        "held long ago": (outbox.HELD, long_ago), "pending long ago": (outbox.PENDING, long_ago),
    }
    async with transactions.begin() as session:
        session.add(User(id=7, first_name="Warga", lookups=0))
        await session.flush()
        for name, (state, at) in rows.items():
            session.add(OutboxMessage(chat_id=7, user_id=7, kind=outbox.MESSAGE, payload=to_payload(Text(f"{name}: {SECRET}")),
                                      priority=0, state=state, attempts=1, created_at=at, next_attempt_at=at,
                                      sent_at=at if state == outbox.SENT else None))

    forgotten = await retention.run_once(transactions, timedelta(days=7), holder="worker-a")
    assert (forgotten.deleted, forgotten.emptied) == (1, 2)
    assert await retention.run_once(transactions, timedelta(days=7), holder="worker-b") is None, "once per cluster"
    async with transactions.sessions() as session:
        kept = {row.payload["text"].split(":")[0] if row.payload else row.state: row.state
                for row in await session.scalars(select(OutboxMessage))}
    assert kept == {"sent lately": outbox.SENT, "held long ago": outbox.HELD, "pending long ago": outbox.PENDING,
                    outbox.FAILED: outbox.FAILED, outbox.WITHDRAWN: outbox.WITHDRAWN}, kept


def test_the_keep_period_is_configured_in_days():
    assert Settings.from_env({}).outbox_keep_days == 7
    assert Settings.from_env({"OUTBOX_KEEP_DAYS": "30"}).outbox_keep_days == 30
    with pytest.raises(ConfigError, match="OUTBOX_KEEP_DAYS"):
        Settings.from_env({"OUTBOX_KEEP_DAYS": "0"})

"""Delivers the outbox (``notifications``) to the reporters' chats.

Rows are written in the same transaction as the change they announce; this sender drains them, so a
crash in between delays a message but never loses it. Each chat's messages go out in order: while an
earlier one waits for a retry, later ones for that chat wait too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.db import Transactions
from bot.db.models import Notification, Report, ReportEvent, User, utcnow

log = logging.getLogger(__name__)

PENDING, SENT, UNREACHABLE = "pending", "sent", "unreachable"
MAX_BACKOFF = timedelta(hours=1)
BATCH = 100

# Renders a notification as the text the user reads: (notification, report, event, user) -> text.
Renderer = Callable[[Notification, Report, ReportEvent | None, User], str]
Send = Callable[[int, str], Awaitable[object]]


class OutboxSender:
    def __init__(self, transactions: Transactions, send: Send, render: Renderer, poll_seconds: float = 2.0) -> None:
        self._transactions = transactions
        self._send = send
        self._render = render
        self._poll_seconds = poll_seconds

    async def run_forever(self) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception:  # a database hiccup must not end the sender
                log.exception("outbox delivery failed; trying again")
            await asyncio.sleep(self._poll_seconds)

    async def deliver_due(self) -> int:
        """Send every notification that is due; returns how many went out."""
        async with self._transactions.sessions() as session:
            statement = select(Notification.id, Notification.chat_id, Notification.next_attempt_at).where(
                Notification.state == PENDING
            )
            pending = (await session.execute(statement.order_by(Notification.id).limit(BATCH))).all()
        waiting_chats: set[int] = set()
        sent = 0
        for notification_id, chat_id, due in pending:
            if chat_id in waiting_chats or due > utcnow():
                waiting_chats.add(chat_id)
                continue
            if await self._deliver(notification_id):
                sent += 1
            else:
                waiting_chats.add(chat_id)
        return sent

    async def _deliver(self, notification_id: int) -> bool:
        async with self._transactions.begin() as session:
            statement = select(Notification).where(Notification.id == notification_id, Notification.state == PENDING)
            notification = (await session.execute(statement.with_for_update(skip_locked=True))).scalar_one_or_none()
            if notification is None:
                return True  # another process has it
            user = await session.get(User, notification.user_id)
            report = await session.get(Report, notification.report_id) if notification.report_id else None
            event = await session.get(ReportEvent, notification.event_id) if notification.event_id else None
            try:
                await self._send(notification.chat_id, self._render(notification, report, event, user))
            except RetryAfter as error:
                _postpone(notification, error, _seconds(error.retry_after), count_attempt=False)
            except (Forbidden, BadRequest) as error:
                # Blocked, or the chat is gone: retrying would never succeed.
                notification.state, notification.last_error = UNREACHABLE, str(error)
                user.reachable = False
                log.info("notification %s: chat unreachable (%s)", notification.id, error)
            except (TelegramError, OSError) as error:
                _postpone(notification, error, min(5 * 2**notification.attempts, MAX_BACKOFF.total_seconds()))
            else:
                notification.state, notification.sent_at = SENT, utcnow()
                notification.attempts += 1
                return True
            return False


def _postpone(notification: Notification, error: Exception, seconds: float, count_attempt: bool = True) -> None:
    notification.attempts += count_attempt
    notification.next_attempt_at = utcnow() + timedelta(seconds=seconds)
    notification.last_error = f"{type(error).__name__}: {error}"
    log.warning("notification %s postponed %.0fs: %s", notification.id, seconds, notification.last_error)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)

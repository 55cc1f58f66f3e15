"""The broadcast job: every second, in the one process holding its lease, queue the next recipients of each
sending broadcast whose copies in the outbox run low (the outbox sends them at the bulk pace), and edit
each admin's progress message every few seconds until the broadcast is settled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Transactions
from bot.db.models import Broadcast, User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Outgoing
from bot.i18n import Translator
from bot.jobs import lease
from bot.jobs.deadlines import HOLDER
from bot.jobs.rounds import every
from bot.notices.announcements import progress_view, renderer
from bot.services import broadcasts


JOB = "broadcast-queue"
EVERY_SECONDS = 1.0
LEASE = timedelta(seconds=30)
WINDOW = 200  # copies waiting in the outbox before the next batch is queued: seconds of sending at bulk pace

RenderFor = Callable[[Broadcast], broadcasts.Render]
ShowProgress = Callable[[Broadcast, broadcasts.Progress, str | None], Outgoing]  # the edit, in the admin's locale


async def run_once(transactions: Transactions, render_for: RenderFor, default_locale: str, *, holder: str = HOLDER,
                   window: int | None = None, batch: int | None = None, show_progress: ShowProgress | None = None) -> int | None:
    """Queue what is due, and the admins' progress edits; how many messages, or None when another process
    holds the lease."""
    window, batch = window or WINDOW, batch or broadcasts.BATCH
    async with transactions.begin() as session:
        if not await lease.take(session, JOB, holder, LEASE, utcnow()):
            return None
        queued = 0
        for broadcast in await broadcasts.sending(session):
            if await broadcasts.waiting_copies(session, broadcast.id) < window:
                queued += await broadcasts.queue_next(session, broadcast, render_for(broadcast), default_locale, batch)
        return queued + await _show_progress(session, show_progress)


async def _show_progress(session: AsyncSession, show: ShowProgress | None) -> int:
    """Edit each admin's progress message that is due; the last edit, once all is settled, has no buttons."""
    if show is None:
        return 0
    now = utcnow()
    due = await broadcasts.progress_due(session, now)
    for broadcast in due:
        shown = await broadcasts.progress(session, broadcast)
        broadcast.progress_final, broadcast.progress_shown_at = broadcasts.settled(broadcast, shown), now
        locale = await session.scalar(select(User.locale).where(User.id == broadcast.created_by))
        await outbox.enqueue(session, broadcast.progress_chat_id, show(broadcast, shown, locale),
                             replace_key=f"broadcast-progress:{broadcast.id}")
    return len(due)


async def run_forever(transactions: Transactions, translator: Callable[[str | None], Translator], default_locale: str,
                      kick: Callable[[], None], *, bulk_per_second: float | None = None, holder: str = HOLDER) -> None:
    """Queue the copies for good; with ``bulk_per_second`` (the pace the time left is estimated at), the admins'
    progress messages too."""
    render_for = renderer(translator)
    show_progress = progress_view(translator, bulk_per_second) if bulk_per_second else None
    await every(EVERY_SECONDS, lambda: run_once(transactions, render_for, default_locale, holder=holder,
                                                show_progress=show_progress),
                "queuing broadcasts failed; trying again", kick)

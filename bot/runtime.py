"""The bot without a messenger: the services the turns reach (database, routing, outbox, inbox) built around any
channel's transport, and the background work a process runs (sending, housekeeping, announcements). Telegram's
application (bot.app) is one user; a channel with no Bot API at all (the tests' in-memory channel) is another."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.db import Transactions
from bot.delivery import senders
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Delivery
from bot.delivery.transport import Transport
from bot.i18n import Translator
from bot.inbox.dispatcher import InboxDispatcher
from bot.inbox.store import Stored
from bot.jobs.forwarding import ForwardingJob
from bot.jobs import broadcasts as broadcast_job, deadlines as deadline_job, files as file_job
from bot.jobs import retention as retention_job
from bot.services import contacts, subscriptions
from bot.services.conversations import locale_of
from bot.services.notices import Notices
from bot.web.metrics import Metrics
from bot.web.operations import Operations
from routing.engine import Router

log = logging.getLogger(__name__)

# What the inbox does with a stored update (read it and run its turn), and with one given up (apologise);
# only a channel that stores updates (a receiver) has any.
Process = Callable[["Services", Stored], Awaitable[None]]
GiveUp = Callable[["Services", dict], Awaitable[None]]


@dataclass
class Services:
    """What handlers reach through ``turn.services``."""

    settings: Settings
    engine: AsyncEngine
    transactions: Transactions
    router: Router
    delivery: Delivery
    inbox: InboxDispatcher
    operations: Operations
    # Called with each update's id once its turn is over, failed or not (the sandbox's clients wait on it).
    handled: list[Callable[[int], Awaitable[None]]] = field(default_factory=list)

    @property
    def sessions(self) -> async_sessionmaker:
        """For reads; changes go through ``transactions.begin()``."""
        return self.transactions.sessions

    async def translator_of(self, user_id: int) -> Translator:
        """The translator in a known person's language (the default for a stranger)."""
        async with self.sessions() as session:
            return self.settings.translator(await locale_of(session, user_id))

    @property
    def notices(self) -> Notices:
        """What a state change needs to tell everyone it concerns."""
        return Notices(self.router.directory, self.settings.translator, self.settings.forwarding)


async def _nothing_stored(services: Services, item: Any) -> None:
    log.warning("an update was stored for a channel that reads none; left alone")


def build_services(settings: Settings, transactions: Transactions, engine: AsyncEngine, router: Router,
                   transport: Transport, *, channel_answers: Callable[[], Awaitable[object]],
                   process: Process = _nothing_stored, give_up: GiveUp = _nothing_stored,
                   pacing: Pacing | None = None, channel_pacing: dict[str, Pacing] | None = None) -> Services:
    """The services around ``transport`` (the outbox sends through it). ``channel_answers`` raises when the
    channel cannot be reached (the health check); ``process`` and ``give_up`` are the inbox's, for a channel
    whose receiver stores its updates."""
    metrics = Metrics()
    delivery = Delivery(
        transactions, transport, settings.translator,
        pacing=pacing or Pacing(per_second=settings.delivery_rate, paid_per_second=settings.paid_broadcast_rate),
        lease=timedelta(seconds=settings.delivery_lease_seconds), metrics=metrics,
        on_blocked=subscriptions.blocked_found,  # delivery holds the chat; its announcements end
        channel_pacing=channel_pacing, channel_of=contacts.channel_by_id,  # each channel's own budget
    )

    async def process_stored(item: Stored) -> None:
        await process(services, item)

    async def give_up_stored(payload: dict) -> None:
        await give_up(services, payload)

    dispatcher = InboxDispatcher(transactions, process_stored, give_up_stored, metrics=metrics,
                                 order_wait=settings.inbox_order_wait)
    operations = Operations(transactions, channel_answers, metrics)
    services = Services(settings, engine, transactions, router, delivery, dispatcher, operations)
    return services


class ProcessRole(StrEnum):
    """What a process does (Procfile): ``web`` receives and handles updates (a turn's replies go out right after
    its commit); ``worker`` sends what waits and runs the scheduled jobs (each once per cluster, by lease);
    ``all`` is both, the one-process default."""

    ALL = "all"
    WEB = "web"
    WORKER = "worker"


@dataclass
class Background:
    """The background work of a running process, and the sender name it holds."""

    tasks: list[asyncio.Task]
    sender: senders.SenderName


async def start_background(services: Services, role: ProcessRole = ProcessRole.ALL,
                           channel_work: tuple[Coroutine, ...] = ()) -> Background:
    """Start the work of ``role``: the inbox for ``web``; sending and the scheduled jobs (retention, deadlines,
    made files, announcements) for ``worker``; both for ``all``. ``channel_work`` (a receiver, say) is the channel's own,
    already chosen for the role."""
    sender = senders.stable_name(role.value, services.settings.database_url)
    await services.delivery.start_as(sender.name)
    work: list[Coroutine] = [services.delivery.heartbeat_forever()]
    if role in (ProcessRole.ALL, ProcessRole.WEB):
        work.append(services.inbox.run_forever())
    if role in (ProcessRole.ALL, ProcessRole.WORKER):
        # The jobs' leases are held under the process's name: started again, it takes its own back at once.
        holder, kick = sender.name, services.delivery.kick
        work += [services.delivery.run_forever(),
                 retention_job.run_forever(services.transactions, timedelta(days=services.settings.outbox_keep_days),
                                           holder=holder),
                 deadline_job.run_forever(services.transactions, services.notices, kick, holder=holder),
                 file_job.run_forever(services.transactions, kick, holder=holder),
                 broadcast_job.run_forever(services.transactions, services.settings.translator,
                                           services.settings.default_locale, kick, holder=holder,
                                           bulk_per_second=services.delivery.bulk_per_second)]
        if services.settings.forwarding.targets:
            work.append(ForwardingJob(services.transactions, services.settings.forwarding, services.notices, kick,
                                      holder).run_forever())
    work += channel_work
    loop = asyncio.get_running_loop()
    return Background([loop.create_task(coroutine) for coroutine in work], sender)


async def stop_background(services: Services, background: Background) -> None:
    """Cancel the work, let what is being handled finish, record what went out, and free the sender name."""
    for task in background.tasks:
        task.cancel()
    await asyncio.gather(*background.tasks, return_exceptions=True)
    await services.inbox.idle()
    await services.delivery.close()
    background.sender.release()

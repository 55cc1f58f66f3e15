"""Hands stored updates to the application: once each, in order per chat, chats side by side.

Fresh updates come straight from the receiver, which waits for their turns (each stores its update as
handled) and then stores what is left; a periodic scan of the table picks
up the rest (after a restart, a retry that is due, another process's leftovers). A chat whose oldest
pending update waits for a retry waits as a whole, so that its updates never overtake each other.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.db import Transactions
from bot.inbox import store
from bot.inbox.order import Arrivals
from bot.inbox.handling import Acknowledgement, Handling, ReceiverLink, current_handling, until_one_needs_storing
from bot.inbox.store import Stored
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

RETRY_DELAYS = (timedelta(seconds=1), timedelta(seconds=5))  # then the update is given up
SCAN_LIMIT = 500
# How long a receiver waits for fresh updates' turns before storing the rest itself (Telegram's
# confirmation waits as long): a turn stores its own update, so the usual update needs no store of its own.
STORE_PATIENCE_SECONDS = 0.5
# How long a chat's update waits for a lower update id that has not arrived yet (see bot.inbox.order);
# INBOX_ORDER_WAIT sets it.
ORDER_WAIT_SECONDS = 1.5


Process = Callable[[Stored], Awaitable[None]]
# What a receiver completes its rows with, in the transaction that stores them (WhatsApp's chat ids).
Prepare = Callable[[Any, list[Stored]], Awaitable[list[Stored]]]
GiveUp = Callable[[dict], Awaitable[None]]


class NotYet(LookupError):
    """What an update speaks of is not there (yet): a receipt for a message whose id the sender has not recorded
    yet. Tried again as any failure is; when it never comes (a receipt for a message the bot never sent), the
    update is let go, not given up: nobody is owed an answer, and nothing is wrong with the bot."""


class InboxDispatcher:
    def __init__(self, transactions: Transactions, process: Process, give_up: GiveUp,
                 concurrency: int = 32, poll_seconds: float = 1.0, metrics: Metrics | None = None,
                 order_wait: float = ORDER_WAIT_SECONDS) -> None:
        self._transactions, self._process, self._give_up = transactions, process, give_up
        self._metrics = metrics or Metrics()
        self._slots = asyncio.Semaphore(concurrency)
        self._poll_seconds = poll_seconds
        self._queues: dict[object, list[tuple[int, Stored]]] = {}
        self._workers: dict[object, asyncio.Task] = {}
        self._queued: set[int] = set()
        self._fresh: dict[int, ReceiverLink] = {}
        self.arrivals = Arrivals(order_wait)

    async def receive(self, updates: list[Stored], patience: float = STORE_PATIENCE_SECONDS,
                      prepare: Prepare | None = None, answers: bool = False) -> list[Acknowledgement]:
        """Handle fresh updates from a receiver; returns once every one is stored, and only then may Telegram
        be told they arrived. A turn that commits stores its update as handled; after ``patience`` (or
        once the turns are done) the rest are stored as pending, for the scan, a retry or a restart.
        ``answers``: the receiver can carry taps' acknowledgements in its answer; the ones it must carry are
        returned (their turns committed, and leave them to it)."""
        keyed = [item for item in updates if item.message_key is not None]
        if keyed:  # stored first; what was handled already is not handled again
            updates = [item for item in updates if item.message_key is None] + await self._store_keyed(keyed, prepare)
        if not updates:
            return []
        loop = asyncio.get_running_loop()
        stored = loop.create_future()
        fresh = {item.update_id: ReceiverLink(stored, loop.create_future(), answers) for item in updates}
        self.submit(updates, fresh)
        try:
            rest = [item for item in updates if item.message_key is None]
            if rest:  # (the keyed ones are stored already: Meta may hear at once)
                await until_one_needs_storing([link.taken for link in fresh.values()], patience)
                rest = [item for item in rest if not fresh[item.update_id].stored_by_its_turn()]
            for link in fresh.values():  # decided: a turn that commits from now on answers its tap itself
                link.tell(False)
            if rest:
                async with self._transactions.begin() as session:
                    await store.store(session, rest)
        except asyncio.CancelledError:  # shutting down: the handlers waiting for the store go on without it
            stored.cancel()
            raise
        except Exception as error:
            stored.set_exception(error)
            stored.exception()  # the handlers waiting for it see it; none waiting is no reason for a warning
            raise
        stored.set_result(None)
        return [link.acknowledgement for link in fresh.values() if link.acknowledgement is not None]

    async def _store_keyed(self, updates: list[Stored], prepare: Prepare | None) -> list[Stored]:
        """Updates keyed by their channel's own ids (WhatsApp's) are stored before their turns, with their keys:
        a collision moves one to the next free id before any turn claims it (a turn stores no key). Those still
        to handle. ``prepare`` completes them in the same transaction (their chats' ids)."""
        async with self._transactions.begin() as session:
            if prepare is not None:
                updates = await prepare(session, updates)
            return await store.store_keyed(session, updates)

    def submit(self, updates: list[Stored], fresh: dict[int, ReceiverLink] | None = None) -> None:
        """Queue updates for handling (each chat's in update order): stored ones, or the fresh ones of
        ``receive``."""
        for item in updates:
            self.arrivals.arrived(item.update_id, fresh=fresh is not None)
            if item.update_id in self._queued:
                if fresh:  # already on its way (a redelivery): the receiver stores it, if need be
                    fresh[item.update_id].tell(False)
                continue
            if fresh:
                self._fresh[item.update_id] = fresh[item.update_id]
            self._queued.add(item.update_id)
            key = item.chat_id if item.chat_id is not None else ("update", item.update_id)
            heapq.heappush(self._queues.setdefault(key, []), (item.update_id, item))
            if key not in self._workers:
                self._workers[key] = asyncio.get_running_loop().create_task(self._drain(key))

    async def run_forever(self) -> None:
        while True:
            try:
                await self.scan()
            except Exception:  # a database hiccup must not end the dispatcher
                log.exception("inbox scan failed; trying again")
            await asyncio.sleep(self._poll_seconds)

    async def scan(self) -> None:
        """Queue the pending updates that are due, stopping in each chat at the first that is not."""
        async with self._transactions.sessions() as session:
            rows = await store.pending(session, SCAN_LIMIT)
        waiting: set[object] = set()
        ready = []
        for item, due in rows:
            key = item.chat_id if item.chat_id is not None else ("update", item.update_id)
            if not due or key in waiting or key in self._workers:
                waiting.add(key)  # a chat being served here is not re-read: its worker has what it needs
                continue
            ready.append(item)
        self.submit(ready)

    async def idle(self) -> None:
        """Wait until every queued update is handled (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _drain(self, key: object) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._after_earlier_ones(queue)
                _update_id, item = heapq.heappop(queue)
                if not await self._handle(item):
                    for _uid, left in queue:  # the chat waits for the retry; the scan brings them back
                        self._forget(left)
                    queue.clear()
                self._forget(item)
        finally:
            self._queues.pop(key, None)
            self._workers.pop(key, None)

    async def _after_earlier_ones(self, queue: list[tuple[int, Stored]]) -> None:
        """Wait while an update older than the chat's next one is on its way: it may be the chat's (an update
        that arrives meanwhile goes first, if it is older)."""
        head = None
        while queue and queue[0][0] != head:
            head, item = queue[0]
            await self.arrivals.wait_for_earlier(head, self._stored_elsewhere, lambda: self._store_while_waiting(item))

    async def _stored_elsewhere(self, update_ids: list[int]) -> set[int]:
        async with self._transactions.sessions() as session:
            return await store.stored_ids(session, update_ids)

    async def _store_while_waiting(self, item: Stored) -> None:
        """Store a waiting update at once, due only when the wait is over: another process then sees it has
        arrived (and need not wait for it), and its scan leaves the chat alone meanwhile."""
        async with self._transactions.begin() as session:
            await store.store(session, [item], due_in=timedelta(seconds=self.arrivals.wait))

    def _forget(self, item: Stored) -> None:
        self._queued.discard(item.update_id)
        fresh = self._fresh.pop(item.update_id, None)
        if fresh is not None:  # left in a chat that waits: the receiver stores it
            fresh.tell(False)

    async def _handle(self, item: Stored) -> bool:
        """Handle one update; False when the chat must wait (a retry, or an earlier update elsewhere)."""
        handling = Handling(item.update_id, fresh=self._fresh.get(item.update_id))
        token = current_handling.set(handling)
        try:
            async with self._slots:
                with self._metrics.handling_seconds.time():
                    await self._process(item)
        except Exception as error:  # the application reports handler errors itself; this is a failure around them
            handling.error = error
        finally:
            current_handling.reset(token)
        self._metrics.updates.labels("deferred" if handling.deferred else "failed" if handling.error else "handled").inc()
        fresh = self._fresh.get(item.update_id)
        if fresh is not None:
            fresh.tell(handling.claimed and handling.error is None and not handling.deferred)
        if handling.deferred:
            return False
        if (handling.error is not None or not handling.claimed) and not await self._is_stored(item):
            return True  # not confirmed to Telegram either: it comes again
        if handling.error is not None:
            return await self._failed(item, handling.error)
        if not handling.claimed:
            async with self._transactions.begin() as session:
                await store.mark_ignored(session, item.update_id)
        return True

    async def _is_stored(self, item: Stored) -> bool:
        """Wait for the receiver's store of a fresh update (its row is needed to record what became of it)."""
        fresh = self._fresh.get(item.update_id)
        if fresh is not None:
            await asyncio.wait([fresh.stored])
            return not fresh.stored.cancelled() and fresh.stored.exception() is None
        return True

    async def _failed(self, item: Stored, error: BaseException) -> bool:
        async with self._transactions.begin() as session:
            attempts = await store.attempts_of(session, item.update_id)
            retry_in = RETRY_DELAYS[attempts] if attempts < len(RETRY_DELAYS) else None
            let_go = retry_in is None and isinstance(error, NotYet)
            await store.record_failure(session, item.update_id, f"{type(error).__name__}: {error}", retry_in,
                                       store.IGNORED if let_go else store.FAILED)
        if retry_in is not None:
            log.warning("update %s failed (%s); trying again in %s", item.update_id, type(error).__name__, retry_in)
            return False
        if let_go:
            log.info("update %s let go after %d tries: %s", item.update_id, attempts + 1, error)
            return True
        log.error("update %s failed %d times; given up", item.update_id, attempts + 1)
        await self._give_up(item.payload)
        return True

"""Sends the outbox: right after the commit that wrote a message (the fast path), and in the background
for whatever is due later (retries, delayed messages, other processes' leftovers).

No HTTP call is made while a transaction is open: a claim is committed first, the message sent, and its
outcome settled in a transaction of its own. A message is marked sent as soon as it went out (the mark
commits while the chat's next message is sent; an edit's rides with the next message's), so a crash
re-sends at most the messages in flight at that instant: on the wire, or out with their mark not yet
committed; a stop waits for the answers of those on the wire and marks them. A claim lasts longer than the Bot API's
timeout, so a slow answer is never taken for a loss and sent twice; while its sender's heartbeat goes on
(bot.delivery.senders) nobody else takes it, and once that stops, others may within seconds.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Transactions
from bot.db.models import OutboxMessage
from bot.delivery import claiming, outbox, senders
from bot.delivery.marks import SentMarks
from bot.delivery.messages import Edit, Outgoing, from_payload
from bot.delivery.outbox import MESSAGE, STATUS_CHANGED, Claim
from bot.delivery.pacing import ChannelPacers, Pacing
from bot.delivery.settling import Blocked, Outcome, settle_failure
from bot.delivery.transport import Transport
from bot.i18n import Translator
from bot.notices.status import status_renderer
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

KICK_MARGIN_SECONDS = 0.05
Render = Callable[[AsyncSession, OutboxMessage], Awaitable[Outgoing]]


class Delivery:
    def __init__(
        self,
        transactions: Transactions,
        transport: Transport,
        translator: Callable[[str | None], Translator],
        pacing: Pacing = Pacing(),
        lease: timedelta = timedelta(seconds=60),
        poll_seconds: float = 1.0,
        concurrency: int = 16,
        metrics: Metrics | None = None,
        holder: str | None = None,
        on_blocked: Blocked | None = None,
        channel_pacing: dict[str, Pacing] | None = None,
        channel_of: Callable[[int], str | None] | None = None,
    ) -> None:
        """``translator``: a reader's language (None: the default one), for what is rendered when sent."""
        self._metrics = metrics or Metrics()
        self._transactions, self._transport = transactions, transport
        self._renderers: dict[str, Render] = {MESSAGE: _stored, STATUS_CHANGED: status_renderer(translator)}
        self._on_blocked = on_blocked
        self._pacer = ChannelPacers(pacing, channel_pacing, channel_of)
        self._lease, self._poll_seconds = lease, poll_seconds
        self._holder = holder or senders.unique_name()
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._marks = SentMarks(transactions)
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._background_chats: dict[int, asyncio.Event] = {}
        self._releasing: set[asyncio.Task] = set()  # claims given back by senders being cancelled

    # Entry points --------------------------------------------------------------------------------

    async def deliver_chat(self, chat_id: int) -> None:
        """The fast path: send what is due for one chat now, in order (called after a commit)."""
        await self._fast(chat_id, [], then_look_for_more=True)

    async def send_claimed(self, chat_id: int, claims: list[Claim]) -> None:
        """The fastest path: messages the turn's own transaction wrote already claimed (``enqueue(claim_for=...)``)."""
        await self._fast(chat_id, claims, then_look_for_more=False)

    async def _fast(self, chat_id: int, claims: list[Claim], then_look_for_more: bool) -> None:
        try:
            await self._run_chat(chat_id, claims, then_look_for_more)
            background = self._background_chats.get(chat_id)
            if background is not None:  # a background round took this chat's head first: it sends the rest too
                await background.wait()
        except Exception:  # the background sender will try again; the turn itself has succeeded
            log.exception("fast delivery to a chat failed; left to the background sender")
            self.kick()

    async def close(self) -> None:
        """Stopping: wait until what went out is recorded as sent, and what was not tried is given back (the
        senders themselves are cancelled first)."""
        await asyncio.gather(*self._releasing, return_exceptions=True)
        await self._marks.flushed()

    @property
    def lease(self) -> outbox.Lease:
        return outbox.Lease(self._lease, self._holder)

    async def start_as(self, holder: str) -> None:
        """Send under ``holder``, a name this process had before a restart (bot.delivery.senders): what it held
        then is free again at once."""
        self._holder = holder
        async with self._transactions.begin() as session:
            await senders.beat(session, holder)
            taken_back = await claiming.take_back(session, holder)
        if taken_back:
            log.info("took back %d messages this sender held before it was restarted", taken_back)
            self.kick()

    async def heartbeat_forever(self) -> None:
        await senders.heartbeat_forever(self._transactions, self._holder)

    @property
    def bulk_per_second(self) -> float:
        return self._pacer.pacing.bulk_rate

    def kick(self, after: timedelta = timedelta(0)) -> None:
        """Something is due (or will be, ``after`` from now): look then instead of at the next poll."""
        if after > timedelta(0):  # a little late rather than early: the message must be due by then
            asyncio.get_running_loop().call_later(after.total_seconds() + KICK_MARGIN_SECONDS, self._wake.set)
        else:
            self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()  # before the round: a kick during it means look again at once
            try:
                while await self.deliver_due():
                    pass
            except Exception:  # a database hiccup must not end the sender
                log.exception("delivery round failed; trying again")
            try:  # not asyncio.wait_for: on Python 3.11 a stop coming with a kick would be dropped
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def deliver_due(self) -> int:
        """One background round: the due head of many chats, each chat then drained in order.
        Returns how many messages were settled for good (sent, or refused by Telegram)."""
        heads = await self._claim(lambda session: claiming.claim_heads(session, self.lease, self._concurrency * 4),
                                  serving=True)
        # Every chat's outcome is waited for, also when the round is stopped: a plain gather would return at the
        # first chat that stops, while the others still wait for Telegram's answer to what they sent (_send_whole).
        try:
            served = await asyncio.gather(*(self._serve_in_background(head) for head in heads), return_exceptions=True)
        finally:  # a chat whose task was cancelled before it began never ran its own release
            self._release_background(head.chat_id for head in heads)
        if failed := next((outcome for outcome in served if isinstance(outcome, BaseException)), None):
            raise failed
        return sum(served)

    async def _serve_in_background(self, head: Claim) -> int:
        try:
            return await self._run_chat(head.chat_id, [head])
        finally:
            self._release_background([head.chat_id])

    def _release_background(self, chat_ids: Iterable[int]) -> None:
        """These chats are no longer served by a background round: a fast path waiting for one goes on."""
        for chat_id in chat_ids:
            if (served := self._background_chats.pop(chat_id, None)) is not None:
                served.set()

    # One chat ------------------------------------------------------------------------------------

    async def _run_chat(self, chat_id: int, claims: list[Claim], then_look_for_more: bool = True) -> int:
        """Send a chat's due messages in order until none is left or one must wait; returns how many went out.
        In this process one task serves a chat at a time: the fast path waits for a background round
        that is sending to the same chat, then sends what is left."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        async with lock:
            return await self._drain_chat(chat_id, claims, then_look_for_more)

    async def _drain_chat(self, chat_id: int, claims: list[Claim], then_look_for_more: bool) -> int:
        marks: list[asyncio.Future] = []
        try:
            return await self._send_in_order(chat_id, claims, then_look_for_more, marks)
        finally:  # the chat is served until what went out is recorded as sent (a shutdown does not stop that)
            await asyncio.shield(asyncio.gather(*marks))

    async def _send_in_order(self, chat_id: int, claims: list[Claim], then_look_for_more: bool,
                             marks: list[asyncio.Future]) -> int:
        sent = 0
        while True:
            if not claims:
                await asyncio.shield(asyncio.gather(*marks))  # only a chat's head can be claimed: mark what went out
                claims = await self._claim(lambda session: claiming.claim_chat_run(session, chat_id, self.lease))
                if not claims:
                    return sent
            went_out = await self._send_run(claims, marks)
            sent += went_out
            if went_out < len(claims):
                await self._release(claims[went_out + 1 :])
                return sent
            if not then_look_for_more:
                return sent
            claims = []

    async def _send_run(self, claims: list[Claim], marks: list[asyncio.Future]) -> int:
        """Send claims in order until one must wait; returns how many were settled for good (sent, or refused by
        Telegram), which is the index of the one that waits. Each is marked sent while the
        next goes out, except an edit followed by more: sent twice after a crash it changes nothing, so its
        mark rides with the next message's (the reply to a tapped button goes out without waiting for it)."""
        unmarked: list[Claim] = []
        try:
            for index, claim in enumerate(claims):
                try:
                    outcome = await self._deliver(claim)
                except asyncio.CancelledError:  # stopping: the claims not tried go back at once, not after the lease
                    await asyncio.shield(self._release(claims[index + 1 :]))
                    raise
                if outcome is Outcome.SENT:  # (REFUSED: settled as failed; the chat's next ones go on)
                    unmarked.append(claim)
                    if not (isinstance(claim.message, Edit) and index + 1 < len(claims)):
                        marks.append(self._marks.mark(unmarked))
                        unmarked = []
                if asyncio.current_task().cancelling():  # stopped while it went out (_send_whole), and settled
                    await asyncio.shield(self._release(claims[index + 1 :]))
                    raise asyncio.CancelledError
                if outcome is Outcome.WAIT:
                    return index
            return len(claims)
        finally:
            if unmarked:
                marks.append(self._marks.mark(unmarked))

    async def _claim(self, take, serving: bool = False) -> list[Claim]:
        claims: list[Claim] = []
        try:
            async with self._transactions.begin() as session:
                rows = await take(session)
                claims = [claim for row in rows if (claim := await self._render(session, row))]
                if serving:  # known before the claim commits, so that a fast path finding it taken waits for it
                    self._background_chats.update((claim.chat_id, asyncio.Event()) for claim in claims)
                return claims
        except BaseException:  # not committed: nobody serves these chats
            if serving:
                self._release_background(claim.chat_id for claim in claims)
            raise

    async def _render(self, session: AsyncSession, row: OutboxMessage) -> Claim | None:
        try:
            message = await self._renderers[row.kind](session, row)
        except Exception as error:  # a message that cannot be rendered would block its chat for good
            log.exception("outbox message %s cannot be rendered", row.id)
            row.state, row.last_error, row.claimed_until = outbox.FAILED, f"render: {error!r}"[:2000], None
            return None
        return Claim.of(row, message)

    async def _deliver(self, claim: Claim) -> Outcome:
        """Send one message, or settle its failure. Stopped before the send, its claim is given back."""
        try:
            paid = claim.broadcast and self._pacer.pacer_of(claim.chat_id).pacing.paid
            await self._pacer.wait(claim.chat_id, claim.priority, paid)  # waiting for the rate holds no slot
            await self._slots.acquire()
        except asyncio.CancelledError:
            await asyncio.shield(self._release([claim]))
            raise
        try:
            await self._send_whole(claim, paid)
        except Exception as error:
            return await settle_failure(self._transactions, self._metrics, self._on_blocked, claim, error)
        finally:
            self._slots.release()
        self._metrics.delivery.labels("sent").inc()
        return Outcome.SENT

    async def _send_whole(self, claim: Claim, paid: bool) -> None:
        """A send the sender is stopped in the middle of is carried to its end: the request is on its way, and only
        its answer says whether the message went out. Settled as any other, it is not sent again after a restart;
        the caller stops after it (its task is still being cancelled)."""
        sending = asyncio.ensure_future(self._transport.send(claim.chat_id, claim.message, paid, claim.envelope))
        try:
            await asyncio.shield(sending)
        except asyncio.CancelledError:
            await asyncio.wait([sending])
            sending.result()

    async def _release(self, claims: list[Claim]) -> None:
        if claims:  # a task of its own, which a cancelled sender's shield leaves running and close waits for
            releasing = asyncio.ensure_future(self._give_back(claims))
            self._releasing.add(releasing)
            releasing.add_done_callback(self._releasing.discard)
            await releasing

    async def _give_back(self, claims: list[Claim]) -> None:
        async with self._transactions.begin() as session:
            await claiming.release(session, claims)


async def _stored(session: AsyncSession, row: OutboxMessage) -> Outgoing:
    return from_payload(row.payload)

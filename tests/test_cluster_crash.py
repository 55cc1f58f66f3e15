"""kill -9 in a cluster (issue 14): two ``web`` processes sharing the webhook port and two ``worker`` processes on
one PostgreSQL database; one web and one worker are killed with SIGKILL mid-turn, mid-delivery, mid-broadcast
and mid-deadline-sweep, then restarted. Each test proves that nothing is lost (every reply, message,
announcement and alert reaches its chat, in order per chat, and no update or message is left waiting or
failed) and that nothing is done twice beyond the messages in flight at the instant of the kill: out in a chat
but not yet marked sent in the outbox, the only ones a restart may repeat. Each prints its counts.

The emulator posts a webhook again until a web process answers 200, as Telegram does, so an update in the
hands of a killed web process comes again to the other one; here it opens a connection per post, so that the
kernel spreads them between the two web processes. The subprocesses shorten the
jobs' leases and batches (module constants, not settings) so that a sweep or a broadcast spans several rounds
and a dead holder's lease runs out in seconds, and log each inbox claim so that both web processes are seen
handling updates.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bench.harness import processes
from bot.db.models import OutboxMessage, Report, StaffRole, Subscription, User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.services import broadcasts
from tests.conftest import eventually
from tests.kit.client import Citizen
from tests.kit.cluster import CITIZENS, Cluster, Kill
from tests.kit.faults import Fault, inject
from tests.test_crash import ROUNDS, SLOW_SEND
from tests.test_staff_inbox import add_report


@pytest.fixture
async def cluster(emulator, database_url, tmp_path):
    async for running in _cluster(emulator, database_url, tmp_path):
        yield running


@pytest.fixture
async def cluster_default_lease(emulator, database_url, tmp_path):
    """The cluster with DELIVERY_LEASE_SECONDS at its default, 60."""
    async for running in _cluster(emulator, database_url, tmp_path, lease_seconds=""):
        yield running


async def _cluster(emulator, database_url, tmp_path, lease_seconds: str = "6"):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs the bot as one process (tests/test_crash.py kills that one); a cluster needs PostgreSQL")
    running = Cluster(emulator, database_url, tmp_path, lease_seconds)
    try:
        await asyncio.to_thread(processes.migrate, tmp_path, running.env)  # the release step
        await running.start("web-a", "web-b", "worker-a", "worker-b")
        yield running
    finally:
        await running.stop()


def _report(scenario: str, kill: Kill, emulator, expected: int) -> None:
    duplicates = emulator.stats.duplicates()
    print(f"\n{scenario}: {kill.sent} sent before the kill, {kill.on_the_wire} on the wire, {kill.in_flight} out but "
          f"not marked, {kill.waiting_updates} updates waiting; {len(duplicates)} duplicated, "
          f"{len(emulator.stats.sent)} sent in all ({expected} expected)")
    assert 0 < kill.sent < expected, "the kill came mid-way"
    assert len(duplicates) <= kill.in_flight, "only what was in flight at the kill is repeated"
    assert len(emulator.stats.sent) == expected + len(duplicates), "nothing lost, nothing else repeated"


def _in_order(messages: list[dict], expected: list[str]) -> bool:
    unique = list(dict.fromkeys(message.get("text", "") for message in messages))  # a duplicate repeats in place
    return len(unique) == len(expected) and all(part in text for part, text in zip(expected, unique))


async def _queue_slow_notices(cluster, emulator, chats: list[int], notices: list[str]) -> None:
    """Notifications to each chat, queued for the workers, sent slowly so that a kill finds some on the wire."""
    inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
    async with cluster.transactions.begin() as session:
        for chat in chats:
            emulator.add_user(chat, "Warga")
            session.add(User(id=chat, first_name="Warga", lookups=0))
        await session.flush()
        for text in notices:
            for chat in chats:
                await outbox.enqueue(session, chat, Text(text), priority=outbox.Priority.NOTIFICATION)


async def test_kill_9_mid_turn(cluster, emulator):
    citizens = [Citizen(emulator, 6_300_000 + index, f"Warga {index}") for index in range(CITIZENS)]
    await cluster.say(citizens, ROUNDS[0][0])
    await eventually(lambda: all(citizen.messages for citizen in citizens), timeout=30)
    inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
    async with cluster.engine.begin() as connection:  # half the citizens' turns stay open: their rows are locked
        held = [citizen.user_id for citizen in citizens[::2]]
        await connection.execute(select(User.id).where(User.id.in_(held)).with_for_update())
        for command, _reply in ROUNDS[1:3]:
            await cluster.say(citizens, command)
        await asyncio.sleep(SLOW_SEND / 2)  # the other half's replies are on the wire
        kill = await cluster.kill_9("web-a", "worker-a")
    await cluster.say(citizens[:CITIZENS // 2], ROUNDS[3][0])  # while they are down: web-b alone takes these
    await cluster.start("web-a", "worker-a")
    await cluster.say(citizens[CITIZENS // 2:], ROUNDS[3][0])
    await eventually(lambda: all(_in_order(c.messages, [reply for _, reply in ROUNDS]) for c in citizens), timeout=90)
    await cluster.settled()

    claims = {name: cluster.claims(name) for name in ("web-a", "web-b")}
    print(f"\ninbox claims: {claims}")
    _report("kill -9 mid-turn", kill, emulator, CITIZENS * len(ROUNDS))
    assert kill.waiting_updates > 0, "turns were open at the kill"
    assert all(outcomes["claimed"] > 0 for outcomes in claims.values()), "both web processes handled updates"
    for citizen in citizens:
        assert _in_order(citizen.messages, [reply for _, reply in ROUNDS]), [m.get("text") for m in citizen.messages]


async def test_kill_9_mid_delivery(cluster, emulator):
    chats = [6_400_000 + index for index in range(96)]  # more than one claim of heads: both workers send
    citizens = [Citizen(emulator, 6_410_000 + index, f"Warga {index}") for index in range(CITIZENS)]
    notices = ["Pemberitahuan pertama", "Pemberitahuan kedua"]
    await _queue_slow_notices(cluster, emulator, chats, notices)  # the workers send these
    await eventually(lambda: len(emulator.stats.sent) >= 40, timeout=60)
    await cluster.say(citizens, ROUNDS[1][0])  # the web processes send these replies right after each turn
    await asyncio.sleep(0.3)
    kill = await cluster.kill_9("web-a", "worker-a")
    await cluster.start("web-a", "worker-a")
    await eventually(lambda: all(_in_order(emulator.bot_messages(chat), notices) for chat in chats)
                     and all(citizen.messages for citizen in citizens), timeout=90)
    await cluster.settled()

    _report("kill -9 mid-delivery", kill, emulator, len(chats) * len(notices) + CITIZENS)
    assert all(_in_order(emulator.bot_messages(chat), notices) for chat in chats), "each chat's messages in order"
    assert all(_in_order(citizen.messages, [ROUNDS[1][1]]) for citizen in citizens)


async def test_kill_9_mid_broadcast(cluster, emulator):
    subscribers = [6_500_000 + index for index in range(40)]
    async with cluster.transactions.begin() as session:
        for user_id in subscribers:
            emulator.add_user(user_id, "Warga")
            session.add(User(id=user_id, first_name="Warga", lookups=0))
        await session.flush()
        session.add_all(Subscription(user_id=user_id, regency_code=None, topics=["lapor"]) for user_id in subscribers)
    inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
    async with cluster.transactions.begin() as session:
        await broadcasts.start(session, 1, broadcasts.Audience(), "Survei kepuasan layanan dibuka.", "id")
    await eventually(lambda: len(emulator.stats.sent) >= 8, timeout=60)
    holder = await cluster.lease_holder("broadcast-queue")
    assert holder, "a worker holds the broadcast job's lease"
    async with cluster.transactions.sessions() as session:
        queued = await session.scalar(select(func.count()).where(OutboxMessage.broadcast_id.is_not(None)))
    kill = await cluster.kill_9("web-a", holder)
    await eventually(lambda: cluster.lease_holder("broadcast-queue"), timeout=30)  # the other worker takes over
    taken_over_by = await cluster.lease_holder("broadcast-queue")
    await cluster.start("web-a", holder)
    await eventually(lambda: {sent.chat_id for sent in emulator.stats.sent} >= set(subscribers), timeout=90)
    await cluster.settled()

    print(f"\nthe broadcast lease: {holder} killed with {queued} of {len(subscribers)} copies queued, "
          f"{taken_over_by} took over")
    _report("kill -9 mid-broadcast", kill, emulator, len(subscribers))
    assert queued < len(subscribers), "the kill came while the broadcast was being queued"


async def test_kill_9_mid_deadline_sweep(cluster, emulator):
    admins = [6_600_000 + index for index in range(6)]
    async with cluster.transactions.begin() as session:  # national admins hear of every overdue report
        for user_id in admins:
            emulator.add_user(user_id, "Admin")
            session.add_all([User(id=user_id, first_name="Admin", lookups=0),
                             StaffRole(user_id=user_id, role="national_admin", agency_code=None)])
    inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
    overdue = datetime.now(UTC) - timedelta(days=30)  # past the top escalation level: the national admins
    database = SimpleNamespace(sessions=cluster.transactions.sessions)
    reports = [await add_report(database, status="assigned", due_kind="first_answer", due_at=overdue) for _ in range(8)]
    await eventually(lambda: len(emulator.stats.sent) >= 3, timeout=60)
    holder = await cluster.lease_holder("deadline-sweep")
    assert holder, "a worker holds the sweep's lease"
    kill = await cluster.kill_9("web-a", holder)
    async with cluster.transactions.sessions() as session:
        swept = await session.scalar(select(func.count()).select_from(Report).where(Report.escalation_level > 0))
    await eventually(lambda: cluster.lease_holder("deadline-sweep"), timeout=30)  # after the dead one's lease ran out
    taken_over_by = await cluster.lease_holder("deadline-sweep")
    await cluster.start("web-a", holder)

    def alerted(admin: int) -> set[str]:
        return {tracking_id for tracking_id in reports
                if any(tracking_id in message.get("text", "") for message in emulator.bot_messages(admin))}

    await eventually(lambda: all(alerted(admin) == set(reports) for admin in admins), timeout=90)
    await cluster.settled()

    print(f"\nthe sweep lease: {holder} killed with {swept} of {len(reports)} reports swept, {taken_over_by} took over")
    _report("kill -9 mid-deadline-sweep", kill, emulator, len(admins) * len(reports))
    assert 0 < swept < len(reports), "the kill came mid-sweep"


async def test_kill_9_a_dead_workers_claims_are_taken_over_within_seconds(cluster_default_lease, emulator):
    """With the default 60 s lease, worker-b sends what worker-a had claimed once worker-a's heartbeat stops,
    without worker-a coming back."""
    cluster = cluster_default_lease
    chats = [6_700_000 + index for index in range(96)]  # more than one claim of heads: both workers hold some
    notices = ["Pemberitahuan pertama", "Pemberitahuan kedua"]
    await _queue_slow_notices(cluster, emulator, chats, notices)
    await eventually(lambda: len(emulator.stats.sent) >= 20, timeout=60)
    async with cluster.transactions.sessions() as session:
        holders = dict((await session.execute(select(OutboxMessage.claimed_by, func.count()).where(
            OutboxMessage.state == outbox.PENDING, OutboxMessage.claimed_until.is_not(None)).group_by(OutboxMessage.claimed_by))).all())
    kill = await cluster.kill_9("worker-a")
    killed_at = time.monotonic()
    await eventually(lambda: all(_in_order(emulator.bot_messages(chat), notices) for chat in chats), timeout=40)
    taken_over_in = time.monotonic() - killed_at
    await cluster.settled()

    print(f"\nclaims per sender at the kill: {holders}; all sent {taken_over_in:.1f} s after worker-a was killed")
    _report("kill -9 of a worker, not restarted", kill, emulator, len(chats) * len(notices))
    assert len([name for name in holders if ":worker:" in (name or "")]) == 2, "both workers held claims"
    assert taken_over_in < 20, "the dead worker's claims were taken within seconds, not after its 60 s lease"

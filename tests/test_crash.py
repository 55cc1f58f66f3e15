"""kill -9 in the middle of handling and sending: after a restart nothing is lost, order per chat holds,
and the only duplicates are messages that were on the wire at the instant of the kill."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from bench.harness import processes
from tests.conftest import eventually
from tests.harness import free_port
from tests.kit.client import Citizen
from tests.kit.faults import Fault, fault_plan, inject

ROUNDS = [("/start", "SP4N-LAPOR!"), ("/bantuan", "/laporanku"), ("/laporanku", "belum pernah"), ("/bahasa", "Pilih bahasa")]
SLOW_SEND = 1.5  # every answer to sendMessage comes this late, so that sends are on the wire when the bot dies
# After its answer arrives, a send is on its way into the bot's records (read, then committed as sent), a moment
# that stretches on a busy machine: a kill within it repeats the send too, as at-least-once delivery must.
RECORDING = 1.0
CITIZENS = 12


def _start_bot(emulator, database_url: str, tmp_path, lease_seconds: str | None = "6",
               more_env: dict[str, str] | None = None, prelude: str = "") -> processes.Launched:
    """``lease_seconds``: DELIVERY_LEASE_SECONDS (None: the default, 60); ``more_env``: another channel's;
    ``prelude``: Python run before the bot (to shorten a module's constant)."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "DELIVERY_LEASE_SECONDS": lease_seconds or "",
        "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()),  # its health page's: tests side by side must not meet on 8080
        **(more_env or {}),
    }
    env.pop("WEBHOOK_URL", None)
    command = ["-c", f"{prelude}\nimport sys; from bot.cli import main; sys.exit(main(['run']))"]
    return processes.launch(command, tmp_path, env, tmp_path / "bot.log", forked=processes.FORKED)


async def _kill_9(emulator, process: processes.Launched) -> tuple[int, int]:
    """Kill the bot; how many messages were on the wire (not yet answered, or answered but not yet recorded by the
    bot: not sent as far as it knows), and how many had been sent. The slow answers stop, for the restart."""
    process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    process.wait()
    await asyncio.sleep(0.3)  # a request the bot wrote just before it died still reaches the emulator: count it
    on_the_wire = sum(1 for sent_at in emulator.stats.sent_at if killed_at - sent_at < SLOW_SEND + RECORDING)
    fault_plan(emulator).clear()
    return on_the_wire, len(emulator.stats.sent)


async def _started(emulator, process: processes.Launched, calls_before: int) -> None:
    await eventually(lambda: emulator.stats.calls["getUpdates"] > calls_before or process.poll() is not None, timeout=60)
    assert process.poll() is None, "the bot did not start"


async def test_kill_9_loses_nothing_and_duplicates_only_what_was_in_flight(emulator, database_url, tmp_path):
    citizens = [Citizen(emulator, 6_100_000 + index, f"Warga {index}") for index in range(CITIZENS)]
    process = _start_bot(emulator, database_url, tmp_path)
    try:
        await _started(emulator, process, 0)
        inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
        for command, _expected in ROUNDS[:3]:
            for citizen in citizens:
                await emulator.user_sends_text(citizen.user_id, command)
        await asyncio.sleep(SLOW_SEND + RECORDING + 1.0)  # first replies through, more being sent, updates waiting
        on_the_wire, sent_before_kill = await _kill_9(emulator, process)
        for citizen in citizens:  # typed while the bot is down: waits as a pending update
            await emulator.user_sends_text(citizen.user_id, ROUNDS[3][0])

        calls = emulator.stats.calls["getUpdates"]
        process = _start_bot(emulator, database_url, tmp_path)
        await _started(emulator, process, calls)
        await eventually(lambda: all(len(c.messages) >= len(ROUNDS) for c in citizens), timeout=60)
        await asyncio.sleep(1.0)
    finally:
        process.kill()
        process.wait()

    duplicates = emulator.stats.duplicates()
    print(f"kill -9: {sent_before_kill} sent before the kill, {on_the_wire} on the wire, "
          f"{len(duplicates)} duplicated, {len(emulator.stats.sent)} sent in all")
    assert sent_before_kill > 0 and sent_before_kill < CITIZENS * len(ROUNDS), "the kill came mid-way"
    assert len(duplicates) <= on_the_wire
    for citizen in citizens:
        texts = [message["text"] for message in citizen.messages]
        unique = list(dict.fromkeys(texts))  # a duplicate repeats an earlier reply in place
        assert len(unique) == len(ROUNDS), texts
        assert all(expected in text for (_command, expected), text in zip(ROUNDS, unique)), unique


async def test_kill_9_mid_broadcast_skips_nobody_and_repeats_only_what_was_in_flight(emulator, database_url, tmp_path):
    from bot.db import Transactions, create_engine
    from sqlalchemy import func, select

    from bot.db.models import OutboxMessage, Subscription, User
    from bot.services import broadcasts

    subscribers = [6_200_000 + index for index in range(40)]
    process = _start_bot(emulator, database_url, tmp_path)  # it migrates the database
    engine = create_engine(database_url)
    try:
        await _started(emulator, process, 0)
        async with Transactions(engine).begin() as session:
            for user_id in subscribers:
                emulator.add_user(user_id, "Warga")
                session.add(User(id=user_id, first_name="Warga", lookups=0))
            await session.flush()
            session.add_all(Subscription(user_id=user_id, regency_code=None, topics=["lapor"]) for user_id in subscribers)
            await session.flush()
            await broadcasts.start(session, 1, broadcasts.Audience(), "Survei kepuasan layanan dibuka.", "id")
        inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
        await eventually(lambda: len(emulator.stats.sent) >= 8, timeout=60)
        on_the_wire, sent_before_kill = await _kill_9(emulator, process)
        async with Transactions(engine).sessions() as session:  # out, but the kill came before their mark committed
            marked = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.broadcast_id.is_not(None), OutboxMessage.state == "sent"))
        calls = emulator.stats.calls["getUpdates"]
        process = _start_bot(emulator, database_url, tmp_path)
        await _started(emulator, process, calls)
        await eventually(lambda: {sent.chat_id for sent in emulator.stats.sent} >= set(subscribers), timeout=90)
        await asyncio.sleep(1.0)
    finally:
        process.kill()
        process.wait()
        await engine.dispose()

    duplicates = emulator.stats.duplicates()
    in_flight = sent_before_kill - marked  # in the chat but unmarked: on the wire (answer pending), or answered
    print(f"kill -9 mid-broadcast: {sent_before_kill} sent before the kill, {on_the_wire} on the wire, "
          f"{in_flight} out but not marked, {len(duplicates)} duplicated, "
          f"{len(emulator.stats.sent)} sent in all")
    assert 0 < sent_before_kill < len(subscribers), "the kill came mid-way"
    assert on_the_wire <= in_flight and len(duplicates) <= in_flight, "only what was in flight at the kill"
    assert len(emulator.stats.sent) == len(subscribers) + len(duplicates), "nobody skipped"


async def test_kill_9_the_restarted_bot_takes_back_at_once_what_it_held(emulator, database_url, tmp_path):
    """With the default 60 s lease: the notifications the dead process had claimed go out as soon as it is back,
    not once their lease runs out, and only what was on the wire at the kill goes out twice."""
    from sqlalchemy import func, select

    from bot.db import Transactions, create_engine
    from bot.db.models import OutboxMessage, utcnow
    from bot.delivery import outbox
    from bot.delivery.messages import Text

    chats = [Citizen(emulator, 6_150_000 + index, f"Warga {index}") for index in range(40)]
    process = _start_bot(emulator, database_url, tmp_path, lease_seconds=None)  # it migrates the database
    engine = create_engine(database_url)
    try:
        await _started(emulator, process, 0)
        inject(emulator, Fault("sendMessage", delay=SLOW_SEND, times=10_000))
        async with Transactions(engine).begin() as session:
            for chat in chats:
                await outbox.enqueue(session, chat.user_id, Text(f"Status laporan {chat.user_id}: diverifikasi"),
                                     priority=outbox.Priority.NOTIFICATION)
        await eventually(lambda: len(emulator.stats.sent) >= 8, timeout=30)
        on_the_wire, sent_before_kill = await _kill_9(emulator, process)
        async with engine.connect() as connection:
            claimed = await connection.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.state == "pending", OutboxMessage.claimed_until > utcnow()))
        calls = emulator.stats.calls["getUpdates"]
        process = _start_bot(emulator, database_url, tmp_path, lease_seconds=None)
        await _started(emulator, process, calls)
        restarted = time.monotonic()
        await eventually(lambda: all(chat.messages for chat in chats), timeout=40)
        caught_up = time.monotonic() - restarted
        await asyncio.sleep(1.0)
    finally:
        process.kill()
        process.wait()
        await engine.dispose()

    duplicates = emulator.stats.duplicates()
    print(f"kill -9 with a 60 s lease: {sent_before_kill} sent before the kill, {on_the_wire} on the wire, {claimed} "
          f"claimed but not marked; all in {caught_up:.1f} s after the restart; {len(duplicates)} duplicated")
    assert 0 < sent_before_kill < len(chats) and claimed > sent_before_kill, "claimed messages were still unsent at the kill"
    assert caught_up < 10, f"the restarted bot waited {caught_up:.0f} s for its own claims"
    assert len(duplicates) <= on_the_wire, "only what was on the wire at the kill is repeated"
    assert len(emulator.stats.sent) == len(chats) + len(duplicates), "nobody skipped"


def test_a_sender_keeps_its_name_across_a_restart_and_two_live_ones_never_share_it(tmp_path):
    from bot.delivery import senders

    url = f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
    first, second = senders.stable_name("worker", url), senders.stable_name("worker", url)
    assert first.name != second.name and first.name.endswith(":worker:0") and second.name.endswith(":worker:1")
    first.release()  # the process died (the kernel drops its lock however it dies)
    again = senders.stable_name("worker", url)
    assert again.name == first.name, "started again, it takes back its own name"
    assert senders.stable_name("web", url).name.endswith(":web:0"), "each role counts its own slots"

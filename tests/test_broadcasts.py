"""Announcements to subscribers: who is in an audience (area, language, topic, category), and sending that
reaches everyone once, even across a restart, while an opt-out or a block takes effect at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import Broadcast, OutboxMessage, Subscription, User
from bot.delivery import outbox
from bot.domain.announcements import TOPICS
from bot.jobs import broadcasts as broadcast_job
from bot.services import broadcasts
from bot.services.broadcasts import Audience
from tests.conftest import eventually
from tests.flows import file_report
from tests.kit.faults import Fault, fault_plan, inject

KOTA_PADANG, KABUPATEN_BOGOR = "13.71", "32.01"
ANNOUNCEMENT = "Pelayanan KTP keliling hadir di kantor camat pada hari Sabtu."


async def _subscribe(bot, person, regency: str | None, locale: str = "id", topics=tuple(TOPICS), *,
                     ended: bool = False, reachable: bool = True) -> None:
    async with bot.services.transactions.begin() as session:
        user = await session.get(User, person.user_id)
        if user is None:
            session.add(User(id=person.user_id, first_name="Warga", lookups=0))
            await session.flush()
            user = await session.get(User, person.user_id)
        user.locale, user.reachable = locale, reachable
        session.add(Subscription(user_id=person.user_id, regency_code=regency, topics=list(topics),
                                 ended_at=user.created_at if ended else None))


async def _slow_broadcast_to(bot, monkeypatch, count: int, regency: str | None, batch: int) -> list:
    """Subscribers, queued a few at a time and sent slowly: a broadcast to them stays in progress a while."""
    monkeypatch.setattr(broadcast_job, "WINDOW", 2)
    monkeypatch.setattr(broadcasts, "BATCH", batch)
    people = [bot.citizen(f"Warga {index}", None) for index in range(count)]
    for person in people:
        await _subscribe(bot, person, regency)
    inject(bot.emulator, Fault("sendMessage", delay=0.25, times=1000))
    return people


def _copies(person) -> list[dict]:
    return [message for message in person.messages if ANNOUNCEMENT in message.get("text", "")]


async def test_a_stop_while_copies_wait_for_their_answers_marks_them_and_the_restarted_bot_sends_none_again(
        bot, monkeypatch):
    people = await _slow_broadcast_to(bot, monkeypatch, 4, None, batch=4)
    fault_plan(bot.emulator).clear()
    inject(bot.emulator, Fault("sendMessage", delay=1.5, times=4))  # carried out at once, answered late
    async with bot.services.transactions.begin() as session:
        await broadcasts.start(session, 1, Audience(), ANNOUNCEMENT, "id")
    await eventually(lambda: all(_copies(person) for person in people), timeout=20)  # in the chats, unanswered
    await bot.restart()  # stopped while the answers are on their way: they are waited for, and marked
    await _until_quiet(bot)
    assert [len(_copies(person)) for person in people] == [1] * 4, "nobody twice"
    assert bot.emulator.stats.duplicates() == []


async def test_an_audience_is_the_active_reachable_subscribers_narrowed_by_area_language_topic_and_category(bot):
    reporter = bot.citizen("Pelapor", None)
    await file_report(reporter)  # a road in Kota Padang
    await _subscribe(bot, reporter, KOTA_PADANG)
    people = {name: bot.citizen(name, None) for name in "ABCDEF"}
    await _subscribe(bot, people["A"], KOTA_PADANG)
    await _subscribe(bot, people["B"], KOTA_PADANG, "en", topics=("layanan", "lapor"))
    await _subscribe(bot, people["C"], KABUPATEN_BOGOR)
    await _subscribe(bot, people["D"], None)  # all of Indonesia
    await _subscribe(bot, people["E"], KOTA_PADANG, ended=True)
    await _subscribe(bot, people["F"], KOTA_PADANG, reachable=False)

    async def count(**narrowed) -> int:
        async with bot.sessions() as session:
            return await broadcasts.count(session, Audience(**narrowed), "id")

    assert await count() == 5, "everyone active and reachable, the national subscriber included"
    assert await count(scope_code="13") == 3, "a province's hub reaches its regencies only"
    assert await count(scope_code=KABUPATEN_BOGOR) == 1
    assert await count(language="en") == 1
    assert await count(topic="darurat") == 4, "B turned emergencies off"
    assert await count(category="jalan") == 1
    assert await count(scope_code="13", topic="darurat", language="id") == 2


async def test_a_broadcast_reaches_each_subscriber_once_across_a_restart_and_an_opt_out_takes_effect_at_once(bot, monkeypatch):
    people = await _slow_broadcast_to(bot, monkeypatch, 14, None, batch=4)
    leaving, blocking = people[-1], people[-2]  # queued last: still waiting when they leave
    async with bot.services.transactions.begin() as session:
        broadcast = await broadcasts.start(session, 1, Audience(), ANNOUNCEMENT, "id")
    await eventually(lambda: sum(len(_copies(person)) for person in people) >= 4, timeout=20)
    await leaving.send("/berhenti")
    await blocking.block()
    await bot.restart()  # stopped mid-broadcast: the next process carries on from the cursor
    fault_plan(bot.emulator).clear()

    async def finished() -> bool:
        async with bot.sessions() as session:
            stored = await session.get(Broadcast, broadcast.id)
            return stored.state == broadcasts.State.QUEUED and await broadcasts.waiting_copies(session, stored.id) == 0

    await _until(finished)
    assert [len(_copies(person)) for person in people[:-2]] == [1] * 12, "everyone once: nobody twice, nobody skipped"
    assert _copies(leaving) == [] and _copies(blocking) == []
    copy = _copies(people[0])[0]
    assert "/berhenti" in copy["text"] and "Berhenti berlangganan" in copy["reply_markup"]["inline_keyboard"][0][0]["text"]
    async with bot.sessions() as session:
        done = await broadcasts.progress(session, await session.get(Broadcast, broadcast.id))
        assert (done.recipients, done.sent, done.remaining) == (14, 12, 0)
        left = await session.scalar(select(Subscription.end_reason).where(Subscription.user_id == blocking.user_id))
        assert left == "blocked"


async def test_a_paused_broadcast_queues_nobody_more_and_a_cancelled_one_takes_back_what_waits(bot, monkeypatch):
    people = await _slow_broadcast_to(bot, monkeypatch, 12, KOTA_PADANG, batch=3)
    async with bot.services.transactions.begin() as session:
        broadcast = await broadcasts.start(session, 1, Audience(scope_code=KOTA_PADANG), ANNOUNCEMENT, "id")
    await eventually(lambda: sum(len(_copies(person)) for person in people) >= 1, timeout=20)
    async with bot.services.transactions.begin() as session:
        stored = await session.get(Broadcast, broadcast.id)
        assert await broadcasts.pause(session, stored)
        queued_at_pause = stored.queued
    await _until_quiet(bot)
    async with bot.services.transactions.begin() as session:
        stored = await session.get(Broadcast, broadcast.id)
        assert stored.queued == queued_at_pause < len(people), "paused: nobody more was queued"
        assert await broadcasts.resume(session, stored)

    async def some_wait() -> bool:
        async with bot.sessions() as session:
            return await broadcasts.waiting_copies(session, broadcast.id) > 0

    await _until(some_wait)
    async with bot.services.transactions.begin() as session:
        assert await broadcasts.cancel(session, await session.get(Broadcast, broadcast.id))
    await _until_quiet(bot)
    async with bot.sessions() as session:
        stored = await session.get(Broadcast, broadcast.id)
        done = await broadcasts.progress(session, stored)
        withdrawn = await session.scalar(select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id,
                                                                    OutboxMessage.state == outbox.WITHDRAWN))
    delivered = sum(len(_copies(person)) for person in people)
    assert done.sent + withdrawn == stored.queued, "what was queued went out (claimed: on its way) or was taken back"
    assert done.sent == delivered < len(people) and done.remaining == 0 and stored.state == broadcasts.State.CANCELLED


async def test_a_pause_holds_the_copies_already_queued_and_an_opt_out_meanwhile_is_respected(engine):
    """Once every recipient is queued, only the outbox holds the rest: a pause holds those copies (not one the
    sender has claimed), a stop takes them back, and a resume sends them except to whoever left meanwhile."""
    from datetime import timedelta

    from bot.db import Transactions
    from bot.db.models import utcnow
    from bot.delivery.messages import Text
    from bot.domain.announcements import EndReason
    from bot.services import subscriptions

    transactions = Transactions(engine)
    async with transactions.begin() as session:
        for user_id in (1, 2, 3, 4):
            session.add(User(id=user_id, first_name="Warga", lookups=0))
            await session.flush()
            await subscriptions.subscribe(session, user_id, KOTA_PADANG)
        broadcast = await broadcasts.start(session, 9, Audience(scope_code=KOTA_PADANG), ANNOUNCEMENT, "id")
        assert await broadcasts.queue_next(session, broadcast, lambda _locale: Text(ANNOUNCEMENT), "id") == 4
        assert broadcast.state == broadcasts.State.QUEUED
        claimed = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 1))
        claimed.claimed_until = utcnow() + timedelta(seconds=60)  # on its way
        assert await broadcasts.pause(session, broadcast)
        shown = await broadcasts.progress(session, broadcast)
        assert (shown.waiting, shown.remaining) == (4, 4) and not broadcasts.settled(broadcast, shown)
    async with transactions.begin() as session:
        assert await subscriptions.end(session, 4, EndReason.OPTED_OUT)
        assert await broadcasts.resume(session, await session.get(Broadcast, broadcast.id))
    async with transactions.sessions() as session:
        rows = {row.chat_id: (row.state, row.last_error) for row in await session.scalars(select(OutboxMessage))}
        resumed = await session.get(Broadcast, broadcast.id)
    assert rows == {1: (outbox.PENDING, None), 2: (outbox.PENDING, None), 3: (outbox.PENDING, None),
                    4: (outbox.WITHDRAWN, "opted_out")}
    assert resumed.state == broadcasts.State.QUEUED, "all were queued before the pause"
    async with transactions.begin() as session:
        stored = await session.get(Broadcast, broadcast.id)
        assert await broadcasts.pause(session, stored) and await broadcasts.cancel(session, stored)
    async with transactions.sessions() as session:
        states = {row.chat_id: row.state for row in await session.scalars(select(OutboxMessage))}
    assert states == {1: outbox.PENDING, 2: outbox.WITHDRAWN, 3: outbox.WITHDRAWN, 4: outbox.WITHDRAWN}, \
        "a stop takes back the held copies too"


async def test_an_opt_out_takes_back_the_copies_not_yet_on_their_way(engine):
    from bot.db import Transactions
    from bot.db.models import utcnow
    from bot.delivery.messages import Text
    from bot.domain.announcements import EndReason
    from bot.services import subscriptions
    from datetime import timedelta

    transactions = Transactions(engine)
    async with transactions.begin() as session:
        session.add(User(id=5, first_name="Warga", lookups=0))
        await session.flush()
        await subscriptions.subscribe(session, 5, None)
        await outbox.enqueue_broadcast(session, 1, [(5, 5, Text("satu"))])
        await outbox.enqueue_broadcast(session, 2, [(5, 5, Text("dua"))])
        on_its_way = (await session.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id == 2))).one()
        on_its_way.claimed_until = utcnow() + timedelta(seconds=60)  # the sender holds it
    async with transactions.begin() as session:
        assert await subscriptions.end(session, 5, EndReason.OPTED_OUT)
    async with transactions.sessions() as session:
        rows = {row.broadcast_id: (row.state, row.last_error) for row in await session.scalars(select(OutboxMessage))}
    assert rows == {1: (outbox.WITHDRAWN, "opted_out"), 2: (outbox.PENDING, None)}


async def _until(predicate_coroutine, timeout: float = 30.0) -> None:
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate_coroutine():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def _until_quiet(bot) -> None:
    """Until nothing of the broadcast waits in the outbox any more."""
    import asyncio

    async def nothing_waits() -> bool:
        async with bot.sessions() as session:
            ids = list(await session.scalars(select(Broadcast.id)))
            waiting = [await broadcasts.waiting_copies(session, broadcast_id) for broadcast_id in ids]
            return not any(waiting)

    await _until(nothing_waits)
    await asyncio.sleep(1.5)  # a job round, had it wanted to queue more


async def test_a_429_on_the_admins_progress_edit_is_retried_as_an_edit_after_retry_after(bot, monkeypatch):
    """The next progress edit replaces the postponed one's text but not its wait: Telegram's retry_after holds."""
    import asyncio
    import time

    from bot.domain.roles import Role
    from tests.test_staff_inbox import make_staff

    monkeypatch.setattr(broadcasts, "PROGRESS_EVERY", timedelta(seconds=0.3))
    people = await _slow_broadcast_to(bot, monkeypatch, 12, None, batch=3)
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/start")
    shown_in = len(admin.messages)
    edits: list[float] = []

    async def watch_edits() -> None:
        while True:
            edits.extend([time.monotonic()] * (bot.emulator.stats.calls["editMessageText"] - len(edits)))
            await asyncio.sleep(0.02)

    watching = asyncio.create_task(watch_edits())
    inject(bot.emulator, Fault("editMessageText", status=429, retry_after=3))
    async with bot.services.transactions.begin() as session:
        broadcast = await broadcasts.start(session, admin.user_id, Audience(), ANNOUNCEMENT, "id")
        broadcast.progress_chat_id, broadcast.progress_message_id = admin.user_id, admin.messages[-1]["message_id"]
    await eventually(lambda: len(edits) >= 2, timeout=20)
    watching.cancel()
    assert edits[1] - edits[0] >= 2.9, f"retried {edits[1] - edits[0]:.1f} s after a 429 that said 3 s"
    await eventually(lambda: "Pengumuman #" in admin.messages[-1].get("text", ""), timeout=20)
    assert len(admin.messages) == shown_in, "retried as an edit of the progress message, never as a new message"
    assert sum(len(_copies(person)) for person in people) > 0

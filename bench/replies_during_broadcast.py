"""Whether a broadcast slows down the replies citizens wait for: citizens file reports through the emulator, with
Telegram's rate limits on and the bot's own pacing as in production (30 messages/s, announcements at the bulk
pace), first alone, then while an announcement goes out to N subscribers. The README promises that interactive
replies go first: bulk never takes the share of the per-second budget a waiting reply needs.

Each citizen thinks a moment between turns, as people do (a scripted citizen answering at once would only
measure Telegram's limit of about one message a second per chat). Prints, per database, the reply latency of
one turn (until the bot's first reply is in the chat, and until its last) without and with the broadcast side
by side, how much worse the p99 is, and how many announcements went out meanwhile.
Usage: python bench/replies_during_broadcast.py [citizens] [reports-per-citizen] [subscribers] [think-seconds]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.harness.scripts import Step, citizen_report  # noqa: E402
from bot.app import build_application, load_routing, start_bot, stop_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Transactions, create_engine, migrate  # noqa: E402
from bot.db.models import Subscription, User, utcnow  # noqa: E402
from bot.inbox.receivers import Polling  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from bot.sandbox.limits import RateLimits  # noqa: E402
from bot.services import broadcasts  # noqa: E402
from tests.flows import png  # noqa: E402

CITIZENS_FROM, SUBSCRIBERS_FROM = 7_100_000, 8_600_000
ANNOUNCEMENT = "📣 Pelayanan KTP keliling hadir di kantor camat pada hari Sabtu."
REPLY_TIMEOUT = 60.0


@dataclass
class Latencies:
    first: list[float] = field(default_factory=list)  # until the first reply of a turn is in the chat
    last: list[float] = field(default_factory=list)  # until its last one is

    def line(self) -> str:
        return f"first p50 {_ms(self.first, 0.5)} p99 {_ms(self.first, 0.99)}, last p50 {_ms(self.last, 0.5)} p99 {_ms(self.last, 0.99)}"


@dataclass
class Person:
    """A citizen who thinks a moment before each act, then waits for the reply the next act needs (a fragment
    of its text or buttons, as bench/harness/scripts.py says); latency from the emulator's arrival times."""

    emulator: BotApiEmulator
    user_id: int
    think: float
    latencies: Latencies

    async def act(self, step: Step) -> None:
        await asyncio.sleep(self.think)
        seen, started = len(self.emulator.bot_messages(self.user_id)), time.monotonic()
        await self._perform(step.act)
        deadline = started + REPLY_TIMEOUT
        while not self._answered(seen, step.expect):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply with {step.expect!r} to {step.act}")
            await asyncio.sleep(0.02)
        stats = self.emulator.stats
        arrivals = [at for sent, at in zip(stats.sent, stats.sent_at) if sent.chat_id == self.user_id and at >= started]
        if arrivals:
            self.latencies.first.append(arrivals[0] - started)
            self.latencies.last.append(arrivals[-1] - started)

    def _answered(self, seen: int, expect: str | None) -> bool:
        messages = self.emulator.bot_messages(self.user_id)
        if expect is None:
            return len(messages) > seen
        return any(expect in json.dumps(message, ensure_ascii=False) for message in messages[max(0, seen - 1):])

    async def _perform(self, act: dict) -> None:
        if "text" in act:
            await self.emulator.user_sends_text(self.user_id, act["text"])
        elif "location" in act:
            await self.emulator.user_sends_location(self.user_id, *act["location"])
        elif "photo" in act:
            await self.emulator.user_sends_files(self.user_id, [(png(int(act["photo"])), "foto.png", "image/png")])
        else:
            message, data = self._button(act["tap"])
            await self.emulator.user_taps(self.user_id, message["message_id"], data)

    def _button(self, label: str) -> tuple[dict, str]:
        for message in reversed(self.emulator.bot_messages(self.user_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for key in row:
                    if label in key["text"]:
                        return message, key["callback_data"]
        raise LookupError(f"no button {label!r}")


async def bench(database_url: str, citizens: int, reports: int, subscribers: int, think: float) -> None:
    emulator = BotApiEmulator(rate_limits=RateLimits.telegram())
    await emulator.start()
    engine = create_engine(database_url)
    await migrate(engine)
    await _subscribe(Transactions(engine), emulator, subscribers)
    settings = Settings(database_url=database_url)
    application = build_application(settings, engine, await load_routing(settings), emulator.base_url)
    application.bot_data["services"].handled.append(emulator.bot_is_done)
    await start_bot(application, Polling(timeout=1))
    try:
        alone = await _file_reports(emulator, citizens, reports, CITIZENS_FROM, think)
        before = len(emulator.stats.sent)
        async with Transactions(engine).begin() as session:
            await broadcasts.start(session, 1, broadcasts.Audience(), ANNOUNCEMENT, "id")
        started = time.monotonic()
        during = await _file_reports(emulator, citizens, reports, CITIZENS_FROM + citizens, think)
        elapsed = time.monotonic() - started
        announced = sum(1 for sent in emulator.stats.sent[before:] if sent.chat_id >= SUBSCRIBERS_FROM)
    finally:
        await stop_bot(application)
        await engine.dispose()
        await emulator.stop()
    kind = database_url.split(":")[0]
    worse = (_p(during.first, 0.99) / _p(alone.first, 0.99) - 1) if alone.first else float("nan")
    print(f"{kind:22} {citizens} citizens x {reports} reports, thinking {think:g} s between turns:\n"
          f"  alone:                 {alone.line()}\n"
          f"  during the broadcast:  {during.line()}\n"
          f"  first-reply p99 {worse:+.0%} with the broadcast; {announced} announcements went out meanwhile "
          f"({announced / elapsed:.1f}/s); 429s: {sum(emulator.stats.too_many_requests.values())}", flush=True)


async def _file_reports(emulator: BotApiEmulator, citizens: int, reports: int, first_user: int, think: float) -> Latencies:
    latencies = Latencies()
    people = [Person(emulator, first_user + index, think, latencies) for index in range(citizens)]
    for person in people:
        emulator.add_user(person.user_id, f"Warga {person.user_id}")
    await asyncio.gather(*(_reports(person, reports) for person in people))
    return latencies


async def _reports(person: Person, reports: int) -> None:
    for number in range(reports):
        for step in citizen_report(person.user_id, number):
            await person.act(step)


async def _subscribe(transactions: Transactions, emulator: BotApiEmulator, count: int) -> None:
    ids, now = range(SUBSCRIBERS_FROM, SUBSCRIBERS_FROM + count), utcnow()
    for user_id in ids:
        emulator.add_user(user_id, f"Warga {user_id}")
    async with transactions.begin() as session:
        await session.execute(insert(User), [dict(id=i, first_name="Warga", reachable=True, lookups=0, created_at=now) for i in ids])
        await session.execute(insert(Subscription), [dict(user_id=i, regency_code=None, topics=["lapor"], subscribed_at=now)
                                                     for i in ids])


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return statistics.median(ordered) if share == 0.5 else ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _ms(values: list[float], share: float) -> str:
    return f"{_p(values, share) * 1000:6.0f} ms" if values else "   n/a"


async def main() -> None:
    arguments = [float(value) for value in sys.argv[1:]]
    citizens, reports, subscribers = (int(value) for value in (arguments + [30, 1, 2000][len(arguments):])[:3])
    think = arguments[3] if len(arguments) > 3 else 2.0
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, citizens, reports, subscribers, think))


if __name__ == "__main__":
    asyncio.run(main())

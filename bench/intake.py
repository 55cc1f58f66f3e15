"""How long a citizen waits: full reports filed through the emulator by concurrent citizens.

Each report is 11 turns, routing included. Prints, per database: reports per second, and p50/p99 of one
turn (a message or tap) until the bot's first reply is in the chat, until its last reply is (what the
citizen sees), and until its handlers are done (replies sent and recorded as sent). Usage: python bench/intake.py [citizens] [reports-per-citizen]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application, load_routing, start_bot, stop_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import create_engine, migrate  # noqa: E402
from bot.delivery.pacing import Pacing  # noqa: E402
from bot.inbox.receivers import Polling  # noqa: E402
from tests.kit.client import Citizen  # noqa: E402
from bot.sandbox.emulator import BotApiEmulator  # noqa: E402
from tests.flows import DESCRIPTION, PADANG, photos, share_pin  # noqa: E402



class TimedCitizen(Citizen):
    durations: list[float] = []  # until the bot's handlers are done with the turn (replies sent and recorded)
    first_replies: list[float] = []  # until the first new message of the bot is in the chat: what a person sees
    last_replies: list[float] = []  # until the turn's last new message is in the chat

    async def _act(self, action, settle: float = 0.0):
        started, started_monotonic = time.perf_counter(), time.monotonic()
        replies = await super()._act(action, settle)
        self.durations.append(time.perf_counter() - started - settle)
        stats = self.emulator.stats  # when the emulator received each of the bot's new messages
        ours = [at for sent, at in zip(stats.sent, stats.sent_at) if sent.chat_id == self.user_id and at >= started_monotonic]
        if ours:
            self.first_replies.append(ours[0] - started_monotonic)
            self.last_replies.append(ours[-1] - started_monotonic)
        return replies


async def one_report(citizen: TimedCitizen, seed: int) -> None:
    await citizen.send("/lapor")
    await citizen.tap("Pengaduan")
    await citizen.tap("Jalan")
    await citizen.send(DESCRIPTION)
    await share_pin(citizen, PADANG)  # a road complaint: the bot also asks which road
    await citizen.send_files(photos(1, first_seed=seed))
    await citizen.tap("Lanjut")
    await citizen.tap("Tidak")
    await citizen.tap("Tidak")
    await citizen.tap("Kirim laporan")


async def bench(database_url: str, citizens: int, reports: int) -> None:
    emulator = BotApiEmulator()
    await emulator.start()
    engine = create_engine(database_url)
    await migrate(engine)
    settings = Settings(database_url=database_url)
    # Scripted citizens answer at once, as no person does: pace only across chats (as the tests do), so
    # that this measures the bot's own work per turn; bench/delivery.py measures pacing against Telegram.
    pacing = Pacing(per_second=1000, burst=100, chat_per_second=1000, chat_burst=1000)
    application = build_application(settings, engine, await load_routing(settings), emulator.base_url, pacing)
    application.bot_data["services"].handled.append(emulator.bot_is_done)
    await start_bot(application, Polling(timeout=1))
    TimedCitizen.durations, TimedCitizen.first_replies, TimedCitizen.last_replies = [], [], []
    people = [TimedCitizen(emulator, 7_000_000 + index) for index in range(citizens)]
    started = time.perf_counter()
    await asyncio.gather(*(_reports(person, index, reports) for index, person in enumerate(people)))
    elapsed = time.perf_counter() - started
    await stop_bot(application)
    await engine.dispose()
    await emulator.stop()
    kind = database_url.split(":")[0]
    print(f"{kind:22} {citizens} citizens x {reports} reports ({len(TimedCitizen.durations)} turns): "
          f"{citizens * reports / elapsed:5.1f} reports/s; first reply {_percentiles(TimedCitizen.first_replies)}; "
          f"last reply {_percentiles(TimedCitizen.last_replies)}; handlers done {_percentiles(TimedCitizen.durations)}")


def _percentiles(durations: list[float]) -> str:
    ordered = sorted(durations)
    return f"p50 {statistics.median(ordered) * 1000:5.1f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:5.1f} ms"


async def _reports(person: TimedCitizen, index: int, reports: int) -> None:
    for number in range(reports):
        await one_report(person, seed=index * 1000 + number)


async def main() -> None:
    citizens = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    reports = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, citizens, reports))


if __name__ == "__main__":
    asyncio.run(main())

"""The CPU of a citizen's turn without HTTP: the turns of bench/load.py's citizens (their script) run one after
another in this process, through the one dispatch (handlers.handle) with its transaction, its replies written
to the outbox and sent right after the commit to a transport that only keeps them, and their marks as sent.
No emulator, no webhook, no other process: what is left is the database and our handlers, measured apart from
the Bot API's side, quickly and steadily enough to compare two versions of the hot path (bench/load.py measures
the whole). Prints, per database, the CPU per turn overall and by the script's step.
Usage: python bench/turn.py [reports] [--profile]   (BENCH_DATABASES as elsewhere; --profile: cProfile's top)
"""

from __future__ import annotations

import asyncio
import cProfile
import itertools
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import handlers  # noqa: E402
from bench.harness.scripts import DESCRIPTION, Step, citizen_report  # noqa: E402
from bot.channels.incoming import Chat, CommandSent, Incoming, MediaSent, Person, PlaceSent, Said, Tapped  # noqa: E402
from bot.channels.markup import Choices  # noqa: E402
from bot.channels.telegram.limits import TELEGRAM_LIMITS  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Transactions, create_engine, migrate  # noqa: E402
from bot.delivery.messages import Edit, Outgoing  # noqa: E402
from bot.domain.draft import AttachmentRef  # noqa: E402
from bot.event_loop import loaded_data_frozen, run_loop  # noqa: E402
from bot.inbox.handling import Handling, current_handling  # noqa: E402
from bot.runtime import build_services, start_background, stop_background  # noqa: E402
from bot.services.contacts import TELEGRAM  # noqa: E402
from bot.services.jurisdiction import load_router  # noqa: E402
from tests.harness import TEST_PACING  # noqa: E402
from tests.memory_channel import MemoryChannel  # noqa: E402

FIRST_USER = 30_000_000
assert DESCRIPTION  # the script's own text (bench.harness.scripts), typed as its citizens type it


class TelegramPort(MemoryChannel):
    """The turns' port, by Telegram's name and limits (the ids are Telegram's: no look-up of a contact)."""

    name = TELEGRAM
    limits = TELEGRAM_LIMITS


class KeptTransport:
    """Keeps what each chat was sent, with a message id, so that a scripted tap finds its choice; nothing else."""

    def __init__(self) -> None:
        self.chats: dict[int, list[tuple[int, Outgoing]]] = defaultdict(list)
        self._ids = itertools.count(1)

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope=None) -> None:
        if not isinstance(message, Edit):
            self.chats[chat_id].append((next(self._ids), message))

    def choice(self, chat_id: int, label: str) -> tuple[int, str]:
        for message_id, message in reversed(self.chats[chat_id]):
            markup = getattr(message, "markup", None)
            for choice in markup.all if isinstance(markup, Choices) else ():
                if label in choice.label:
                    return message_id, choice.data
        raise LookupError(f"no choice {label!r} for chat {chat_id}")

    def said_since(self, chat_id: int, count: int) -> str:
        return " ".join(str(message) for _id, message in self.chats[chat_id][count:])


class Citizen:
    def __init__(self, user_id: int, transport: KeptTransport, update_ids: itertools.count) -> None:
        self.user_id, self.transport, self.update_ids = user_id, transport, update_ids
        self.person = Person(str(user_id), f"Warga {user_id}", None)

    def incoming(self, step: Step) -> Incoming:
        act = step.act
        if "text" in act and act["text"].startswith("/"):
            name, *args = act["text"][1:].split()
            content = CommandSent(name, tuple(args), act["text"])
        elif "text" in act:
            content = Said(act["text"], act["text"])
        elif "location" in act:
            content = PlaceSent(*act["location"])
        elif "photo" in act:
            file = f"photo-{act['photo']}"
            content = MediaSent(AttachmentRef("photo", file, f"unique-{file}", 1000, None))
        else:
            message_id, data = self.transport.choice(self.user_id, act["tap"])
            content = Tapped(data, message_id, f"tap-{message_id}")
        return Incoming(next(self.update_ids), TELEGRAM, self.person, Chat(str(self.user_id), True), content)


async def bench(database_url: str, reports: int, profile: bool) -> None:
    engine = create_engine(database_url)
    await migrate(engine)
    settings = Settings(database_url=database_url, media_dir=Path(tempfile.mkdtemp()))
    transport, channel = KeptTransport(), TelegramPort()
    services = build_services(settings, Transactions(engine), engine, await asyncio.to_thread(load_router, None),
                              transport, channel_answers=_nothing, pacing=TEST_PACING)
    with loaded_data_frozen():  # as bot.app.serve serves
        cpu = await _run(services, channel, transport, reports, profile)
    _print(database_url.split(":")[0], cpu)
    await engine.dispose()


async def _run(services, channel: TelegramPort, transport: KeptTransport, reports: int,
               profile: bool) -> dict[str, list[float]]:
    background = await start_background(services)
    update_ids, cpu = itertools.count(1), defaultdict(list)
    profiler = cProfile.Profile() if profile else None
    citizens = [Citizen(FIRST_USER + number, transport, update_ids) for number in range(reports + 1)]
    scripts = [citizen_report(citizen.user_id, 0) for citizen in citizens]
    try:  # step by step across the citizens, as bench/load.py's do: no report is filed before all have a place
        for index in range(len(scripts[0])):
            for number, (citizen, script) in enumerate(zip(citizens, scripts)):
                counted = number > 0  # the first citizen warms up each step (statements compiled, caches filled)
                if counted and profiler:
                    profiler.enable()
                started = time.process_time()
                await _turn(services, channel, citizen, script[index])
                if counted:
                    cpu[f"{index + 1:2}. {_label(script[index])}"].append(time.process_time() - started)
                if counted and profiler:
                    profiler.disable()
    finally:
        await stop_background(services, background)
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return cpu


async def _turn(services, channel, citizen: Citizen, step: Step) -> None:
    """One act, handled as the inbox would, and the replies' marks as sent waited for (they count)."""
    before = len(citizen.transport.chats[citizen.user_id])
    handling = Handling(0)
    token = current_handling.set(handling)
    try:
        await handlers.handle(citizen.incoming(step), services, channel)
    finally:
        current_handling.reset(token)
    if handling.error is not None:
        raise RuntimeError(f"the turn of {step.act} failed") from handling.error
    await services.delivery.close()  # the marks of what went out, committed
    said = citizen.transport.said_since(citizen.user_id, before)
    if step.expect and step.expect not in said:
        raise RuntimeError(f"{step.act}: expected {step.expect!r}, the bot said {said!r}")


def _label(step: Step) -> str:
    act = step.act
    kind, value = next(iter(act.items()))
    return kind if kind in ("photo", "location") else f"{kind} {str(value)[:18]}"


def _print(kind: str, cpu: dict[str, list[float]]) -> None:
    every = [seconds for times in cpu.values() for seconds in times]
    print(f"{kind}: {len(every)} turns, CPU {statistics.mean(every) * 1000:.2f} ms/turn "
          f"(median {statistics.median(every) * 1000:.2f} ms)")
    for label, times in sorted(cpu.items()):
        print(f"  {label:28} {statistics.mean(times) * 1000:6.2f} ms")


async def _nothing() -> None:
    """The health check's probe: nothing to reach."""


async def main() -> None:
    numbers = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    reports, profile = int(numbers[0]) if numbers else 30, "--profile" in sys.argv
    from tests import postgres

    await postgres.on_each_database(lambda url: bench(url, reports, profile))


if __name__ == "__main__":
    run_loop(main())

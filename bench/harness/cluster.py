"""A bot under test with its emulator, each in processes of their own: the echo bot, or lapor-bot as the
Procfile runs it (release step first; then one process on SQLite, or a worker and web processes on
PostgreSQL, the web processes sharing the webhook port), with the WhatsApp emulator beside the Telegram one
when asked (``WhatsAppOptions``): then the bot has both channels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import processes
from bench.harness.processes import Emulator, Process, WhatsApp


@dataclass(frozen=True)
class WhatsAppOptions:
    rate: float = 80.0  # the bot's WHATSAPP_RATE
    limit: float = 0.0  # Meta's throughput at the emulator (130429 above it); 0: none


@dataclass
class Cluster:
    emulator: Emulator
    webhook_port: int
    webs: list[Process] = field(default_factory=list)  # the processes that handle updates
    database_url: str | None = None
    workers: list[Process] = field(default_factory=list)
    whatsapp: WhatsApp | None = None

    @property
    def bots(self) -> list[Process]:
        return self.webs + self.workers

    def wait_until_idle(self) -> None:
        if self.database_url:
            processes.wait_until_idle(self.webhook_port)


@contextmanager
def echo_bot(folder: Path) -> Iterator[Cluster]:
    with ExitStack() as running:
        emulator = processes.start_emulator(folder)
        running.callback(emulator.process.stop)
        port = processes.free_port()
        bot = processes.echo_bot(folder, emulator, port)
        running.callback(bot.stop)
        yield Cluster(emulator, port, [bot])


@contextmanager
def lapor_bot(folder: Path, database_url: str, webs: int = 1,
              prepare: Callable[[str], object] | None = None, whatsapp: WhatsAppOptions | None = None
              ) -> Iterator[Cluster]:
    """``prepare(database_url)`` (a coroutine function) runs after the release step, before the bot starts."""
    with ExitStack() as running:
        emulator = processes.start_emulator(folder, spread=webs > 1)
        running.callback(emulator.process.stop)
        port = processes.free_port()
        env = processes.bot_env(emulator, database_url, port)
        whatsapp_emulator = None
        if whatsapp is not None:
            whatsapp_emulator = processes.start_whatsapp(folder, port, whatsapp.limit)
            running.callback(whatsapp_emulator.process.stop)
            env |= processes.whatsapp_env(whatsapp_emulator, whatsapp.rate)
        processes.migrate(folder, env)
        if prepare is not None:
            asyncio.run(prepare(database_url))
        roles = ["all"] if database_url.startswith("sqlite") else ["worker"] + ["web"] * webs
        started = []
        for index, role in enumerate(roles):
            started.append(processes.lapor_bot(f"{role}-{index}", role, folder, env))
            running.callback(started[-1].stop)
        for process in started:
            processes.wait_until_started(process)
        workers = [process for process in started if process.name.startswith("worker")]
        yield Cluster(emulator, port, [process for process in started if process not in workers], database_url, workers,
                      whatsapp_emulator)

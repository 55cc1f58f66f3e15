"""lapor-bot as the Procfile runs it on PostgreSQL, in processes of its own, for the kill -9 tests of
tests/test_cluster_crash.py: the release step, two web processes on one webhook port, two workers."""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from bench.harness import processes
from bot.db import Transactions, create_engine
from bot.db.models import InboxUpdate, JobLease, OutboxMessage
from bot.delivery import outbox
from tests.harness import eventually
from tests.kit.client import Citizen
from tests.kit.faults import fault_plan
from tests.test_crash import SLOW_SEND  # what is on the wire at a kill: sent within the answer's delay

# `lapor-bot run --role ROLE`, with the jobs' leases and batches short and each inbox claim logged.
BOOT = """
import logging, sys
from datetime import timedelta
from bot.cli import main
from bot.inbox import store
from bot.jobs import broadcasts, deadlines
from bot.services import broadcasts as broadcast_batches, deadline_sweep

assert deadlines.EVERY and deadlines.LEASE and deadline_sweep.BATCH and broadcasts.LEASE and broadcasts.WINDOW
deadlines.EVERY, deadlines.LEASE, deadline_sweep.BATCH = timedelta(seconds=1), timedelta(seconds=4), 2
broadcasts.LEASE, broadcasts.WINDOW, broadcast_batches.BATCH = timedelta(seconds=4), 10, 10
claim_outcome = store.claim_outcome  # what every claim comes to, in a statement of its own or with the turn's read

async def logged_claim_outcome(session, update_id, chat_id, settled):
    outcome = await claim_outcome(session, update_id, chat_id, settled)
    logging.getLogger("cluster-test").info("update %s: %s", update_id, outcome)
    return outcome

store.claim_outcome = logged_claim_outcome
sys.exit(main(["run", "--role", sys.argv[1]]))
"""
CITIZENS = 12


@dataclass
class Kill:
    sent: int  # messages in the chats at the instant of the kill
    on_the_wire: int  # of them, those whose answer had not come back yet
    in_flight: int  # of them, those not marked sent in the outbox: the most a restart may send again
    waiting_updates: int  # updates stored but not handled yet


class Cluster:
    """lapor-bot as the Procfile runs it on PostgreSQL: the release step, then web-a and web-b on one webhook
    port, worker-a and worker-b."""

    def __init__(self, emulator, database_url: str, folder, lease_seconds: str = "6") -> None:
        self.emulator, self.folder = emulator, folder
        self.env = processes.bot_env(emulator, database_url, processes.free_port()) | {
            "DELIVERY_LEASE_SECONDS": lease_seconds, "MEDIA_DIR": str(folder / "media")}
        self.engine = create_engine(database_url)
        self.transactions = Transactions(self.engine)
        self.running: dict[str, processes.Process] = {}
        self.names: dict[str, str] = {}  # a process's name here -> the name it runs under (its jobs' leases name it)
        self.logs: dict[str, list[Path]] = {}
        # A connection per post, as Telegram opens many: the kernel spreads them between the web processes.
        self.http = emulator._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))

    async def start(self, *names: str) -> None:
        started = {}
        for name in names:
            log_name = f"{name}.{len(self.logs.setdefault(name, []))}"
            started[name] = processes.start(log_name, ["-c", BOOT, name.split("-")[0]], self.folder, self.env)
            self.logs[name].append(started[name].log)
        self.running |= started
        lines = await asyncio.gather(*(asyncio.to_thread(process.wait_for, f"started as {name.split('-')[0]}")
                                       for name, process in started.items()))
        self.names |= {name: line.split(" named ")[1].strip() for name, line in zip(started, lines)}
        await eventually(lambda: self.emulator.state.webhook_url, timeout=30)

    async def stop(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(process.stop) for process in self.running.values()))
        await asyncio.gather(self.engine.dispose(), self.http.close())

    async def say(self, citizens: list[Citizen], text: str) -> None:
        """Each citizen writes ``text``; returns once a web process has taken every update (stored it)."""
        updates = [await self.emulator.user_sends_text(citizen.user_id, text) for citizen in citizens]
        await eventually(lambda: all(self.emulator.handled(update) for update in updates), timeout=60)

    async def lease_holder(self, job: str) -> str:
        """Which running worker holds a job's lease ("" for none: nobody, or a dead one)."""
        async with self.transactions.sessions() as session:
            holder = await session.scalar(select(JobLease.holder).where(JobLease.name == job))
        return next((name for name in self.running if self.names[name] == holder), "")

    async def kill_9(self, *names: str) -> Kill:
        """Kill ``names``; what was in the chats, on the wire and not marked sent at that instant. The others are
        held still (SIGSTOP) while it is counted: a request a killed process wrote just before dying still reaches
        the emulator and must be counted (as in test_crash), and nothing sent meanwhile may be."""
        held = [process.popen for name, process in self.running.items() if name not in names]
        for popen in held:
            popen.send_signal(signal.SIGSTOP)
        try:
            for name in names:
                self.running[name].popen.kill()
            killed_at = time.monotonic()
            for name in names:
                self.running.pop(name).popen.wait()
            await asyncio.sleep(0.3)
            sent, sent_at = list(self.emulator.stats.sent), list(self.emulator.stats.sent_at)
            fault_plan(self.emulator).clear()  # the slow answers stop, for the restart
            async with self.transactions.sessions() as session:
                marked = dict((await session.execute(select(OutboxMessage.chat_id, func.count()).where(
                    OutboxMessage.state == outbox.SENT).group_by(OutboxMessage.chat_id))).all())
                waiting = await session.scalar(select(func.count()).select_from(InboxUpdate).where(
                    InboxUpdate.state == "pending"))
        finally:
            for popen in held:
                popen.send_signal(signal.SIGCONT)
        in_flight = sum(max(0, count - marked.get(chat, 0)) for chat, count in Counter(m.chat_id for m in sent).items())
        on_the_wire = sum(1 for at in sent_at if killed_at - at < SLOW_SEND)
        return Kill(len(sent), on_the_wire, in_flight, waiting)

    async def settled(self) -> None:
        """Until no update and no message waits (a dead process's claims run out first); then nothing failed."""
        async def idle() -> bool:
            return not (await self.states(InboxUpdate))["pending"] and not (await self.states(OutboxMessage))["pending"]

        await eventually(idle, timeout=90, interval=0.5)
        await asyncio.sleep(1.0)
        updates, messages = await self.states(InboxUpdate), await self.states(OutboxMessage)
        assert set(updates) <= {"done", "ignored"} and set(messages) <= {"sent"}, (updates, messages)

    async def states(self, table) -> Counter:
        async with self.transactions.sessions() as session:
            return Counter(dict((await session.execute(select(table.state, func.count()).group_by(table.state))).all()))

    def claims(self, name: str) -> Counter:
        """What a web process's inbox claims came to, over its runs: claimed, handled already, deferred."""
        outcomes = Counter()
        for log in self.logs[name]:
            outcomes.update(re.findall(r"cluster-test: update \d+: (.+)", log.read_text(errors="replace")))
        return outcomes

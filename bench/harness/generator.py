"""The load generator: users act through the emulator's /load/act at a fixed offered rate.

A pacer hands out slots at ``rate`` a second to the users ready to act (each waits for its reply before its
next act, as a person would); a slot with nobody ready is counted as missed, so an overloaded bot shows as an
achieved rate below the offered one. Only acts started after the warm-up count. Prints one JSON line.
Usage: python -m bench.harness.generator EMULATOR_URL SCRIPT RATE SECONDS FIRST_USER_ID [USERS [WARM_UP_SECONDS]]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field

import aiohttp

from bench.harness.emulator_process import REPLY_TIMEOUT
from bench.harness.scripts import SCRIPTS

WARM_UP_SECONDS = 3.0
THINK_SECONDS = 3.0  # users = rate x this: each acts about every 3 s, within Telegram's 1 message/s per chat


@dataclass
class Pacer:
    rate: float
    ready: asyncio.Queue = field(default_factory=asyncio.Queue)
    missed: int = 0

    async def slot(self) -> None:
        granted = asyncio.get_running_loop().create_future()
        self.ready.put_nowait(granted)
        await granted

    async def run(self, seconds: float) -> None:
        started, released = time.monotonic(), 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * self.rate)
            while released < due:
                released += 1
                if self.ready.empty():
                    self.missed += 1
                else:
                    self.ready.get_nowait().set_result(None)
            await asyncio.sleep(0.001)


@dataclass
class Results:
    first_ms: list[float] = field(default_factory=list)
    awaited_ms: list[float] = field(default_factory=list)
    failed: int = 0
    all_acts: int = 0  # answered, warm-up and drain included (for the CPU time per update)

    def summary(self, seconds: float, missed: int, offered: float) -> dict:
        def percentile(values: list[float], share: float) -> float:
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1) if ordered else 0.0

        return {"offered": offered, "achieved": round(len(self.first_ms) / seconds, 1), "acts": len(self.first_ms), "all_acts": self.all_acts,
                "failed": self.failed, "missed_slots": missed,
                "p50_ms": round(statistics.median(self.first_ms), 1) if self.first_ms else 0.0,
                "p99_ms": percentile(self.first_ms, 0.99),
                "awaited_p50_ms": round(statistics.median(self.awaited_ms), 1) if self.awaited_ms else 0.0,
                "awaited_p99_ms": percentile(self.awaited_ms, 0.99)}


async def run(url: str, script: str, rate: float, seconds: float, first_user: int, users: int,
              warm_up: float = WARM_UP_SECONDS) -> dict:
    pacer, results, steps = Pacer(rate), Results(), SCRIPTS[script]
    counted_from = time.monotonic() + warm_up
    counted_until = counted_from + seconds

    in_flight = 0

    async def user(http: aiohttp.ClientSession, index: int) -> None:
        nonlocal in_flight
        round_ = 0
        while True:
            for step in steps(index, round_):
                await pacer.slot()
                started, in_flight = time.monotonic(), in_flight + 1
                async with http.post(f"{url}/load/act", json={"user": first_user + index, "act": step.act,
                                                              "expect": step.expect}) as response:
                    answer = await response.json()
                in_flight -= 1
                results.all_acts += answer["ok"]
                if counted_from <= started < counted_until:
                    if answer["ok"]:
                        results.first_ms.append(answer["first_ms"])
                        results.awaited_ms.append(answer["awaited_ms"])
                    else:
                        results.failed += 1
                if not answer["ok"]:
                    break  # lost its place in the script: start the next round from the top
            round_ += 1

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        tasks = [asyncio.create_task(user(http, index)) for index in range(users)]
        await pacer.run(warm_up + seconds)
        drained_by = time.monotonic() + REPLY_TIMEOUT + 5
        while in_flight and time.monotonic() < drained_by:  # the acts of the window finish (no new ones start)
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results.summary(seconds, pacer.missed, rate) | {"users": users}


def main(arguments: list[str]) -> None:
    url, script, rate, seconds, first_user = arguments[0], arguments[1], float(arguments[2]), float(arguments[3]), int(arguments[4])
    users = int(arguments[5]) if len(arguments) > 5 and arguments[5] else max(10, int(rate * THINK_SECONDS))
    warm_up = float(arguments[6]) if len(arguments) > 6 else WARM_UP_SECONDS
    print(json.dumps(asyncio.run(run(url, script, rate, seconds, first_user, users, warm_up))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

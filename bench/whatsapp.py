"""A WhatsApp citizen next to a Telegram citizen, on the load harness (bench/harness/): one lapor-bot with both
channels (one process, role all, on SQLite; a worker and a web process on PostgreSQL), the Bot API emulator
and the WhatsApp emulator each in a process of their own, and the load generator offering the same rate of
the same citizen script (a whole report, 11 turns) to one channel at a time, the two alternating round by
round so that the VM's drift falls on both.

Per channel: the achieved rate, p50/p99 of the first and of the awaited reply (from the person's message handed
to the bot, by webhook on both channels, to the bot's message in the chat), and the bot's CPU time per act. On
WhatsApp every message the bot sends comes back as two status webhooks (sent, delivered), which the bot
handles too: its CPU per act includes them, and the webhooks per act are printed. As for Telegram, the
emulator's limits are off and the bot's own pacing at its highest (WHATSAPP_RATE 1000): what is measured is the
bot, not a limiter.
Usage: python bench/whatsapp.py [--rate 20] [--seconds 15] [--rounds 2]   (BENCH_DATABASES=sqlite,postgresql)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import cluster, processes  # noqa: E402
from bench.harness.cluster import Cluster, WhatsAppOptions  # noqa: E402

FIRST_USERS = {"telegram": 10_000_000, "whatsapp": 40_000_000}  # a fresh million of people per run
CHANNELS = ("telegram", "whatsapp")


def whatsapp_stats(running: Cluster) -> dict:
    with urllib.request.urlopen(f"{running.whatsapp.base_url}/load/stats", timeout=10) as answer:
        return json.loads(answer.read())


def run(folder: Path, running: Cluster, channel: str, index: int, arguments) -> str:
    running.wait_until_idle()
    emulator = running.whatsapp if channel == "whatsapp" else running.emulator
    webhooks = whatsapp_stats(running)["webhooks"]
    f = processes.generate(folder, emulator, "citizens", arguments.rate, arguments.seconds,
                           FIRST_USERS[channel] + 1_000_000 * index, running.bots)
    extra = ""
    if channel == "whatsapp" and f["all_acts"]:
        extra = f"   {(whatsapp_stats(running)['webhooks'] - webhooks) / f['all_acts']:.1f} webhooks/act"
    return (f"{channel:9} {f['offered']:4.0f}/s -> {f['achieved']:5.1f}/s   first reply p50 {f['p50_ms']:6.1f} "
            f"p99 {f['p99_ms']:6.1f} ms   awaited p50 {f['awaited_p50_ms']:6.1f} p99 {f['awaited_p99_ms']:6.1f} ms   "
            f"CPU {f['cpu_ms_per_update']} ms/act   ({f['acts']} acts, {f['failed']} failed, "
            f"{f['missed_slots']} slots missed){extra}")


def bench(database_url: str, arguments) -> None:
    kind = database_url.split("+")[0]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if kind == "sqlite":
            database_url = f"sqlite+aiosqlite:///{folder}/whatsapp.db"
        with cluster.lapor_bot(folder, database_url, 1, whatsapp=WhatsAppOptions(rate=1000)) as running:
            for index in range(arguments.rounds):
                for channel in CHANNELS if index % 2 == 0 else reversed(CHANNELS):
                    print(f"{kind:10} round {index + 1}  {run(folder, running, channel, index, arguments)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", default=20.0, type=float)
    parser.add_argument("--seconds", default=15.0, type=float)
    parser.add_argument("--rounds", default=2, type=int)
    arguments = parser.parse_args()
    from tests import postgres

    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    if "sqlite" in databases:
        bench("sqlite", arguments)
    if "postgresql" in databases:
        postgres.create_run_database()
        try:
            if postgres.problem():
                print(f"postgresql: skipped ({postgres.problem()})")
            else:
                bench(postgres.run_url(), arguments)
        finally:
            postgres.drop_run_database()


if __name__ == "__main__":
    main()

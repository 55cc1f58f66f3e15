"""The load harness of bench/load.py (issue 14), at a gentle rate: the emulator, the bot and the load generator
in processes of their own; every act of every scripted user is answered, and the figures add up. On
PostgreSQL lapor-bot runs as the Procfile does: the release step, a worker and two web processes sharing the
webhook port, both of which handle updates."""

from __future__ import annotations

import asyncio
import re
import urllib.request

from bench.harness import cluster, processes
from bench.harness.seed import staff_with_inboxes

RATE, SECONDS = 20.0, 4.0


def _handled_per_process(port: int) -> set[float]:
    """The updates each web process has handled, read from /metrics on the port they share: each scrape is a
    new connection, which the kernel gives to either process."""
    counts = set()
    for _ in range(40):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            found = re.search(r'^lapor_updates_total\{outcome="handled"\} (\S+)$', response.read().decode(), re.M)
        counts.add(float(found.group(1)) if found else 0.0)  # a process that handled none has no such line
    assert min(counts) > 0, counts
    return counts


def _measured(running: cluster.Cluster, folder, script: str, first_user: int) -> dict:
    figures = processes.generate(folder, running.emulator, script, RATE, SECONDS, first_user)
    print(script, figures)
    assert figures["failed"] == 0 and figures["missed_slots"] == 0, figures
    assert figures["acts"] >= RATE * SECONDS * 0.9, "about the offered rate, all answered"
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["awaited_p99_ms"] < 30_000
    return figures


async def test_the_echo_bot_baseline_answers_every_act(tmp_path):
    def run() -> None:
        with cluster.echo_bot(tmp_path) as running:
            _measured(running, tmp_path, "echo", 10_000_000)

    await asyncio.to_thread(run)


async def test_lapor_bot_serves_citizens_and_staff_under_load_from_processes_of_its_own(database_url, tmp_path):
    staff = 30_000_000

    def run() -> None:
        webs = 2
        with cluster.lapor_bot(tmp_path, database_url, webs, lambda url: staff_with_inboxes(url, staff, 60)) as running:
            _measured(running, tmp_path, "citizens", 10_000_000)
            running.wait_until_idle()
            _measured(running, tmp_path, "staff", staff)
            if not database_url.startswith("sqlite"):
                assert len(_handled_per_process(running.webhook_port)) == webs, "both web processes handled updates"

    await asyncio.to_thread(run)

"""The load harness of bench/load.py (issue 14), at a gentle rate: the emulator, the bot and the load generator
in processes of their own; every act of every scripted user is answered, and the figures add up. On
PostgreSQL lapor-bot runs as the Procfile does: the release step, a worker and two web processes sharing the
webhook port, both of which handle updates. With both channels (bench/whatsapp.py, bench/whatsapp_push.py),
citizens on WhatsApp are served the same way, and a status push reaches each WhatsApp reporter once."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request

import pytest
from aiohttp import ClientSession

from bench.harness import cluster, processes
from bench.harness.seed import staff_with_inboxes, whatsapp_reporters
from bench.harness.whatsapp_process import LoadWhatsAppEmulator
from bench.whatsapp_push import change_all, received

# Alone: beside three other workers' tests, two cores starved the bot (first replies took 4 s, the generator missed slots).
pytestmark = pytest.mark.alone

RATE, SECONDS, WARM_UP = 20.0, 4.0, 1.0  # the warm-up: a second (bench/load.py takes 3)


def _handled_per_process(port: int) -> set[tuple[float, float]]:
    """The updates each web process has handled and the seconds it spent on them, read from /metrics on the port
    they share: each scrape is a new connection, which the kernel gives to either process. The time tells them
    apart where the counts happen to be equal (each webhook, a new connection too, goes to either: 99 each of 198
    updates is one run in 18)."""
    processes_seen = set()
    for _ in range(40):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
        handled = re.search(r'^lapor_updates_total\{outcome="handled"\} (\S+)$', text, re.M)
        seconds = re.search(r"^lapor_update_handling_seconds_sum (\S+)$", text, re.M)
        # a process that handled none has no such line
        processes_seen.add((float(handled.group(1)) if handled else 0.0, float(seconds.group(1)) if seconds else 0.0))
    assert min(handled for handled, _seconds in processes_seen) > 0, processes_seen
    return processes_seen


def _measured(emulator: processes.Emulator | processes.WhatsApp, folder, script: str, first_user: int) -> dict:
    figures = processes.generate(folder, emulator, script, RATE, SECONDS, first_user, warm_up=WARM_UP)
    print(script, figures)
    assert figures["failed"] == 0 and figures["missed_slots"] == 0, figures
    assert figures["acts"] >= RATE * SECONDS * 0.9, "about the offered rate, all answered"
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["awaited_p99_ms"] < 30_000
    return figures


async def test_the_echo_bot_baseline_answers_every_act(tmp_path):
    def run() -> None:
        with cluster.echo_bot(tmp_path) as running:
            _measured(running.emulator, tmp_path, "echo", 10_000_000)

    await asyncio.to_thread(run)


async def test_lapor_bot_serves_citizens_and_staff_under_load_from_processes_of_its_own(database_url, tmp_path):
    staff = 30_000_000

    def run() -> None:
        webs = 2
        with cluster.lapor_bot(tmp_path, database_url, webs, lambda url: staff_with_inboxes(url, staff, 60)) as running:
            _measured(running.emulator, tmp_path, "citizens", 10_000_000)
            running.wait_until_idle()
            _measured(running.emulator, tmp_path, "staff", staff)
            if not database_url.startswith("sqlite"):
                assert len(_handled_per_process(running.webhook_port)) == webs, "both web processes handled updates"

    await asyncio.to_thread(run)


async def test_whatsapp_citizens_are_served_under_load_and_a_status_push_reaches_each_reporter_once(database_url, tmp_path):
    reporters = 30

    def run() -> None:
        options = cluster.WhatsAppOptions(rate=1000)
        with cluster.lapor_bot(tmp_path, database_url, 1, lambda url: whatsapp_reporters(url, reporters), options) as running:
            _measured(running.whatsapp, tmp_path, "citizens", 40_000_000)
            running.wait_until_idle()
            assert received(running)["templates"] == 0, "the citizens wrote: their window is open"
            asyncio.run(change_all(database_url))
            deadline = time.monotonic() + 60
            while received(running)["templates"] < reporters and time.monotonic() < deadline:
                time.sleep(0.2)
            running.wait_until_idle()
            stats = received(running)
            assert stats["templates"] == reporters, "each reporter's notice once, as a template (their window closed)"
            assert stats["refused"] == {}

    await asyncio.to_thread(run)


async def test_an_act_the_whatsapp_emulator_cannot_do_is_answered_as_failed():
    """A person who lost their place in the script (no such button): the generator hears it and starts again."""
    async with LoadWhatsAppEmulator(0, "http://127.0.0.1:9/whatsapp", None) as emulator, ClientSession() as http:
        act = {"user": 7, "act": {"tap": "Kirim laporan"}, "expect": "Nomor pelacakan"}
        async with http.post(f"{emulator.base_url}/load/act", json=act) as response:
            assert await response.json() == {"ok": False, "why": "NoSuchButton"}
        async with http.get(f"{emulator.base_url}/load/stats") as response:
            assert (await response.json())["sent"] == 0

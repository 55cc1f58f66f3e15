"""Load in separate processes (issue 14): the emulator, the bot and the load generator each in a process of
their own, on loopback. The baseline is an echo bot on the same python-telegram-bot stack and harness.

For each bot and setup, at each offered rate: updates per second achieved, and p50/p99 of the reply latency
(an update handed to the bot until its first reply is in the chat; "awaited": until the reply the user waits
for, the last of a turn's messages). At the end, each lapor-bot setup beside the echo bot at the same rates, with
the ratios issue 29 asks about: CPU per update (at most 3x the echo bot's) and the rate held (at least 40 %).
The echo bot stays up through the run and is measured again right before each lapor-bot window, at its rate: the
ratios compare neighbouring windows, so that a machine whose speed drifts over minutes (a shared host) moves both.
lapor-bot runs by webhook: SQLite in one process (role all); PostgreSQL with 1 and 2 web processes sharing the
port, beside one worker, migrated first by the release step.
Usage: python bench/load.py [--rates 50,100,200,400] [--seconds 15] [--bots echo,citizens,staff] [--web 1,2]
       [--profile RATE]   (py-spy samples the first web process at that rate; BENCH_DATABASES as elsewhere)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import cluster, processes  # noqa: E402
from bench.harness.generator import THINK_SECONDS  # noqa: E402
from bench.harness.profile import Profile  # noqa: E402
from bench.harness.seed import staff_with_inboxes  # noqa: E402

STAFF_FIRST_USER = 30_000_000
ECHO = "echo bot, 1 process"
MEASURED: dict[str, dict[float, dict]] = {}  # label -> offered rate -> figures
BESIDE: dict[str, dict[float, dict]] = {}  # lapor-bot label -> rate -> the echo bot's figures in the window before


@dataclass(frozen=True)
class Echo:
    """The running echo bot, measured beside each lapor-bot window."""

    folder: Path
    running: cluster.Cluster


def _row(label: str, figures: dict) -> None:
    print(f"{label:34} {figures['offered']:5.0f}/s -> {figures['achieved']:6.1f}/s   "
          f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms   "
          f"awaited p50 {figures['awaited_p50_ms']:7.1f} ms  p99 {figures['awaited_p99_ms']:7.1f} ms   "
          f"CPU {figures['cpu_ms_per_update']:5.2f} ms/update   "
          f"({figures['acts']} acts, {figures['failed']} failed, {figures['missed_slots']} slots missed)", flush=True)


def _rates(arguments, folder: Path, running: cluster.Cluster, label: str, script: str,
           echo: Echo | None = None) -> None:
    measured = MEASURED.setdefault(label, {})
    for index, rate in enumerate(arguments.rates):
        running.wait_until_idle()
        first_user = STAFF_FIRST_USER if script == "staff" else 10_000_000 + 1_000_000 * index
        if echo is not None:
            BESIDE.setdefault(label, {})[rate] = _echo_window(arguments, echo, rate, first_user)
        profile = Profile(running.webs[0], f"{label}-{rate:g}") if rate == arguments.profile else None
        figures = processes.generate(folder, running.emulator, script, rate, arguments.seconds, first_user, running.bots)
        if profile:
            print(profile.finish(), flush=True)
        _row(label, figures)
        measured[rate] = figures


def _echo_window(arguments, echo: Echo, rate: float, first_user: int) -> dict:
    figures = processes.generate(echo.folder, echo.running.emulator, "echo", rate, arguments.seconds, first_user,
                                 echo.running.bots)
    _row("  echo bot, the window before", figures)
    return figures


def side_by_side() -> None:
    """Each lapor-bot setup beside the echo bot, rate by rate, with the ratios."""
    if not BESIDE:
        return
    print("\nside by side with the echo bot (same harness, same run, the echo bot's window right before):")
    for label, by_rate in MEASURED.items():
        for rate, figures in by_rate.items() if label != ECHO else ():
            base = BESIDE.get(label, {}).get(rate)
            if base is None or not base["cpu_ms_per_update"] or not figures["cpu_ms_per_update"]:
                continue
            print(f"{label:34} {rate:5.0f}/s   CPU {figures['cpu_ms_per_update']:5.2f} vs {base['cpu_ms_per_update']:5.2f} "
                  f"ms/update = {figures['cpu_ms_per_update'] / base['cpu_ms_per_update']:4.1f}x   "
                  f"held {figures['achieved']:6.1f} vs {base['achieved']:6.1f}/s = "
                  f"{100 * figures['achieved'] / base['achieved']:3.0f} %   "
                  f"p99 {figures['p99_ms']:7.1f} vs {base['p99_ms']:6.1f} ms", flush=True)


def echo_bot(arguments, stack: ExitStack) -> Echo:
    """The echo bot started for the whole run, and measured at each rate on its own first."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    echo = Echo(folder, stack.enter_context(cluster.echo_bot(folder)))
    _rates(arguments, folder, echo.running, ECHO, "echo")
    return echo


def lapor_bot(arguments, script: str, database_url: str, webs: int, echo: Echo | None) -> None:
    kind = database_url.split("+")[0]
    staff = int(max(arguments.rates) * THINK_SECONDS)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if kind == "sqlite":
            database_url = f"sqlite+aiosqlite:///{folder}/load.db"
        prepare = (lambda url: staff_with_inboxes(url, STAFF_FIRST_USER, staff)) if script == "staff" else None
        with cluster.lapor_bot(folder, database_url, webs, prepare) as running:
            _rates(arguments, folder, running, f"lapor-bot {script}, {kind}, {webs} web", script, echo)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="50,100,200,400", type=lambda text: [float(r) for r in text.split(",")])
    parser.add_argument("--seconds", default=15.0, type=float)
    parser.add_argument("--bots", default="echo,citizens,staff")
    parser.add_argument("--web", default="1,2", type=lambda text: [int(n) for n in text.split(",")])
    parser.add_argument("--profile", type=float)
    arguments = parser.parse_args()
    from tests import postgres

    bots = arguments.bots.split(",")
    with ExitStack() as stack:
        echo = echo_bot(arguments, stack) if "echo" in bots else None
        databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
        for script in [bot for bot in bots if bot != "echo"]:
            if "sqlite" in databases:
                lapor_bot(arguments, script, "sqlite", 1, echo)
            if "postgresql" not in databases:
                continue
            for webs in arguments.web:
                postgres.create_run_database()
                try:
                    if postgres.problem():
                        print(f"postgresql: skipped ({postgres.problem()})")
                        break
                    lapor_bot(arguments, script, postgres.run_url(), webs, echo)
                finally:
                    postgres.drop_run_database()
    side_by_side()


if __name__ == "__main__":
    main()

"""This checkout against another revision, in the load harness (bench/harness/): citizens filing reports at one
offered rate, each bot in one process (role all, by webhook) with a fresh emulator and database, the two
alternating round by round so that the VM's drift falls on both. Prints p50/p99 of the first and of the
awaited reply, and the CPU time per update. The other revision runs from a git worktree with this
checkout's virtualenv, so it must run on the same dependencies (issue 10 measured 8808b98 this way).
Usage: python bench/compare.py REVISION [rate] [seconds] [rounds]   (BENCH_DATABASES as elsewhere;
       BENCH_PROFILE=1 also prints where each bot spends its time, as bench/load.py --profile does)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import processes  # noqa: E402
from bench.harness.processes import ROOT  # noqa: E402
from bench.harness.profile import Profile  # noqa: E402


def _webhook_set(emulator: processes.Emulator) -> bool:
    with urllib.request.urlopen(f"{emulator.base_url}/bot{emulator.token}/getWebhookInfo", timeout=10) as answer:
        return bool(json.loads(answer.read())["result"]["url"])


def measure(label: str, checkout: Path, database_url: str, rate: float, seconds: float) -> None:
    """One bot process of ``checkout`` (it migrates its own schema), ready once it has set its webhook."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        emulator = processes.start_emulator(folder)
        bot = None
        try:
            env = processes.bot_env(emulator, database_url.replace("{folder}", name), processes.free_port())
            bot = processes.start("bot", ["-m", "bot.cli", "run"], folder, env, cwd=checkout)
            deadline = time.monotonic() + 120
            while not _webhook_set(emulator):
                if bot.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(bot.log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
            profile = Profile(bot, f"compare-{label}") if os.environ.get("BENCH_PROFILE") else None
            f = processes.generate(folder, emulator, "citizens", rate, seconds, 10_000_000, [bot])
            if profile:
                print(profile.finish(), flush=True)
            print(f"{label:12} {database_url.split('+')[0]:10} {f['achieved']:6.1f}/s   first reply p50 {f['p50_ms']:6.1f} "
                  f"p99 {f['p99_ms']:6.1f} ms   awaited p50 {f['awaited_p50_ms']:6.1f} p99 {f['awaited_p99_ms']:6.1f} ms   "
                  f"CPU {f['cpu_ms_per_update']} ms/update   ({f['acts']} acts, {f['failed']} failed)", flush=True)
        finally:
            if bot:
                bot.stop()
            emulator.process.stop()


def main() -> None:
    revision = sys.argv[1]
    rate, seconds, rounds = (float(sys.argv[2]) if len(sys.argv) > 2 else 50.0,
                             float(sys.argv[3]) if len(sys.argv) > 3 else 15.0, int(sys.argv[4]) if len(sys.argv) > 4 else 3)
    from tests import postgres

    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    with tempfile.TemporaryDirectory() as name:
        other = Path(name) / "other"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), revision], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            for _ in range(rounds):
                for database in databases:
                    for label, checkout in ((revision[:10], other), ("this", ROOT)):
                        if database == "sqlite":
                            measure(label, checkout, "sqlite+aiosqlite:///{folder}/compare.db", rate, seconds)
                            continue
                        postgres.create_run_database()
                        if postgres.problem():
                            print(f"postgresql: skipped ({postgres.problem()})")
                            continue
                        try:
                            measure(label, checkout, postgres.run_url(), rate, seconds)
                        finally:
                            postgres.drop_run_database()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()

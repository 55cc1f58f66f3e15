"""Where a web process spends its time under load: py-spy samples it (when installed), and the functions
are ranked by the share of samples they appear in (own time and with what they call)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.harness.processes import Process

TOP = 15


class Profile:
    def __init__(self, process: Process, folder: Path, label: str) -> None:
        self.output = folder / f"profile-{label}.txt"
        self.recorder = None
        py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if py_spy:
            self.recorder = subprocess.Popen(
                [py_spy, "record", "--pid", str(process.popen.pid), "--format", "raw", "--rate", "200",
                 "--output", str(self.output), "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self) -> str:
        if self.recorder is None:
            return "profile: py-spy is not installed (pip install py-spy)"
        self.recorder.send_signal(2)  # SIGINT: py-spy writes what it sampled
        self.recorder.wait(60)
        return summary(self.output.read_text())


def summary(collapsed: str) -> str:
    """Top functions by inclusive and by own share of the samples, from py-spy's collapsed stacks."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame.split(" (")[0] + " " + frame.split("/")[-1].rstrip(")") for frame in stack.split(";") if frame]
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            own[frames[-1]] += samples
    lines = [f"profile ({total} samples): with what it calls"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(TOP)]
    lines += ["own time"] + [f"  {count / total:6.1%}  {frame}" for frame, count in own.most_common(TOP)]
    return "\n".join(lines)

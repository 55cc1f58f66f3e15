"""Where a web process spends its time under load: py-spy samples it (when installed), and the functions
are ranked by the share of samples they appear in (own time and with what they call)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.harness.processes import Process

TOP = 15


class Profile:
    def __init__(self, process: Process, label: str) -> None:
        self.output = Path(tempfile.gettempdir()) / f"lapor-bot-profile-{label.replace(' ', '').replace(',', '-')}.txt"
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
        return f"{summary(self.output.read_text())}\n  (the samples: {self.output})"


def summary(collapsed: str) -> str:
    """From py-spy's collapsed stacks: own time by package (where the CPU goes), and our own functions by the
    share of samples they appear in (what the time is spent for)."""
    by_package, ours, total = Counter(), Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame for frame in stack.split(";") if frame]
        if not frames or not count.isdigit():  # the last line may be cut short when py-spy is stopped
            continue
        samples = int(count)
        total += samples
        by_package[_package(frames[-1])] += samples
        for frame in {_short(frame) for frame in frames if _package(frame) in ("bot", "handlers", "routing")}:
            ours[frame] += samples
    lines = [f"profile ({total} samples of a busy web process): own time by package"]
    lines += [f"  {count / total:6.1%}  {package}" for package, count in by_package.most_common(TOP)]
    lines += ["our functions, with what they call"]
    lines += [f"  {count / total:6.1%}  {frame}" for frame, count in ours.most_common(TOP)]
    return "\n".join(lines)


def _package(frame: str) -> str:
    """``function (path:line)``, py-spy's path starting at the package -> the package (ours, a library, or
    the standard library's module)."""
    path = frame.rpartition(" (")[2].rstrip(")").split(":")[0]
    return path.split("/")[0] if "/" in path else f"stdlib {path}"


def _short(frame: str) -> str:
    function, _, path = frame.rpartition(" (")
    return f"{function} ({path.rstrip(')')})"

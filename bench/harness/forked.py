"""Processes forked from a server that has imported the bot already, for the tests: they start some hundred bot
processes, and each ``python -m bot.cli`` would spend 2.5 s of CPU importing the bot and reading Indonesia's
regions before it does anything (more than the rest of its life in most tests).

A child is still a process of its own, as ``python -m`` or ``python -c`` starts it: its own environment, folder
and log, the same entry point, killed by a signal like any other. Only the imports and the regions were read
before the fork, by a server (multiprocessing's forkserver) that has done nothing else: no event loop, thread or
connection is inherited. Benchmarks start their processes afresh (``bench.harness.processes``), as an
operator does.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
from pathlib import Path

# What the processes the tests start import (`lapor-bot run`, the sandbox, the harness's emulators and
# generator), and bench.harness.warm, which reads what every bot process reads first.
PRELOAD = ["bot.cli", "bot.app", "bot.sandbox.emulator", "bot.sandbox.whatsapp", "bench.harness.emulator_process",
           "bench.harness.whatsapp_process", "bench.harness.generator", "bench.harness.warm"]
_context: multiprocessing.context.ForkServerContext | None = None


class ForkedPopen:
    """What the tests use of ``subprocess.Popen``, for a process forked by the server."""

    def __init__(self, arguments: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
        self.args = arguments
        log.touch()  # there at once, as Popen's output file is
        self._process = _server().Process(target=_run, args=(arguments, str(cwd), env, str(log)), daemon=True)
        self._process.start()
        self.pid = self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _server() -> multiprocessing.context.ForkServerContext:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _run(arguments: list[str], cwd: str, env: dict[str, str], log: str) -> None:
    """In the child: ``python -m MODULE ARGS`` or ``python -c CODE ARGS``, its output into ``log``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(output, 1)
    os.dup2(output, 2)
    try:
        option, what, *rest = arguments
        if option == "-m":
            sys.argv = [what, *rest]
            sys.modules.pop(what, None)  # run as __main__ only, as `python -m` does (what it imports stays loaded)
            runpy.run_module(what, run_name="__main__", alter_sys=True)
        elif option == "-c":
            sys.argv = ["-c", *rest]
            exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})
        else:
            raise ValueError(f"not a Python command line: {arguments}")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()

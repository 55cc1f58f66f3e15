"""A readers-writer lock over the workers of one pytest-xdist run (file locks in a folder of the run's own): each
test holds it shared while it runs; a module marked ``alone`` holds it exclusively from its first test to its
last. The turnstile, held by such a module from the moment it asks, lets no new test in while the running ones
end (without it, a steady stream of shared holders would keep the module waiting). The folder is the run's
temporary one, whose ``popen-gwN`` folders the workers have (pytest keeps the last three runs')."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class RunLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.module: object | None = None  # the module holding the run alone, in this worker
        self._held: list[IO[str]] = []

    @classmethod
    def of_this_run(cls, config) -> "RunLocks | None":
        """None outside pytest-xdist's workers: one process runs one test at a time anyway."""
        if "PYTEST_XDIST_WORKER" not in os.environ or not config.option.basetemp:
            return None
        return cls(Path(config.option.basetemp).parent)

    @contextmanager
    def together(self) -> Iterator[None]:
        with self._open("turnstile") as turnstile, self._open("running") as running:
            fcntl.flock(turnstile, fcntl.LOCK_EX)
            fcntl.flock(running, fcntl.LOCK_SH)
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            yield

    def alone(self, module: object) -> None:
        if self.module is module:
            return
        self.release()
        turnstile, running = self._open("turnstile"), self._open("running")
        self._held = [turnstile, running]
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(running, fcntl.LOCK_EX)
        self.module = module

    def release(self) -> None:
        for file in self._held:
            file.close()  # closing releases its lock
        self._held, self.module = [], None

    def _open(self, name: str) -> IO[str]:
        return open(self.folder / f"{name}.lock", "a")

"""`lapor-bot` with no token (the README's first command, as the console script runs it), in a process of its own,
stopped and started again on the same port, database and state folder. Forked as the other bot processes of the
tests are (bench/harness/forked.py); its output is in ``sandbox.log`` in its folder."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp

from bench.harness import processes
from tests.harness import free_port

LAPOR_BOT = "import sys; from bot.cli import main; sys.exit(main())"  # what the `lapor-bot` script runs


class SandboxProcess:
    def __init__(self, workdir: Path) -> None:
        self.workdir, self.port, self.log = workdir, free_port(), workdir / "sandbox.log"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "WEBHOOK_", "SANDBOX_"))
        } | {"PORT": str(self.port), "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'sandbox.db'}",
             "SANDBOX_DIR": str(workdir / "state")}
        self.process: processes.Launched | None = None

    async def start(self) -> None:
        self.process = processes.launch(["-c", LAPOR_BOT], self.workdir, self.environment, self.log,
                                        forked=processes.FORKED)
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if self.process.poll() is not None:
                    raise AssertionError(self._output())
                try:
                    async with http.get(self.url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the sandbox did not start in 30 s:\n{self._output()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            assert self.process.wait(30) == 0, self._output()

    def _output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

"""Starting the harness's processes, waiting until each is ready, and stopping them."""

from __future__ import annotations

import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.harness.forked import ForkedPopen

ROOT = Path(__file__).resolve().parents[2]
Launched = subprocess.Popen | ForkedPopen
FORKED = False  # the tests set it: their processes are forked from a server that has imported the bot (forked.py)
WEBHOOK_SECRET = "load-harness-secret"


@dataclass
class Process:
    name: str
    popen: Launched
    log: Path

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        """The first log line containing ``text``; fails when the process exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log.read_text(errors="replace").splitlines():
                if text in line:
                    return line
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not print {text!r}; its log:\n{self.log.read_text(errors='replace')[-3000:]}")

    def cpu_seconds(self) -> float:
        """CPU time used so far, user and system (Linux)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def kill_9(self) -> None:
        self.popen.kill()
        self.popen.wait()


def start(name: str, arguments: list[str], folder: Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Process:
    """``cwd``: another checkout of the bot (to compare a release with an earlier one)."""
    log = folder / f"{name}.log"
    popen = launch(arguments, cwd, {**os.environ, **(env or {})}, log, forked=FORKED and cwd == ROOT)
    return Process(name, popen, log)


def launch(arguments: list[str], cwd: Path, env: dict[str, str], log: Path, forked: bool) -> Launched:
    """``python ARGUMENTS`` in ``cwd`` with ``env``, its output added to ``log``; ``forked``: see forked.py."""
    if forked:
        return ForkedPopen(arguments, cwd, env, log)
    with open(log, "ab") as output:
        return subprocess.Popen([sys.executable, *arguments], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Emulator:
    process: Process
    base_url: str
    token: str


def start_emulator(folder: Path, spread: bool = False) -> Emulator:
    """``spread``: each webhook post on a connection of its own, for web processes sharing the port (see
    bench.harness.emulator_process)."""
    arguments = ["-m", "bench.harness.emulator_process", "0", *(["--spread"] if spread else [])]
    process = start("emulator", arguments, folder)
    ready = json.loads(process.wait_for('"ready"'))
    return Emulator(process, ready["ready"], ready["token"])


@dataclass
class WhatsApp:
    process: Process
    base_url: str


def start_whatsapp(folder: Path, webhook_port: int, messages_per_second: float = 0.0) -> WhatsApp:
    """The WhatsApp emulator posting to the bot's webhook on ``webhook_port``; Meta's throughput limit at
    ``messages_per_second`` (0: none)."""
    process = start("whatsapp", ["-m", "bench.harness.whatsapp_process", "0",
                                 f"http://127.0.0.1:{webhook_port}/whatsapp", str(messages_per_second)], folder)
    return WhatsApp(process, json.loads(process.wait_for('"ready"'))["ready"])


def whatsapp_env(whatsapp: WhatsApp, rate: float) -> dict[str, str]:
    """The bot's WhatsApp settings for the emulator (its default number, token and secrets), at WHATSAPP_RATE ``rate``."""
    from bot.sandbox.whatsapp import WhatsAppEmulator

    defaults = {name: parameter.default for name, parameter in inspect.signature(WhatsAppEmulator).parameters.items()}
    return {"WHATSAPP_PHONE_NUMBER_ID": defaults["phone_number_id"], "WHATSAPP_ACCESS_TOKEN": defaults["token"],
            "WHATSAPP_APP_SECRET": defaults["app_secret"], "WHATSAPP_VERIFY_TOKEN": defaults["verify_token"],
            "WHATSAPP_API_URL": whatsapp.base_url, "WHATSAPP_RATE": f"{rate:g}"}


def bot_env(emulator: Emulator, database_url: str, webhook_port: int) -> dict[str, str]:
    """lapor-bot against the emulator by webhook, with the emulator's limits off and our own pacing at its
    highest across chats (1,000/s; per chat it stays Telegram's): what is measured is the bot, not a limiter."""
    return {"TELEGRAM_BOT_TOKEN": emulator.token, "TELEGRAM_API_BASE_URL": emulator.base_url,
            "DATABASE_URL": database_url, "WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/telegram",
            "WEBHOOK_SECRET": WEBHOOK_SECRET, "PORT": str(webhook_port), "DELIVERY_RATE": "1000",
            "LOG_LEVEL": "INFO"}


def lapor_bot(name: str, role: str, folder: Path, env: dict[str, str]) -> Process:
    """Started, not yet ready: ``wait_until_started`` (processes started side by side start sooner together)."""
    return start(name, ["-m", "bot.cli", "run", "--role", role], folder, env)


def wait_until_started(process: Process) -> None:
    process.wait_for("started as ")


def wait_until_idle(webhook_port: int, timeout: float = 300.0) -> None:
    """Until the bot's inbox and outbox are empty (its /healthz says so): a rate starts on an idle bot."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{webhook_port}/healthz", timeout=10) as response:
                health = json.loads(response.read())
            if health["inbox"]["depth"] == 0 and health["outbox"]["depth"] == 0:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the bot did not work through its backlog")


def migrate(folder: Path, env: dict[str, str]) -> None:
    """The release step: `lapor-bot db upgrade`."""
    process = start("release", ["-m", "bot.cli", "db", "upgrade"], folder, env)
    if process.popen.wait(300) != 0:
        raise RuntimeError(process.log.read_text(errors="replace")[-3000:])


def echo_bot(folder: Path, emulator: Emulator, webhook_port: int) -> Process:
    process = start("echo", ["-m", "bench.harness.echo_bot", emulator.base_url, emulator.token, str(webhook_port)], folder)
    process.wait_for("ready")
    return process


def generate(folder: Path, emulator: Emulator | WhatsApp, script: str, rate: float, seconds: float, first_user: int,
             bots: list[Process] = (), warm_up: float | None = None) -> dict:
    """Run the load generator to its end; what it measured, with the CPU time the ``bots`` spent per update.
    ``warm_up``: seconds before acts count (None: the generator's own)."""
    cpu_before = sum(bot.cpu_seconds() for bot in bots)
    arguments = [emulator.base_url, script, str(rate), str(seconds), str(first_user)]
    if warm_up is not None:
        arguments += ["", str(warm_up)]  # the users: as many as the rate asks
    process = start(f"generator-{script}-{rate:g}", ["-m", "bench.harness.generator", *arguments], folder)
    if process.popen.wait(seconds + 120) != 0:
        raise RuntimeError(process.log.read_text(errors="replace")[-3000:])
    figures = json.loads(process.log.read_text().strip().splitlines()[-1])
    cpu = sum(bot.cpu_seconds() for bot in bots) - cpu_before
    return figures | {"cpu_ms_per_update": round(cpu * 1000 / figures["all_acts"], 2) if bots and figures["all_acts"] else None}

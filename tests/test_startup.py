"""Start-up never dies of an optional call, refuses a wrong setting with a clear message, and the logs keep
citizens' words out below DEBUG. Group chats reach only the features that ask for them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import _parser, main
from bot.config import ConfigError, Settings
from bot.db import create_engine
from tests.conftest import RunningBot, eventually
from tests.flows import file_report
from tests.kit.faults import Fault, inject
from tests.harness import free_port

SECRET_WORDS = "Kepala dinas meminta uang pelicin RAHASIA-7Q"


@pytest.mark.parametrize("variable, value, named", [
    ("TIME_ZONE", "Asia/Jakrta", "TIME_ZONE"),
    ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
    ("TELEGRAM_API_BASE_URL", "api.telegram.org", "TELEGRAM_API_BASE_URL"),
    ("PORT", "eighty", "PORT"),
    ("DATABASE_URL", "not a url", "DATABASE_URL"),
    ("DELIVERY_RATE", "0", "DELIVERY_RATE"),
])
def test_a_wrong_setting_stops_start_up_with_a_clear_message(variable, value, named, monkeypatch, capsys):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({variable: value})
    monkeypatch.setenv(variable, value)
    assert main(["run"]) == 2
    assert named in capsys.readouterr().err


def test_a_webhook_needs_https_and_a_secret():
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "http://lapor.example.go.id/hook", "WEBHOOK_SECRET": "s"})
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://lapor.example.go.id/hook"})
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://lapor.example.go.id/hook",
                              "WEBHOOK_SECRET": "s", "TIME_ZONE": "Asia/Jayapura"}).time_zone == "Asia/Jayapura"


async def test_a_failing_command_menu_is_tried_again_and_never_stops_the_bot(emulator, database_url, tmp_path):
    inject(emulator, Fault("setMyCommands", status=500))
    running = RunningBot(emulator, database_url, tmp_path)
    await running.start()
    try:
        citizen = running.citizen()
        assert "SP4N-LAPOR!" in (await citizen.send("/start"))[0]["text"], "the bot runs meanwhile"
        await eventually(lambda: {"", "en"} <= set(emulator.state.commands), timeout=15)
    finally:
        await running.stop()


async def test_sql_errors_carry_no_parameters_unless_debugging(database_url):
    for show, visible in ((False, False), (True, True)):
        engine = create_engine(database_url, show_parameters=show)
        try:
            async with engine.connect() as connection:
                with pytest.raises(SQLAlchemyError) as error:
                    await connection.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": SECRET_WORDS})
        finally:
            await engine.dispose()
        assert (SECRET_WORDS in str(error.value)) is visible


async def test_logs_below_debug_keep_citizens_words_out(bot, citizen, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    tracking_id = await file_report(citizen, description=SECRET_WORDS, confidential=True, anonymous=True)

    def broken(*args, **kwargs):
        raise RuntimeError(f"simulated failure while handling {SECRET_WORDS}")

    monkeypatch.setattr("handlers.citizen.status.render.report_card", broken)
    await citizen.send(f"/status {tracking_id}")
    await eventually(lambda: "terjadi kesalahan" in citizen.last_text, timeout=20)
    assert "failed" in caplog.text
    for private in (SECRET_WORDS, "RAHASIA-7Q", "siti_warga"):
        assert private not in caplog.text


async def test_groups_reach_only_the_features_that_ask_for_them(bot, citizen):
    bot.emulator.add_group(-100777, "Warga RT 05", [citizen.user_id])
    update = await bot.emulator.user_sends_text(citizen.user_id, "/lapor", chat_id=-100777)
    await bot.emulator.wait_until(lambda: bot.emulator.processed(update))
    said = bot.emulator.bot_messages(-100777)
    assert len(said) == 1 and "chat pribadi" in said[0]["text"], "no report is written in a group"


def _listening_socket() -> socket.socket:
    """A port another process holds, as the first lapor-bot does."""
    holder = socket.socket()
    holder.bind(("0.0.0.0", 0))
    holder.listen()
    return holder


@pytest.mark.parametrize("argv, env", [
    (["sandbox"], {}),
    (["run"], {"TELEGRAM_BOT_TOKEN": "1:x"}),  # polling: /healthz and /metrics on PORT
    (["run", "--role", "web"], {"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://lapor.example.go.id/hook",
                                "WEBHOOK_SECRET": "s"}),
])
def test_a_second_lapor_bot_on_a_busy_port_says_so_in_one_line(argv, env, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    for variable in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "DATABASE_URL", "SANDBOX_DIR"):
        monkeypatch.delenv(variable, raising=False)
    with _listening_socket() as holder:
        port = holder.getsockname()[1]
        for variable, value in {**env, "PORT": str(port)}.items():
            monkeypatch.setenv(variable, value)
        assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    assert f"port {port} is already in use" in error and "PORT" in error


def test_a_sandbox_on_another_port_is_a_sandbox_of_its_own(tmp_path):
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "DATABASE_URL", "SANDBOX_DIR", "PORT")}
    second = subprocess.Popen([sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port)], cwd=tmp_path,
                              env={**environment, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        said = ""
        while "keeps its chats" not in said:
            line = second.stdout.readline()
            assert line, f"the sandbox stopped: {said}"
            said += line
        database = tmp_path / f"lapor-bot-{port}.db"
        deadline = time.monotonic() + 60
        while not database.exists() and time.monotonic() < deadline:  # created as the bot starts, after the page
            time.sleep(0.1)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert (tmp_path / f"lapor-bot-{port}.db").exists() and (tmp_path / f"sandbox-data-{port}").is_dir()
    assert not (tmp_path / "lapor-bot.db").exists() and not (tmp_path / "sandbox-data").exists(), \
        "the default sandbox's database and state folder are not shared"
    assert f"sandbox-data-{port}" in said and f"lapor-bot-{port}.db" in said


def test_one_shot_commands_print_their_answer_without_alembics_info_lines(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}")
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert main(["staff", "list"]) == 0
    assert main(["report", "set-status", "K7MQ9-TRXZS", "verified"]) in (1, 2)
    printed = capsys.readouterr()
    assert "alembic" not in printed.err + printed.out and "active roles" in printed.out
    assert main(["db", "upgrade"]) == 0
    assert "database is up to date" in capsys.readouterr().out


def test_version_and_help_for_every_positional_argument(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out.strip() == f"lapor-bot {version('lapor-bot')}"
    unexplained = [f"{parser.prog} {action.dest}" for parser in _all_parsers(_parser())
                   for action in parser._actions if not action.option_strings and action.nargs != argparse.PARSER
                   and not action.help]
    assert unexplained == []


def _all_parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_the_postgresql_pool_is_the_operators_to_size():
    """Processes sharing a server's connections (100 by default) open at most DATABASE_POOL_SIZE each, and keep them:
    none is opened beyond it for a burst, to be closed after it."""
    assert Settings.from_env({}).database_pool_size == 40
    settings = Settings.from_env({"DATABASE_POOL_SIZE": "3"})
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1/lapor", pool_size=settings.database_pool_size)
    assert (engine.pool.size(), engine.pool._max_overflow) == (3, 0)
    for wrong in ("0", "5000"):
        with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE"):
            Settings.from_env({"DATABASE_POOL_SIZE": wrong})


async def test_connections_opened_for_a_burst_are_kept(migrated_url):
    """Eight statements at once on a pool of four: at most four connections are open at once, and the next burst is
    served by the same server processes (with SQLAlchemy's overflow, four more were opened for the burst and closed
    after it, to be opened again: a server process forked, types looked up, statements prepared anew)."""
    if migrated_url.startswith("sqlite"):
        pytest.skip("SQLite has no server processes: its connections are files opened in the process")
    engine = create_engine(migrated_url, pool_size=4)
    open_at_once = 0

    async def server_process() -> int:
        nonlocal open_at_once
        async with engine.connect() as connection:
            open_at_once = max(open_at_once, engine.pool.checkedout())
            return (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()

    try:
        first = set(await asyncio.gather(*(server_process() for _ in range(8))))
        second = set(await asyncio.gather(*(server_process() for _ in range(8))))
        assert (open_at_once, len(first), second) == (4, 4, first)
    finally:
        await engine.dispose()

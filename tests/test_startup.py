"""Start-up never dies of an optional call, refuses a wrong setting with a clear message, and the logs keep
citizens' words out below DEBUG. Group chats reach only the features that ask for them."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import main
from bot.config import ConfigError, Settings
from bot.db import create_engine
from bot.sandbox.faults import Fault
from tests.conftest import RunningBot, eventually
from tests.flows import file_report

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
    emulator.inject(Fault("setMyCommands", status=500))
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

"""The sandbox survives restarts: with a state folder the emulator carries on where it stopped, and a
message typed while the bot was down waits for it."""

from __future__ import annotations

import asyncio
import json

from telegram import Bot

from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.persistence import STATE_FILE
from tests.conftest import RunningBot
from tests.flows import png
from tests.kit.client import Citizen


async def started(folder, port: int = 0) -> BotApiEmulator:
    emulator = BotApiEmulator(port=port, state_dir=folder)
    await emulator.start()
    return emulator


def bot_for(emulator: BotApiEmulator) -> Bot:
    return Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot")


async def test_counters_history_files_and_settings_survive(tmp_path):
    first = await started(tmp_path)
    first.add_user(42, "Rina", "rina_warga")
    first.add_group(-5, "Warga RT 05", [42])
    async with bot_for(first) as bot:
        fetched = await first.user_sends_text(42, "/start")
        await bot.get_updates(timeout=0)
        await bot.get_updates(offset=fetched["update_id"] + 1, timeout=0)  # confirmed: gone for good
        photo = (await bot.send_photo(42, png(9), caption="Foto bukti")).photo[-1]
        await bot.set_my_commands([("start", "mulai")])
    waiting = await first.user_sends_text(42, "ditulis saat bot mati")
    first.state.blocked.add(7)
    history = json.loads(json.dumps(first.state.chats))
    await first.stop()

    second = await started(tmp_path)
    try:
        assert (second.state.last_update_id, second.state.last_message_id) == (first.state.last_update_id, first.state.last_message_id)
        assert {int(chat_id): messages for chat_id, messages in history.items()} == second.state.chats
        assert second.users[42].username == "rina_warga" and second.state.groups[-5].member_ids == [42]
        assert second.state.blocked == {7}
        async with bot_for(second) as bot:
            pending = await bot.get_updates(timeout=0)
            assert [update.update_id for update in pending] == [waiting["update_id"]]
            assert pending[0].message.text == "ditulis saat bot mati"
            assert bytes(await (await bot.get_file(photo.file_id)).download_as_bytearray()) == png(9)
            assert [command.command for command in await bot.get_my_commands()] == ["start"]
        newer = await second.user_sends_text(42, "pesan baru")
        assert newer["update_id"] > waiting["update_id"]
        assert newer["message"]["message_id"] > max(m["message_id"] for m in history["42"])
    finally:
        await second.stop()
    assert not [path for path in tmp_path.rglob(".*") if path.is_file()]  # no temporary files left


async def test_changes_are_saved_soon_without_a_stop(tmp_path):
    emulator = await started(tmp_path)
    try:
        emulator.add_user(42, "Rina")
        update = await emulator.user_sends_text(42, "halo")
        for _ in range(40):
            saved = tmp_path / STATE_FILE
            if saved.exists() and json.loads(saved.read_text())["updates"]:
                break
            await asyncio.sleep(0.05)
        assert json.loads(saved.read_text())["updates"][0]["update_id"] == update["update_id"]
    finally:
        await emulator.stop()


async def test_the_bot_answers_what_was_typed_while_everything_was_down(tmp_path, migrated_url):
    folder = tmp_path / "sandbox-data"
    emulator = await started(folder)
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start()
    citizen = running.citizen()
    assert await citizen.send("/start")
    await running.stop()
    typed = await emulator.user_sends_text(citizen.user_id, "/bantuan")  # the bot is down
    await emulator.stop()

    emulator = await started(folder)
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start()
    try:
        await emulator.wait_until(lambda: emulator.processed(typed))
        assert emulator.bot_messages(citizen.user_id)[-1]["message_id"] > typed["message"]["message_id"]
        again = Citizen(emulator, citizen.user_id)
        assert await again.send("/start")
    finally:
        await running.stop()
        await emulator.stop()


async def test_a_missing_file_does_not_stop_the_sandbox(tmp_path):
    emulator = await started(tmp_path)
    emulator.add_user(42, "Rina")
    await emulator.user_sends_files(42, [(png(1), "a.png", "image/png")])
    await emulator.stop()
    for path in (tmp_path / "files").iterdir():
        path.unlink()
    again = BotApiEmulator(state_dir=tmp_path)
    assert again.state.files == {} and len(again.state.chats[42]) == 1


def test_the_state_folder_is_sandbox_dir_or_next_to_the_sqlite_database(tmp_path):
    from pathlib import Path

    from bot.sandbox.persistence import state_dir_for

    assert state_dir_for({"SANDBOX_DIR": "/srv/sandbox"}, "sqlite+aiosqlite:///lapor-bot.db") == Path("/srv/sandbox")
    assert state_dir_for({}, f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}") == tmp_path / "sandbox-data"
    assert state_dir_for({}, "sqlite+aiosqlite:///lapor-bot.db") == Path("sandbox-data")
    assert state_dir_for({}, "postgresql+asyncpg://lapor@db/lapor") == Path("sandbox-data")

"""The emulator answers python-telegram-bot's own Bot with Telegram's shapes, for the methods staff
features will use too: photos by upload and by file_id, albums, getFile and the download."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputMediaPhoto
from telegram.error import BadRequest, Forbidden

from tests.conftest import eventually
from tests.flows import png
from tests.harness import free_port


async def test_get_me_and_messages(telegram_bot, emulator):
    me = await telegram_bot.get_me()
    assert me.is_bot and me.username == "lapor_sandbox_bot"
    sent = await telegram_bot.send_message(42, "<b>Halo</b> &amp; selamat", parse_mode="HTML")
    edited = await telegram_bot.edit_message_text("Sudah diubah", chat_id=42, message_id=sent.message_id)
    assert edited.text == "Sudah diubah" and emulator.bot_messages(42)[-1]["edit_date"]


async def test_photos_by_upload_and_by_file_id_and_download(telegram_bot, emulator):
    picture = png(3, width=6, height=5)
    uploaded = await telegram_bot.send_photo(42, picture, caption="Foto bukti")
    size = uploaded.photo[-1]
    assert (size.width, size.height) == (6, 5) and uploaded.caption == "Foto bukti"

    again = await telegram_bot.send_photo(42, size.file_id)
    assert again.photo[-1].file_unique_id == size.file_unique_id

    file = await telegram_bot.get_file(size.file_id)
    assert file.file_size == len(picture)
    assert bytes(await file.download_as_bytearray()) == picture

    album = await telegram_bot.send_media_group(42, [InputMediaPhoto(png(4)), InputMediaPhoto(size.file_id)])
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id


async def test_telegrams_errors(telegram_bot, emulator):
    with pytest.raises(BadRequest, match="too long"):
        await telegram_bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match="parse entities"):
        await telegram_bot.send_message(42, "<b>tidak ditutup", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await telegram_bot.send_message(7, "siapa?")
    emulator.state.blocked.add(42)
    with pytest.raises(Forbidden, match="blocked"):
        await telegram_bot.send_message(42, "halo")


@contextlib.asynccontextmanager
async def webhook_served_by(telegram_bot, receive) -> AsyncIterator[str]:
    """A webhook here, whose requests ``receive`` answers: its URL; afterwards the bot's webhook is deleted and the
    server stopped."""
    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        await telegram_bot.delete_webhook()
        await runner.cleanup()


async def test_a_webhook_update_not_answered_stays_pending_while_later_ones_are_answered(telegram_bot, emulator):
    """As Telegram: each update waits until the webhook answers it 200, whatever became of later ones; it is
    counted by getWebhookInfo, offered by getUpdates once the webhook is gone, and posted to the next one."""
    refusing = True

    async def receive(request: web.Request) -> web.Response:
        update = await request.json()
        refused = refusing and update["message"]["text"] == "tolak"
        return web.Response(status=500 if refused else 200)

    async with webhook_served_by(telegram_bot, receive) as url:
        await telegram_bot.set_webhook(url)
        sent = [await emulator.user_sends_text(42, text) for text in ("satu", "tolak", "tiga")]
        await eventually(lambda: emulator.handled(sent[0]) and emulator.handled(sent[2]))
        assert not emulator.handled(sent[1]) and (await telegram_bot.get_webhook_info()).pending_update_count == 1

        await telegram_bot.delete_webhook()
        assert [update.update_id for update in await telegram_bot.get_updates(timeout=0)] == [sent[1]["update_id"]]

        refusing = False
        await telegram_bot.set_webhook(url)
        await eventually(lambda: emulator.handled(sent[1]))
        assert (await telegram_bot.get_webhook_info()).pending_update_count == 0


async def test_a_webhook_gets_at_most_max_connections_requests_at_once(telegram_bot, emulator):
    """As Telegram: setWebhook's max_connections (40 unless set) webhook requests are open at once; the other
    updates wait for one to be answered, and getWebhookInfo tells the number."""
    open_now = most = 0
    answer = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        await answer.wait()
        open_now -= 1
        return web.Response()

    async with webhook_served_by(telegram_bot, receive) as url:
        await telegram_bot.set_webhook(url, max_connections=3)
        assert (await telegram_bot.get_webhook_info()).max_connections == 3
        sent = [await emulator.user_sends_text(42, f"halo {number}") for number in range(8)]
        await eventually(lambda: open_now == 3)
        await asyncio.sleep(0.2)  # none of the other five is let through meanwhile
        assert most == 3
        answer.set()
        await eventually(lambda: all(emulator.handled(update) for update in sent))
        assert most == 3
        with pytest.raises(BadRequest, match="max_connections"):
            await telegram_bot.set_webhook(url, max_connections=101)

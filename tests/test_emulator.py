"""The emulator answers python-telegram-bot's own Bot with Telegram's shapes, for the methods staff
features will use too: photos by upload and by file_id, albums, getFile and the download."""

from __future__ import annotations

import pytest
from telegram import InputMediaPhoto
from telegram.error import BadRequest, Forbidden

from tests.flows import png




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

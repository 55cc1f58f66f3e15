"""Telegram's limits in the emulator: flood limits on demand, and the size and shape limits always."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox.limits import Rate, RateLimiter, RateLimits
from bot.sandbox.media import MAX_PHOTO_UPLOAD, MAX_UPLOAD, check_upload
from bot.sandbox.model import ApiError
from tests.flows import png

GROUP = -1001


@pytest.fixture
async def telegram_bot(emulator):
    for user_id in range(1, 41):
        emulator.add_user(user_id, f"Warga {user_id}")
    emulator.add_group(GROUP, "Warga RT 05", [1, 2])
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot")
    async with bot:
        yield bot


def frozen_limits(emulator) -> None:
    """Telegram's flood limits, with time standing still: no token comes back while the test runs."""
    emulator.rate_limits = RateLimits.telegram()
    emulator.rate_limiter.clock = lambda: 0.0


def retry_after(refused: pytest.ExceptionInfo) -> float:
    return refused.value._retry_after.total_seconds()


# Flood limits ----------------------------------------------------------------------------------


async def test_no_flood_limits_unless_asked(telegram_bot, emulator):
    for number in range(40):
        await telegram_bot.send_message(1, f"pesan {number}")
    assert emulator.rate_limits is None and not emulator.stats.too_many_requests


async def test_a_private_chat_takes_a_short_burst_then_one_message_a_second(telegram_bot, emulator):
    frozen_limits(emulator)
    for number in range(5):
        await telegram_bot.send_message(1, f"pesan {number}")
    with pytest.raises(RetryAfter) as refused:
        await telegram_bot.send_message(1, "satu terlalu banyak")
    assert retry_after(refused) == 1
    with pytest.raises(RetryAfter):
        await telegram_bot.edit_message_text("diubah", chat_id=1, message_id=emulator.bot_messages(1)[0]["message_id"])
    await telegram_bot.send_message(2, "another chat has its own bucket")
    assert emulator.stats.too_many_requests["sendMessage"] == 1 and emulator.stats.too_many_requests["editMessageText"] == 1
    assert len(emulator.bot_messages(1)) == 5


async def test_thirty_messages_a_second_across_chats(telegram_bot, emulator):
    frozen_limits(emulator)
    for user_id in range(1, 31):
        await telegram_bot.send_message(user_id, "pengumuman")
    with pytest.raises(RetryAfter) as refused:
        await telegram_bot.send_message(31, "pengumuman")
    assert retry_after(refused) == 1
    await telegram_bot.get_me()  # not a message: never limited
    await telegram_bot.set_my_commands([("start", "mulai")])


async def test_twenty_messages_a_minute_in_a_group(telegram_bot, emulator):
    frozen_limits(emulator)
    for number in range(20):
        await telegram_bot.send_message(GROUP, f"pesan {number}")
    with pytest.raises(RetryAfter) as refused:
        await telegram_bot.send_message(GROUP, "pesan 21")
    assert retry_after(refused) == 3  # 20 a minute: a token every 3 s


async def test_rate_limits_in_real_time(telegram_bot, emulator):
    emulator.rate_limits = RateLimits(private_chat=Rate(1, 20))  # a token every 50 ms
    await telegram_bot.send_message(1, "satu")
    with pytest.raises(RetryAfter) as refused:
        await telegram_bot.send_message(1, "dua")
    assert retry_after(refused) == 1  # rounded up to whole seconds, at least 1
    await asyncio.sleep(0.06)
    await telegram_bot.send_message(1, "dua")


def test_rate_limits_from_the_constructor():
    from bot.sandbox.emulator import BotApiEmulator

    assert BotApiEmulator(rate_limits=RateLimits.telegram()).rate_limits == RateLimits.telegram()


def test_buckets_refill_and_a_refused_call_costs_nothing():
    now = [0.0]
    limiter = RateLimiter(RateLimits.telegram(), clock=lambda: now[0])
    for _ in range(5):
        limiter.admit("sendPhoto", 7)
    with pytest.raises(ApiError) as refused:
        limiter.admit("copyMessage", 7)
    assert refused.value.code == 429 and refused.value.retry_after == 1
    now[0] = 0.5
    with pytest.raises(ApiError):
        limiter.admit("sendMessage", 7)
    now[0] = 1.0
    limiter.admit("sendMessage", 7)  # one token back after a second, none lost to the refusals
    for chat_id in range(100, 129):
        limiter.admit("sendMessage", chat_id)  # the overall bucket, full again after 1 s: 1 + 29 = 30
    with pytest.raises(ApiError):
        limiter.admit("forwardMessage", 200)
    limiter.admit("editMessageText", 200)  # edits cost only the chat's token
    limiter.admit("answerCallbackQuery", 200)
    limiter.admit("getUpdates", 200)


# Size and shape limits -------------------------------------------------------------------------


async def test_captions_are_checked_everywhere(telegram_bot, emulator):
    long_caption = "x" * 1025
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await telegram_bot.send_photo(1, png(1), caption=long_caption)
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await telegram_bot.send_media_group(1, [InputMediaPhoto(png(2)), InputMediaPhoto(png(3), caption=long_caption)])
    sent = await telegram_bot.send_photo(1, png(4), caption="<b>" + "x" * 1024 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await telegram_bot.edit_message_caption(chat_id=1, message_id=sent.message_id, caption=long_caption)
    assert len(emulator.bot_messages(1)) == 1  # nothing of the refused album was sent


async def test_albums_have_two_to_ten_items(telegram_bot):
    with pytest.raises(BadRequest, match="2-10"):
        await telegram_bot.send_media_group(1, [InputMediaPhoto(png(index)) for index in range(11)])
    assert len(await telegram_bot.send_media_group(1, [InputMediaPhoto(png(index)) for index in range(10)])) == 10


async def test_upload_sizes(telegram_bot):
    too_big_photo = png(5) + bytes(MAX_PHOTO_UPLOAD)
    with pytest.raises(BadRequest, match="(?i)photo_save_file_invalid"):
        await telegram_bot.send_photo(1, too_big_photo)
    await telegram_bot.send_document(1, too_big_photo, filename="besar.png")  # 10 MB is fine for a document
    with pytest.raises(ApiError) as refused:
        check_upload("document", bytes(MAX_UPLOAD + 1))
    assert refused.value.code == 413


async def test_empty_text_callback_data_and_edits(telegram_bot, emulator):
    with pytest.raises(BadRequest, match="(?i)text is empty"):
        await telegram_bot.send_message(1, " ")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await telegram_bot.send_message(1, "pilih", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 65)]]))
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await telegram_bot.edit_message_text("baru", chat_id=1, message_id=999)
    update = await emulator.user_sends_text(1, "pesan warga")
    with pytest.raises(BadRequest, match="(?i)can't be edited"):
        await telegram_bot.edit_message_text("baru", chat_id=1, message_id=update["message"]["message_id"])


async def test_unknown_chats_and_blocked_users(telegram_bot, emulator):
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await telegram_bot.send_message(-999, "grup siapa?")
    emulator.state.blocked.add(3)
    with pytest.raises(Forbidden, match="blocked"):
        await telegram_bot.send_photo(3, png(6))

"""What citizens do beyond typing, in Telegram's shapes: block and unblock the bot, send stickers and
voice notes, talk in groups."""

from __future__ import annotations

import pytest
from telegram import Bot, ChatMemberBanned, ChatMemberMember, Update
from telegram.error import BadRequest, Forbidden

GROUP = -4001


@pytest.fixture
async def telegram_bot(emulator):
    emulator.add_user(42, "Rina", "rina_warga")
    emulator.add_user(43, "Budi")
    bot = Bot(emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot")
    async with bot:
        yield bot


async def fetched(bot: Bot, update: dict) -> Update:
    """The update as the bot receives it through getUpdates."""
    updates = await bot.get_updates(timeout=0)
    return next(u for u in updates if u.update_id == update["update_id"])


async def test_blocking_and_unblocking_tell_the_bot_as_telegram_does(telegram_bot, emulator):
    blocked = await fetched(telegram_bot, await emulator.user_blocks(42))
    change = blocked.my_chat_member
    assert change.chat.id == 42 and change.chat.type == "private" and change.from_user.id == 42
    assert change.old_chat_member.user.id == emulator.bot_id and change.old_chat_member.user.is_bot
    assert isinstance(change.old_chat_member, ChatMemberMember) and isinstance(change.new_chat_member, ChatMemberBanned)
    with pytest.raises(Forbidden, match="blocked"):
        await telegram_bot.send_message(42, "halo?")

    unblocked = await fetched(telegram_bot, await emulator.user_unblocks(42))
    assert unblocked.my_chat_member.old_chat_member.status == "kicked"
    assert unblocked.my_chat_member.new_chat_member.status == "member"
    assert (await telegram_bot.send_message(42, "selamat datang kembali")).text == "selamat datang kembali"


async def test_stickers_and_voice_notes(telegram_bot, emulator):
    sticker = (await fetched(telegram_bot, await emulator.user_sends_sticker(42, "😡"))).message.sticker
    assert sticker.emoji == "😡" and sticker.type == "regular" and (sticker.width, sticker.height) == (512, 512)
    assert not sticker.is_animated and not sticker.is_video
    again = (await fetched(telegram_bot, await emulator.user_sends_sticker(42, "😡"))).message.sticker
    assert again.file_unique_id == sticker.file_unique_id  # one sticker, one file

    sent = await emulator.user_sends_voice(42, duration=4)
    assert sent["message"]["voice"]["duration"] == 4
    voice = (await fetched(telegram_bot, sent)).message.voice
    assert voice.mime_type == "audio/ogg" and voice.file_size > 0
    data = await (await telegram_bot.get_file(voice.file_id)).download_as_bytearray()
    assert data.startswith(b"OggS") and len(data) == voice.file_size

    echoed = await telegram_bot.send_sticker(42, sticker.file_id)
    assert echoed.sticker.file_unique_id == sticker.file_unique_id


async def test_group_chats(telegram_bot, emulator):
    emulator.add_group(GROUP, "Warga RT 05", [42, 43])
    update = await fetched(telegram_bot, await emulator.user_sends_text(43, "jalan rusak lagi", chat_id=GROUP))
    chat = update.message.chat
    assert (chat.id, chat.type, chat.title) == (GROUP, "group", "Warga RT 05") and update.message.from_user.id == 43

    private = await fetched(telegram_bot, await emulator.user_sends_text(42, "halo"))
    assert private.message.chat.type == "private" and private.message.chat.id == 42

    sent = await telegram_bot.send_message(GROUP, "Terima kasih, sudah dicatat")
    assert sent.chat.type == "group" and emulator.bot_messages(GROUP)[-1]["text"] == "Terima kasih, sudah dicatat"
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await telegram_bot.send_message(-4002, "grup lain")

    emulator.add_user(44, "Orang luar")
    with pytest.raises(ValueError):
        await emulator.user_sends_text(44, "saya bukan anggota", chat_id=GROUP)
    with pytest.raises(ValueError):
        emulator.add_group(5, "not negative", [42])


async def test_the_web_chat_sends_a_resent_message_once(emulator):
    import httpx

    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        await http.post("/sandbox/api/join", json={"user_id": 77, "first_name": "Ani"})
        for _ in range(2):  # the page resends its outbox when it did not hear the first answer
            await http.post("/sandbox/api/text", json={"user_id": 77, "text": "halo", "client_id": "c-1"})
        await http.post("/sandbox/api/sticker", json={"user_id": 77, "emoji": "🙏", "client_id": "c-2"})
        await http.post("/sandbox/api/voice", json={"user_id": 77, "duration": 5, "client_id": "c-3"})
        chat = (await http.get("/sandbox/api/chat", params={"user_id": 77})).json()
    sent = chat["messages"]
    assert [m.get("text") for m in sent] == ["halo", None, None]
    assert sent[1]["sticker"]["emoji"] == "🙏" and sent[2]["voice"]["duration"] == 5

"""The plain updates read straight from Telegram's JSON (bot.channels.telegram.plain) are read as python-telegram-
bot's objects would have them read (bot.channels.telegram.inbound); whatever else is left to those."""

from __future__ import annotations

import copy

import pytest
from telegram import Update

from bot.channels.telegram.inbound import to_incoming
from bot.channels.telegram.plain import plain_incoming

BOT = "lapor_test_bot"
SITI = {"id": 7001, "is_bot": False, "first_name": "Siti", "last_name": "Aminah", "username": "siti_warga",
        "language_code": "id"}
PRIVATE = {"id": 7001, "first_name": "Siti", "username": "siti_warga", "type": "private"}
GROUP = {"id": -100555, "title": "Warga RT 03", "type": "supergroup"}
PHOTO = [{"file_id": "AgAC-small", "file_unique_id": "s1", "file_size": 1200, "width": 90, "height": 67},
         {"file_id": "AgAC-large", "file_unique_id": "l1", "file_size": 64000, "width": 1280, "height": 960}]


def message(chat: dict = PRIVATE, **content) -> dict:
    return {"update_id": 501, "message": {"message_id": 44, "from": SITI, "chat": chat, "date": 1796600000, **content}}


def command(text: str) -> dict:
    return message(text=text, entities=[{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}])


def tap(data: str | None = "ch:0", with_message: bool = True) -> dict:
    query = {"id": "4471", "from": SITI, "chat_instance": "-88", **({"data": data} if data is not None else {})}
    if with_message:
        query["message"] = {"message_id": 43, "from": {"id": 1, "is_bot": True, "first_name": "Lapor"},
                            "chat": PRIVATE, "date": 1796599990, "text": "Jenis laporan?",
                            "reply_markup": {"inline_keyboard": [[{"text": "Pengaduan", "callback_data": "ch:0"}]]}}
    return {"update_id": 502, "callback_query": query}


# What the turns mostly take: read here.
PLAIN = {
    "a typed text": message(text="Jalan berlubang di depan pasar"),
    "a text in a group": message(GROUP, text="halo"),
    "a command": command("/lapor"),
    "a command with arguments": command("/status LPR-7K2M9QXA"),
    "a command to this bot by name": command(f"/Lapor@{BOT} sekarang"),
    "a pin": message(location={"latitude": -0.9492, "longitude": 100.3543}),
    "a live pin": message(location={"latitude": -0.9492, "longitude": 100.3543, "live_period": 900}),
    "a photo": message(photo=PHOTO),
    "a photo with a caption": message(photo=PHOTO, caption="Lubangnya dalam"),
    "a photo of an album": message(photo=PHOTO, media_group_id="13570"),
    "a tap": tap(),
    "a tap without data": tap(data=None),
}
# Left to python-telegram-bot: formatting to render as HTML, other kinds, other shapes.
OTHERS = {
    "a formatted text": message(text="Tolong segera", entities=[{"type": "bold", "offset": 0, "length": 6}]),
    "a command with a mention": message(text="/lapor @dinas", entities=[
        {"type": "bot_command", "offset": 0, "length": 6}, {"type": "mention", "offset": 7, "length": 6}]),
    "a command to another bot": command("/lapor@other_bot"),
    "a command not at the start": message(text="tolong /lapor", entities=[{"type": "bot_command", "offset": 7, "length": 6}]),
    "a caption with formatting": message(photo=PHOTO, caption="Dalam", caption_entities=[{"type": "italic", "offset": 0, "length": 5}]),
    "a venue": message(location={"latitude": -0.95, "longitude": 100.35},
                       venue={"location": {"latitude": -0.95, "longitude": 100.35}, "title": "Pasar Raya", "address": "Jl. Pasar Raya"}),
    "a reply": message(text="di sini", reply_to_message={"message_id": 40, "chat": PRIVATE, "date": 1796599000, "text": "Di mana?"}),
    "a voice note": message(voice={"file_id": "AwAC", "file_unique_id": "v1", "duration": 3}),
    "a contact": message(contact={"phone_number": "+628123", "first_name": "Siti"}),
    "a message from a channel's admin": message(GROUP, text="halo", sender_chat=GROUP),
    "a tap on an inline message": tap(with_message=False),
    "an edit": {"update_id": 503, "edited_message": message(text="diubah")["message"] | {"edit_date": 1796600100}},
    "a blocked bot": {"update_id": 504, "my_chat_member": {
        "chat": PRIVATE, "from": SITI, "date": 1796600000,
        "old_chat_member": {"user": {"id": 1, "is_bot": True, "first_name": "Lapor"}, "status": "member"},
        "new_chat_member": {"user": {"id": 1, "is_bot": True, "first_name": "Lapor"}, "status": "kicked", "until_date": 0}}},
}


def through_the_library(payload: dict):
    return to_incoming(Update.de_json(copy.deepcopy(payload), None), BOT)


@pytest.mark.parametrize("payload", PLAIN.values(), ids=PLAIN.keys())
def test_a_plain_update_is_read_as_the_library_reads_it(payload):
    assert plain_incoming(payload, BOT) == through_the_library(payload) is not None


@pytest.mark.parametrize("payload", OTHERS.values(), ids=OTHERS.keys())
def test_everything_else_is_left_to_the_library(payload):
    assert plain_incoming(payload, BOT) is None


@pytest.mark.parametrize("broken", [
    message(text="halo") | {"message": {"message_id": 44, "from": SITI, "date": 1, "text": "halo"}},  # no chat
    message(text="halo") | {"message": {"message_id": 44, "chat": PRIVATE, "from": {"id": 7001}, "date": 1, "text": "x"}},
    message(photo=[]), message(location={"latitude": 1.0}), {"update_id": 505, "message": "not an object"},
    tap() | {"callback_query": {"id": "1", "from": SITI, "message": {"chat": PRIVATE}, "data": "x"}},  # no message_id
], ids=["no chat", "a sender without a name", "a photo of no sizes", "half a pin", "not an object", "a tap's message without id"])
def test_an_update_shaped_otherwise_is_left_to_the_library(broken):
    """Read by the library, which refuses it (then the inbox gives it up) or reads what it can."""
    assert plain_incoming(broken, BOT) is None


async def test_what_the_emulator_sends_is_read_here(emulator):
    """The updates of the sandbox and of the tests: the emulator's citizen types, sends a command, a pin and an
    album with a caption, and taps a button of the bot's message."""
    user = emulator.add_user(7002, "Budi", username="budi_warga")
    sent = [await emulator.user_sends_text(user.id, "/lapor"), await emulator.user_sends_text(user.id, "Jalan rusak"),
            await emulator.user_sends_location(user.id, -0.9492, 100.3543),
            *await emulator.user_sends_files(user.id, [(b"\xff\xd8one", "a.jpg", "image/jpeg"),
                                                       (b"\xff\xd8two", "b.jpg", "image/jpeg")], caption="Lubang")]
    buttons = {"inline_keyboard": [[{"text": "Pengaduan", "callback_data": "ch:0"}]]}
    bots_message = await emulator.api_sendmessage({"chat_id": user.id, "text": "Jenis laporan?", "reply_markup": buttons}, {})
    sent.append(await emulator.user_taps(user.id, bots_message["message_id"], "ch:0"))
    for payload in sent:
        assert plain_incoming(payload, BOT) == through_the_library(payload) is not None

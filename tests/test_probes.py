"""What the probes broke (issue 23): text a database refuses, and a button without a chat."""

from __future__ import annotations

import secrets

from tests.conftest import eventually


async def test_a_button_without_a_chat_is_always_answered_politely_in_the_tappers_language(bot, citizen):
    await citizen.send("/bahasa")
    await citizen.tap("English")
    said_before = len(citizen.messages)
    for data in ("menu:lapor", "in:type:pengaduan", "no handler at all"):
        query_id = str(secrets.randbits(63))
        update = await bot.emulator.push_update({"callback_query": {
            "id": query_id, "from": bot.emulator.users[citizen.user_id].as_json(), "inline_message_id": "AAAA",
            "chat_instance": "1", "data": data}})
        await bot.emulator.wait_until(lambda: bot.emulator.processed(update))
        answers = [answer for answer in bot.emulator.state.callback_answers if answer["callback_query_id"] == query_id]
        assert [answer.get("text") for answer in answers] == ["That button cannot be used here. Please use the buttons in our chat."], data
    assert len(citizen.messages) == said_before, "nothing is done in the chat"

"""After WhatsApp's 24-hour window, through the real bot and the WhatsApp emulator: news of a report reaches the
citizen as the approved template, and what a template cannot carry (the office's document, the rating's choices)
is held until the citizen writes back, then arrives whole. The staff work on Telegram."""

from __future__ import annotations

import logging

from bot.domain.roles import Role
from bot.sandbox.personas import grant_roles
from tests.harness import eventually
from tests.story import FINAL_ANSWER, NOTICE_SECONDS, file_a_report, offers, sample, the_hub_verifies_and_forwards
from tests.story_whatsapp import PDF, WhatsAppCitizen, digest
from tests.test_story import BothChannelsStage
from tests.whatsapp_bot import both_channels


def templates_seen(citizen: WhatsAppCitizen) -> list[dict]:
    return [message for message in citizen.person.messages if message["type"] == "template"]


async def test_after_the_window_news_comes_as_a_template_and_the_rest_when_the_citizen_writes(emulator, migrated_url,
                                                                                           tmp_path, caplog):
    async with both_channels(emulator, migrated_url, tmp_path) as bot:
        stage = BothChannelsStage(bot)
        await grant_roles(bot.engine, bot.router.directory)
        citizen = stage.citizen("Siti")
        tracking_id, photo = await file_a_report(citizen)
        bot.whatsapp.advance(hours=25)  # a day later: the window is closed

        await the_hub_verifies_and_forwards(stage.persona(sample(Role.HUB_ADMIN, "HUB-13.71")), tracking_id, photo)
        await eventually(lambda: templates_seen(citizen), NOTICE_SECONDS)
        forwarded = templates_seen(citizen)[0]
        assert forwarded["template"]["name"] == "lapor_kabar_laporan" and tracking_id in forwarded["text"], forwarded

        liaison = stage.persona(sample(Role.LIAISON, "BPJN-13"))
        await liaison.send(f"/kotakmasuk {tracking_id}")
        await liaison.tap("Ambil")
        await liaison.tap("Ringan")
        await liaison.send(f"/kotakmasuk {tracking_id}")
        await liaison.tap("Selesai")
        await liaison.send_file("document", "berita-acara.pdf")
        await liaison.send(FINAL_ANSWER)
        await eventually(lambda: any(FINAL_ANSWER in message["text"] for message in templates_seen(citizen)),
                         NOTICE_SECONDS)
        assert not any(seen.kind == "document" for seen in citizen.seen), "no file goes in a template"
        assert not offers(citizen, "⭐⭐⭐⭐"), "nor choices"

        await citizen.send("Baik, terima kasih")  # the template asks for a reply: the window opens again
        await eventually(lambda: digest(PDF) in [seen.file_id for seen in citizen.seen]
                         and any("⭐⭐⭐⭐" in seen.buttons for seen in citizen.seen), NOTICE_SECONDS)
        rated = await citizen.tap("⭐⭐⭐⭐")
        assert "4 dari 5" in rated[-1].text, rated[-1]
        assert sum(FINAL_ANSWER in message["text"] for message in citizen.person.messages
                   if message["type"] != "template") == 1, "the whole answer once, after the template"
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR], \
        "every receipt found its message (a list of two pages is two WhatsApp messages)"

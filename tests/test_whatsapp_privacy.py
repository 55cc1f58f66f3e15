"""A phone number is personal data: a citizen who reports anonymously from WhatsApp is named nowhere staff look (the
report's view, the export, the statistics), and their number is in no log at INFO or above. The staff work on
Telegram, through the real bot; the export is the file the hub receives."""

from __future__ import annotations

import logging

from bot.domain.roles import Role
from bot.sandbox.personas import grant_roles
from tests.flows import TRACKING_ID, through_to_summary
from tests.harness import eventually
from tests.story import sample
from tests.test_story import BothChannelsStage
from tests.whatsapp_bot import both_channels

NAME = "Sulastri Wulandari"


async def test_an_anonymous_whatsapp_reporter_is_named_nowhere_staff_look_nor_in_the_logs(emulator, migrated_url,
                                                                                         tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with both_channels(emulator, migrated_url, tmp_path) as bot:
        await grant_roles(bot.engine, bot.router.directory)
        citizen = bot.whatsapp_citizen(NAME)
        await through_to_summary(citizen, anonymous=True)
        tracking_id = TRACKING_ID.search((await citizen.tap("Kirim laporan"))[-1]["text"]).group(1)
        secrets = (citizen.phone, citizen.phone[2:], NAME)  # the number with and without its country code

        hub = BothChannelsStage(bot).persona(sample(Role.HUB_ADMIN, "HUB-13.71"))
        shown = [seen.text for seen in await hub.send(f"/kotakmasuk {tracking_id}")]
        shown += [seen.text for seen in await hub.send("/statistik")]
        await hub.send("/ekspor csv")
        await eventually(lambda: any(message.get("document") for message in hub.citizen.messages), 20)
        document = next(message["document"] for message in hub.citizen.messages if message.get("document"))
        exported = emulator.state.files[document["file_id"]].data.decode("utf-8-sig")
        assert tracking_id in exported and any(tracking_id in text for text in shown)
        for secret in secrets:
            assert not any(secret in text for text in shown), f"{secret!r} in the hub's view"
            assert secret not in exported, f"{secret!r} in the export"
            assert not [record.getMessage() for record in caplog.records
                        if record.levelno >= logging.INFO and secret in record.getMessage()], f"{secret!r} logged"

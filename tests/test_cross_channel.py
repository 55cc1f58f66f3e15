"""People, not chats: a citizen on one channel and the staff who answer them on another. Each hears on the channel
they wrote from: the hub is told of the new report where it works, the citizen of its forwarding where they filed
it (both channels in memory here, routed as the bot routes them: bot.delivery.transport.ChannelRouter)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Contact, Report
from bot.domain.roles import Role
from bot.services.contacts import OWN_IDS_FROM
from tests.memory_channel import MemoryBot, MemoryTransport
from tests.story import file_a_report, sample, the_hub_verifies_and_forwards


async def test_a_citizen_on_one_channel_is_answered_by_staff_on_another(migrated_url, tmp_path):
    other = MemoryTransport(channel="telegram")  # the hub's channel: chats keyed by Telegram's own ids
    bot = MemoryBot(migrated_url, tmp_path / "media", other_channels={"telegram": other})
    await bot.start()
    try:
        hub_persona = sample(Role.HUB_ADMIN, "HUB-13.71")
        hub = bot.person(str(hub_persona.user_id), hub_persona.first_name, channel="telegram")
        await hub.send("/start")  # the hub admin writes from the other channel: told things there from now on
        citizen = bot.person("6281200000077", "Siti")
        tracking_id, photo = await file_a_report(citizen)

        assert any(tracking_id in seen.text for seen in hub.seen), "the hub heard of the report on its channel"
        await the_hub_verifies_and_forwards(hub, tracking_id, photo)
        assert any("Diteruskan ke instansi" in seen.text and tracking_id in seen.text for seen in citizen.seen), \
            "the citizen heard of the forwarding on theirs"
        async with bot.services.sessions() as session:
            report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
            filed_from = await session.get(Contact, report.chat_id)
        assert (filed_from.channel, filed_from.address) == ("memory", "6281200000077") and report.chat_id >= OWN_IDS_FROM
        assert report.reporter_id >= OWN_IDS_FROM and filed_from.user_id == report.reporter_id
        assert "6281200000077" not in other.chats and str(hub_persona.user_id) not in bot.transport.chats
    finally:
        await bot.stop()

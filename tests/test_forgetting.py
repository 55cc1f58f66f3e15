"""/lupakan: a person asks the bot to forget their contact. They are told plainly what that means for their open
reports; once they confirm, the chat is detached from them, their name and announcements go, news of their reports
no longer reaches that chat, and the retention job replaces the address with a tombstone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Contact, OutboxMessage, Subscription, User
from bot.services import forgetting
from tests.flows import file_report
from tests.test_status import set_status


async def test_a_citizen_is_told_what_forgetting_means_and_then_forgotten(bot, citizen):
    tracking_id = await file_report(citizen)
    asked = await citizen.send("/lupakan")
    assert "Lupakan kontak Anda?" in asked[0]["text"]
    assert tracking_id in asked[0]["text"] and "tetap ditangani" in asked[0]["text"], "open reports named plainly"
    done = await citizen.tap("Ya, lupakan saya")
    assert "pesan terakhir" in done[-1]["text"]

    async with bot.sessions() as session:
        contact = await session.get(Contact, citizen.user_id)
        user = await session.get(User, citizen.user_id)
        assert contact.forgotten_at is not None and contact.user_id is None
        assert user.first_name == "" and user.username is None, "their only chat: the name goes too"
        assert await session.scalar(select(Subscription).where(Subscription.user_id == user.id,
                                                               Subscription.ended_at.is_(None))) is None

    before = len(citizen.messages)
    assert await set_status(bot, tracking_id, "verified") == 0, "the report is still worked"
    async with bot.sessions() as session:
        pushes = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "status_changed"))
        assert list(pushes) == [], "no news of it reaches the forgotten chat"
    await citizen.quiet(0.5)
    assert len(citizen.messages) == before

    async with bot.services.transactions.begin() as session:
        assert await forgetting.scrub(session) == 0, "not before the confirmation had time to go out"
        (await session.get(Contact, citizen.user_id)).forgotten_at -= forgetting.LAST_WORD + timedelta(minutes=1)
    async with bot.services.transactions.begin() as session:
        assert await forgetting.scrub(session) == 1
    async with bot.sessions() as session:
        assert (await session.get(Contact, citizen.user_id)).address == f"forgotten:{citizen.user_id}"


async def test_no_keeps_everything(bot, citizen):
    await citizen.send("/start")
    await citizen.send("/lupakan")
    await citizen.tap("Tidak, simpan saja")
    assert "Tidak ada yang berubah" in citizen.last_text
    async with bot.sessions() as session:
        contact = await session.get(Contact, citizen.user_id)
        assert contact is None or contact.forgotten_at is None

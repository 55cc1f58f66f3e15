"""People, not chats: a person is a user with chats on channels. Migration 0020 makes every chat already stored a
Telegram contact with the same id (on SQLite and PostgreSQL, with data in them); a person of another channel gets
ids Telegram never uses, and is told things in the chat they last wrote from."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from bot.db import Transactions, alembic_config, create_engine, migrate, session_factory
from bot.db.models import Contact, User
from bot.services import contacts
from bot.services.contacts import OWN_IDS_FROM, TELEGRAM, chat_of, identify, remember
from bot.services.conversations import remember_user

CITIZEN, LINKED_GROUP, STRANGER, OLD_GROUP = 71, -100123, 42, -100555

_USERS = sa.table("users", sa.column("id", sa.BigInteger), sa.column("first_name", sa.String),
                  sa.column("reachable", sa.Boolean), sa.column("lookups", sa.Integer),
                  sa.column("created_at", sa.DateTime(timezone=True)))
_GROUPS = sa.table("staff_groups", sa.column("chat_id", sa.BigInteger), sa.column("agency_code", sa.String),
                   sa.column("linked_by", sa.BigInteger), sa.column("linked_at", sa.DateTime(timezone=True)))
_OUTBOX = sa.table("outbox", sa.column("chat_id", sa.BigInteger), sa.column("kind", sa.String),
                   sa.column("payload", sa.JSON), sa.column("priority", sa.SmallInteger), sa.column("state", sa.String),
                   sa.column("attempts", sa.Integer), sa.column("next_attempt_at", sa.DateTime(timezone=True)),
                   sa.column("created_at", sa.DateTime(timezone=True)))


async def _at_revision(engine, revision: str, down: bool = False) -> None:
    move = command.downgrade if down else command.upgrade
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: move(alembic_config(sync), revision))


async def test_migration_0020_makes_every_stored_chat_a_telegram_contact_and_back(database_url):
    engine, now = create_engine(database_url), datetime.now(UTC)
    try:
        await _at_revision(engine, "0019")
        async with engine.begin() as connection:
            await connection.execute(_USERS.insert(), [{"id": CITIZEN, "first_name": "Siti", "reachable": True,
                                                        "lookups": 0, "created_at": now}])
            await connection.execute(_GROUPS.insert(), [{"chat_id": LINKED_GROUP, "agency_code": "PUPR-13.71",
                                                         "linked_by": CITIZEN, "linked_at": now}])
            message = {"kind": "message", "payload": {"type": "text", "text": "x"}, "priority": 0, "state": "pending",
                       "attempts": 0, "next_attempt_at": now, "created_at": now}
            await connection.execute(_OUTBOX.insert(), [message | {"chat_id": chat}
                                                        for chat in (CITIZEN, STRANGER, OLD_GROUP, OLD_GROUP)])
        await migrate(engine)
        async with session_factory(engine)() as session:
            found = {row.id: (row.channel, row.address, row.user_id, row.private)
                     for row in await session.scalars(sa.select(Contact))}
            assert found == {CITIZEN: (TELEGRAM, "71", CITIZEN, True), LINKED_GROUP: (TELEGRAM, "-100123", None, False),
                             STRANGER: (TELEGRAM, "42", None, True), OLD_GROUP: (TELEGRAM, "-100555", None, False)}
            assert chat_of(await session.get(User, CITIZEN)) == CITIZEN, "told in their own chat, as before"
        await _at_revision(engine, "0019", down=True)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            columns = await connection.run_sync(lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("users")])
        assert "contacts" not in tables and "last_chat_id" not in columns
    finally:
        await engine.dispose()


async def test_a_person_of_another_channel_gets_ids_telegram_never_uses_and_keeps_them(engine):
    transactions = Transactions(engine)
    async with transactions.begin() as session:
        assert await identify(session, TELEGRAM, "71", "71", True) == contacts.Identity(71, 71, known=False)
        first = await identify(session, "whatsapp", "6281234567890", "6281234567890", True)
        assert first.user_id >= OWN_IDS_FROM and first.chat_id >= OWN_IDS_FROM and not first.known
        await remember_user(session, None, first.user_id, "Siti", None, private_chat=first.chat_id)
        await remember(session, first, "whatsapp", "6281234567890", True, new_user=True)
    async with transactions.begin() as session:
        again = await identify(session, "whatsapp", "6281234567890", "6281234567890", True)
        assert (again.user_id, again.chat_id, again.known) == (first.user_id, first.chat_id, True)
        second = await identify(session, "whatsapp", "6289876543210", "6289876543210", True)
        assert second.user_id not in (first.user_id, first.chat_id) and second.chat_id != first.chat_id
        assert {contacts.channel_by_id(first.chat_id), contacts.channel_by_id(second.chat_id)} == {"whatsapp"}
        user = await session.get(User, first.user_id)
        assert chat_of(user) == first.chat_id, "told in the chat they wrote from, not at their user id"
        assert await contacts.person_in(session, first.chat_id) == first.user_id
        assert await contacts.person_in(session, 555) == 555, "a Telegram chat with no row is its user's own"


async def test_a_known_telegram_person_writing_from_a_new_chat_is_told_there_from_then_on(engine):
    async with Transactions(engine).begin() as session:
        user = await remember_user(session, None, 71, "Siti", None, private_chat=71)
        assert user.last_chat_id is None and chat_of(user) == 71
        await remember_user(session, user, 71, "Siti", None, private_chat=OWN_IDS_FROM + 5)
        assert chat_of(user) == OWN_IDS_FROM + 5
        await remember_user(session, user, 71, "Siti", None, private_chat=None)  # a group: changes nothing
        assert chat_of(user) == OWN_IDS_FROM + 5

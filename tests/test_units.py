"""Tracking IDs, translations and the schema: the parts that need no chat."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.pofile import read_po

from datetime import timedelta

from bot.db import Transactions
from bot.db.models import Base, InboxUpdate, utcnow
from bot.inbox import store as inbox
from bot.i18n import SUPPORTED_LOCALES, catalog_path
from bot.services.tracking import ALPHABET, InvalidTrackingId, new_tracking_id, parse_tracking_id

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{\w+\}")


def test_tracking_ids_are_short_unambiguous_and_random():
    ids = {new_tracking_id() for _ in range(20000)}
    assert len(ids) == 20000
    for tracking_id in list(ids)[:200]:
        assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", tracking_id)
        assert not set(tracking_id) & set("OILU")
        assert parse_tracking_id(tracking_id) == tracking_id
    # 9 random characters of 32: 45 bits, at least the 40 the issue asks for.
    assert len(ALPHABET) ** 9 >= 2**45


def test_every_single_mistyped_character_is_caught():
    for _ in range(200):
        compact = new_tracking_id().replace("-", "")
        for position in range(len(compact)):
            for wrong in ALPHABET:
                if wrong == compact[position]:
                    continue
                typo = compact[:position] + wrong + compact[position + 1 :]
                with pytest.raises(InvalidTrackingId):
                    parse_tracking_id(typo)


def test_lookalikes_case_and_separators_are_forgiven():
    tracking_id = new_tracking_id()
    typed = f"  {tracking_id.lower().replace('-', ' ').replace('0', 'o').replace('1', 'l')} "
    assert parse_tracking_id(typed) == tracking_id
    for junk in ("", "ABC", "K7MQ9-TRXZ", "K7MQ9-TRXZSS", "U7MQ9-TRXZS", "💥💥💥💥💥-💥💥💥💥💥"):
        with pytest.raises(InvalidTrackingId):
            parse_tracking_id(junk)


def _extracted_msgids(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "plural:1,2",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


def test_every_user_facing_string_is_in_every_catalog(tmp_path):
    msgids = _extracted_msgids(tmp_path)
    assert len(msgids) > 100
    for locale in SUPPORTED_LOCALES:
        with catalog_path(locale).open("rb") as file:
            catalog = {message.id: message for message in read_po(file) if message.id}
        missing = msgids - catalog.keys()
        assert not missing, f"{locale}: run pybabel update (see README): {sorted(map(str, missing))[:5]}"


def test_indonesian_translates_everything_with_the_same_placeholders():
    with catalog_path("id").open("rb") as file:
        catalog = [message for message in read_po(file) if message.id]
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {ids[0]!r}"
        assert not message.fuzzy, f"fuzzy: {ids[0]!r}"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[0])), ids[0]


async def test_migrations_build_exactly_the_models(engine):
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == [], "models changed without a migration: see README, 'Changing the schema'"


async def test_handled_updates_are_pruned_after_telegrams_redelivery_window(engine):
    transactions = Transactions(engine)
    async with transactions.begin() as session:
        assert len(await inbox.store(session, inbox.received([{"update_id": 1}, {"update_id": 2}]))) == 2
        assert await inbox.store(session, inbox.received([{"update_id": 2}])) == [], "a redelivered update is stored once"
        assert await inbox.claim(session, 1) == await inbox.claim(session, 2) == inbox.CLAIMED
        assert await inbox.claim(session, 2) == inbox.HANDLED_ALREADY, "handled once"
        (await session.get(InboxUpdate, 1)).received_at = utcnow() - timedelta(days=3)
    async with transactions.begin() as session:
        assert await inbox.prune(session) == 1
    async with transactions.begin() as session:
        assert len(await inbox.store(session, inbox.received([{"update_id": 1}]))) == 1, "a pruned id would be new again"
        assert await inbox.store(session, inbox.received([{"update_id": 2}])) == [], "a recent id is still known"


async def test_a_turn_that_commits_before_the_receivers_store_stores_its_update_as_handled(engine):
    transactions = Transactions(engine)
    chat = {"chat": {"id": 7, "type": "private"}}
    async with transactions.begin() as session:
        assert await inbox.claim(session, 20, 7) == inbox.CLAIMED
        await inbox.mark_ignored(session, 21)
        assert await inbox.store(session, inbox.received([{"update_id": 20, "message": chat}, {"update_id": 21}])) == []
        states = {row.update_id: row.state for row in await session.scalars(select(InboxUpdate))}
        assert states == {20: inbox.DONE, 21: inbox.IGNORED}, "the store leaves a settled update as it is"
        await inbox.store(session, inbox.received([{"update_id": 30, "message": chat}]))
        assert await inbox.claim(session, 31, 7) == inbox.EARLIER_PENDING, "not stored yet, but 30 goes first"
        assert await session.get(InboxUpdate, 31) is None, "left for the receiver to store as pending"


async def test_an_update_waits_while_an_earlier_one_of_its_chat_is_pending(engine):
    transactions = Transactions(engine)
    chat = {"chat": {"id": 7, "type": "private"}}
    async with transactions.begin() as session:
        await inbox.store(session, inbox.received([{"update_id": 10, "message": chat}, {"update_id": 11, "message": chat}]))
        assert await inbox.claim(session, 11, 7) == inbox.EARLIER_PENDING, "another process holds 10: it goes first"
        assert await inbox.claim(session, 10, 7) == inbox.CLAIMED
        assert await inbox.claim(session, 11, 7) == inbox.CLAIMED

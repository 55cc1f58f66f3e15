"""Typed conversation state: one state per flow, tagged and versioned; every shape stored before loads, and
migration 0018 brings old rows along (on SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.db import alembic_config, create_engine, migrate, session_factory
from bot.db.models import Conversation
from bot.domain import ReportType
from bot.domain.actions import Action
from bot.domain.conversation_state import (STATES, UPGRADES, AreaQuestion, BroadcastComposition, FollowUp, KeptText,
                                           PendingAction, Purpose, ReporterAnswer, UnreadableState, from_json, to_json)
from bot.domain.draft import Draft
from bot.domain.flows import Flow
from bot.services.conversations import save_state, state_of

PHOTO = {"kind": "photo", "file_id": "AgAC-photo", "file_unique_id": "AQAD1", "file_size": 52000, "file_name": None}
# What each flow stored before states were typed, as the handlers of release 0017 wrote it (chat id: flow, step, JSON).
OLD_ROWS = {
    101: ("intake", "attachments", {
        "report_type": "pengaduan", "category": "infrastruktur_jalan", "description": "Jalan berlubang besar di depan pasar",
        "location": {"latitude": -0.95, "longitude": 100.35, "address": "Jl. Sudirman, Kota Padang"},
        "attachments": [PHOTO], "editing": False, "unknown_places": 0, "album_refusals": ["too big"],
    }),
    102: ("intake", "type", {}),  # a draft of the first releases, before it had any key
    103: ("typed", "offer", {"text": "halo, jalan di depan rumah saya rusak"}),
    104: ("answer", "type", {"text": "ini fotonya", "files": [PHOTO], "latitude": None, "longitude": None}),
    105: ("follow_up", "type", {"tracking_id": "K7MQ9TRXZS", "purpose": "album_rest", "album_id": "1357",
                                "event_id": 42, "acknowledgement": "✅ Terima kasih."}),
    106: ("sub_area", "type", {"attachments": [], "editing": False, "unknown_places": 0}),  # an empty intake draft
    107: ("staff_action", "note", {"action": "answer", "tracking_id": "K7MQ9TRXZS", "version": 3, "agency_code": None,
                                   "files": [PHOTO], "found": [], "kept_note": "sudah diperbaiki"}),
    108: ("broadcast", "audience", {"scope": "13", "area": "13.71", "text": "<b>Jalan ditutup</b>", "media_kind": None,
                                    "media_file_id": None, "language": "id", "topic": None, "category": None}),
}
EXPECTED = {
    101: Draft(ReportType.COMPLAINT, "infrastruktur_jalan", "Jalan berlubang besar di depan pasar",
               Draft.from_json({"location": OLD_ROWS[101][2]["location"]}).place, attachments=[
                   Draft.from_json({"attachments": [PHOTO]}).attachments[0]], album_refusals=["too big"]),
    102: Draft(),
    103: KeptText("halo, jalan di depan rumah saya rusak"),
    104: ReporterAnswer("ini fotonya", Draft.from_json({"attachments": [PHOTO]}).attachments),
    105: FollowUp("K7MQ9TRXZS", Purpose.ALBUM_REST, "1357", 42, "✅ Terima kasih."),
    106: AreaQuestion(),
    107: PendingAction(Action.ANSWER, "K7MQ9TRXZS", 3, files=Draft.from_json({"attachments": [PHOTO]}).attachments,
                       kept_note="sudah diperbaiki"),
    108: BroadcastComposition("13", "13.71", "<b>Jalan ditutup</b>", language="id"),
}


def test_every_flow_has_one_state_and_each_state_its_own_flow():
    assert set(STATES) == set(Flow)
    assert all(kind.FLOW is flow and kind.SCHEMA_VERSION >= 1 for flow, kind in STATES.items())


@pytest.mark.parametrize("chat_id", sorted(OLD_ROWS))
def test_every_old_shape_loads_typed(chat_id):
    flow, _step, data = OLD_ROWS[chat_id]
    assert from_json(flow, None, copy.deepcopy(data)) == EXPECTED[chat_id]


@pytest.mark.parametrize("chat_id", sorted(set(OLD_ROWS) - {102, 106}))
def test_version_1_is_the_old_shape_so_the_previous_release_reads_what_this_one_writes(chat_id):
    flow, _step, data = OLD_ROWS[chat_id]
    stored = to_json(from_json(flow, 1, copy.deepcopy(data)))
    assert (stored.flow, stored.version) == (flow, 1)
    assert stored.data == data


def test_a_state_of_an_unknown_flow_or_a_newer_version_is_refused_not_guessed():
    with pytest.raises(UnreadableState):
        from_json("poll", 1, {})
    with pytest.raises(UnreadableState):
        from_json(Flow.TYPED, KeptText.SCHEMA_VERSION + 1, {"text": "x"})


def test_a_row_of_an_older_version_is_upgraded_on_the_way(monkeypatch):
    """How a state's next version will read the rows stored before it."""
    monkeypatch.setattr(KeptText, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(UPGRADES, (Flow.TYPED, 1), lambda data: {"text": data["words"]})
    assert from_json(Flow.TYPED, 1, {"words": "jalan rusak"}) == KeptText("jalan rusak")
    assert from_json(Flow.TYPED, 2, {"text": "jalan rusak"}) == KeptText("jalan rusak")


def test_a_conversation_holds_only_its_own_flows_state():
    conversation = Conversation(chat_id=1, user_id=1, flow=Flow.TYPED.value, step="offer", state_json={"text": "x"},
                                state_version=1)
    with pytest.raises(TypeError):
        state_of(conversation, Draft)
    with pytest.raises(ValueError):
        save_state(conversation, Draft())
    save_state(conversation, KeptText("y"), "offer")
    assert state_of(conversation, KeptText) == KeptText("y") and conversation.state_json == {"text": "y"}


async def test_migration_0018_brings_every_old_shape_along_and_back(database_url):
    engine = create_engine(database_url)
    try:
        await _at_revision(engine, "0017")
        await _insert_old_rows(engine)
        await migrate(engine)
        async with session_factory(engine)() as session:
            for chat_id, (flow, step, _data) in OLD_ROWS.items():
                conversation = await session.get(Conversation, chat_id)
                assert (conversation.flow, conversation.step, conversation.state_version) == (flow, step, 1)
                assert state_of(conversation, STATES[Flow(flow)]) == EXPECTED[chat_id], flow
            assert (await session.get(Conversation, 106)).state_json == {}, "no intake draft under /langganan"
        await _at_revision(engine, "0017", down=True)
        async with engine.connect() as connection:
            rows = dict((await connection.execute(sa.select(_OLD.c.chat_id, _OLD.c.draft))).all())
        assert rows == {chat_id: ({} if chat_id == 106 else data) for chat_id, (_f, _s, data) in OLD_ROWS.items()}
    finally:
        await engine.dispose()


_USERS = sa.table("users", sa.column("id", sa.BigInteger), sa.column("first_name", sa.String),
                  sa.column("reachable", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)))
_OLD = sa.table("conversations", sa.column("chat_id", sa.BigInteger), sa.column("user_id", sa.BigInteger),
                sa.column("flow", sa.String), sa.column("step", sa.String), sa.column("draft", sa.JSON),
                sa.column("updated_at", sa.DateTime(timezone=True)))


async def _at_revision(engine, revision: str, down: bool = False) -> None:
    move = command.downgrade if down else command.upgrade
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: move(alembic_config(sync), revision))


async def _insert_old_rows(engine) -> None:
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(_USERS.insert(), [{"id": 7, "first_name": "Warga", "reachable": True, "created_at": now}])
        await connection.execute(_OLD.insert(), [
            {"chat_id": chat_id, "user_id": 7, "flow": flow, "step": step, "draft": data, "updated_at": now}
            for chat_id, (flow, step, data) in OLD_ROWS.items()
        ])


def test_only_the_conversation_service_touches_the_stored_json():
    """Flows read and write their state typed (``state_of``, ``save_state``), never the row's JSON."""
    root = Path(__file__).resolve().parent.parent
    allowed = {root / "bot/services/conversations.py", root / "bot/db/models/__init__.py"}
    touching = [path.relative_to(root) for folder in ("bot", "handlers") for path in (root / folder).rglob("*.py")
                if path not in allowed and "state_json" in path.read_text(encoding="utf-8")]
    assert touching == []

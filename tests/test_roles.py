"""Process roles (Procfile): a ``web`` process receives and handles updates and sends a turn's replies; a
``worker`` sends what waits and runs the jobs; neither migrates, and both refuse an older schema."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import ProcessRole
from bot.db import SchemaBehind, create_engine, migrate, require_current_schema
from bot.services import broadcasts
from tests.conftest import RunningBot, eventually
from tests.flows import file_report
from tests.test_broadcasts import ANNOUNCEMENT, KOTA_PADANG, _copies, _subscribe


async def test_web_and_worker_share_the_work_of_one_process(emulator, database_url, tmp_path):
    web, worker = RunningBot(emulator, database_url, tmp_path), RunningBot(emulator, database_url, tmp_path)
    await web.start(role=ProcessRole.WEB)
    try:
        citizen = web.citizen()
        assert await file_report(citizen), "a web process answers a citizen on its own"
        subscriber = web.citizen("Ani", None)
        await _subscribe(web, subscriber, KOTA_PADANG)
        async with web.services.transactions.begin() as session:
            await broadcasts.start(session, 1, broadcasts.Audience(), ANNOUNCEMENT, "id")
        await asyncio.sleep(2.5)  # two rounds of the broadcast job, were it running here
        assert _copies(subscriber) == [], "a web process runs no jobs"

        await worker.start(role=ProcessRole.WORKER)
        await eventually(lambda: _copies(subscriber), timeout=15)
        assert len(_copies(subscriber)) == 1
    finally:
        await worker.stop()
        await web.stop()


async def test_web_and_worker_refuse_a_schema_the_release_step_has_not_upgraded(database_url):
    engine = create_engine(database_url)
    try:
        with pytest.raises(SchemaBehind, match="lapor-bot db upgrade"):
            await require_current_schema(engine)
        await migrate(engine)
        await require_current_schema(engine)
    finally:
        await engine.dispose()

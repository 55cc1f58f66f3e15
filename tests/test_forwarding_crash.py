"""kill -9 on either side of forwarding (issue 26): bot A forwards Padang's reports to bot B over Open311, through
a proxy that shows what is on the wire. A killed between B filing a report and A hearing B's answer, or B killed
with A's filings streaming in: after a restart every report is filed in B exactly once, each linked in A to its
own B report. What saves it is the forward's Idempotency-Key, which B answers with the first filing again."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bench.harness.processes import Launched
from bot.db import create_engine, migrate, session_factory
from bot.db.models import ApiReport, Forward, Report, ReportLink
from bot.sandbox.emulator import BotApiEmulator
from bot.services import api_keys
from tests.flows import DESCRIPTION, PADANG
from tests.harness import eventually, free_port
from tests.open311_bot import answers
from tests.test_crash import _kill_9, _start_bot, _started

REPORTS = 8
# A's first pause after a filing failed (B is down): a second instead of ten, which the test would wait out.
SHORT_PAUSE = ("from datetime import timedelta; from bot.jobs import forwarding; "
               "forwarding.FIRST_PAUSE = timedelta(seconds=1)")
HOLD = 1.0  # seconds B's answers to a filing are held back in the "A mid-forward" case: A dies before hearing one
OPEN311 = "/open311/v2/"


class Wire:
    """A proxy from A to B: passes every request on, holds B's answers to filings ``hold`` seconds, answers 502 while
    B is down (as a gateway does), and counts what it saw."""

    def __init__(self, to_port: int, hold: float) -> None:
        self.to_port, self.hold, self.port = to_port, hold, free_port()
        self.filings = 0  # POSTs passed on to B
        self.filed = 0  # ... that B answered 2xx
        self.at_b = 0  # ... being handled by B now
        self.held = 0  # B's answers held back now

    async def handle(self, request: web.Request) -> web.Response:
        filing = request.method == "POST"
        self.filings += filing
        self.at_b += filing
        try:
            async with aiohttp.ClientSession() as http, http.request(
                    request.method, f"http://127.0.0.1:{self.to_port}{request.path_qs}", data=await request.read(),
                    headers={key: value for key, value in request.headers.items() if key.lower() != "host"}) as answer:
                status, body, kind = answer.status, await answer.read(), answer.content_type
        except aiohttp.ClientError:
            return web.Response(status=502, text="B is down")
        finally:
            self.at_b -= filing
        if filing and status < 300:
            self.filed += 1
            self.held += 1
            try:
                await asyncio.sleep(self.hold)
            finally:
                self.held -= 1
        return web.Response(status=status, body=body, content_type=kind)

    @asynccontextmanager
    async def running(self) -> AsyncIterator["Wire"]:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        try:
            yield self
        finally:
            await runner.cleanup()


async def _write_key(database_url: str) -> str:
    """A write key made in the (migrated) database, as ``lapor-bot api-key create`` makes it."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session, session.begin():
            return (await api_keys.create(session, "Sistem uji", api_keys.WRITE))[1]
    finally:
        await engine.dispose()


def _forwarding_file(folder: Path, wire: Wire) -> Path:
    path = folder / "forwarding.toml"
    path.write_text(f"""[[target]]
name = "kota-b"
kind = "open311"
agencies = ["HUB-13.71"]
url = "http://127.0.0.1:{wire.port}{OPEN311}"
api_key_env = "KOTA_B_KEY"
pull_minutes = 0.05
default_service_code = "jalan"
""", encoding="utf-8")
    return path


class Side:
    """One bot, run as the operator runs it (``lapor-bot run``), its Open311 API on its own port."""

    def __init__(self, telegram: BotApiEmulator, database_url: str, folder: Path, env: dict[str, str]) -> None:
        self.telegram, self.database_url, self.folder, self.port = telegram, database_url, folder, free_port()
        self.env = {"PORT": str(self.port), "DELIVERY_LEASE_SECONDS": "6", **env}
        self.process: Launched | None = None
        folder.mkdir(exist_ok=True)

    async def start(self) -> None:
        calls = self.telegram.stats.calls["getUpdates"]
        self.process = _start_bot(self.telegram, self.database_url, self.folder, more_env=self.env, prelude=SHORT_PAUSE)
        await _started(self.telegram, self.process, calls)
        async with aiohttp.ClientSession() as http:
            await eventually(lambda: answers(http, f"http://127.0.0.1:{self.port}{OPEN311}services.json"), timeout=30)

    async def kill(self) -> None:
        await _kill_9(self.telegram, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    async def rows(self, statement) -> list:
        engine = create_engine(self.database_url)
        try:
            async with session_factory(engine)() as session:
                return list((await session.execute(statement)).all())
        finally:
            await engine.dispose()


async def _file_in_a(a: Side, key: str) -> list[str]:
    """Padang's potholes filed in A through its API, each of its own description: A's tracking IDs."""
    ids = []
    async with aiohttp.ClientSession() as http:
        for number in range(REPORTS):
            fields = {"api_key": key, "service_code": "jalan", "lat": str(PADANG[0]), "long": str(PADANG[1]),
                      "description": f"{DESCRIPTION} (laporan {number})", "attribute[road_name]": "Jl. By Pass"}
            async with http.post(f"http://127.0.0.1:{a.port}{OPEN311}requests.json", data=fields) as answer:
                assert answer.status == 200, await answer.text()
                ids.append((await answer.json())[0]["service_request_id"])
    return ids


@pytest.mark.timeout(300)  # two bot processes, one started twice, A's back-off after B's outage: about 60 s alone
@pytest.mark.parametrize("moment", ["A mid-forward", "B mid-filing"])
async def test_kill_9_on_either_side_of_forwarding_loses_nothing_and_files_nothing_twice(
        emulator, database_url, tmp_path, moment):
    killing_a = moment == "A mid-forward"  # the side killed runs on the suite's database, the other on SQLite
    b_telegram = BotApiEmulator()
    await b_telegram.start()
    b_url = f"sqlite+aiosqlite:///{tmp_path / 'b.db'}" if killing_a else database_url
    a_url = database_url if killing_a else f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    b = Side(b_telegram, b_url, tmp_path / "b", {})
    wire = Wire(b.port, hold=HOLD if killing_a else 0.0)
    a = Side(emulator, a_url, tmp_path / "a", {
        "FORWARDING_FILE": str(_forwarding_file(tmp_path, wire)), "KOTA_B_KEY": await _write_key(b_url)})
    a_key = await _write_key(a_url)
    try:
        async with wire.running():
            await b.start()
            await a.start()
            tracking_ids = await _file_in_a(a, a_key)
            await _kill_mid_way(a if killing_a else b, wire, killing_a)
            await (a if killing_a else b).start()
            await eventually(lambda: _all_linked(a), timeout=120)
            await asyncio.sleep(2.5)  # a late repeat would be filed now
    finally:
        a.stop()
        b.stop()
        await b_telegram.stop()

    filed_in_b = await b.rows(select(Report.tracking_id, Report.description).join(
        ApiReport, ApiReport.report_id == Report.id))
    links = dict(await a.rows(select(Report.tracking_id, ReportLink.remote_id).join(
        ReportLink, ReportLink.report_id == Report.id)))
    print(f"kill -9 on forwarding, {moment}: {wire.filings} filings posted for {REPORTS} reports, "
          f"{len(filed_in_b)} filed in B")
    assert wire.filings > REPORTS, "a filing was posted again after the kill"
    assert Counter(description for _id, description in filed_in_b) == Counter(
        f"{DESCRIPTION} (laporan {number})" for number in range(REPORTS)), "each report filed in B once"
    theirs = {description: tracking_id for tracking_id, description in filed_in_b}
    assert sorted(links) == sorted(tracking_ids)
    a_descriptions = dict(await a.rows(select(Report.tracking_id, Report.description)))
    assert all(links[ours] == theirs[a_descriptions[ours]] for ours in tracking_ids), "each linked to its own"
    assert {state for (state,) in await a.rows(select(Forward.state))} == {"sent"}


async def _kill_mid_way(side: Side, wire: Wire, killing_a: bool) -> None:
    """Kill A while B's answer to a filing is held (filed there, not yet heard here), or B while A's filings are
    coming in (one being handled, if the moment allows); some filings done, others not."""
    if killing_a:
        await eventually(lambda: wire.filed >= 2 and wire.held, timeout=60, interval=0.01)
    else:
        await eventually(lambda: wire.filed >= 2 and wire.at_b, timeout=60, interval=0.005)
    held, at_b = wire.held, wire.at_b
    await side.kill()
    print(f"killed with {wire.filed} of {REPORTS} filed, {held} answers held, {at_b} filings at B")
    assert 0 < wire.filed < REPORTS, "the kill came mid-way"
    if killing_a:
        assert held, "A died with B's answer to a filing not yet heard"


async def _all_linked(a: Side) -> bool:
    remote_ids = await a.rows(select(ReportLink.remote_id))
    return len(remote_ids) == REPORTS and all(remote_id for (remote_id,) in remote_ids)

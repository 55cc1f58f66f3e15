"""Forwarding (issue 26): two bots on one machine, A forwarding one agency's reports to B over Open311. A citizen
files in A's chat; the report is filed in B (once, whatever the retries); B's staff answer it; A reads B's status and
its citizen gets the answer in the chat."""

from __future__ import annotations

import aiohttp
from sqlalchemy import func, select

from bot.db.models import ApiReport, Forward, Report, ReportLink
from bot.domain.roles import Role
from bot.forwarding.targets import OPEN311, Target, Targets
from bot.sandbox.emulator import BotApiEmulator
from bot.services.open311.filing import Filing, draft_of
from tests.conftest import eventually
from tests.flows import DESCRIPTION, PADANG, file_report
from tests.open311_bot import open311_bot
from tests.test_staff_inbox import make_staff


async def test_a_report_forwarded_to_another_system_is_answered_there_and_the_answer_reaches_the_citizen(
        emulator, database_url, tmp_path):
    other_telegram = BotApiEmulator()
    await other_telegram.start()
    try:
        async with open311_bot(other_telegram, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", tmp_path / "b") as b:
            agency = draft_of(b.router, Filing("jalan", DESCRIPTION, *PADANG,
                                               attributes={"road_name": "Jl. By Pass"})).routing.agency_code
            target = Target("kota-b", OPEN311, frozenset({agency}), b.url(""), secret=await b.key(),
                            pull_minutes=0.02, default_service_code="jalan")
            async with open311_bot(emulator, database_url, tmp_path / "a", forwarding=Targets((target,))) as a:
                await _forwarded_and_answered(a, b)
    finally:
        await other_telegram.stop()


async def _forwarded_and_answered(a, b) -> None:
    citizen = a.citizen("Siti", "siti_warga")
    tracking_id = await file_report(citizen)

    async def remote_id() -> str | None:
        async with a.sessions() as session:
            return await session.scalar(select(ReportLink.remote_id))

    await eventually(remote_id, timeout=20)
    theirs = await remote_id()
    async with b.sessions() as session:
        filed = await session.scalar(select(Report).where(Report.tracking_id == theirs))
        assert filed is not None and filed.description == DESCRIPTION and not filed.anonymous
        assert await session.scalar(select(func.count()).select_from(ApiReport)) == 1, "filed there once"

    card = (await citizen.send(f"/status {tracking_id}"))[-1]["text"]
    assert theirs in card, "the citizen sees the number it has there"
    hub = await make_staff(b, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send(f"/kotakmasuk {theirs}")
    await hub.tap("Arsipkan")
    await hub.send("Sudah ditangani oleh dinas kota minggu lalu")

    await eventually(lambda: any("Sudah ditangani oleh dinas kota" in (message.get("text") or "")
                                 for message in citizen.messages), timeout=30)
    async with a.sessions() as session:
        report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        assert report.status == "resolved"
        sent = list(await session.scalars(select(Forward.state)))
    assert sent == ["sent"], "one filing, sent; Open311 takes no changes"

"""Merging duplicates (issue 27): a hub admin marks a report as a duplicate of another in their reach; it closes with
the link, its reporter follows the kept one as a supporter and is told, its files join the kept report, its clock
stops; undone, all of it goes back. Across agencies, into a closed report or into itself it is refused, with why."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Attachment, Report
from bot.domain.roles import Role
from tests.conftest import eventually
from tests.flows import file_report
from tests.test_staff_inbox import make_staff
from tests.test_status import set_status

OTHER_WORDS = "Aspal jalan retak dan berlubang dekat pasar raya, membahayakan motor yang lewat malam hari."


async def _report(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await session.scalar(select(Report).where(Report.tracking_id == tracking_id))


async def _files(bot, tracking_id: str) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Attachment).join(Report).where(
            Report.tracking_id == tracking_id))


async def _merge(hub, duplicate: str, kept: str) -> str:
    await hub.send(f"/kotakmasuk {duplicate}")
    await hub.tap("Duplikat dari")
    return (await hub.send(kept))[-1]["text"]


async def test_a_duplicate_merged_into_the_report_kept_and_the_merge_undone(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    kept = await file_report(siti, album=1)
    duplicate = await file_report(budi, description=OTHER_WORDS, album=2)  # "mine is different", at the time
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")

    done = await _merge(hub, duplicate, kept)
    assert f"{duplicate}</code> ditutup sebagai duplikat dari <code>{kept}" in done, "what became of it, not 'archived'"
    merged, kept_report = await _report(bot, duplicate), await _report(bot, kept)
    assert merged.status == "rejected" and merged.merged_into_id == kept_report.id and merged.due_at is None
    assert kept_report.supporters == 1 and await _files(bot, kept) == 3, "its files joined the report kept"
    await eventually(lambda: f"mengulang laporan {kept}" in budi.last_text)  # told, in their language
    assert budi.buttons() == ["🔕 Berhenti mengikuti"], "a supporter now: they may stop following the report kept"
    view = "\n".join(message.get("text", "") for message in await hub.send(f"/kotakmasuk {kept}"))
    assert f"duplikat digabungkan) — {duplicate}" in view and "Didukung:</b> 1 orang" in view

    before = len(budi.messages)
    assert await set_status(bot, kept, "verified", None) == 0
    await eventually(lambda: len(budi.messages) > before)
    assert "yang Anda dukung" in budi.messages[-1]["text"], "the duplicate's reporter follows the report kept"

    closed = "\n".join(message.get("text", "") for message in await hub.send(f"/kotakmasuk {duplicate}"))
    assert "(ditutup tanpa verifikasi)" in closed, "never verified: the view does not say it was"
    undone = (await hub.tap("Batalkan penggabungan"))[-1]["text"]
    assert "Berhasil" in undone
    reopened, kept_report = await _report(bot, duplicate), await _report(bot, kept)
    assert reopened.status == "submitted" and reopened.merged_into_id is None and reopened.due_at is not None
    assert kept_report.supporters == 0 and await _files(bot, kept) == 1
    await eventually(lambda: "terbuka lagi" in budi.messages[-1].get("text", ""))


async def test_a_merge_across_agencies_into_a_closed_report_or_into_itself_is_refused(bot):
    siti, budi = bot.citizen("Siti", "siti_warga"), bot.citizen("Budi", "budi_warga")
    duplicate = await file_report(siti)
    drainage = await file_report(budi, category="Drainase dan banjir",
                                 description="Saluran air di depan pasar tersumbat sampah, jalan tergenang setiap hujan.")
    closed = await file_report(budi, description=OTHER_WORDS)
    assert await set_status(bot, closed, "rejected", "Sudah diperbaiki") == 0
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    assert "instansi lain" in await _merge(hub, duplicate, drainage)
    assert "sudah ditutup" in await _merge(hub, duplicate, closed)
    assert "dirinya sendiri" in await _merge(hub, duplicate, duplicate)
    assert "bukan nomor pelacakan" in await _merge(hub, duplicate, "K7MQ9-TRXZS")
    assert (await _report(bot, duplicate)).status == "submitted", "nothing was changed"

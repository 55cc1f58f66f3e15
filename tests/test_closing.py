"""The citizen closes the loop: rates the final answer from the buttons under the "resolved" message, or says
it is not fixed, which reopens the report to the same agency and tells its staff and hub; too late, or not
the reporter, nothing changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import Report, utcnow
from bot.domain import Status
from bot.domain.actions import Action
from bot.domain.deadlines import ResolutionClass
from bot.domain.roles import Grant, Role
from tests.conftest import eventually
from tests.test_staff_inbox import add_report, make_staff
from tests.test_workflow import MONDAY, act

LIAISON = [Grant(Role.LIAISON, "PUPR-13.71")]


async def taken_then(bot, citizen, action: Action, note: str, resolution: ResolutionClass, button: str,
                     now: datetime = MONDAY) -> str:
    """A report of ``citizen`` that the agency took and then answered or resolved at ``now``, once its button
    arrived."""
    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id)
    taken = await act(bot, LIAISON, Action.TAKE, tracking_id, 1, resolution=resolution, now=now)
    await act(bot, LIAISON, action, tracking_id, taken.version, note=note, now=now)
    await eventually(lambda: any(button in label for label in citizen.buttons()))
    return tracking_id


async def resolved_report(bot, citizen) -> str:
    """Resolved now: the reporter's taps are judged by their turn's clock, the real one, and the window to reopen it
    runs from its resolution (resolved on MONDAY, 23 November 2026, it closed at the end of 7 December)."""
    return await taken_then(bot, citizen, Action.RESOLVE, "Jalan sudah diaspal.", ResolutionClass.LIGHT, "⭐",
                            now=utcnow())


async def report_row(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await session.scalar(select(Report).where(Report.tracking_id == tracking_id))


async def test_the_reporter_rates_the_final_answer(bot, citizen):
    tracking_id = await resolved_report(bot, citizen)
    question = next(message["text"] for message in citizen.messages if "⭐" in str(message.get("reply_markup")))
    assert "Seberapa puas Anda dengan jawabannya?" in question, "the stars come with their question"
    replies = await citizen.tap("⭐⭐⭐⭐")
    assert "4 dari 5" in replies[-1]["text"]
    assert (await report_row(bot, tracking_id)).rating == 4


async def test_not_fixed_reopens_to_the_same_agency_and_tells_its_staff_and_hub(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    tracking_id = await resolved_report(bot, citizen)
    replies = await citizen.tap("Belum beres")
    assert "Buka kembali laporan" in replies[-1]["text"], "one tap only asks"
    assert (await report_row(bot, tracking_id)).status == Status.RESOLVED.value
    await citizen.tap("Tidak, tetap ditutup")
    assert "tetap ditutup" in citizen.last_text
    assert (await report_row(bot, tracking_id)).status == Status.RESOLVED.value
    await citizen.tap("Belum beres")
    replies = await citizen.tap("Ya, buka kembali")
    assert "dibuka kembali" in replies[-1]["text"]
    row = await report_row(bot, tracking_id)
    assert row.status == Status.IN_PROGRESS.value and row.agency_code == "PUPR-13.71" and row.due_kind == "resolution"
    await eventually(lambda: liaison.messages and hub.messages)
    assert all(tracking_id in person.last_text and "dibuka kembali" in person.last_text for person in (liaison, hub))
    again = await citizen.tap("Belum beres")  # the old button once more
    assert not any("dibuka kembali" in message.get("text", "") for message in again)


async def test_after_the_reopen_window_the_report_stays_closed(bot, citizen):
    tracking_id = await resolved_report(bot, citizen)
    async with bot.services.transactions.begin() as session:
        row = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        row.due_at = utcnow() - timedelta(minutes=1)
    await citizen.tap("Belum beres")
    assert "sudah lewat" in citizen.callback_answers()[-1]
    assert (await report_row(bot, tracking_id)).status == Status.RESOLVED.value

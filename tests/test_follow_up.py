"""After the agency answers: the reporter replies to the answer (its text and files reach the report, its staff
are told, and the report no longer closes on its own), or leaves it without a reply, and 10 working days
later the report closes itself; after rating the final answer, the reporter may add a comment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.db.models import AuditEntry, Conversation, Report, utcnow
from bot.domain import Status
from bot.domain.actions import Action, LoopAction
from bot.domain.calendar import IndonesianTime
from bot.domain.deadlines import ResolutionClass
from bot.domain.roles import Role
from bot.services.reports import find_by_tracking_id
from tests.conftest import eventually
from tests.flows import photos
from tests.test_closing import LIAISON, resolved_report, taken_then
from tests.test_deadline_sweep import sweep
from tests.test_staff_inbox import make_staff
from tests.test_workflow import act

REPLY_ADDED = "Balasan Anda sudah ditambahkan"


async def answered_report(bot, citizen) -> str:
    return await taken_then(bot, citizen, Action.ANSWER, "Tim kami memeriksa lokasi pekan ini.",
                            ResolutionClass.WITH_INSPECTION, "Balas")


async def report_of(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await find_by_tracking_id(session, tracking_id)


async def test_the_reporter_replies_to_the_answer_and_the_agency_hears_of_it(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    tracking_id = await answered_report(bot, citizen)
    assert "10 hari kerja" in citizen.last_text, "the answer says when it closes without a reply"
    prompt = await citizen.tap("Balas")
    assert tracking_id in prompt[-1]["text"] and "/batal" in prompt[-1]["text"]

    replies = await citizen.send("Terima kasih. Lubangnya tepat di depan toko nomor 12, mohon segera.")
    assert REPLY_ADDED in replies[-1]["text"]
    report = await report_of(bot, tracking_id)
    last = report.events[-1]
    assert (last.actor, last.action, last.to_status) == ("reporter", LoopAction.REPLY.value, Status.IN_PROGRESS.value)
    assert "toko nomor 12" in last.note and report.auto_close_at is None
    await eventually(lambda: tracking_id in liaison.last_text)
    assert "membalas" in liaison.last_text

    after = await citizen.send("Halo")  # the reply is done: the next message is an ordinary one
    assert REPLY_ADDED not in after[-1]["text"]
    assert len((await report_of(bot, tracking_id)).events) == len(report.events)


async def test_a_reply_with_an_album_is_one_reply_with_every_photo(bot, citizen):
    tracking_id = await answered_report(bot, citizen)
    await citizen.tap("Balas")
    replies = await citizen.send_files(photos(3, first_seed=70), caption="Ini fotonya", settle=1.5)
    assert [message["text"] for message in replies if "text" in message].count(replies[-1]["text"]) == 1
    assert REPLY_ADDED in replies[-1]["text"]
    report = await report_of(bot, tracking_id)
    reply = report.events[-1]
    assert reply.action == LoopAction.REPLY.value
    assert [attachment.event_id for attachment in report.attachments] == [reply.id] * 3
    async with bot.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Report).where(Report.reporter_id == citizen.user_id))
    assert count == 1, "the album's later photos did not start a new report"


async def test_a_reply_to_a_report_no_longer_with_the_agency_is_refused_politely(bot, citizen):
    tracking_id = await answered_report(bot, citizen)
    version = (await report_of(bot, tracking_id)).version
    await act(bot, LIAISON, Action.RESOLVE, tracking_id, version, note="Sudah diperbaiki.")
    await eventually(lambda: any("⭐" in label for label in citizen.buttons()))
    message, data = citizen.find_button("Balas")
    await citizen.tap_data(message["message_id"], data)
    assert "tidak lagi" in citizen.callback_answers()[-1]


async def test_an_answer_left_without_a_reply_closes_after_ten_working_days(bot, citizen):
    tracking_id = await answered_report(bot, citizen)
    closes_at = (await report_of(bot, tracking_id)).auto_close_at
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    view = await liaison.send(f"/kotakmasuk {tracking_id}")
    assert "Ditutup bila pelapor tidak membalas" in view[0]["text"] and "7 Des 2026" in view[0]["text"]
    assert closes_at.astimezone(IndonesianTime.WIB.zone).date().isoformat() == "2026-12-07", \
        "10 working days after Monday 23 November 2026"

    await sweep(bot, closes_at - timedelta(hours=1))
    assert (await report_of(bot, tracking_id)).status == Status.IN_PROGRESS.value
    await sweep(bot, closes_at + timedelta(hours=1))
    report = await report_of(bot, tracking_id)
    assert report.status == Status.RESOLVED.value and report.events[-1].action == LoopAction.AUTO_CLOSE.value
    assert report.due_kind == "reopen_window", "the reporter may still say it is not fixed"
    await eventually(lambda: "dengan sendirinya" in citizen.last_text)
    assert any("⭐" in label for label in citizen.buttons())


async def test_a_reply_stops_the_auto_close(bot, citizen):
    tracking_id = await answered_report(bot, citizen)
    closes_at = (await report_of(bot, tracking_id)).auto_close_at
    await citizen.tap("Balas")
    await citizen.send("Belum ada petugas yang datang sampai hari ini.")
    await sweep(bot, closes_at + timedelta(days=3))
    assert (await report_of(bot, tracking_id)).status == Status.IN_PROGRESS.value


async def test_after_rating_the_reporter_may_add_a_comment_that_staff_read(bot, citizen):
    tracking_id = await resolved_report(bot, citizen)
    rated = await citizen.tap("⭐⭐⭐⭐⭐")
    assert "komentar" in rated[-1]["text"]
    replies = await citizen.send("Cepat sekali ditangani, terima kasih!")
    assert "komentar Anda" in replies[-1]["text"]
    report = await report_of(bot, tracking_id)
    assert (report.rating, report.rating_comment) == (5, "Cepat sekali ditangani, terima kasih!")


async def test_a_comment_on_the_rating_is_kept_in_the_history_and_the_audit_trail(bot, citizen):
    tracking_id = await resolved_report(bot, citizen)
    await citizen.tap("⭐⭐⭐⭐")
    await citizen.send("  Cepat sekali ditangani, terima kasih!  ")
    report = await report_of(bot, tracking_id)
    commented = report.events[-1]
    assert (commented.actor, commented.action, commented.note) == (
        "reporter", LoopAction.COMMENT.value, "Cepat sekali ditangani, terima kasih!")
    assert commented.from_status == commented.to_status == Status.RESOLVED.value, "a comment changes no status"
    async with bot.sessions() as session:
        audited = (await session.scalars(select(AuditEntry).where(
            AuditEntry.subject == tracking_id, AuditEntry.action == "report.comment"))).one()
    assert (audited.actor_user_id, audited.details) == (citizen.user_id, {"rating": 4}), "no words in the audit trail"
    status = await citizen.send(f"/status {tracking_id}")
    assert "komentar atas penilaian" in status[-1]["text"]


async def test_staff_hear_of_a_reopened_report_in_their_own_language(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send("/bahasa")
    await hub.tap("English")
    tracking_id = await resolved_report(bot, citizen)
    await citizen.tap("Belum beres")
    await citizen.tap("Ya, buka kembali")
    await eventually(lambda: liaison.messages and hub.messages)
    assert "dibuka kembali" in liaison.last_text and "was reopened" in hub.last_text
    assert tracking_id in hub.last_text


async def test_a_message_long_after_the_rating_is_no_comment(bot, citizen):
    tracking_id = await resolved_report(bot, citizen)
    await citizen.tap("⭐⭐⭐")
    status = await citizen.send(tracking_id)  # a tracking ID is looked up, even while a comment is offered
    assert "Riwayat" in status[-1]["text"]
    async with bot.services.transactions.begin() as session:
        await session.execute(update(Conversation).values(updated_at=utcnow() - timedelta(minutes=31)))
    later = await citizen.send("Halo, saya mau lapor lagi")
    assert "komentar Anda" not in later[-1]["text"]
    assert (await report_of(bot, tracking_id)).rating_comment is None

"""Staff actions on a report: the hub verifies and forwards, the agency takes, answers and resolves; each
action is one transaction with its event, audit entry, deadline and the citizen's notification; of several
people acting at once exactly one wins; everyone else's attempts are refused with the reason."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import Attachment, AuditEntry, Report, ReportEvent
from bot.domain import Status
from bot.domain.actions import Action
from bot.domain.deadlines import Deadline, ResolutionClass
from bot.domain.draft import AttachmentRef
from bot.domain.roles import Grant, Role
from bot.services import workflow
from bot.services.workflow import ActionRequest, Outcome
from tests.conftest import eventually
from tests.flows import png
from tests.test_staff_inbox import add_report

HUB = [Grant(Role.HUB_ADMIN, "HUB-13.71")]
LIAISON = [Grant(Role.LIAISON, "PUPR-13.71")]
OTHER_LIAISON = [Grant(Role.LIAISON, "PUPR-13.06")]
MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 WIB


async def act(bot, grants, action: Action, tracking_id: str, version: int, actor: int = 900,
              now: datetime = MONDAY, **fields):
    async with bot.services.transactions.begin() as session:  # as a turn does
        request = ActionRequest(action, tracking_id, version, **fields)
        return await workflow.act(session, actor, grants, bot.services.notices, request, now=now)


async def report_row(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await session.scalar(select(Report).where(Report.tracking_id == tracking_id))


async def test_a_report_goes_from_the_hub_to_the_agency_and_back_to_the_citizen_resolved(bot):
    reporter = bot.citizen().user_id
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=reporter)
    verified = await act(bot, HUB, Action.VERIFY, tracking_id, 1, agency_code="PUPR-13.71")
    assert verified.outcome is Outcome.DONE and verified.status is Status.ASSIGNED
    row = await report_row(bot, tracking_id)
    assert row.agency_code == "PUPR-13.71" and row.due_kind == Deadline.FIRST_ANSWER.value
    assert row.due_at == datetime(2026, 11, 30, 16, 59, 59, 999999, tzinfo=UTC), "5 working days, end of day WIB"

    taken = await act(bot, LIAISON, Action.TAKE, tracking_id, verified.version, resolution=ResolutionClass.NORMATIVE)
    assert taken.outcome is Outcome.DONE and taken.status is Status.IN_PROGRESS
    assert (await report_row(bot, tracking_id)).resolution_class == "normatif"

    stored = bot.emulator.store_file(png(99), "jawaban.png", "image/png")  # as if staff had sent it to the bot
    photo = AttachmentRef("photo", stored.file_id, stored.file_unique_id, len(stored.data), None)
    answered = await act(bot, LIAISON, Action.ANSWER, tracking_id, taken.version, note="Lubang sudah ditimbun.",
                         files=(photo,))
    assert answered.outcome is Outcome.DONE and answered.status is Status.IN_PROGRESS
    resolved = await act(bot, LIAISON, Action.RESOLVE, tracking_id, answered.version, note="Jalan sudah diaspal.")
    assert resolved.outcome is Outcome.DONE and resolved.status is Status.RESOLVED

    expected = ["Terverifikasi", "Diteruskan ke instansi", "Ditindaklanjuti", "Lubang sudah ditimbun",
                "photo", "Jalan sudah diaspal"]

    def heard() -> list[str]:
        messages = bot.emulator.bot_messages(reporter)
        return [m.get("text") or ("photo" if m.get("photo") else "") for m in messages]

    await eventually(lambda: len(heard()) >= len(expected))
    texts = heard()
    assert [word for word, text in zip(expected, texts) if word not in text] == [], texts
    async with bot.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.subject == tracking_id)))
        assert actions == ["report.verify", "report.take", "report.answer", "report.resolve"]
        answer_files = await session.scalar(select(func.count()).select_from(Attachment).where(Attachment.event_id.is_not(None)))
        assert answer_files == 1


async def test_of_five_people_acting_at_once_exactly_one_wins_and_the_others_hear_what_happened(bot):
    tracking_id = await add_report(bot)
    attempts = [act(bot, HUB, Action.ARCHIVE if n % 2 else Action.VERIFY, tracking_id, 1, actor=900 + n,
                    note="Bukan pengaduan", agency_code="PUPR-13.71") for n in range(5)]
    results = await asyncio.gather(*attempts)
    assert sorted(result.outcome for result in results).count(Outcome.DONE) == 1, results
    losers = [result for result in results if result.outcome is not Outcome.DONE]
    assert all(result.outcome is Outcome.CHANGED and result.last_event is not None for result in losers)
    winner = next(result for result in results if result.outcome is Outcome.DONE)
    assert all(result.status is winner.status for result in losers)


async def test_actions_outside_ones_side_scope_or_moment_are_refused(bot):
    tracking_id = await add_report(bot)
    assert (await act(bot, OTHER_LIAISON, Action.TAKE, tracking_id, 1)).outcome is Outcome.NOT_FOUND
    assert (await act(bot, [], Action.VERIFY, tracking_id, 1)).outcome is Outcome.NOT_FOUND
    assert (await act(bot, LIAISON, Action.VERIFY, tracking_id, 1, agency_code="PUPR-13.71")).outcome \
        is Outcome.NOT_ALLOWED, "verifying is the hub's"
    assert (await act(bot, HUB, Action.TAKE, tracking_id, 1, resolution=ResolutionClass.LIGHT)).outcome \
        is Outcome.NOT_ALLOWED, "taking is the agency's"
    assert (await act(bot, HUB, Action.ANSWER, tracking_id, 1, note="x")).outcome is Outcome.NOT_ALLOWED
    assert (await act(bot, HUB, Action.ARCHIVE, tracking_id, 1, note="  ")).outcome is Outcome.INCOMPLETE
    assert (await act(bot, HUB, Action.VERIFY, tracking_id, 1, agency_code="NO-SUCH")).outcome is Outcome.UNKNOWN_AGENCY
    assert (await act(bot, HUB, Action.VERIFY, tracking_id, 7, agency_code="PUPR-13.71")).outcome is Outcome.CHANGED
    verified = await act(bot, HUB, Action.VERIFY, tracking_id, 1, agency_code="PUPR-13.71")
    assert (await act(bot, LIAISON, Action.RESOLVE, tracking_id, verified.version, note="x")).outcome \
        is Outcome.NOT_NOW, "it must be taken first"
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1, "only the action that happened"


async def test_an_agency_hands_a_report_back_to_its_hub_which_sends_it_on(bot):
    tracking_id = await add_report(bot)
    verified = await act(bot, HUB, Action.VERIFY, tracking_id, 1, agency_code="PUPR-13.71")
    back = await act(bot, LIAISON, Action.HAND_BACK, tracking_id, verified.version, note="Jalan nasional, bukan kami.")
    assert back.outcome is Outcome.DONE and back.status is Status.VERIFIED
    row = await report_row(bot, tracking_id)
    assert row.agency_code == "HUB-13.71" and row.due_kind == Deadline.VERIFICATION.value
    assert (await act(bot, LIAISON, Action.ANSWER, tracking_id, back.version, note="x")).outcome is Outcome.NOT_FOUND, \
        "no longer the agency's report"
    again = await act(bot, HUB, Action.VERIFY, tracking_id, back.version, agency_code="BPJN-13")
    assert again.outcome is Outcome.DONE and (await report_row(bot, tracking_id)).agency_code == "BPJN-13"


async def test_sending_a_report_on_to_whoever_has_it_already_is_refused_and_tells_nobody(bot):
    reporter = bot.citizen().user_id
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=reporter)
    same = await act(bot, HUB, Action.FORWARD, tracking_id, 1, note="Bukan wewenang kami", agency_code="HUB-13.71")
    assert same.outcome is Outcome.UNCHANGED and same.status is Status.SUBMITTED
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert await session.scalar(select(func.count()).select_from(ReportEvent)) == 1, "only the filing"
    sent_on = await act(bot, HUB, Action.FORWARD, tracking_id, 1, note="Bukan wewenang kami", agency_code="HUB-13")
    assert sent_on.outcome is Outcome.DONE, "to another body it goes, in the same status"

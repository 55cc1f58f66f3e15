"""Nothing the bot renders exceeds Telegram's limits, however long what citizens and operators typed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.db.models import Report, ReportEvent
from bot.domain import ADDRESS_MAX_CHARS, DESCRIPTION_MAX_CHARS, ROAD_NAME_MAX_CHARS, ReportType, Status
from bot.domain.draft import Draft, Place, RoutingRecord, Suggestion
from bot.domain.nearby import SUGGESTIONS
from bot.domain.steps import Step
from bot.i18n import Translator
from bot.notices.status import status_notification, supporter_notification
from bot.services.reports import find_by_tracking_id
from bot.textlimits import CAPTION_LIMIT, MESSAGE_LIMIT, shorten, split_html, visible_length
from handlers import render
from handlers.intake.prompts import PROMPTS, prompt_content
from tests.conftest import eventually
from tests.flows import PADANG, TRACKING_ID, file_report, finish_to_summary, share_pin, start_report
from tests.test_status import notifications_in, set_status

LONG_DESCRIPTION = ("Jalan berlubang & <rusak> parah di depan pasar. " * 100)[:DESCRIPTION_MAX_CHARS]
LONG_ADDRESS = ("Jl. Panjang Sekali No. 1 & 2, " * 20)[:ADDRESS_MAX_CHARS]
LONG_NOTE = ("Laporan ganda <lihat> laporan sebelumnya & mohon dicek. " * 100)[:5000]
LONG_AGENCY = "Dinas Pekerjaan Umum dan Penataan Ruang " * 20
MOMENT = datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc)
LANGUAGES = [Translator("id"), Translator("en")]


def fullest_draft() -> Draft:
    routing = RoutingRecord(
        agency_code="PUPR-13.71", agency_name=LONG_AGENCY, reason="by_road", confidence="high",
        area_name="Padang Pasir, " * 30, province_name="Sumatera Barat " * 20, regency_name="Kota Padang " * 20,
        road_name="Jalan " + "R" * ROAD_NAME_MAX_CHARS, road_status="nasional", sample_road=True,
    )
    return Draft(
        report_type=ReportType.COMPLAINT, category="jalan", description=LONG_DESCRIPTION,
        place=Place(-0.9492, 100.3543, LONG_ADDRESS), road_answer="R" * ROAD_NAME_MAX_CHARS, routing=routing,
        anonymous=True, confidential=True,
        suggestions=[Suggestion("K7MQ9-TRXZS", LONG_DESCRIPTION, Status.WAITING_REPORTER.value, MOMENT.isoformat(),
                                10**6, 5, "photo-id")] * SUGGESTIONS,
    )


def fullest_report(events: int = 40) -> Report:
    report = Report(
        tracking_id="K7MQ9-TRXZS", reporter_id=1, chat_id=1, report_type="pengaduan", category="jalan",
        description=LONG_DESCRIPTION, latitude=-0.9492, longitude=100.3543, address=LONG_ADDRESS, anonymous=True,
        confidential=True, status=Status.REJECTED.value, agency_name=LONG_AGENCY, created_at=MOMENT,
    )
    report.events = [
        ReportEvent(at=MOMENT, actor="admin", from_status="submitted", to_status=Status.WAITING_REPORTER.value, note=LONG_NOTE)
        for _ in range(events)
    ]
    return report


def assert_fits(text: str, limit: int = MESSAGE_LIMIT) -> None:
    assert visible_length(text) <= limit, visible_length(text)


def test_shorten_ends_with_an_ellipsis_and_keeps_short_text():
    assert shorten("pendek", 10) == "pendek"
    short = shorten("kata " * 100, 50)
    assert len(short) <= 50 and short.endswith("…") and not short.endswith(" …")
    assert shorten("x" * 100, 10) == "x" * 9 + "…"


def test_visible_length_counts_as_telegram_does():
    assert visible_length("<b>Tebal</b> &amp; <i>miring</i>") == len("Tebal & miring")
    assert visible_length("👍") == 2  # one emoji, two UTF-16 code units


def test_split_html_cuts_between_lines_within_the_limit():
    text = "\n".join(f"<b>Baris {n}</b> " + "x" * 90 for n in range(200))
    parts = split_html(text, 1000)
    assert len(parts) > 1 and all(visible_length(part) <= 1000 for part in parts)
    assert "\n".join(parts) == text, "nothing lost, every line whole"
    assert split_html("pendek") == ["pendek"]


def test_split_html_shortens_a_single_line_too_long_for_any_message():
    parts = split_html("<b>Catatan:</b> " + "&lt;x&gt; " * 2000, 500)
    assert len(parts) == 1 and visible_length(parts[0]) <= 500 and parts[0].endswith("…")


@pytest.mark.parametrize("_", LANGUAGES, ids=["id", "en"])
def test_every_prompt_of_the_fullest_draft_fits(_):
    draft = fullest_draft()
    for step in PROMPTS:
        if step == Step.PLACE:
            continue  # its labels are area names of the hierarchy
        text, _markup = prompt_content(_, step, draft, preface="⚠️ " + _("I cannot use that kind of message here."))
        assert_fits(text)
    summary = render.draft_summary(_, draft)
    assert LONG_DESCRIPTION[:100].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in summary
    assert_fits(render.place(_, -0.9492, 100.3543, LONG_ADDRESS))


@pytest.mark.parametrize("_", LANGUAGES, ids=["id", "en"])
def test_report_cards_and_notifications_of_the_fullest_report_fit(_):
    report = fullest_report()
    for for_reporter in (True, False):
        card = render.report_card(_, report, for_reporter=for_reporter)
        for part in split_html(card):
            assert_fits(part)
    notification = status_notification(_, report, report.events[-1])
    assert_fits(notification)
    report.confidential = False
    assert_fits(supporter_notification(_, report, report.events[-1]))
    assert_fits(render.history_line(_, report.events[0]), CAPTION_LIMIT)
    assert_fits(render.routing_explanation(_, fullest_draft().routing), CAPTION_LIMIT)
    assert_fits(render.report_list(_, [report] * 10))


async def test_a_report_with_the_longest_description_is_filed(bot, citizen):
    await start_report(citizen)
    await citizen.send(LONG_DESCRIPTION)
    await share_pin(citizen, PADANG)
    summary = await finish_to_summary(citizen, "Lewati")
    assert "Periksa kembali" in summary[-1]["text"] and "teks lengkap Anda tetap tersimpan" in summary[-1]["text"]
    replies = await citizen.tap("Kirim laporan")
    tracking_id = TRACKING_ID.search(replies[-1]["text"]).group(1)
    status = await citizen.send(f"/status {tracking_id}")
    assert "Belum terverifikasi" in status[-1]["text"]


async def test_a_long_operator_note_reaches_the_citizen_shortened(bot, citizen):
    tracking_id = await file_report(citizen)
    for _ in range(3):
        assert await set_status(bot, tracking_id, "waiting_reporter", note=LONG_NOTE) == 0
        assert await set_status(bot, tracking_id, "submitted") == 0
    assert await set_status(bot, tracking_id, "rejected", note=LONG_NOTE) == 0
    await eventually(lambda: len(notifications_in(citizen)) == 7)
    assert "Laporan ganda &lt;lihat&gt;" in notifications_in(citizen)[-1]
    assert notifications_in(citizen)[-1].count("…") == 1
    status = await citizen.send(f"/status {tracking_id}")
    assert "Tidak dapat diproses" in status[-1]["text"] and "Riwayat" in status[0]["text"]


async def test_a_document_with_a_very_long_name_is_filed_under_a_shorter_one(bot, citizen):
    """Attachment.file_name holds 256 characters: PostgreSQL refused longer names, and so the report."""
    name = "surat-keberatan-" + "sangat-panjang-" * 20 + ".pdf"
    await start_report(citizen)
    await citizen.send(LONG_DESCRIPTION[:200])
    await share_pin(citizen, PADANG)
    await citizen.send_files([(b"%PDF-1.4 surat", name, "application/pdf")], kind="document")
    await finish_to_summary(citizen)
    replies = await citizen.tap("Kirim laporan")
    tracking_id = TRACKING_ID.search(replies[-1]["text"]).group(1)
    async with bot.sessions() as session:
        stored = (await find_by_tracking_id(session, tracking_id)).attachments[0].file_name
    assert len(name) > 256 and len(stored) == 256
    assert stored.startswith("surat-keberatan-sangat-panjang-") and stored.endswith("….pdf")

"""What a citizen sends outside a draft is never thrown away: it answers the report that waits for them,
or starts a report with the photo they sent."""

from __future__ import annotations

from bot.db.models import Report
from bot.services.reports import find_by_tracking_id
from bot.services.lookups import LOOKUPS_PER_WINDOW
from tests.conftest import eventually
from tests.flows import file_report, photos
from tests.test_status import notifications_in, set_status

ADDED = "sudah ditambahkan ke laporan"


async def _waiting(bot, citizen, tracking_id: str) -> None:
    before = len(notifications_in(citizen))
    assert await set_status(bot, tracking_id, "waiting_reporter", "Mohon kirim foto yang lebih jelas") == 0
    await eventually(lambda: len(notifications_in(citizen)) == before + 1)


async def _report(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await find_by_tracking_id(session, tracking_id)


async def test_an_answer_in_the_chat_goes_into_the_waiting_report_and_back_to_the_queue(bot, citizen):
    tracking_id = await file_report(citizen)
    await _waiting(bot, citizen, tracking_id)
    replies = await citizen.send_files(photos(1, first_seed=40), caption="Ini foto lubangnya dari dekat, di depan toko nomor 12")
    assert ADDED in replies[-1]["text"] and tracking_id in replies[-1]["text"]
    report = await _report(bot, tracking_id)
    assert report.status == "submitted", "back to where it was before it waited"
    assert len(report.attachments) == 1 and report.attachments[0].kind == "photo"
    last = report.events[-1]
    assert (last.actor, last.from_status, last.to_status) == ("reporter", "waiting_reporter", "submitted")
    assert "toko nomor 12" in last.note


async def test_an_album_as_the_answer_is_one_answer_with_every_photo(bot, citizen):
    tracking_id = await file_report(citizen)
    await _waiting(bot, citizen, tracking_id)
    replies = await citizen.send_files(photos(3, first_seed=80), caption="Ini tiga foto dari dekat", settle=1.5)
    acknowledgements = [message for message in replies if ADDED in message.get("text", "")]
    assert len(acknowledgements) == 1 and "jenis laporan" not in replies[-1].get("text", "")
    report = await _report(bot, tracking_id)
    answer = report.events[-1]
    assert [a.event_id for a in report.attachments if a.event_id is not None] == [answer.id] * 3, \
        "the album's later photos joined the answer instead of starting a new report"
    assert report.due_kind == "verification", "its clock runs again now that the reporter answered"


async def test_with_several_reports_waiting_the_bot_asks_which_and_keeps_everything(bot, citizen):
    first, second = await file_report(citizen), await file_report(citizen)
    await _waiting(bot, citizen, first)
    await _waiting(bot, citizen, second)
    replies = await citizen.send("Lokasinya di seberang masjid raya, lubangnya sekitar satu meter")
    assert "yang mana" in replies[-1]["text"] and {first, second} <= set(citizen.buttons())
    await citizen.send_files(photos(1, first_seed=50))  # still choosing: kept with the text
    replies = await citizen.tap(second)
    assert ADDED in replies[-1]["text"] and second in replies[-1]["text"]
    chosen, other = await _report(bot, second), await _report(bot, first)
    assert chosen.status == "submitted" and len(chosen.attachments) == 1 and "masjid raya" in chosen.events[-1].note
    assert other.status == "waiting_reporter" and other.attachments == []


async def test_an_answer_kept_while_choosing_is_not_dropped_by_a_new_report(bot, citizen):
    first, second = await file_report(citizen), await file_report(citizen)
    await _waiting(bot, citizen, first)
    await _waiting(bot, citizen, second)
    await citizen.send("Lampu jalan di gang sebelah juga mati sejak kemarin malam")
    replies = await citizen.send("/lapor")  # no report chosen: the newest waiting one gets it
    assert ADDED in replies[0]["text"] and second in replies[0]["text"] and "jenis laporan" in replies[-1]["text"]
    assert "gang sebelah" in (await _report(bot, second)).events[-1].note


async def test_a_photo_sent_before_lapor_starts_a_report_with_it(bot, citizen):
    replies = await citizen.send_files(photos(1, first_seed=60))
    assert "Berkas disimpan" in replies[-1]["text"] and "jenis laporan" in replies[-1]["text"]


async def test_looking_up_other_peoples_reports_is_limited_politely(bot, citizen):
    own = await file_report(citizen)
    stranger = bot.citizen("Andi", "andi")
    for _ in range(LOOKUPS_PER_WINDOW):
        assert "Status" in (await stranger.send(f"/status {own}"))[-1]["text"]
    refusal = (await stranger.send(f"/status {own}"))[-1]["text"]
    assert "coba lagi dalam" in refusal and own not in refusal
    assert "Riwayat" in (await citizen.send(f"/status {own}"))[-1]["text"], "one's own reports are never limited"

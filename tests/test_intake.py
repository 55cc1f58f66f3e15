"""The citizen's conversation, end to end through the emulator and the real Application."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Conversation, Report
from bot.services.conversations import draft_of
from bot.services.reports import find_by_tracking_id
from tests.conftest import eventually
from tests.flows import DESCRIPTION, PADANG, TENGGARONG, file_report, finish_to_summary, photos, share_pin, start_report, through_to_summary


async def report_row(bot, tracking_id: str) -> Report:
    async with bot.sessions() as session:
        return await find_by_tracking_id(session, tracking_id)


async def test_full_report_with_album_and_location_pin(bot, citizen):
    welcome = await citizen.send("/start")
    assert "SP4N-LAPOR!" in welcome[0]["text"]
    assert {"📝 Buat laporan", "🔎 Cek status", "📋 Laporan saya", "❓ Bantuan"} <= set(citizen.buttons())

    await citizen.tap("Buat laporan")
    assert "jenis laporan" in citizen.last_text
    await citizen.tap("Pengaduan")
    assert "Kategori" in citizen.last_text and "Jalan" in citizen.buttons()
    await citizen.tap("Jalan")
    assert "Apa yang terjadi?" in citizen.last_text
    await citizen.send(DESCRIPTION)
    assert citizen.messages[-1]["chat_keyboard"]["keyboard"][0][0]["request_location"] is True

    replies = await citizen.share_location(*PADANG)
    assert "Lokasi dicatat" in replies[0]["text"] and replies[0]["chat_keyboard"] == {"remove_keyboard": True}
    assert "Jalan apa?" in citizen.last_text, "a road complaint: the road's status decides who fixes it"
    replies = await citizen.send("jln by pass")
    assert (
        "Jalan By Pass Padang adalah jalan nasional Sumatera Barat, jadi laporan Anda akan diteruskan ke "
        "Balai Pelaksanaan Jalan Nasional wilayah Sumatera Barat" in replies[0]["text"]
    )
    assert "data contoh" in replies[0]["text"], "the sample registry says so"
    assert "Foto atau berkas" in citizen.last_text

    album = await citizen.send_files(photos(3), settle=1.5)
    assert len(album) == 1, "an album is answered once, not once per photo"
    assert "3 dari 5" in album[0]["text"]

    await citizen.tap("Lanjut")
    await citizen.tap("Tidak")  # not anonymous
    summary = await citizen.tap("Tidak")  # not confidential
    text = summary[-1]["text"]
    assert "Periksa kembali laporan Anda" in text
    for expected in (
        "Pengaduan", "Jalan", "Jalan berlubang besar", "-0.94920, 100.35430", "3 berkas", "Anonim:</b> Tidak",
        "Akan diteruskan ke:</b> Balai Pelaksanaan Jalan Nasional wilayah Sumatera Barat", "Kota Padang, Sumatera Barat",
    ):
        assert expected in text, expected

    replies = await citizen.tap("Kirim laporan")
    assert "Nomor pelacakan" in replies[-1]["text"]
    tracking_id = replies[-1]["text"].split("<code>")[1].split("</code>")[0]

    report = await report_row(bot, tracking_id)
    assert (report.report_type, report.category, report.status) == ("pengaduan", "jalan", "submitted")
    assert (report.latitude, report.longitude) == PADANG
    assert [a.kind for a in report.attachments] == ["photo"] * 3
    assert len({a.file_unique_id for a in report.attachments}) == 3
    assert [e.to_status for e in report.events] == ["submitted"]
    assert (report.province_code, report.regency_code, report.road_status) == ("13", "13.71", "nasional")
    assert report.district_code.startswith("13.71.") and report.agency_code == "BPJN-13"
    assert "jalan nasional Sumatera Barat" in report.routing_reason

    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0

    status = await citizen.send(f"/status {tracking_id}")
    assert "Belum terverifikasi" in status[0]["text"] and "Riwayat" in status[0]["text"]
    mine = await citizen.send("/laporanku")
    assert tracking_id in mine[0]["text"]
    assert tracking_id in [key for key in citizen.buttons()]


async def test_report_with_typed_address_and_no_photos(bot, citizen):
    tracking_id = await file_report(citizen, point=None, address="Jl. Sudirman No. 5, Kel. Padang Pasir, Kota Padang")
    report = await report_row(bot, tracking_id)
    assert report.address == "Jl. Sudirman No. 5, Kel. Padang Pasir, Kota Padang"
    assert report.latitude is None and report.attachments == []


async def test_typed_coordinates_count_as_a_point(bot, citizen):
    tracking_id = await file_report(citizen, point=None, address="-0.4231, 116.9853")
    report = await report_row(bot, tracking_id)
    assert (report.latitude, report.longitude) == TENGGARONG


async def test_venue_keeps_its_name_and_address(bot, citizen):
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    replies = await citizen.share_location(*PADANG, venue={"title": "Pasar Raya Padang", "address": "Jl. Pasar Raya"})
    assert "Pasar Raya Padang, Jl. Pasar Raya" in replies[0]["text"]


async def test_maladministration_categories_for_complaints_only(bot, citizen):
    await start_report(citizen, category="Maladministrasi")
    assert "Apa kesalahan" in citizen.last_text
    assert "Permintaan imbalan" in citizen.buttons()
    await citizen.tap("Kategori lain")
    assert "Jalan" in citizen.buttons()
    await citizen.tap("Maladministrasi")
    await citizen.tap("Permintaan imbalan")
    assert "Apa yang terjadi?" in citizen.last_text

    other = bot.citizen("Budi")
    await other.send("/lapor")
    await other.tap("Aspirasi")
    assert not any("Maladministrasi" in label for label in other.buttons())


async def test_back_goes_one_step_back_and_cancel_discards(bot, citizen):
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    assert "Di mana lokasinya?" in citizen.last_text

    await citizen.send("⬅️ Kembali")  # the location step's reply keyboard
    assert "Apa yang terjadi?" in citizen.last_text
    await citizen.tap("Kembali")
    assert "Kategori" in citizen.last_text
    await citizen.send("/kembali")
    assert "jenis laporan" in citizen.last_text
    replies = await citizen.send("/kembali")
    assert "pertanyaan pertama" in replies[0]["text"]

    await citizen.tap("Batal")
    assert "sudah dibuang" in citizen.messages[-2]["text"]
    async with bot.sessions() as session:
        assert await session.get(Conversation, citizen.user_id) is None
    replies = await citizen.send("/batal")
    assert "Tidak ada laporan" in replies[0]["text"]


async def test_back_from_the_files_returns_to_the_road_question_that_was_asked(bot, citizen):
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    await share_pin(citizen, PADANG)
    assert "Foto atau berkas" in citizen.last_text
    replies = await citizen.tap("Kembali")
    assert "Jalan apa?" in replies[-1]["text"]
    replies = await citizen.tap("Kembali")
    assert "Di mana lokasinya?" in replies[-1]["text"]

    await share_pin(citizen, PADANG, road="jln by pass")
    replies = await citizen.tap("Kembali")
    assert "Jalan apa?" in replies[-1]["text"]
    replies = await citizen.tap("Tidak tahu")
    assert "Foto atau berkas" in replies[-1]["text"]


async def test_edit_from_summary_returns_to_summary(bot, citizen):
    await through_to_summary(citizen)
    await citizen.tap("✏️ Uraian")
    assert "Apa yang terjadi?" in citizen.last_text
    replies = await citizen.send("Lampu jalan mati total di sepanjang jalan ini sejak bulan lalu.")
    assert "Periksa kembali" in replies[-1]["text"] and "Lampu jalan mati total" in replies[-1]["text"]

    await citizen.tap("✏️ Lokasi")
    replies = await share_pin(citizen, TENGGARONG, road="poros samarinda tenggarong")
    assert "Periksa kembali" in replies[-1]["text"] and "116.98530" in replies[-1]["text"]

    await citizen.tap("✏️ Anonim")
    replies = await citizen.tap("Ya, anonim")
    assert "Anonim:</b> Ya" in replies[-1]["text"]

    # Back from an edit returns to the summary unchanged.
    await citizen.tap("✏️ Kategori")
    replies = await citizen.tap("Kembali")
    assert "Periksa kembali" in replies[-1]["text"] and "Kategori:</b> Jalan" in replies[-1]["text"]


async def test_editing_the_type_asks_again_for_a_category_it_rules_out(bot, citizen):
    await start_report(citizen, category="Maladministrasi")
    await citizen.tap("Penundaan berlarut")
    await citizen.send(DESCRIPTION)
    await share_pin(citizen, PADANG)
    await finish_to_summary(citizen, "Lewati")
    await citizen.tap("✏️ Jenis")
    replies = await citizen.tap("Aspirasi")
    assert "Kategori apa" in replies[-1]["text"], "maladministration is no aspiration: ask for a category"
    replies = await citizen.tap("Sampah")
    assert "Periksa kembali" in replies[-1]["text"] and "Aspirasi" in replies[-1]["text"]


async def test_restart_in_the_middle_resumes_where_the_citizen_was(bot, citizen):
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    await citizen.send_files(photos(1, first_seed=40))
    await bot.restart()

    replies = await citizen.share_location(*PADANG)
    assert "Lokasi dicatat" in replies[0]["text"]
    await citizen.send("Jl. By Pass")
    assert "1 dari 5" in citizen.last_text, "the photo sent before the restart is still there"
    summary = await finish_to_summary(citizen)
    assert "Jalan berlubang besar" in summary[-1]["text"]


async def test_the_same_update_twice_changes_nothing(bot, citizen):
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    description_update = citizen.last_updates[0]
    await citizen.send("Jl. Sudirman, Kota Padang")
    before = len(citizen.messages)

    assert await citizen.redeliver(description_update) == []
    assert len(citizen.messages) == before
    async with bot.sessions() as session:
        conversation = await session.get(Conversation, citizen.user_id)
        assert conversation.step == "attachments"

    await finish_to_summary(citizen, "Lewati")
    await citizen.tap("Kirim laporan")
    submit = citizen.last_updates[0]
    assert await citizen.redeliver(submit) == []
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1


async def test_updates_of_one_chat_are_handled_in_order(bot, citizen):
    """Several updates queued at once (a flaky connection catching up) are answered in order."""
    await start_report(citizen)
    emulator = bot.emulator
    first = await emulator.user_sends_text(citizen.user_id, DESCRIPTION)
    second = await emulator.user_sends_text(citizen.user_id, "Jl. Sudirman, Kota Padang")
    await emulator.wait_until(lambda: emulator.processed(first) and emulator.processed(second))
    async with bot.sessions() as session:
        conversation = await session.get(Conversation, citizen.user_id)
        assert conversation.step == "attachments"
        assert draft_of(conversation).place.address == "Jl. Sudirman, Kota Padang"


async def test_english_when_the_citizen_chooses_it(bot, citizen):
    await citizen.send("/bahasa")
    replies = await citizen.tap("English")
    assert "speak English" in replies[-1]["text"]
    await citizen.tap("File a report")
    assert "What kind of report" in citizen.last_text
    assert "Complaint (pengaduan)" in citizen.buttons()


async def test_command_menu_is_published_in_both_languages(bot):
    commands = bot.emulator.state.commands
    await eventually(lambda: {"", "en"} <= set(commands))  # published beside the start, not before it
    assert {"lapor", "status", "laporanku", "dukung", "langganan", "berhenti", "bahasa", "lupakan", "bantuan", "batal",
            "kembali"} == {c["command"] for c in commands[""]}
    assert dict((c["command"], c["description"]) for c in commands["en"])["lapor"] == "File a report"
    assert dict((c["command"], c["description"]) for c in commands[""])["lapor"] == "Buat laporan"


async def test_a_place_changed_from_the_summary_explains_the_routing_once(citizen):
    await through_to_summary(citizen)
    await citizen.tap("✏️ Lokasi")
    await share_pin(citizen, PADANG)  # a pin, then the road's name
    summary = citizen.last_text
    assert "Periksa kembali laporan Anda" in summary
    assert summary.count("jadi laporan Anda akan diteruskan ke") == 1, summary


async def test_a_voice_note_is_kept_and_a_written_line_asked_beside_it(bot, citizen):
    """Many people speak instead of typing: the recording is kept as an attachment for staff to play, and the
    description is still asked for in writing (staff and statistics read it)."""
    await start_report(citizen)
    replies = await citizen.send_voice(duration=6)
    assert "Rekaman disimpan" in replies[0]["text"] and "satu kalimat singkat" in replies[0]["text"]
    async with bot.sessions() as session:
        conversation = await session.scalar(select(Conversation).where(Conversation.chat_id == citizen.user_id))
        kept = draft_of(conversation).attachments
    assert [attachment.kind for attachment in kept] == ["voice"]
    await citizen.send(DESCRIPTION)
    assert "Lokasi" in citizen.last_text or "lokasi" in citizen.last_text, "the written line moves the report on"

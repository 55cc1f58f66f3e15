"""Who answers, in the conversation: the bot asks what it cannot tell, says who and why, and keeps it."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Report
from bot.services.jurisdiction import load_router
from tests.conftest import RunningBot
from tests.flows import DESCRIPTION, PADANG, TENGGARONG, finish_to_summary, start_report
from tests.test_routing import OFF_PADANG


async def report_from(citizen, place, category: str = "Sampah") -> list[dict]:
    """Start a report of ``category`` and give the place: a pin (lat, lng) or a typed address."""
    await start_report(citizen, category=category)
    await citizen.send(DESCRIPTION)
    if isinstance(place, str):
        return await citizen.send(place)
    return await citizen.share_location(*place)


async def stored_report(bot) -> Report:
    async with bot.sessions() as session:
        return (await session.execute(select(Report))).scalar_one()


async def test_an_ambiguous_place_is_asked_about(bot, citizen):
    replies = await report_from(citizen, "Kel. Padang Pasr")  # a typo, and two villages of that name
    assert "Maksud Anda yang mana?" in replies[-1]["text"]
    assert "Padang Pasir, Padang Barat, Kota Padang, Sumatera Barat" in citizen.buttons()
    assert "Tidak ada yang cocok" in citizen.buttons()

    replies = await citizen.tap("Padang Pasir, Padang Barat, Kota Padang")
    assert "ditangani oleh Dinas Lingkungan Hidup Kota Padang" in replies[-1]["text"]
    assert "Foto atau berkas" in replies[-1]["text"]
    summary = await finish_to_summary(citizen, "Lewati")
    assert "Akan diteruskan ke:</b> Dinas Lingkungan Hidup Kota Padang" in summary[-1]["text"]
    await citizen.tap("Kirim laporan")

    report = await stored_report(bot)
    assert report.village_code.startswith("13.71.") and report.agency_code == "DLH-13.71"
    assert report.routing_confidence == "high" and "Dinas Lingkungan Hidup Kota Padang" in report.routing_reason


async def test_a_place_nobody_knows_is_asked_for_twice_with_an_example_then_goes_to_a_hub_that_says_so(bot, citizen):
    replies = await report_from(citizen, "Kota Atlantis")  # no such city: not "Place noted", never nowhere
    assert "tidak dapat menemukan tempat itu" in replies[-1]["text"] and "Kec. Cilaku, Kab. Cianjur" in replies[-1]["text"]
    assert "Lokasi dicatat" not in str(replies)
    replies = await citizen.send("Desa Sukamaju")  # dozens of them: asked again too
    assert "Kec. Cilaku, Kab. Cianjur" in replies[-1]["text"]
    replies = await citizen.send("entah di mana")  # the third time it is taken, and said so
    assert "Lokasi dicatat" in replies[0]["text"] and "kantor yang meneruskan" in replies[0]["text"]
    summary = await finish_to_summary(citizen, "Lewati")
    assert "Akan diteruskan ke:</b> Admin Nasional" in summary[-1]["text"]


async def test_a_known_place_after_an_unknown_one_is_taken_at_once(bot, citizen):
    await report_from(citizen, "Kota Atlantis")
    replies = await citizen.send("desa sukamaju kec cilaku cianjur")
    assert "Lokasi dicatat" in replies[0]["text"] and "kantor yang meneruskan" not in replies[0]["text"]
    assert "Cianjur" in str(replies)


async def test_back_from_the_files_returns_to_the_road_question_that_was_asked(bot, citizen):
    await start_report(citizen, category="Jalan")
    await citizen.send(DESCRIPTION)
    await citizen.share_location(*PADANG)
    assert "Jalan apa?" in citizen.last_text
    await citizen.send("Jl. By Pass")
    assert "Foto atau berkas" in citizen.last_text
    await citizen.tap("Kembali")
    assert "Jalan apa?" in citizen.last_text


async def test_back_from_the_files_offers_the_places_again(bot, citizen):
    await report_from(citizen, "Kel. Padang Pasr")
    await citizen.tap("Padang Pasir, Padang Barat, Kota Padang")
    replies = await citizen.tap("Kembali")
    assert "Maksud Anda yang mana?" in replies[-1]["text"]
    assert "Padang Pasir, Padang Barat, Kota Padang, Sumatera Barat" in citizen.buttons()
    replies = await citizen.tap("Padang Pasir, Padang Barat, Kota Padang")
    assert "Dinas Lingkungan Hidup Kota Padang" in replies[-1]["text"] and "Foto atau berkas" in replies[-1]["text"]


async def test_none_of_these_goes_to_a_hub_that_forwards(bot, citizen):
    await report_from(citizen, "Kel. Padang Pasr")
    replies = await citizen.tap("Tidak ada yang cocok")
    assert "Admin Nasional SP4N-LAPOR!" in replies[-1]["text"] and "belum dapat dipastikan" in replies[-1]["text"]


async def test_a_road_complaint_asks_which_road(bot, citizen):
    await report_from(citizen, TENGGARONG, category="Jalan")
    assert "Jalan apa?" in citizen.last_text
    replies = await citizen.send("?")
    assert "ketik nama jalannya" in replies[-1]["text"]
    replies = await citizen.send("jalan poros samarinda tenggarong")
    assert "adalah jalan provinsi Kalimantan Timur" in replies[-1]["text"]
    assert "Dinas Pekerjaan Umum Provinsi Kalimantan Timur" in replies[-1]["text"]


async def test_an_unknown_road_goes_to_the_regency_hub(bot, citizen):
    await report_from(citizen, PADANG, category="Jalan")
    replies = await citizen.tap("Tidak tahu")
    assert "Status jalannya belum diketahui" in replies[-1]["text"]
    assert "Admin SP4N-LAPOR! Kota Padang" in replies[-1]["text"]
    await finish_to_summary(citizen, "Lewati")
    await citizen.tap("Kirim laporan")
    report = await stored_report(bot)
    assert (report.agency_code, report.road_status, report.regency_code) == ("HUB-13.71", None, "13.71")


async def test_a_pin_off_the_coast_asks_for_the_district(bot, citizen):
    await report_from(citizen, OFF_PADANG)
    assert "Titik Anda dekat batas" in citizen.last_text, "a question worded for a pin"
    replies = await citizen.tap("Padang Selatan")
    assert "Dinas Lingkungan Hidup Kota Padang" in replies[-1]["text"]


async def test_changing_the_category_changes_who_answers(bot, citizen):
    await report_from(citizen, TENGGARONG)
    summary = await finish_to_summary(citizen, "Lewati")
    assert "Dinas Lingkungan Hidup Kabupaten Kutai Kartanegara" in summary[-1]["text"]
    await citizen.tap("✏️ Kategori")
    replies = await citizen.tap("Layanan kesehatan")
    assert "Dinas Kesehatan Kabupaten Kutai Kartanegara" in replies[-1]["text"]
    assert "Periksa kembali" in replies[-1]["text"]


async def test_without_polygons_the_citizen_confirms_the_district(emulator, migrated_url, tmp_path):
    running = RunningBot(emulator, migrated_url, tmp_path, router=load_router(None, polygons=False))
    await running.start()
    try:
        citizen = running.citizen()
        await report_from(citizen, TENGGARONG)
        assert "Titik Anda dekat batas" in citizen.last_text
        replies = await citizen.tap("Tenggarong, Kabupaten Kutai Kartanegara")
        assert "Dinas Lingkungan Hidup Kabupaten Kutai Kartanegara" in replies[-1]["text"]
    finally:
        await running.stop()


async def test_a_pin_while_the_place_is_asked_about_is_the_place(bot, citizen):
    await report_from(citizen, "Kel. Padang Pasr")
    assert "Maksud Anda yang mana?" in citizen.last_text
    replies = await citizen.share_location(*TENGGARONG)
    assert "ditanyakan nanti" not in str(replies)
    assert "Lokasi dicatat" in replies[0]["text"] and "Kutai Kartanegara" in replies[-1]["text"]
    assert "Foto atau berkas" in replies[-1]["text"]


async def test_a_venue_or_a_live_location_at_the_files_step_is_the_new_place(bot, citizen):
    await report_from(citizen, PADANG)
    assert "Foto atau berkas" in citizen.last_text
    replies = await citizen.share_location(*TENGGARONG, venue={"title": "Pasar Tangga Arung", "address": "Tenggarong"})
    assert "Lokasi dicatat" in replies[0]["text"] and "Pasar Tangga Arung" in replies[0]["text"]
    assert "Kutai Kartanegara" in str(replies) and "Foto atau berkas" in replies[-1]["text"], "still the files step"
    replies = await citizen.send_raw({"location": {"latitude": PADANG[0], "longitude": PADANG[1], "live_period": 900}})
    assert "Lokasi dicatat" in replies[0]["text"] and "Kota Padang" in str(replies)
    assert "Foto atau berkas" in replies[-1]["text"]
    live = {**citizen.last_updates[0]["message"], "edit_date": citizen.last_updates[0]["message"]["date"] + 30}
    live["location"] = {"latitude": PADANG[0] + 0.0001, "longitude": PADANG[1], "live_period": 900}
    assert await citizen._act(citizen.emulator.push_update({"edited_message": live})) == [], "the live pin moving on"
    await citizen.tap("Lewati")
    replies = await citizen.share_location(*TENGGARONG)  # at "anonymous?": taken, and asked that again
    assert "Lokasi dicatat" in replies[0]["text"] and "Lapor secara anonim?" in replies[-1]["text"]
    summary = await finish_to_summary(citizen, "Lewati")
    assert "Kabupaten Kutai Kartanegara" in summary[-1]["text"]


async def test_a_pin_at_the_summary_is_offered_as_the_new_place(bot, citizen):
    await report_from(citizen, PADANG)
    await finish_to_summary(citizen, "Lewati")
    replies = await citizen.share_location(*TENGGARONG)
    assert "Ganti lokasi ke titik ini?" in replies[-1]["text"] and "ditanyakan nanti" not in str(replies)
    replies = await citizen.tap("Tidak")
    assert "Periksa kembali" in replies[-1]["text"] and "Kota Padang" in replies[-1]["text"]
    await citizen.share_location(*TENGGARONG)
    replies = await citizen.tap("Ya, ganti")
    assert "Lokasi dicatat" in replies[0]["text"]
    assert "Periksa kembali" in replies[-1]["text"] and "Kabupaten Kutai Kartanegara" in replies[-1]["text"]
    await citizen.tap("Kirim laporan")
    report = await stored_report(bot)
    assert (report.latitude, report.longitude) == TENGGARONG and report.regency_code == "64.02"

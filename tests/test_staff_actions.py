"""Staff act from the chat, end to end through the emulator: the hub verifies and forwards with an agency found
by a typed name, the agency takes the report with a resolution class and answers with a photo; the citizen
hears every change; a stale button is refused with what happened; /batal stops an action."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Report
from bot.domain.roles import Role
from routing import agency_search
from routing.agencies import Agency
from routing.regions import Hierarchy
from tests.conftest import eventually
from tests.flows import file_report, photos
from tests.test_staff import STAFF_ONLY
from tests.test_staff_inbox import add_report, make_staff

PADANG_ROADS = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Padang"


def texts_of(person) -> list[str]:
    return [message.get("text") or ("photo" if message.get("photo") else "") for message in person.messages]


async def test_the_hub_forwards_the_agency_takes_and_answers_and_the_citizen_hears_each_step(bot, citizen):
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=citizen.user_id)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send(f"/kotakmasuk {tracking_id}")
    assert "✅ Verifikasi dan teruskan" in hub.buttons() and "📥 Ambil" not in hub.buttons(), "the hub's actions only"
    asked = await hub.tap("Verifikasi dan teruskan")
    assert "Ketik nama instansi" in asked[-1]["text"]
    await hub.send("pekerjaan umum kota padang")
    message, _data = hub.find_button(PADANG_ROADS)
    exact = next(button["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for button in row
                 if button["text"] == PADANG_ROADS)
    done = await hub.tap_data(message["message_id"], exact)
    assert "Diteruskan ke instansi" in done[-1]["text"]

    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    assert "📥 Ambil" in liaison.buttons() and "✅ Verifikasi dan teruskan" not in liaison.buttons()
    stale_view = liaison.find_button("Ambil")
    await liaison.tap("Ambil")
    taken = await liaison.tap("Normatif (5 hari kerja)")
    assert "Ditindaklanjuti" in taken[-1]["text"]

    again = await liaison.tap_data(stale_view[0]["message_id"], stale_view[1])  # the old button, once more
    assert "Orang lain sudah menindak" in again[0]["text"], "the report changed since that button was shown"
    assert not any("Klasifikasi" in message.get("text", "") for message in again)
    refused = await liaison.tap("Ringan")  # a class button of the first tap, once more
    assert "Orang lain sudah menindak" in refused[0]["text"]

    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Tindak lanjut")
    added = await liaison.send_files(photos(1, first_seed=77))
    assert "Ditambahkan (1)" in added[-1]["text"]
    answered = await liaison.send("Lubang sudah ditimbun dan dipadatkan.")
    assert "✅ Berhasil" in answered[-1]["text"]

    expected = ["Terverifikasi", "Diteruskan ke instansi", "Ditindaklanjuti", "Lubang sudah ditimbun", "photo"]
    await eventually(lambda: len(texts_of(citizen)) >= len(expected))
    heard = texts_of(citizen)
    assert [word for word, text in zip(expected, heard) if word not in text] == [], heard
    assert "Instansi menjawab laporan Anda" in heard[3]


async def test_batal_stops_an_action_that_waits_for_its_reason_and_nothing_changes(bot, citizen):
    tracking_id = await add_report(bot, reporter=citizen.user_id)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Arsipkan")
    stopped = await hub.send("/batal")
    assert "Dihentikan" in stopped[-1]["text"]
    after = await hub.send("Bukan pengaduan")  # no longer a reason: the usual greeting
    assert "Dihentikan" not in after[-1]["text"] and "Selesai" not in after[-1]["text"]
    await hub.send(f"/kotakmasuk {tracking_id}")
    assert "Belum terverifikasi" in hub.last_text and citizen.messages == []


async def test_a_citizen_forging_a_staff_button_is_told_it_is_for_staff(bot, citizen):
    tracking_id = await add_report(bot, reporter=citizen.user_id)
    await citizen.send("/start")
    message_id = citizen.messages[-1]["message_id"]
    replies = await citizen.tap_data(message_id, f"sac:archive:{tracking_id}:1")
    assert STAFF_ONLY in replies[-1]["text"]
    after = await citizen.send("Jalan di depan rumah saya rusak parah")  # not taken as an archive reason
    assert "Arsip" not in after[-1]["text"]


async def test_the_agency_picker_offers_the_reports_area_first_with_labels_that_tell_agencies_apart(bot, citizen):
    """Issue 22: "pekerjaan umum kota padang" showed three identical buttons cut at the same point, and a Kota
    Padang hub was offered an agency in Kota Sorong."""
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=citizen.user_id)  # Kota Padang
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13", "Hana")  # the province's hub: all of Sumatera Barat
    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Verifikasi dan teruskan")
    await hub.send("pekerjaan umum kota padang")
    offered = hub.buttons()
    assert offered[0] == PADANG_ROADS and len(set(offered)) == len(offered), offered
    assert all(label.endswith(("Kota Padang", "Sumatera Barat", "(Kementerian PU)")) for label in offered), \
        f"the report's city, province and national bodies only: {offered}"

    await hub.send("pekerjaan umum padang pariaman")  # a neighbour typed by name, its long name kept apart
    offered = hub.buttons()
    assert offered[0] == "Dinas PUPR Kabupaten Padang Pariaman", offered
    assert len(set(offered)) == len(offered) and not any("…" in label for label in offered), offered

    await hub.send("dinas kesehatan kota sorong")  # another area's agency, when its area is typed too
    assert hub.buttons()[0] == "Dinas Kesehatan Kota Sorong"
    await hub.tap("Dinas Kesehatan Kota Sorong")
    async with bot.sessions() as session:
        assert await session.scalar(select(Report.agency_code).where(Report.tracking_id == tracking_id)) == "DINKES-96.71"


def test_an_imported_agency_without_its_area_in_its_name_is_labelled_with_it_and_long_names_keep_their_tail():
    hierarchy = Hierarchy.from_lokal()
    long_name = "Dinas Pekerjaan Umum, Perumahan Rakyat dan Kawasan Permukiman Bidang Bina Marga"
    agencies = [Agency("BM-13.05", long_name, "kabupaten_kota", "13.05"),
                Agency("BM-13.06", long_name, "kabupaten_kota", "13.06"),
                Agency("X-1", "Unit Pengaduan", "nasional", None), Agency("X-2", "Unit Pengaduan", "nasional", None)]
    shown = agency_search.labels(agencies, hierarchy, 60)
    assert shown[0].endswith("… Kab. Padang Pariaman") and shown[1].endswith("… Kab. Agam"), shown
    assert all(len(label) <= 60 for label in shown[:2]) and shown[2:] == ["Unit Pengaduan (X-1)", "Unit Pengaduan (X-2)"]


async def test_each_view_says_who_holds_the_report_now_for_its_reader_and_the_push_names_the_agency(bot, citizen):
    """Issue 22: routed to the national-road office, forwarded to the city's: the staff view said "Diteruskan ke"
    the city's office beside the routing's words to the citizen naming the national one, unlabelled; the push
    named no agency; /status of the unverified report already said "Diteruskan ke"."""
    tracking_id = await file_report(citizen)  # Jl. By Pass, Kota Padang: routed to BPJN Sumatera Barat
    card = (await citizen.send(f"/status {tracking_id}"))[-1]["text"]
    assert "Usulan instansi:</b> Balai Pelaksanaan Jalan Nasional wilayah Sumatera Barat" in card, card
    assert "diverifikasi dan diteruskan oleh admin koordinator" in card and "Diteruskan ke" not in card, card

    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    view = (await hub.send(f"/kotakmasuk {tracking_id}"))[0]["text"]
    assert "Usulan instansi:</b> Balai Pelaksanaan Jalan Nasional wilayah Sumatera Barat" in view, view
    await hub.tap("Verifikasi dan teruskan")
    await hub.send("pekerjaan umum kota padang")
    await hub.tap(PADANG_ROADS)

    forwarded = f"Diteruskan ke:</b> {PADANG_ROADS}"
    await eventually(lambda: forwarded in citizen.last_text)  # the push names the agency
    assert "Diteruskan ke instansi berwenang" in citizen.last_text
    card = (await citizen.send(f"/status {tracking_id}"))[-1]["text"]
    assert forwarded in card and "Usulan instansi" not in card, card
    view = (await hub.send(f"/kotakmasuk {tracking_id}"))[0]["text"]
    assert f"{forwarded} (PUPR-13.71)" in view, view
    routing = next(line for line in view.splitlines() if "Balai Pelaksanaan Jalan Nasional" in line)
    assert routing.startswith("<b>Perutean saat laporan dibuat</b> (seperti disampaikan kepada pelapor):"), routing


def test_a_typed_area_is_named_by_all_its_own_words_and_a_typed_kind_keeps_to_it():
    hierarchy = Hierarchy.from_lokal()
    assert agency_search.named_areas("pu kota padang", hierarchy) == {"13.71"}, "not Kota Padang Panjang"
    assert agency_search.named_areas("dinkes sorong", hierarchy) == {"96.01", "96.71"}
    assert agency_search.named_areas("dinkes kabupaten sorong", hierarchy) == {"96.01"}
    assert agency_search.named_areas("dinas sosial jakarta selatan", hierarchy) == {"31", "31.74"}


async def test_after_a_hand_back_the_hub_checks_it_and_a_report_sent_on_names_where_it_went(bot, citizen):
    tracking_id = await file_report(citizen)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    liaison = await make_staff(bot, Role.LIAISON, "BPJN-13", "Lina")
    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Verifikasi dan teruskan")
    await hub.tap("Sumatera Barat")  # the routed national-road office
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Kembalikan")
    await liaison.send("Ruas ini sudah diserahkan ke pemerintah kota.")
    card = (await citizen.send(f"/status {tracking_id}"))[-1]["text"]
    assert "Sedang diperiksa oleh:</b> Admin SP4N-LAPOR! Kota Padang" in card and "Diteruskan ke:" not in card, card

    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Bukan wewenang")
    await hub.send("admin koordinator sumatera barat")
    await hub.tap("Admin Koordinator SP4N-LAPOR! Provinsi Sumatera Barat")
    await hub.send("Perlu diputuskan oleh provinsi.")
    sent_on = "Dikirim ke:</b> Admin Koordinator SP4N-LAPOR! Provinsi Sumatera Barat"
    await eventually(lambda: any(sent_on in (message.get("text") or "") for message in citizen.messages))


async def test_for_a_report_without_an_area_the_picker_asks_for_the_agencys_area_and_then_offers_it(bot, citizen):
    tracking_id = await add_report(bot, agency="ADMIN-NASIONAL", province=None, regency=None, reporter=citizen.user_id)
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send(f"/kotakmasuk {tracking_id}")
    await admin.tap("Verifikasi dan teruskan")
    asked = await admin.send("dinas kesehatan")
    assert "beserta wilayahnya" in asked[-1]["text"] and not asked[-1].get("reply_markup"), "no other area's guessed"
    await admin.send("dinas kesehatan kota padang")
    assert admin.buttons()[0] == "Dinas Kesehatan Kota Padang"


async def test_sending_a_report_on_to_the_hub_that_has_it_is_refused_and_the_citizen_hears_nothing(bot, citizen):
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=citizen.user_id)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Bukan wewenang")
    await hub.send("HUB-13.71")
    message, data = hub.find_button("Admin SP4N-LAPOR! Kota Padang")
    await hub.tap_data(message["message_id"], data)
    refused = await hub.send("Salah kirim, ini wewenang kami sendiri.")
    assert "sudah ada di sana" in refused[-1]["text"] and "tidak ada yang diubah" in refused[-1]["text"]
    await hub.send(f"/kotakmasuk {tracking_id}")
    assert "Belum terverifikasi" in hub.last_text
    await citizen.quiet(0.3)
    assert citizen.messages == []


async def _taken_by(staff_member, tracking_id: str) -> None:
    await staff_member.send(f"/kotakmasuk {tracking_id}")
    await staff_member.tap("Ambil")
    await staff_member.tap("Normatif (5 hari kerja)")


async def _answered_by(staff_member, tracking_id: str, text: str) -> None:
    await staff_member.send(f"/kotakmasuk {tracking_id}")
    await staff_member.tap("Tindak lanjut")
    answered = await staff_member.send(text)
    assert "✅ Berhasil" in answered[-1]["text"]


async def test_the_reporters_reply_meanwhile_is_no_conflict_for_the_final_answer(bot, citizen):
    """Issue 22.1: the view was shown before the citizen replied to the answer; the final answer still goes."""
    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id)
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    await _taken_by(liaison, tracking_id)
    await _answered_by(liaison, tracking_id, "Tim kami memeriksa lokasi pekan ini.")
    view = liaison.find_button("Selesai")  # under the answer's confirmation, before the reply
    await eventually(lambda: "💬 Balas" in citizen.buttons())
    await citizen.tap("Balas")
    await citizen.send("Lubangnya tepat di depan toko nomor 12.")
    await eventually(lambda: "membalas" in liaison.last_text)

    prompt = await liaison.tap_data(view[0]["message_id"], view[1])
    assert "jawaban akhir" in prompt[-1]["text"]
    resolved = await liaison.send("Lubang sudah ditambal dan diaspal ulang.")
    assert "✅ Berhasil" in resolved[-1]["text"] and "Selesai" in resolved[-1]["text"], resolved[-1]["text"]
    await eventually(lambda: "ditambal dan diaspal" in citizen.last_text)


async def test_a_staff_conflict_shows_at_the_tap_and_a_typed_answer_is_kept_and_offered_again(bot, citizen):
    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id)
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    colleague = await make_staff(bot, Role.STAFF, "PUPR-13.71", "Sari")
    await _taken_by(liaison, tracking_id)
    await colleague.send(f"/kotakmasuk {tracking_id}")
    stale = colleague.find_button("Selesai")
    await _answered_by(liaison, tracking_id, "Material sudah dipesan.")

    told = await colleague.tap_data(stale[0]["message_id"], stale[1])  # checked at the tap, before any typing
    assert "Orang lain sudah menindak" in told[0]["text"] and "jawaban akhir" not in told[-1]["text"]
    assert "Material sudah dipesan" in "\n".join(m.get("text", "") for m in told), "the fresh view comes with it"
    assert "🏁 Selesai" in colleague.buttons()

    prompt = await colleague.tap("Selesai")
    assert "jawaban akhir" in prompt[-1]["text"]
    await _answered_by(liaison, tracking_id, "Alat berat tiba besok.")  # while the colleague types
    kept = await colleague.send("Jalan sudah diaspal ulang sepanjang 50 meter.")
    said = "\n".join(m.get("text", "") for m in kept)
    assert "Orang lain sudah menindak" in said and "disimpan" in said and "Alat berat tiba besok" in said, said
    prompt = await colleague.tap("Selesai")
    assert "diaspal ulang sepanjang 50 meter" in prompt[-1]["text"]
    done = await colleague.tap("Pakai teks tadi")
    assert "✅ Berhasil" in done[-1]["text"]
    await eventually(lambda: "diaspal ulang sepanjang 50 meter" in citizen.last_text)


async def test_a_typed_answer_for_a_report_no_longer_the_agencys_is_given_back_to_copy(bot, citizen):
    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id)
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    colleague = await make_staff(bot, Role.STAFF, "PUPR-13.71", "Sari")
    await _taken_by(liaison, tracking_id)
    await colleague.send(f"/kotakmasuk {tracking_id}")
    await colleague.tap("Selesai")
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Kembalikan")
    await liaison.send("Ini jalan nasional, bukan kewenangan kami.")  # the report leaves the agency's hands
    refused = await colleague.send("Jalan sudah diaspal ulang sepanjang 50 meter.")
    assert "untuk disalin" in refused[-1]["text"] and "diaspal ulang sepanjang 50 meter" in refused[-1]["text"]

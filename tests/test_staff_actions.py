"""Staff act from the chat, end to end through the emulator: the hub verifies and forwards with an agency found
by a typed name, the agency takes the report with a resolution class and answers with a photo; the citizen
hears every change; a stale button is refused with what happened; /batal stops an action."""

from __future__ import annotations

from bot.domain.roles import Role
from tests.conftest import eventually
from tests.flows import photos
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

"""One rule for what starting something does to what the chat has open: work a person wrote or composed (a draft
report, a staff action waiting for its text, an announcement being composed) is never discarded unasked."""

from __future__ import annotations

from bot.domain.roles import Role
from tests.test_staff_inbox import add_report, make_staff

ASKED = "Buang dan"


async def test_a_new_report_asks_before_it_discards_an_announcement_being_composed(bot):
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/siaran")
    asked = await admin.send("/lapor")
    assert "pengumuman yang sedang Anda susun" in asked[-1]["text"] and ASKED in asked[-1]["text"]
    kept = await admin.tap("Tidak, lanjutkan")
    assert "Dilanjutkan" in admin.messages[-1]["text"] or "Dilanjutkan" in kept[-1].get("text", "")
    composed = await admin.send("Jembatan ditutup Sabtu.")
    assert "pelanggan" in composed[-1]["text"], "the announcement was still being composed"

    await admin.send("/lapor")
    started = await admin.tap("Ya, buang")
    assert "Pengaduan" in admin.buttons(), "the new report's first question"
    assert "Dibuang" in admin.messages[-2].get("text", "") or any("Dibuang" in m.get("text", "") for m in started)


async def test_a_staff_action_asks_before_it_discards_the_members_own_draft(bot, citizen):
    tracking_id = await add_report(bot, agency="HUB-13.71", reporter=citizen.user_id)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    await hub.send("/lapor")
    await hub.tap("Pengaduan")  # a draft of the member's own
    await hub.send(f"/kotakmasuk {tracking_id}")
    asked = await hub.tap("Tunda")
    assert "laporan yang sedang Anda tulis" in asked[-1]["text"] and ASKED in asked[-1]["text"]
    again = await hub.tap("Tidak, lanjutkan")
    assert "kategori" in again[-1]["text"].lower(), "the draft's question again, where it was left"

    await hub.send(f"/kotakmasuk {tracking_id}")
    await hub.tap("Tunda")
    told = await hub.tap("Ya, buang")
    assert "ketuk tindakannya lagi" in told[-1]["text"]
    asked = await hub.tap("Tunda")
    assert ASKED not in asked[-1]["text"], "nothing is open any more: the action asks for its text"


async def test_an_old_discard_button_discards_nothing(bot):
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/siaran")
    await admin.send("/lapor")
    await admin.send("/batal")  # the announcement is gone anyway
    await admin.send("/lapor")  # nothing of worth open: the report starts unasked
    message, data = admin.find_button("Ya, buang")
    await admin.tap_data(message["message_id"], data)
    assert admin.callback_answers()[-1] == "Tombol itu sudah tidak berlaku."
    again = await admin.send("/lapor")
    assert "Mari lanjutkan laporan Anda" in again[-1]["text"], "the new draft was not discarded"

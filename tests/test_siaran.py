"""/siaran through the emulator: an admin composes, narrows, previews and sends an announcement; a hub admin
reaches its own area only; the progress message shows the outcome; bad HTML is refused politely."""

from __future__ import annotations

import asyncio

from bot.domain.roles import Role
from bot.jobs import broadcasts as broadcast_job
from bot.services import broadcasts
from tests.conftest import eventually
from tests.kit.faults import Fault, fault_plan, inject
from tests.test_broadcasts import KABUPATEN_BOGOR, KOTA_PADANG, _subscribe
from tests.test_staff_inbox import make_staff

NEWS = "Jembatan <b>Siti Nurbaya</b> ditutup Sabtu untuk perbaikan."


def _got(person) -> list[str]:
    return [message.get("text", "") for message in person.messages if "Siti Nurbaya" in message.get("text", "")]


async def test_the_national_admin_composes_narrows_previews_and_sends_an_announcement(bot):
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    padang, english, bogor = (bot.citizen(name, None) for name in ("Ani", "Ben", "Citra"))
    await _subscribe(bot, padang, KOTA_PADANG)
    await _subscribe(bot, english, KOTA_PADANG, "en")
    await _subscribe(bot, bogor, KABUPATEN_BOGOR)

    await admin.send("/siaran")
    replies = await admin.send("<b>unclosed")
    assert "Telegram tidak akan menerima format ini" in replies[-1]["text"], "bad HTML: told why, asked again"
    replies = await admin.send(NEWS)
    assert "3 pelanggan" in replies[-1]["text"]
    await admin.tap("Bahasa: semua")
    assert "2 pelanggan" in admin.messages[-1]["text"], "the count follows the filter (Indonesian only)"
    assert "🌐 Bahasa: Bahasa Indonesia" in admin.buttons(), "the language by its name"
    replies = await admin.tap("Pratinjau")
    assert "Siti Nurbaya" in replies[0]["text"] and "/berhenti" in replies[0]["text"], "the copy as subscribers get it"
    assert "Kirim ke 2" in admin.buttons()[0]
    await admin.tap("Kirim ke 2")

    await eventually(lambda: _got(padang) and _got(bogor), timeout=15)
    assert _got(english) == [], "the English-speaking subscriber was filtered out"
    assert _got(padang)[0].startswith(NEWS), "sent as written: the emulator parsed its HTML as Telegram would"
    await eventually(lambda: "terkirim ke semua" in admin.messages[-1].get("text", ""), timeout=15)
    assert "Terkirim 2" in admin.messages[-1]["text"] and not admin.messages[-1].get("reply_markup")


async def test_a_hub_admin_reaches_its_own_area_only_and_a_citizen_none(bot):
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13", "Hana")  # West Sumatra's hub
    padang, bogor = bot.citizen("Ani", None), bot.citizen("Citra", None)
    await _subscribe(bot, padang, KOTA_PADANG)
    await _subscribe(bot, bogor, KABUPATEN_BOGOR)
    replies = await hub.send("/siaran")
    assert "Sumatera Barat" in replies[-1]["text"]
    replies = await hub.send(NEWS)
    assert "1 pelanggan" in replies[-1]["text"]
    await hub.tap("Pratinjau")
    await hub.tap("Kirim ke 1")
    await eventually(lambda: _got(padang), timeout=15)
    assert _got(bogor) == []

    citizen = bot.citizen("Dodi", None)
    replies = await citizen.send("/siaran")
    assert "Hanya admin nasional" in replies[-1]["text"]


async def test_an_admin_narrows_the_audience_to_an_area_inside_its_own(bot):
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    padang, bogor = bot.citizen("Ani", None), bot.citizen("Citra", None)
    await _subscribe(bot, padang, KOTA_PADANG)
    await _subscribe(bot, bogor, KABUPATEN_BOGOR)
    await admin.send("/siaran")
    await admin.send(NEWS)
    await admin.tap("Wilayah: seluruh Indonesia")
    replies = await admin.send("kota padang")
    assert "Wilayah: Kota Padang" in admin.buttons()[0] and "1 pelanggan" in replies[-1]["text"]
    await admin.tap("Pratinjau")
    await admin.tap("Kirim ke 1")
    await eventually(lambda: _got(padang), timeout=15)
    assert _got(bogor) == []

    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13", "Hana")  # West Sumatra's hub
    await hub.send("/siaran")
    await hub.send(NEWS)
    await hub.tap("Wilayah: Sumatera Barat")
    replies = await hub.send("Kabupaten Bogor")
    assert "tidak mengenal provinsi atau kabupaten/kota itu di Sumatera Barat" in replies[-1]["text"], "outside its area"
    await hub.tap("Seluruh Sumatera Barat")
    assert "1 pelanggan" in hub.messages[-1]["text"]


def _progress(admin) -> dict:
    return next(message for message in reversed(admin.messages) if "Pengumuman #" in message.get("text", ""))


async def test_the_progress_pauses_and_resumes_the_preview_goes_back_and_copies_name_the_office(bot, monkeypatch):
    monkeypatch.setattr(broadcast_job, "WINDOW", 2)  # queued one at a time: it stays in progress a while
    monkeypatch.setattr(broadcasts, "BATCH", 1)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")  # Kota Padang's hub
    people = [bot.citizen(f"Warga {index}", None) for index in range(6)]
    for person in people:
        await _subscribe(bot, person, KOTA_PADANG)
    await hub.send("/siaran")
    await hub.send(NEWS)
    replies = await hub.tap("Pratinjau")
    assert "Dari: Admin SP4N-LAPOR! Kota Padang" in replies[0]["text"], "the copy names the office, not the person"
    assert "Hana" not in replies[0]["text"]
    await hub.tap("Kembali ke penyaring")
    assert "Penerima</b>" in hub.messages[-1]["text"] and "Pratinjau" in " ".join(hub.buttons())
    await hub.tap("Bahasa: semua")  # the filters work again
    await hub.tap("Pratinjau")
    inject(bot.emulator, Fault("sendMessage", delay=1.0, times=1000))  # the copies go out slowly
    await hub.tap("Kirim ke 6")

    await eventually(lambda: any("Jeda" in label for label in hub.buttons()), timeout=15)
    assert "Sekitar 1 menit" not in _progress(hub)["text"] and "Kurang dari semenit lagi" in _progress(hub)["text"]
    await hub.tap("Jeda")
    await eventually(lambda: "dijeda" in _progress(hub)["text"] and "▶️ Lanjutkan" in hub.buttons(), timeout=15)
    await asyncio.sleep(2.5)  # what was on its way when paused arrives
    held = sum(len(_got(person)) for person in people)
    await asyncio.sleep(2.5)
    assert sum(len(_got(person)) for person in people) == held < 6, "paused: nothing more goes out"
    fault_plan(bot.emulator).clear()
    await hub.tap("Lanjutkan")
    await eventually(lambda: all(_got(person) for person in people), timeout=20)
    assert [len(_got(person)) for person in people] == [1] * 6
    assert "Dari: Admin SP4N-LAPOR! Kota Padang" in _got(people[0])[0]
    await eventually(lambda: "terkirim ke semua" in _progress(hub)["text"], timeout=15)

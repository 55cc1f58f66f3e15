"""/siaran through the emulator: an admin composes, narrows, previews and sends an announcement; a hub admin
reaches its own area only; the progress message shows the outcome; bad HTML is refused politely."""

from __future__ import annotations

from bot.domain.roles import Role
from tests.conftest import eventually
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

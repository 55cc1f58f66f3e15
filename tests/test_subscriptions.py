"""Citizens opt in to announcements (an area from their reports, typed, or all of Indonesia; topics), and
opt out at once: with /berhenti, with the button, or by blocking the bot."""

from __future__ import annotations

from bot.db.models import Subscription
from bot.domain.announcements import TOPICS, EndReason
from tests.flows import DESCRIPTION, file_report, start_report

KOTA_PADANG = "13.71"


async def _subscription(bot, citizen) -> Subscription | None:
    async with bot.sessions() as session:
        return await session.get(Subscription, citizen.user_id)


async def test_a_citizen_subscribes_for_the_area_of_their_report_chooses_topics_and_opts_out(bot, citizen):
    await file_report(citizen)  # a pin in Kota Padang
    replies = await citizen.send("/langganan")
    assert "/berhenti" in replies[-1]["text"], "the way out is said before anything is sent"
    assert citizen.buttons() == ["Kota Padang", "🇮🇩 Seluruh Indonesia", "⌨️ Ketik kabupaten atau kota"]
    replies = await citizen.tap("Kota Padang")
    assert "Kota Padang" in replies[-1]["text"] and all(button.startswith("✅") for button in citizen.buttons()[:4])
    subscription = await _subscription(bot, citizen)
    assert subscription.regency_code == KOTA_PADANG and subscription.topics == list(TOPICS)

    await citizen.tap("Keadaan darurat")
    assert "⬜ Keadaan darurat dan bencana" in citizen.buttons(), "the same message shows the topic turned off"
    assert (await _subscription(bot, citizen)).topics == ["layanan", "infrastruktur", "lapor"]

    replies = await citizen.send("/berhenti")
    assert "tidak akan menerima pengumuman lagi" in replies[-1]["text"]
    ended = await _subscription(bot, citizen)
    assert ended.ended_at is not None and ended.end_reason == EndReason.OPTED_OUT
    assert "belum berlangganan" in (await citizen.send("/berhenti"))[-1]["text"]
    await citizen.send("/langganan")
    await citizen.tap("Seluruh Indonesia")
    again = await _subscription(bot, citizen)
    assert again.ended_at is None and again.regency_code is None and again.topics == list(TOPICS)
    await citizen.tap("Berhenti berlangganan")
    assert (await _subscription(bot, citizen)).end_reason == EndReason.OPTED_OUT, "the button works as /berhenti"


async def test_a_typed_area_is_found_asked_about_when_it_is_two_and_politely_refused_when_unknown(bot, citizen):
    await citizen.send("/langganan")
    await citizen.tap("Ketik kabupaten")
    replies = await citizen.send("Atlantis")
    assert "tidak mengenal kabupaten atau kota itu" in replies[-1]["text"], "unknown: asked again, nothing lost"
    await citizen.send("Bogor")
    assert sorted(citizen.buttons()) == ["Kabupaten Bogor", "Kota Bogor"]
    await citizen.tap("Kota Bogor")
    subscription = await _subscription(bot, citizen)
    bogor = bot.services.router.hierarchy.get(subscription.regency_code)
    assert bogor.name == "Kota Bogor"

    await citizen.tap("Ganti daerah")
    await citizen.tap("Ketik kabupaten")
    await citizen.send("kabupaten cianjur")
    assert bot.services.router.hierarchy.get((await _subscription(bot, citizen)).regency_code).name == "Kabupaten Cianjur"


async def test_typing_an_area_never_replaces_a_report_in_progress(bot, citizen):
    await start_report(citizen)
    await citizen.send("/langganan")
    replies = await citizen.tap("Ketik kabupaten")
    assert "selesaikan atau batalkan (/batal) laporan Anda" in replies[-1]["text"]
    replies = await citizen.send(DESCRIPTION)
    assert "lokasi" in replies[-1]["text"].lower(), "the draft went on to its next question"


async def test_blocking_the_bot_drops_the_citizen_from_every_list(bot, citizen):
    await citizen.send("/langganan")
    await citizen.tap("Seluruh Indonesia")
    await citizen.block()
    dropped = await _subscription(bot, citizen)
    assert dropped.ended_at is not None and dropped.end_reason == EndReason.BLOCKED
    await citizen.unblock()
    assert (await _subscription(bot, citizen)).ended_at is not None, "unblocking does not subscribe again"

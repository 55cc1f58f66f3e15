"""Updates out of order: a chat's newer update waits a moment for an older one still on its way (update ids
are sequential per bot, so the gap shows), and nothing is dropped when the older one is late or never comes."""

from __future__ import annotations

import time

import pytest

from bot.inbox.receivers import Webhook
from tests.conftest import RunningBot, eventually
from tests.flows import DESCRIPTION, PADANG, start_report
from tests.kit.faults import deliver_late
from tests.test_webhook import SECRET
from tests.harness import free_port


@pytest.fixture
async def webhook_bot(emulator, migrated_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start(Webhook(url, SECRET, listen="127.0.0.1", port=port))
    await eventually(lambda: emulator.state.webhook_url == url)
    yield running
    await running.stop()


async def both_handled(emulator, *updates) -> None:
    await emulator.wait_until(lambda: all(emulator.processed(update) for update in updates))


async def test_a_pin_that_overtakes_the_description_is_not_dropped(webhook_bot):
    emulator, citizen = webhook_bot.emulator, webhook_bot.citizen()
    await start_report(citizen, category="Sampah")
    deliver_late(emulator, 0.5)
    description = await emulator.user_sends_text(citizen.user_id, DESCRIPTION)
    pin = await emulator.user_sends_location(citizen.user_id, *PADANG)
    await both_handled(emulator, description, pin)
    assert emulator.answered_ids >= {description["update_id"], pin["update_id"]}
    texts = [message.get("text", "") for message in citizen.messages]
    assert not any("ditanyakan nanti" in text for text in texts), texts[-3:]
    assert "Di mana lokasinya?" in texts[-3] and "Lokasi dicatat" in texts[-2] and "Foto atau berkas" in texts[-1]


async def test_an_update_that_never_comes_holds_the_next_one_a_moment_only(webhook_bot):
    emulator, citizen = webhook_bot.emulator, webhook_bot.citizen()
    await citizen.send("/start")
    emulator.state.next_update_id()  # an id Telegram never delivers
    started = time.monotonic()
    replies = await citizen.send("/bantuan")
    waited = time.monotonic() - started
    assert "/lapor" in replies[0]["text"] and 1.0 < waited < 5, waited
    started = time.monotonic()
    await citizen.send("/bantuan")
    assert time.monotonic() - started < 1.0, "a gap is waited for once"


async def test_an_older_update_later_than_the_wait_is_still_handled(webhook_bot):
    emulator, citizen = webhook_bot.emulator, webhook_bot.citizen()
    await start_report(citizen, category="Sampah")
    deliver_late(emulator, 3.0)
    description = await emulator.user_sends_text(citizen.user_id, DESCRIPTION)
    pin = await emulator.user_sends_location(citizen.user_id, *PADANG)
    await emulator.wait_until(lambda: emulator.processed(pin))
    assert not emulator.processed(description), "the pin went on after the wait"
    await both_handled(emulator, description, pin)
    assert "Di mana lokasinya?" in citizen.last_text, "the description was taken, late as it came"

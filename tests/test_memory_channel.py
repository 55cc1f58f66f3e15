"""The in-memory channel itself: a tap names the message it was on and is acknowledged through the channel's
port, and an edit changes the message the person already has (its choices gone once settled)."""

from __future__ import annotations

import pytest

from tests.memory_channel import MemoryBot


@pytest.fixture
async def memory_bot(migrated_url, tmp_path):
    bot = MemoryBot(migrated_url, tmp_path / "media")
    await bot.start()
    yield bot
    await bot.stop()


async def test_a_tap_is_acknowledged_and_settles_the_message_it_was_on(memory_bot):
    citizen = memory_bot.person("6281200000001", "Siti")
    await citizen.send("/start")
    await citizen.tap("Buat laporan")
    question, _data = citizen.find_choice("Pengaduan")
    shown_before = len(citizen.seen)
    await citizen.tap("Pengaduan")
    assert question.seen.buttons == () and "Pengaduan" in question.seen.text, "edited in place, its choices gone"
    assert len(citizen.seen) > shown_before, "then the next question"
    references = [reference for reference, _text in memory_bot.channel.acknowledged]
    assert len(references) == 2 and len(set(references)) == 2, memory_bot.channel.acknowledged

"""Fifty people report one dark street within a day (issue 27): the first files it; the others, on Telegram and on
WhatsApp, are shown that report as they write theirs, and most support it instead, a few file their own. It ends as
one report with its supporters, one deadline, and the agency's one answer reaching every one of them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db.models import Report
from tests.conftest import eventually
from tests.flows import PADANG, SIMILAR_QUESTION, TRACKING_ID, answer_road_question, file_report, start_report
from tests.test_status import set_status
from tests.whatsapp_bot import both_channels

ON_TELEGRAM, ON_WHATSAPP = 43, 6  # and the first, who files it
DIFFERENT = 2  # of those on Telegram: "mine is different"
LAMP = "Lampu jalan di depan pasar mati sejak kemarin malam, jalan gelap gulita dan rawan kejahatan."
WORDINGS = ("Lampu jalan depan pasar padam, gelap sekali kalau malam.", "PJU di depan pasar mati, jalan jadi gelap.",
            "Lampu penerangan jalan dekat pasar tidak menyala sejak semalam, rawan.")
ANSWER = "Lampu sudah diganti oleh petugas pagi ini. Terima kasih atas laporannya."


def _near(number: int) -> tuple[float, float]:
    """Where each stands: within about 60 m of the first."""
    return PADANG[0] + (number % 7 - 3) * 0.0001, PADANG[1] + (number % 5 - 2) * 0.0001


async def _writes(person, number: int, files_own: bool) -> str | None:
    """A person writes about the same lamp; supports the report shown, or files their own (its ID)."""
    await start_report(person, category="Penerangan jalan")
    await person.send(WORDINGS[number % len(WORDINGS)])
    await person.share_location(*_near(number))
    await answer_road_question(person)
    assert SIMILAR_QUESTION in person.last_text, person.last_text
    if not files_own:
        await person.tap("Dukung no. 1")
        return None
    await person.tap("Laporan saya berbeda")
    for label in ("Lewati", "Tidak", "Tidak"):
        await person.tap(label)
    return TRACKING_ID.search((await person.tap("Kirim laporan"))[-1]["text"]).group(1)


@pytest.mark.timeout(300)  # fifty people, each through half a report, ten at a time
async def test_fifty_people_one_dark_street_one_report_and_one_answer_for_all(emulator, migrated_url, tmp_path):
    async with both_channels(emulator, migrated_url, tmp_path) as bot:
        first = bot.citizen("Pertama", "pertama")
        kept = await file_report(first, category="Penerangan jalan", description=LAMP)
        telegram = [bot.citizen(f"Warga {number}", None) for number in range(ON_TELEGRAM)]
        whatsapp = [bot.whatsapp_citizen(f"Warga WA {number}", f"62812700{number:04d}") for number in range(ON_WHATSAPP)]
        # The many support first; the few who file their own come last (each then offered as well).
        supporters, different = telegram[DIFFERENT:] + whatsapp, telegram[:DIFFERENT]
        people = supporters + different
        for start in range(0, len(supporters), 10):
            await asyncio.gather(*(_writes(person, start + offset, False)
                                   for offset, person in enumerate(supporters[start:start + 10])))
        own = [await _writes(person, number, True) for number, person in enumerate(different)]
        own = [tracking_id for tracking_id in own if tracking_id]

        async with bot.sessions() as session:
            report = await session.scalar(select(Report).where(Report.tracking_id == kept))
            filed = list(await session.scalars(select(Report.tracking_id)))
        assert report.supporters == len(people) - DIFFERENT
        assert sorted(filed) == sorted([kept, *own]), "one report, one deadline, for the lamp (and one for each own)"

        assert await set_status(bot, kept, "assigned", None) == 0
        assert await set_status(bot, kept, "resolved", ANSWER) == 0
        await eventually(lambda: all(any(ANSWER in (message.get("text") or "") for message in person.messages)
                                     for person in [first, *supporters]), timeout=60)
        assert not any(ANSWER in (message.get("text") or "") for person in different
                       for message in person.messages), "those who filed their own hear of their own"

"""A corpus of hostile updates (issue 14): over 200, across every step of a report and every role, each
answered clearly in the sender's language or deliberately left unanswered, and none making a handler fail.

Each situation puts a person at a step (a citizen mid-report, a hub admin whose action waits for its reason,
an admin composing an announcement, a member of a group); then every hostile update of the corpus is sent
there. Commands that move the person on come last in the corpus, so the earlier ones all meet the step.
"""

from __future__ import annotations

import logging
import secrets

import pytest

from bot.domain.roles import Role
from tests.flows import DESCRIPTION, PADANG, share_pin
from tests.kit.client import Citizen
from tests.test_staff_inbox import add_report, make_staff

APOLOGY = "terjadi kesalahan"


def _messages() -> list[tuple[str, dict]]:
    """Hostile message contents, each expecting a reply in a private chat."""
    return [
        ("longest text", {"text": "Jalan rusak parah. " * 215}),  # 4,085 characters: as long as Telegram allows
        ("NUL", {"text": "Jalan\x00rusak\x00di depan pasar sejak lama sekali"}),
        ("control characters", {"text": "\x07\x1b[31mmerah\x1b[0m jalan berlubang besar sekali"}),
        ("right-to-left override", {"text": "\u202etroper\u202c jalan rusak di depan sekolah"}),
        ("HTML", {"text": "<script>alert('x')</script> & <b>tebal</b> jalan rusak"}),
        ("zero-width", {"text": "\u200b\u200b"}),
        ("emoji only", {"text": "🔥🔥🔥"}),
        ("unknown command", {"text": "/hapus_semua", "entities": [{"type": "bot_command", "offset": 0, "length": 12}]}),
        ("injection", {"text": "' OR 1=1; DROP TABLE reports; --"}),
        ("sticker", {"sticker": {"file_id": "CAACstk", "file_unique_id": "stk1", "type": "regular", "width": 512,
                                 "height": 512, "is_animated": False, "is_video": False}}),
        ("voice", {"voice": {"file_id": "AwACvoice", "file_unique_id": "voice1", "duration": 3}}),
        ("contact", {"contact": {"phone_number": "+628123456789", "first_name": "Siti"}}),
        ("dice", {"dice": {"emoji": "🎲", "value": 4}}),
        ("poll", {"poll": {"id": "1", "question": "Ya?", "options": [{"text": "ya", "voter_count": 0, "persistent_id": "o1"}],
                           "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                           "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}}),
        ("impossible coordinates", {"location": {"latitude": 95.0, "longitude": 200.0}}),
        ("Antarctica", {"location": {"latitude": -75.0, "longitude": 0.0}}),
        ("executable", {"document": {"file_id": "BQACexe", "file_unique_id": "exe1", "file_name": "virus.exe",
                                     "mime_type": "application/x-msdownload", "file_size": 1024}}),
        ("caption only", {"caption": "a caption without a photo"}),
    ]


FORGED_CALLBACKS = ["sia:send", "in:category:nothing", "act:verify:ZZZZZ-ZZZZZ:1", "💣" * 16, "menu", "lang:xx",
                    "sub:area:99.99", "show:" + "A" * 58]
COMMANDS = ["/kembali", "/batal", "/status 12345-ABCDE", "/lapor"]  # last: they move the person on


class Corpus:
    """Sends the corpus to one person in one chat, and counts what came back."""

    def __init__(self, bot, person: Citizen, chat_id: int | None = None) -> None:
        self.bot, self.person, self.chat_id = bot, person, chat_id or person.user_id
        self.sent = 0
        self.unanswered: list[str] = []

    async def run(self) -> None:
        for name, content in _messages():
            await self._expect_reply(name, self.bot.emulator.user_sends(self.person.user_id, content, self._group()))
        for data in FORGED_CALLBACKS:
            await self._forged_tap(data)
        await self._expect_reply("button without a message", self.bot.emulator.push_update(self._callback_without_message()))
        await self._silent(self._edited())
        await self._silent(self._channel_post())
        if self.chat_id == self.person.user_id:  # the person blocks the bot mid-step, then unblocks it
            await self._settled(self.bot.emulator.user_blocks(self.person.user_id))
            await self._settled(self.bot.emulator.user_unblocks(self.person.user_id))
        for text in COMMANDS:
            await self._expect_reply(text, self.bot.emulator.user_sends_text(self.person.user_id, text, self._group()))

    def _group(self) -> int | None:
        return self.chat_id if self.chat_id != self.person.user_id else None

    async def _expect_reply(self, name: str, action) -> None:
        before = len(self.bot.emulator.bot_messages(self.chat_id)), len(self.bot.emulator.state.callback_answers)
        await self._settled(action)
        after = len(self.bot.emulator.bot_messages(self.chat_id)), len(self.bot.emulator.state.callback_answers)
        if after == before and self.chat_id == self.person.user_id:  # in a group, silence is a choice (privacy mode)
            self.unanswered.append(name)

    async def _forged_tap(self, data: str) -> None:
        messages = self.bot.emulator.bot_messages(self.chat_id)
        if messages:
            await self._expect_reply(f"tap {data}", self.bot.emulator.user_taps(
                self.person.user_id, messages[-1]["message_id"], data, self._group()))

    async def _silent(self, update: dict) -> None:
        await self._settled(self.bot.emulator.push_update(update))

    async def _settled(self, action) -> None:
        result = await action
        updates = result if isinstance(result, list) else [result]
        # Handled means answered: a turn's replies and its callback answer go out before its handler returns.
        await self.bot.emulator.wait_until(lambda: all(self.bot.emulator.processed(update) for update in updates))
        self.sent += len(updates)

    def _callback_without_message(self) -> dict:
        return {"callback_query": {"id": str(secrets.randbits(63)), "from": self.bot.emulator.users[self.person.user_id].as_json(),
                                   "inline_message_id": "AAAA", "chat_instance": "1", "data": "menu:lapor"}}

    def _edited(self) -> dict:
        own = [message for message in self.bot.emulator.state.chats[self.chat_id] if not message["from"]["is_bot"]]
        return {"edited_message": {**own[-1], "text": "diedit: jalan rusak", "edit_date": own[-1]["date"] + 1}}

    def _channel_post(self) -> dict:
        channel = {"id": -1009999, "type": "channel", "title": "Kanal berita"}
        return {"channel_post": {"message_id": 1, "date": 0, "chat": channel, "text": "/lapor dari kanal"}}


async def _citizen_at(bot, step: str) -> Citizen:
    """A citizen at ``step`` of a report: every step before it answered."""
    citizen = bot.citizen(f"Warga {step}", None)
    for name in CITIZEN_STEPS[1 : CITIZEN_STEPS.index(step) + 1]:
        await _advance(citizen, name)
    return citizen


async def _advance(citizen: Citizen, step: str) -> None:
    """The answer that brings a citizen to ``step``."""
    match step:
        case "type":
            await citizen.send("/start")
            await citizen.tap("Buat laporan")
        case "category":
            await citizen.tap("Pengaduan")
        case "description":
            await citizen.tap("Jalan")
        case "place":
            await citizen.send(DESCRIPTION)
        case "photos":
            await share_pin(citizen, PADANG)
        case "options":
            await citizen.tap("Lewati")  # no photos
        case "summary":
            await citizen.tap("Tidak")  # not anonymous
            await citizen.tap("Tidak")  # not confidential


async def _staff_at(bot, situation: str) -> Citizen:
    if situation == "hub admin, an action waiting for its reason":
        hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
        await hub.send(f"/kotakmasuk {await add_report(bot)}")
        await hub.tap("Arsipkan")
        return hub
    if situation == "liaison, idle":
        return await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/siaran")
    if situation == "admin, an announcement's audience":
        await admin.send("Pengumuman: pelayanan KTP keliling hari Sabtu.")
    return admin


CITIZEN_STEPS = ["idle", "type", "category", "description", "place", "photos", "options", "summary"]
STAFF_SITUATIONS = ["hub admin, an action waiting for its reason", "liaison, idle", "admin, an announcement's text",
                    "admin, an announcement's audience"]


@pytest.mark.parametrize("situation", [*CITIZEN_STEPS, *STAFF_SITUATIONS, "group chat"])
async def test_hostile_updates_get_a_clear_answer_or_a_deliberate_silence(bot, caplog, situation):
    caplog.set_level(logging.ERROR)
    if situation in CITIZEN_STEPS:
        person, chat_id = await _citizen_at(bot, situation), None
    elif situation in STAFF_SITUATIONS:
        person, chat_id = await _staff_at(bot, situation), None
    else:
        person, chat_id = bot.citizen("Warga grup", None), -100_555
        bot.emulator.add_group(chat_id, "Warga RT 05", [person.user_id])
        await bot.emulator.user_sends_text(person.user_id, "halo", chat_id)
    corpus = Corpus(bot, person, chat_id)
    await corpus.run()

    print(f"{situation}: {corpus.sent} hostile updates")
    assert corpus.sent >= 16
    assert corpus.unanswered == [], f"no answer to {corpus.unanswered}"
    said = [message.get("text", "") for message in bot.emulator.bot_messages(chat_id or person.user_id)]
    assert not any(APOLOGY in text for text in said), "no handler failed for good"
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_the_corpus_is_over_200_updates():
    per_situation = len(_messages()) + len(FORGED_CALLBACKS) + 3 + len(COMMANDS)  # (+2 blocks in private chats)
    assert per_situation * (len(CITIZEN_STEPS) + len(STAFF_SITUATIONS) + 1) >= 200

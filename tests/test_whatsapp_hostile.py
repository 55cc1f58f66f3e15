"""The hostile WhatsApp corpus (issue 25): over 100 webhook deliveries sent to the real bot (both channels, the
WhatsApp emulator as Meta), each answered clearly, kept in deliberate silence or refused, with no handler error,
no phone number in the logs at INFO, nothing given up in the inbox, and the person's report still going.

The person is put at a step (fresh, writing the description, at the summary), then every case of
tests/whatsapp_corpus.py is posted to the bot's webhook, signed as Meta signs it (or not), one after the other.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from dataclasses import dataclass, field

import aiohttp
import pytest
from sqlalchemy import select

from bot.channels.whatsapp import setup as whatsapp_setup
from bot.db.models import InboxUpdate
from bot.delivery.pacing import Pacing
from bot.delivery import outbox
from bot.inbox import store
from bot.sandbox.whatsapp.limits import Throughput
from bot.services import contacts
from tests.flows import DESCRIPTION, PADANG
from tests.harness import eventually
from tests.kit.whatsapp import WhatsAppPerson
from tests.whatsapp_bot import both_channels
from tests.whatsapp_corpus import (ANSWER, FORGED, PNG, REFUSE, SILENCE, Case, Post, Scene, corpus, says,
                                   signed)

APOLOGY = "terjadi kesalahan"
TRACKING_ID = re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}")


@dataclass
class Run:
    """Sends the corpus to one person and notes every case whose outcome was not the one expected."""

    bot: object
    person: WhatsAppPerson
    http: aiohttp.ClientSession
    sent: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def whatsapp(self):
        return self.bot.whatsapp

    def scene(self) -> Scene:
        said = self.whatsapp.bot_messages(self.person.phone)
        chosen = [message for message in said[:-1] if self.whatsapp.choices_of(message)]
        stale = (self.whatsapp.choices_of(chosen[0])[0]["id"], chosen[0]["wamid"]) if chosen else ("in:type:x", "wamid.OLD")
        return Scene(self.person.phone, self.whatsapp.phone_number_id, self.whatsapp.app_secret,
                     int(self.whatsapp.now()), said[-1]["wamid"] if said else "wamid.NONE", stale)

    async def case(self, case: Case) -> None:
        post = case.build(self.scene())
        before = len(self.person.messages)
        status = await self.post(post)
        await self.settled()
        self.check(case.name, case.expect, status, self.person.messages[before:], case.status)
        if case.expect == REFUSE and await self.stored(post.message_keys):
            self.wrong.append(f"{case.name}: stored")

    async def repeated(self, case: Case) -> None:
        """A delivery posted again (Meta retries), and one holding its message twice: acknowledged, and the message
        handled once (as many replies as the first time)."""
        post = case.build(self.scene())
        before = len(self.person.messages)
        status = await self.post(post)
        await self.settled()
        once = self.person.messages[before:]
        self.check(case.name, ANSWER, status, once)
        for _again in range(2):
            before = len(self.person.messages)
            status = await self.post(post)
            await self.settled()
            self.check(case.name + ", again", SILENCE, status, self.person.messages[before:])
        twice = json.loads(case.build(self.scene()).body)
        messages = twice["entry"][0]["changes"][0]["value"]["messages"]
        messages.append(messages[0])
        before = len(self.person.messages)
        status = await self.post(signed(self.scene(), twice))
        await self.settled()
        if status != 200 or len(self.person.messages) - before != len(once):
            self.wrong.append(f"{case.name}, twice in one delivery: HTTP {status}, {len(self.person.messages) - before} replies")

    async def act(self, name: str, expect: str, action) -> None:
        """What the person does through the emulator's own methods. The corpus's messages, unknown to the
        emulator, may share the act's second, so the bot's id for it is not the emulator's guess: wait for the
        webhook's acknowledgement, then for the turn."""
        before = len(self.person.messages)
        entry = await action()
        await self.whatsapp.wait_until(lambda: self.whatsapp.acknowledged(entry))
        await self.settled()
        self.check(name, expect, 200, self.person.messages[before:])

    async def next_second(self) -> None:
        """Past the second of the corpus's last message: the emulator's guess at the bot's id for the person's
        next one (placed after the person's messages of its second, and it knows only its own) holds again."""
        await asyncio.sleep(1 - self.whatsapp.now() % 1)

    async def settled(self) -> None:
        """The turns are over and what they said went out (paced: WhatsApp's pair rate may hold some back)."""
        await self.bot.services.inbox.idle()
        await eventually(self._all_sent, timeout=20)

    async def _all_sent(self) -> bool:
        async with self.bot.sessions() as session:
            chat_id = await contacts.chat_id_for(session, contacts.WHATSAPP, self.person.phone)
            return not await outbox.has_unsent(session, chat_id)

    async def post(self, post: Post) -> int:
        self.sent += 1
        if post.message_keys:  # the person wrote: their 24-hour window is open in the emulator too
            self.whatsapp.state.person(self.person.phone).last_message_at = self.whatsapp.now()
        data = _chunks(post.body) if post.chunked else post.body
        async with self.http.post(f"http://127.0.0.1:{self.bot.port}/whatsapp", data=data, headers=post.headers) as answer:
            await answer.read()
            return answer.status

    def check(self, name: str, expect: str, status: int, said: list[dict], refused_with: int = 200) -> None:
        texts = [message.get("text") or "" for message in said]
        if status != (refused_with if expect == REFUSE else 200):
            self.wrong.append(f"{name}: HTTP {status}")
        elif expect == ANSWER and (not any(texts) or any(APOLOGY in text for text in texts)):
            self.wrong.append(f"{name}: answered {texts}")
        elif expect != ANSWER and said:
            self.wrong.append(f"{name}: not silent: {texts}")

    async def stored(self, keys: list[str]) -> bool:
        """Whether the inbox has any of these messages, under whatever id."""
        async with self.bot.sessions() as session:
            return await session.scalar(select(InboxUpdate.update_id).where(InboxUpdate.message_key.in_(keys))
                                        .limit(1)) is not None


async def _chunks(data: bytes):
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def _acts(whatsapp, phone: str) -> list[tuple[str, str, object]]:
    """The person's own acts, through the emulator: each a (name, expectation, coroutine function)."""
    return [
        ("unsupported", ANSWER, lambda: whatsapp.person_sends_unsupported(phone)),
        ("a sticker", ANSWER, lambda: whatsapp.person_sends_media(phone, "sticker", b"RIFF....WEBP", "image/webp")),
        ("a voice note", ANSWER, lambda: whatsapp.person_sends_voice(phone)),
        ("a pin off the globe", ANSWER, lambda: whatsapp.person_shares_location(phone, 95.0, 200.0)),
        ("a dangerous file name", ANSWER, lambda: whatsapp.person_sends_media(phone, "document", PNG, "application/x-msdownload",
                                                                       filename="../../etc/passwd")),
        ("a photo WhatsApp no longer has", ANSWER, lambda: whatsapp.person_sends(phone, "image", {"id": "404404", "mime_type": "image/jpeg"})),
        ("a reaction", SILENCE, lambda: whatsapp.person_reacts(phone, "👍")),
        ("a reaction taken back", SILENCE, lambda: whatsapp.person_reacts(phone, "")),
    ]


STEPS = ["fresh", "description", "summary"]


async def _walk(person: WhatsAppPerson, start: str, stop: str) -> list[dict]:
    """Answer each step from ``start`` up to ``stop`` (a report filed, at "filed")."""
    answer: list[dict] = []
    for step in ["fresh", "description", "summary", "filed"][["fresh", "description", "summary", "filed"].index(start):]:
        if step == stop:
            return answer
        if step == "fresh":
            for act in (person.send("halo"), person.tap("Buat laporan"), person.tap("Pengaduan"), person.tap("Jalan")):
                answer = await act
        elif step == "description":
            await person.send(DESCRIPTION)
            await person.share_location(*PADANG)
            await person.send("Jl. By Pass")
            await person.tap("Lanjut" if any("Lanjut" in title for title in person.buttons()) else "Lewati")
            await person.tap("Tidak")
            answer = await person.tap("Tidak")
        elif step == "summary":
            answer = await person.tap("Kirim laporan")
    return answer


@pytest.mark.parametrize("step", STEPS)
async def test_hostile_whatsapp_deliveries_get_an_answer_a_silence_or_a_refusal(emulator, migrated_url, tmp_path,
                                                                                caplog, monkeypatch, step):
    caplog.set_level(logging.INFO)
    # A scripted person writes faster than a person, and what is asked here is what each delivery gets, not how
    # fast: the pace per chat and WhatsApp's pair rate (tests/test_whatsapp_transport.py) are lifted.
    monkeypatch.setattr(whatsapp_setup, "Pacing", functools.partial(Pacing, chat_per_second=100, chat_burst=100))
    async with both_channels(emulator, migrated_url, tmp_path, throughput=Throughput(pair_burst=10_000)) as bot, \
            aiohttp.ClientSession() as http:
        await eventually(bot.whatsapp.verify_webhook)  # the webhook listens (Meta's handshake answered)
        person = bot.whatsapp_citizen(f"Warga {step}")
        await _walk(person, "fresh", step)
        run = Run(bot, person, http)
        for case in corpus():
            await run.case(case)
        for name, expect, action in _acts(bot.whatsapp, person.phone):
            await run.act(name, expect, action)
        await run.repeated(says("sticker", {"id": "", "mime_type": "image/webp"}, name="a delivery posted again"))

        print(f"{step}: {run.sent} hostile deliveries")
        assert run.wrong == [], "\n".join(run.wrong)
        await eventually(lambda: _none_in(bot, store.PENDING), timeout=30)  # receipts for unknown ids: retried
        assert await _none_in(bot, store.FAILED), "nothing was given up"
        await run.next_second()
        filed = await _walk(person, step, "filed")
        assert not [path for path in tmp_path.rglob("passwd")], "a file name never makes a path"
        assert any(TRACKING_ID.search(message.get("text") or "") for message in filed), "the report was filed"
        records = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]  # (before stopping)
        assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert [message for message in records if person.phone in message] == []
    assert [message for message in records if FORGED in message] == []


async def _none_in(bot, state: str) -> bool:
    """Whether no row of the inbox is in ``state``."""
    async with bot.sessions() as session:
        return await session.scalar(select(InboxUpdate.update_id).where(InboxUpdate.state == state).limit(1)) is None


def test_the_corpus_is_over_100_deliveries():
    acts = 8  # _acts(); and the repeated delivery: posted thrice, then twice in one body
    assert len(corpus()) + acts + 4 >= 100

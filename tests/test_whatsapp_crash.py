"""kill -9 with citizens on WhatsApp, mid-turn (webhooks being stored and handled) and mid-delivery (the outbox
sending): after a restart every person's messages are answered, in the order written, and the only duplicates
are answers that were on the wire at the kill. Webhooks that failed while the bot was down are posted again by
the emulator, as Meta does, and handled once (a repeated message id is stored once)."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import asynccontextmanager

import pytest

from bench.harness.processes import Launched
from bot.sandbox.whatsapp import WhatsAppEmulator
from tests.harness import eventually, free_port
from tests.kit.whatsapp_faults import WhatsAppFault, inject
from tests.test_crash import ROUNDS, SLOW_SEND, _kill_9, _start_bot, _started

PEOPLE = 10
PHONES = [f"62813555{index:04d}" for index in range(PEOPLE)]


@asynccontextmanager
async def _whatsapp(port: int):
    """The emulator, posting to the bot's webhook on ``port``; failed posts are tried again within a second."""
    whatsapp = WhatsAppEmulator(webhook_url=f"http://127.0.0.1:{port}/whatsapp", webhook_retry=0.1,
                                webhook_retry_max=1.0)
    await whatsapp.start()
    try:
        yield whatsapp
    finally:
        await whatsapp.stop()


def _env(whatsapp: WhatsAppEmulator, port: int) -> dict[str, str]:
    """The bot's WhatsApp variables for the emulator; long polling serves the webhook on PORT."""
    settings = whatsapp.bot_settings()
    return {"PORT": str(port), "WHATSAPP_PHONE_NUMBER_ID": settings.phone_number_id,
            "WHATSAPP_ACCESS_TOKEN": settings.access_token, "WHATSAPP_APP_SECRET": settings.app_secret,
            "WHATSAPP_VERIFY_TOKEN": settings.verify_token, "WHATSAPP_API_URL": settings.api_base_url}


async def _start(emulator, whatsapp: WhatsAppEmulator, database_url: str, tmp_path, port: int) -> Launched:
    calls = emulator.stats.calls["getUpdates"]
    process = _start_bot(emulator, database_url, tmp_path, more_env=_env(whatsapp, port))
    await _started(emulator, process, calls)
    await eventually(whatsapp.verify_webhook, timeout=30)
    return process


def _messages_posted(whatsapp: WhatsAppEmulator) -> int:
    """People's messages the bot has answered 200 for (status webhooks left out)."""
    return sum(1 for payload in whatsapp.webhooks_answered if "messages" in payload["entry"][0]["changes"][0]["value"])


def _duplicates(whatsapp: WhatsAppEmulator) -> int:
    """Messages whose text the bot had already sent to the same person."""
    return sum(count - 1 for count in Counter((sent.phone, sent.text) for sent in whatsapp.stats.sent).values())


async def _kill_at(moment: str, whatsapp: WhatsAppEmulator, process: Launched) -> tuple[int, int, int]:
    """Kill the bot at ``moment``: how many answers were on the wire, how many sent, how many of the people's
    messages were still to be posted (not answered 200) at the kill."""
    if moment == "mid-turn":  # some webhooks stored, others still coming; the first turns under way
        await eventually(lambda: _messages_posted(whatsapp) >= PEOPLE // 2, timeout=30, interval=0.002)
    else:  # every message stored and handled; the first answers through, the last going out, slowly
        await eventually(lambda: _messages_posted(whatsapp) == PEOPLE * 3
                         and len(whatsapp.stats.sent) > 2 * PEOPLE, timeout=60, interval=0.01)
    unposted = PEOPLE * 3 - _messages_posted(whatsapp)
    on_the_wire, sent = await _kill_9(whatsapp, process)
    return on_the_wire, sent, unposted


@pytest.mark.timeout(300)  # a bot process started twice, ten people, sends slowed to 1.5 s: about 100 s alone
@pytest.mark.parametrize("moment", ["mid-turn", "mid-delivery"])
async def test_kill_9_on_whatsapp_loses_nothing_and_repeats_only_what_was_on_the_wire(
        emulator, database_url, tmp_path, moment):
    port = free_port()
    async with _whatsapp(port) as whatsapp:
        for phone in PHONES:
            whatsapp.add_person(phone, "Warga")
        process = await _start(emulator, whatsapp, database_url, tmp_path, port)
        try:
            inject(whatsapp, WhatsAppFault("messages", delay=SLOW_SEND, times=10_000))
            for command, _expected in ROUNDS[:3]:
                for phone in PHONES:
                    await whatsapp.person_sends_text(phone, command)
            on_the_wire, sent_before_kill, unposted = await _kill_at(moment, whatsapp, process)
            failures = whatsapp.webhook_failures
            for phone in PHONES:  # written while the bot is down: Meta keeps posting it
                await whatsapp.person_sends_text(phone, ROUNDS[3][0])
            await eventually(lambda: whatsapp.webhook_failures > failures, timeout=10)

            process = await _start(emulator, whatsapp, database_url, tmp_path, port)
            await eventually(lambda: all(len(_answers(whatsapp, phone)) >= len(ROUNDS) for phone in PHONES),
                             timeout=90)
            await eventually(lambda: not whatsapp.pending_webhooks(), timeout=30)
            await asyncio.sleep(1.0)  # a late duplicate would show now
        finally:
            process.kill()
            process.wait()

    duplicates = _duplicates(whatsapp)
    print(f"kill -9 on WhatsApp {moment}: {unposted} messages not yet posted, {sent_before_kill} answers sent "
          f"before the kill, {on_the_wire} on the wire, {duplicates} duplicated, {len(whatsapp.stats.sent)} sent "
          f"in all, {whatsapp.webhook_failures} webhook posts failed")
    if moment == "mid-turn":
        assert 0 < unposted < PEOPLE * 3, "the kill came while the people's messages were coming in"
    else:
        assert 0 < sent_before_kill < PEOPLE * 3, "the kill came while the answers were going out"
    assert duplicates <= on_the_wire, "only what was on the wire at the kill is repeated"
    assert len(whatsapp.stats.sent) == PEOPLE * len(ROUNDS) + duplicates, "each message answered once"
    for phone in PHONES:
        answers = _answers(whatsapp, phone)
        assert len(answers) == len(ROUNDS), answers
        assert all(expected in text for (_command, expected), text in zip(ROUNDS, answers)), answers


def _answers(whatsapp: WhatsAppEmulator, phone: str) -> list[str]:
    """The bot's answers to ``phone``, a repeat left out (it repeats an earlier answer in place)."""
    return list(dict.fromkeys(message.get("text", "") for message in whatsapp.bot_messages(phone)))

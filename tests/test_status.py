"""Status changes reach the reporter's chat; /status tells others only what is public."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.cli import report_set_status
from bot.db.models import Conversation, OutboxMessage, User, utcnow
from bot.services.reports import StatusChangeRefused, change_status, find_by_tracking_id
from bot.domain import Status
from bot.domain.roles import Role
from bot.i18n import Translator
from tests.conftest import RunningBot, eventually
from tests.flows import DESCRIPTION, PADANG, file_report, share_pin, start_report
from tests.kit.faults import Fault, inject
from tests.test_staff_inbox import make_staff


async def set_status(bot, tracking_id: str, status: str, note: str | None = None) -> int:
    arguments = argparse.Namespace(tracking_id=tracking_id, status=status, note=note)
    return await report_set_status(bot.settings, arguments)


def notifications_in(citizen) -> list[str]:
    return [m["text"] for m in citizen.messages if "Status laporan" in m.get("text", "")]


async def test_status_change_from_the_command_line_is_pushed_to_the_chat(bot, citizen):
    tracking_id = await file_report(citizen)
    assert await set_status(bot, tracking_id.lower().replace("-", " "), "verified") == 0
    await eventually(lambda: len(notifications_in(citizen)) == 1)
    assert "Terverifikasi" in notifications_in(citizen)[0] and tracking_id in notifications_in(citizen)[0]

    assert await set_status(bot, tracking_id, "rejected", note="Laporan ganda dengan laporan sebelumnya") == 0
    await eventually(lambda: len(notifications_in(citizen)) == 2)
    assert "Tidak dapat diproses" in notifications_in(citizen)[1]
    assert "Alasan:</b> Laporan ganda" in notifications_in(citizen)[1]

    status = await citizen.send(f"/status {tracking_id}")
    history = status[0]["text"].split("Riwayat")[1]
    assert history.index("Belum terverifikasi") < history.index("Terverifikasi") < history.index("Tidak dapat diproses")


async def test_refused_status_changes_change_nothing(bot, citizen):
    tracking_id = await file_report(citizen)
    assert await set_status(bot, tracking_id, "rejected") == 1, "rejecting needs a reason"
    assert await set_status(bot, tracking_id, "resolved") == 1, "not before it was assigned"
    async with bot.sessions() as session:
        report = await find_by_tracking_id(session, tracking_id)
        assert report.status == "submitted" and len(report.events) == 1
        assert (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "status_changed"))).all() == []
        with pytest.raises(StatusChangeRefused):
            await change_status(session, report, Status.RESOLVED, bot.services.notices, actor="test")


async def test_a_status_change_while_the_bot_is_down_is_delivered_after_restart(bot, citizen):
    tracking_id = await file_report(citizen)
    await bot.stop()
    assert await set_status(bot, tracking_id, "verified") == 0
    assert notifications_in(citizen) == []
    await bot.start()
    await eventually(lambda: len(notifications_in(citizen)) == 1)


async def test_failed_sends_are_retried_and_a_blocked_reporter_is_not(bot, citizen):
    tracking_id = await file_report(citizen)
    inject(bot.emulator, Fault("sendMessage", status=502))
    inject(bot.emulator, Fault("sendMessage", nth=2, status=429, retry_after=7))
    await _stop_sender(bot)
    assert await set_status(bot, tracking_id, "verified") == 0

    await bot.delivery.deliver_due()
    notification = await _only_notification(bot)
    assert (notification.state, notification.attempts) == ("pending", 1)
    assert "Bad Gateway" in notification.last_error
    await _make_due(bot)
    await bot.delivery.deliver_due()
    notification = await _only_notification(bot)
    assert notification.state == "pending" and "RetryAfter" in notification.last_error
    assert notification.next_attempt_at > utcnow() + timedelta(seconds=5), "Telegram's retry_after is honoured"
    await _make_due(bot)
    assert await bot.delivery.deliver_due() == 1
    assert (await _only_notification(bot)).state == "sent"
    assert len(notifications_in(citizen)) == 1

    bot.emulator.state.blocked.add(citizen.user_id)
    assert await set_status(bot, tracking_id, "assigned") == 0
    await bot.delivery.deliver_due()
    async with bot.sessions() as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind == "status_changed").order_by(OutboxMessage.id)
        states = [n.state for n in (await session.execute(statement)).scalars()]
        assert states == ["sent", "held"]
        assert (await session.get(User, citizen.user_id)).reachable is False


async def test_each_chat_gets_its_updates_in_order_even_after_a_failure(bot, citizen):
    tracking_id = await file_report(citizen)
    await _stop_sender(bot)
    inject(bot.emulator, Fault("sendMessage", status=502))
    await set_status(bot, tracking_id, "verified")
    await set_status(bot, tracking_id, "assigned")
    assert await bot.delivery.deliver_due() == 0, "the second waits for the first"
    await _make_due(bot)
    assert await bot.delivery.deliver_due() == 2
    texts = notifications_in(citizen)
    assert "Terverifikasi" in texts[0] and "Diteruskan" in texts[1]


async def test_others_learn_nothing_of_who_filed_nor_of_confidential_content(bot, citizen):
    secret_id = await file_report(citizen, confidential=True, anonymous=True)
    public_id = await file_report(citizen)
    stranger = bot.citizen("Andi", username="andi_lain")

    card = (await stranger.send(f"/status {secret_id}"))[0]["text"]
    assert "dirahasiakan" in card and "Belum terverifikasi" in card
    for leaked in ("Jalan berlubang", "Siti", "siti_warga", str(citizen.user_id), "-0.94920", "Riwayat"):
        assert leaked not in card, leaked

    card = (await stranger.send(public_id))[0]["text"]  # a bare ID works too
    assert "Jalan berlubang" in card
    for leaked in ("Siti", "siti_warga", str(citizen.user_id), "Anonim"):
        assert leaked not in card, leaked

    own = (await citizen.send(f"/status {secret_id}"))[0]["text"]
    assert "Jalan berlubang" in own and "Rahasia:</b> Ya" in own


async def test_a_mistyped_tracking_id_is_caught(bot, citizen):
    tracking_id = await file_report(citizen)
    position = 3
    wrong = "Z" if tracking_id[position] != "Z" else "Y"
    typo = tracking_id[:position] + wrong + tracking_id[position + 1 :]
    replies = await citizen.send(f"/status {typo}")
    assert "salah ketik" in replies[0]["text"]
    looks_alike = tracking_id.replace("0", "O").replace("1", "I").lower()
    replies = await citizen.send(f"/status {looks_alike}")
    assert "Riwayat" in replies[0]["text"]
    replies = await citizen.send("/status")
    assert "Kirimkan nomor pelacakan" in replies[0]["text"]


async def _stop_sender(bot) -> None:
    """The background sender (not the first background task, the heartbeat, which left it sending)."""
    sender, = [task for task in bot.application.bot_data["background"].tasks
               if task.get_coro().__qualname__ == "Delivery.run_forever"]
    sender.cancel()


async def _make_due(bot) -> None:
    async with bot.sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).where(OutboxMessage.state == "pending").values(next_attempt_at=utcnow()))


async def _only_notification(bot) -> OutboxMessage:
    async with bot.sessions() as session:
        return (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "status_changed"))).scalar_one()



async def test_dates_in_the_chat_follow_the_configured_time_zone(emulator, migrated_url, tmp_path):
    running = RunningBot(emulator, migrated_url, tmp_path)
    running.settings = replace(running.settings, time_zone="Asia/Jayapura")  # WIT, two hours ahead of WIB
    await running.start()
    try:
        citizen = running.citizen()
        tracking_id = await file_report(citizen)
        async with running.sessions() as session:
            filed = (await find_by_tracking_id(session, tracking_id)).created_at
        card = (await citizen.send(f"/status {tracking_id}"))[0]["text"]
        assert Translator("id", "Asia/Jayapura").datetime(filed) in card
        assert Translator("id", "Asia/Jakarta").datetime(filed) not in card
    finally:
        await running.stop()


SECONDS = re.compile(r"\d{4} \d\d\.\d\d\.\d\d")  # 2026 23.59.59: a time with seconds, as Indonesian writes it


async def test_times_are_to_the_minute_and_name_their_zone(bot, citizen):
    tracking_id = await file_report(citizen)
    card = (await citizen.send(f"/status {tracking_id}"))[0]["text"]
    filed = re.search(r"Dikirim:</b> (.*)", card).group(1)
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d\d\.\d\d WIB", filed), filed
    assert not SECONDS.search(card.split("Riwayat")[1]) and "WIB" in card.split("Riwayat")[1], "the history too"

    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    view = (await admin.send(f"/kotakmasuk {tracking_id}"))[0]["text"]
    deadline = re.search(r"Batas verifikasi:</b> (.*)", view).group(1)
    assert re.match(r"\d{1,2} \w{3} \d{4} \d\d\.\d\d WIB", deadline) and not SECONDS.search(view), deadline


async def test_the_card_names_the_area_of_a_pin(bot, citizen):
    tracking_id = await file_report(citizen)
    card = (await citizen.send(f"/status {tracking_id}"))[0]["text"]
    assert "titik -0.94920, 100.35430" in card
    assert "Wilayah:</b> Padang Barat, Kota Padang, Sumatera Barat" in card


async def test_only_an_id_shaped_text_is_called_a_typo(bot, citizen):
    replies = await citizen.send("/status HALO")
    assert "bukan nomor pelacakan" in replies[0]["text"] and "K7MQ9-TRXZS" in replies[0]["text"]
    assert "salah ketik" not in replies[0]["text"]
    replies = await citizen.send("/status K7MQ9-TRXZT")  # one character off
    assert "salah ketik" in replies[0]["text"]
async def test_the_status_a_report_has_is_refused_once_or_five_times_at_once(bot, capsys):
    from tests.test_browser import LAPOR_BOT
    from tests.test_staff_inbox import add_report

    tracking_id = await add_report(bot, status="assigned")
    assert await set_status(bot, tracking_id, "assigned") == 1
    assert "already assigned" in capsys.readouterr().err
    command = [str(LAPOR_BOT), "report", "set-status", tracking_id, "in_progress"]
    environment = {**os.environ, "DATABASE_URL": bot.settings.database_url}
    calls = [await asyncio.create_subprocess_exec(*command, env=environment, stderr=asyncio.subprocess.PIPE)
             for _ in range(5)]
    errors = [(await call.communicate())[1].decode() for call in calls]
    assert sorted(call.returncode for call in calls) == [0, 1, 1, 1, 1], errors
    assert sum("already in_progress" in error for error in errors) == 4, errors
    async with bot.sessions() as session:
        report = await find_by_tracking_id(session, tracking_id)
        assert [(event.from_status, event.to_status) for event in report.events] == [
            (None, "submitted"), ("assigned", "in_progress")]
        pushes = (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "status_changed"))).all()
        assert len(pushes) == 1
async def test_status_mid_report_takes_the_id_sent_next_as_its_answer_and_the_report_waits(bot, citizen):
    """Issue 22.2: at "Di mana lokasinya?", /status asks for an ID; the ID sent next is looked up, not the place."""
    tracking_id = await file_report(citizen)
    await start_report(citizen)
    await citizen.send(DESCRIPTION)
    assert "Di mana lokasinya?" in citizen.last_text
    asked = await citizen.send("/status")
    assert "Kirimkan nomor pelacakan" in asked[-1]["text"]

    replies = await citizen.send(tracking_id.lower())
    said = "\n".join(message.get("text", "") for message in replies)
    assert "Lokasi dicatat" not in said and f"<b>Laporan {tracking_id}</b>" in said, said
    assert "Di mana lokasinya?" in replies[-1]["text"], "then the report's own question, again"
    async with bot.sessions() as session:
        conversation = await session.get(Conversation, citizen.user_id)
        assert conversation.step == "location" and conversation.question is None

    before = len(citizen.messages)
    await share_pin(citizen, PADANG)
    assert any("Lokasi dicatat" in message.get("text", "") for message in citizen.messages[before:]), "it carries on"
    again = await citizen.send(tracking_id)  # not asked for now: the old question does not linger
    assert not any(f"<b>Laporan {tracking_id}</b>" in message.get("text", "") for message in again)

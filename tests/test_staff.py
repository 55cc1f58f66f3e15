"""Staff join through one-time invitations (the command line's or an admin's), every step audited; a
citizen who types a staff command is told politely that it is for staff."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import cli_staff
from bot.db.models import AuditEntry, Invitation, utcnow
from bot.domain.roles import Grant, Role
from bot.services import staff
from tests.conftest import eventually

LINK = re.compile(r"start=([A-Za-z0-9_-]{1,64})")
STAFF_ONLY = "khusus untuk petugas instansi"


async def make_admin(bot, user_id: int) -> int:
    return await cli_staff.make_admin_command(bot.settings, argparse.Namespace(user_id=user_id))


async def cli_invite(bot, capsys, role: str, agency: str | None, days: int | None = None) -> str:
    capsys.readouterr()
    assert await cli_staff.invite_command(bot.settings, argparse.Namespace(role=role, agency_code=agency, days=days)) == 0
    printed = capsys.readouterr().out
    return re.search(r"/start ([A-Za-z0-9_-]+)", printed).group(1)


async def chat_invite(person, role: str, agency: str | None = None) -> str:
    reply = (await person.send(f"/undang {role} {agency or ''}".strip()))[-1]["text"]
    found = LINK.search(reply)
    assert found, reply
    assert "t.me/lapor_sandbox_bot?start=" in reply, "the link names the bot, from getMe"
    return found.group(1)


async def roles(bot, user_id: int) -> list[Grant]:
    async with bot.sessions() as session:
        return await staff.roles_of(session, user_id)


async def audit(bot) -> list[AuditEntry]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_a_command_line_invitation_makes_a_liaison_once_and_says_who_they_are(bot, capsys):
    token = await cli_invite(bot, capsys, "liaison", "PUPR-13.71")
    assert 20 <= len(token) <= 64
    budi = bot.citizen("Budi", "budi")
    welcome = (await budi.send(f"/start {token}"))[-1]["text"]
    assert "Selamat bergabung, Budi" in welcome and "admin penghubung" in welcome
    assert "PUPR-13.71" in welcome and "Kota Padang" in welcome
    assert await roles(bot, budi.user_id) == [Grant(Role.LIAISON, "PUPR-13.71")]
    assert "admin penghubung" in (await budi.send("/peran"))[-1]["text"]

    again = bot.citizen("Andi", "andi")
    assert "sudah digunakan" in (await again.send(f"/start {token}"))[-1]["text"]
    assert await roles(bot, again.user_id) == []
    assert "sudah digunakan" in (await budi.send(f"/start {token}"))[-1]["text"]

    actions = [(entry.action, entry.actor_user_id) for entry in await audit(bot)]
    assert actions[:3] == [("invitation.created", None), ("role.granted", None), ("invitation.redeemed", budi.user_id)]
    assert ("invitation.refused", again.user_id) in actions
    assert all(token not in str(entry.subject) + str(entry.details) for entry in await audit(bot)), "no whole token kept"


async def test_expired_withdrawn_and_unknown_invitations_are_refused_politely(bot, citizen):
    async with bot.sessions() as session, session.begin():
        old = await staff.create_invitation(session, bot.router.directory, Role.STAFF, "DLH-13.71", actor=None,
                                            days=7, now=utcnow() - timedelta(days=8))
        withdrawn = await staff.create_invitation(session, bot.router.directory, Role.STAFF, "DLH-13.71", actor=None)
        await staff.revoke_invitation(session, withdrawn.token, actor=None)
    assert "kedaluwarsa" in (await citizen.send(f"/start {old.token}"))[-1]["text"]
    assert "dibatalkan" in (await citizen.send(f"/start {withdrawn.token}"))[-1]["text"]
    assert "tidak saya kenal" in (await citizen.send("/start bukan-undangan"))[-1]["text"]
    assert "tidak saya kenal" in (await citizen.send("/start " + "x" * 70))[-1]["text"]
    assert await roles(bot, citizen.user_id) == []
    assert "SP4N-LAPOR!" in (await citizen.send("/start"))[-1]["text"], "a plain /start is the citizen's welcome"


async def test_two_people_racing_for_one_invitation_only_one_wins(bot, capsys):
    token = await cli_invite(bot, capsys, "staff", "DINKES-13.71")
    first, second = bot.citizen("Satu", None), bot.citizen("Dua", None)
    replies = await asyncio.gather(first.send(f"/start {token}"), second.send(f"/start {token}"))
    texts = [reply[-1]["text"] for reply in replies]
    assert sum("Selamat bergabung" in text for text in texts) == 1, texts
    assert sum("sudah digunakan" in text for text in texts) == 1, texts


async def test_a_citizen_typing_staff_commands_is_told_they_are_for_staff(bot, citizen):
    for command in ("/undang liaison PUPR-13.71", "/invite staff DLH-13.71", "/peran", "/roles"):
        assert STAFF_ONLY in (await citizen.send(command))[-1]["text"], command
    async with bot.sessions() as session:
        assert await session.scalar(select(Invitation)) is None


async def test_admins_invite_down_their_own_chain_and_no_further(bot):
    national, hub, regency_hub, liaison = (bot.citizen(name, None) for name in ("Nasional", "Hub", "Kota", "Penghubung"))
    assert await make_admin(bot, national.user_id) == 0
    assert "admin nasional" in (await national.send("/peran"))[-1]["text"]

    await hub.send(f"/start {await chat_invite(national, 'hub_admin', 'HUB-13')}")  # Sumatera Barat's hub
    assert await roles(bot, hub.user_id) == [Grant(Role.HUB_ADMIN, "HUB-13")]
    await regency_hub.send(f"/start {await chat_invite(hub, 'admin_hub', 'HUB-13.71')}")  # Kota Padang, inside it
    await liaison.send(f"/start {await chat_invite(regency_hub, 'penghubung', 'pupr-13.71')}")
    assert await roles(bot, liaison.user_id) == [Grant(Role.LIAISON, "PUPR-13.71")]
    await chat_invite(liaison, "staf", "PUPR-13.71")

    refusals = [
        (hub, "/undang penghubung PUPR-31.71"),  # Jakarta is not in Sumatera Barat
        (hub, "/undang admin_hub HUB-31"),  # another province's hub
        (regency_hub, "/undang admin_hub HUB-13.72"),  # a regency hub cannot make its neighbour's admin
        (liaison, "/undang staf DLH-13.71"),  # another agency
        (liaison, "/undang penghubung PUPR-13.71"),  # liaisons invite staff only
        (hub, "/undang admin_nasional"),
    ]
    for person, command in refusals:
        assert "hanya dapat mengundang" in (await person.send(command))[-1]["text"], command
    assert "Tidak ada instansi" in (await hub.send("/undang penghubung XYZ-1"))[-1]["text"]
    assert "/undang PERAN KODE_INSTANSI" in (await hub.send("/undang"))[-1]["text"]
    assert "/undang PERAN KODE_INSTANSI" in (await hub.send("/undang penghubung HUB-13.71"))[-1]["text"]
    async with bot.sessions() as session:
        assert len(list(await session.scalars(select(Invitation)))) == 4, "refusals make no invitation"


async def test_a_revoked_role_is_gone_and_the_record_stays(bot, capsys):
    liaison = bot.citizen("Penghubung", None)
    await liaison.send(f"/start {await cli_invite(bot, capsys, 'liaison', 'DLH-13.71', days=1)}")
    assert await roles(bot, liaison.user_id) == [Grant(Role.LIAISON, "DLH-13.71")]
    revoke = argparse.Namespace(user_id=liaison.user_id, role="liaison", agency_code="DLH-13.71")
    assert await cli_staff.revoke_command(bot.settings, revoke) == 0
    assert await cli_staff.revoke_command(bot.settings, revoke) == 1, "nothing left to revoke"
    assert await roles(bot, liaison.user_id) == []
    await eventually(lambda: "berakhir" in liaison.last_text)  # told from the command line as from the chat
    assert sum("berakhir" in message.get("text", "") for message in liaison.messages) == 1
    assert STAFF_ONLY in (await liaison.send("/undang staf DLH-13.71"))[-1]["text"]
    assert [entry.action for entry in await audit(bot)][-1] == "role.revoked"
    capsys.readouterr()
    assert await cli_staff.list_command(bot.settings, argparse.Namespace()) == 0
    assert str(liaison.user_id) not in capsys.readouterr().out


async def test_an_admin_lists_the_staff_under_them_and_ends_a_role_in_the_chat(bot):
    liaison, colleague, outsider = (bot.citizen(name, None) for name in ("Lina", "Dodi", "Dewi"))
    national = bot.citizen("Nasional", None)
    await make_admin(bot, national.user_id)
    await liaison.send(f"/start {await chat_invite(national, 'penghubung', 'PUPR-13.71')}")
    await colleague.send(f"/start {await chat_invite(liaison, 'staf', 'PUPR-13.71')}")
    await outsider.send(f"/start {await chat_invite(national, 'penghubung', 'DLH-13.71')}")

    listed = (await liaison.send("/staf"))[-1]["text"]
    assert f"{colleague.user_id}" in listed and "Dodi" in listed, "the liaison sees the staff it may end"
    assert f"{outsider.user_id}" not in listed, "and nobody of another agency"
    assert "hanya dapat mengakhiri" in (await outsider.send(f"/cabut {colleague.user_id} staf PUPR-13.71"))[-1]["text"]
    assert "/cabut USER_ID" in (await liaison.send("/cabut dodi"))[-1]["text"]

    ended = (await liaison.send(f"/cabut {colleague.user_id} staf PUPR-13.71"))[-1]["text"]
    assert "tidak lagi" in ended and await roles(bot, colleague.user_id) == []
    assert "berakhir" in colleague.last_text, "the person hears that the role ended"
    assert "tidak memegang" in (await liaison.send(f"/cabut {colleague.user_id} staf PUPR-13.71"))[-1]["text"]
    assert [entry.action for entry in await audit(bot)][-1] == "role.revoked"
    for command in ("/staf", f"/cabut {liaison.user_id} penghubung PUPR-13.71"):
        assert STAFF_ONLY in (await colleague.send(command))[-1]["text"], command


async def test_the_english_speaking_staff_get_english(bot, capsys):
    person = bot.citizen("Ann", None)
    await person.send("/bahasa")
    await person.tap("English")
    welcome = (await person.send(f"/start {await cli_invite(bot, capsys, 'hub_admin', 'HUB-13.71')}"))[-1]["text"]
    assert "Welcome, Ann! You are now hub admin" in welcome
    assert "Your roles" in (await person.send("/roles"))[-1]["text"]


def test_staff_commands_stay_out_of_the_citizens_menu():
    from handlers import menu_commands

    names = [command.name for command in menu_commands()]
    assert "undang" not in names and "peran" not in names and names[0] == "lapor"


def test_invitation_days_and_the_bot_username_come_from_the_environment():
    from bot.config import ConfigError, Settings

    settings = Settings.from_env({"INVITATION_DAYS": "3", "TELEGRAM_BOT_USERNAME": "@lapor_bot"})
    assert (settings.invitation_days, settings.bot_username) == (3, "lapor_bot")
    assert Settings.from_env({}).invitation_days == 7
    with pytest.raises(ConfigError, match="INVITATION_DAYS"):
        Settings.from_env({"INVITATION_DAYS": "0"})
    assert staff.deep_link("abc", "lapor_bot") == "https://t.me/lapor_bot?start=abc"
    assert staff.deep_link("abc", None) == "/start abc"

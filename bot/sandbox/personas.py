"""Sample staff and subscribers for the sandbox, so that a newcomer can play every role: file a report as a
citizen, verify and forward it as an admin, answer it as the agency, send an announcement and read it as a
subscriber. Sandbox only, and labelled as samples ("contoh"): these are not real officials or citizens. Staff
roles are granted through invitations, as for real staff, and recorded in the audit trail like any other."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import Transactions
from bot.db.models import Subscription
from bot.domain.roles import Role
from bot.services import staff, subscriptions
from bot.services.conversations import remember_user
from routing.agencies import Directory


@dataclass(frozen=True)
class Persona:
    user_id: int
    first_name: str
    role: Role | None  # None: a citizen subscribed to announcements
    agency_code: str | None = None
    subscribed_to: str | None = None  # a subscriber's area (None: all of Indonesia)

    def as_json(self) -> dict:
        return {"user_id": self.user_id, "first_name": self.first_name, "role": self.role.value if self.role else None,
                "agency_code": self.agency_code}


# Sandbox Telegram ids, far from the page's random citizen ids (100000-999999).
PERSONAS = (
    Persona(9_900_001, "Admin Nasional (contoh)", Role.NATIONAL_ADMIN, None),
    Persona(9_900_002, "Admin Koordinator Kota Padang (contoh)", Role.HUB_ADMIN, "HUB-13.71"),
    Persona(9_900_003, "Penghubung PUPR Kota Padang (contoh)", Role.LIAISON, "PUPR-13.71"),
    # README's story, a pothole on Jl. By Pass in Kota Padang, is a national road's: its road office answers.
    Persona(9_900_004, "Penghubung BPJN Sumatera Barat (contoh)", Role.LIAISON, "BPJN-13"),
    Persona(9_900_101, "Warga Kota Padang (contoh)", None, subscribed_to="13.71"),
    Persona(9_900_102, "Warga Kabupaten Bogor (contoh)", None, subscribed_to="32.01"),
    Persona(9_900_103, "Warga seluruh Indonesia (contoh)", None, subscribed_to=None),
)


def seat(emulator) -> None:
    """Each persona is a user of the emulator who has started the bot, as real staff have when they redeem an
    invitation: what the bot tells them (a new report, a deadline) reaches their chat before they open it."""
    for persona in PERSONAS:
        emulator.add_user(persona.user_id, persona.first_name)


async def grant_roles(engine: AsyncEngine, directory: Directory) -> None:
    """Give each sample persona its role or its subscription, once (a restarted sandbox keeps them)."""
    async with Transactions(engine).begin() as session:
        for persona in PERSONAS:
            if persona.role is None:
                await _subscribe_once(session, persona)
                continue
            if await staff.roles_of(session, persona.user_id):
                continue
            if persona.role is Role.NATIONAL_ADMIN:
                await staff.grant_national_admin(session, persona.user_id)
                continue
            invitation = await staff.create_invitation(session, directory, persona.role, persona.agency_code, actor=None)
            await staff.redeem(session, invitation.token, persona.user_id)


async def _subscribe_once(session: AsyncSession, persona: Persona) -> None:
    if await session.get(Subscription, persona.user_id) is not None:
        return  # kept as the newcomer left it, opted out included
    await remember_user(session, None, persona.user_id, persona.first_name, None)
    await subscriptions.subscribe(session, persona.user_id, persona.subscribed_to)

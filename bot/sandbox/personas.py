"""Sample staff for the sandbox, so that a newcomer can play every role: file a report as a citizen, verify and
forward it as an admin, answer it as the agency. Sandbox only, and labelled as samples ("contoh"): these are
not real officials. Their roles are granted through invitations, as for real staff, and recorded in the audit
trail like any other."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Transactions
from bot.domain.roles import Role
from bot.services import staff
from routing.agencies import Directory


@dataclass(frozen=True)
class Persona:
    user_id: int
    first_name: str
    role: Role
    agency_code: str | None

    def as_json(self) -> dict:
        return {"user_id": self.user_id, "first_name": self.first_name, "role": self.role.value,
                "agency_code": self.agency_code}


# Sandbox Telegram ids, far from the page's random citizen ids (100000-999999).
PERSONAS = (
    Persona(9_900_001, "Admin Nasional (contoh)", Role.NATIONAL_ADMIN, None),
    Persona(9_900_002, "Admin Koordinator Kota Padang (contoh)", Role.HUB_ADMIN, "HUB-13.71"),
    Persona(9_900_003, "Penghubung PUPR Kota Padang (contoh)", Role.LIAISON, "PUPR-13.71"),
)


def seat(emulator) -> None:
    """Each persona is a user of the emulator who has started the bot, as real staff have when they redeem an
    invitation: what the bot tells them (a new report, a deadline) reaches their chat before they open it."""
    for persona in PERSONAS:
        emulator.add_user(persona.user_id, persona.first_name)


async def grant_roles(engine: AsyncEngine, directory: Directory) -> None:
    """Give each sample persona its role, once (a restarted sandbox keeps them)."""
    async with Transactions(engine).begin() as session:
        for persona in PERSONAS:
            if await staff.roles_of(session, persona.user_id):
                continue
            if persona.role is Role.NATIONAL_ADMIN:
                await staff.grant_national_admin(session, persona.user_id)
                continue
            invitation = await staff.create_invitation(session, directory, persona.role, persona.agency_code, actor=None)
            await staff.redeem(session, invitation.token, persona.user_id)

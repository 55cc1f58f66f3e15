"""Whose reports an admin's statistics and exports cover: all of Indonesia for the national admin, its area for a
hub admin, its own agency for a liaison."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bot.domain.roles import Grant, Role
from bot.services import staff
from bot.services.scopes import Scope
from handlers.citizen.announcements import area_name
from handlers.turn import Turn


@dataclass(frozen=True)
class Reach:
    scope: Scope
    name: str  # for the reader, HTML-escaped


async def reach_of(turn: Turn) -> Reach | None:
    """The widest scope the user's roles give; None for citizens and staff without one."""
    grants: list[Grant] = await staff.roles_of(turn.session, turn.user.id)
    agencies = turn.services.router.directory.agencies
    for role in (Role.NATIONAL_ADMIN, Role.HUB_ADMIN, Role.LIAISON):
        for grant in grants:
            if grant.role is not role:
                continue
            if role is Role.NATIONAL_ADMIN:
                return Reach(Scope(), area_name(turn, None))
            agency = agencies.get(grant.agency_code or "")
            if agency is None:
                continue
            if role is Role.HUB_ADMIN and agency.area_code:
                return Reach(Scope(area_code=agency.area_code), area_name(turn, agency.area_code))
            if role is Role.LIAISON:
                return Reach(Scope(agency_code=agency.code), escape(agency.name))
    return None

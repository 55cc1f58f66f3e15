"""Whose reports an admin's statistics and exports cover: all of Indonesia for the national admin, its area for a
hub admin, its own agency for a liaison."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bot.db.models import utcnow
from bot.domain.roles import Grant, Role
from bot.services import staff
from bot.services.scopes import Period, Scope, local_today
from handlers.citizen.announcements import area_name
from handlers.turn import Turn


@dataclass(frozen=True)
class Reach:
    scope: Scope
    name: str  # for the reader, HTML-escaped


def typed_period(turn: Turn, typed: str) -> Period | None:
    """The period the admin typed ("2026", "2026-11", "2026-01-01..2026-03-31"), or the last 12 months when
    nothing was typed; None when it cannot be read."""
    today = local_today(turn._.zone, utcnow())
    return Period.parse(typed, today) if typed.strip() else Period.last_months(today)


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

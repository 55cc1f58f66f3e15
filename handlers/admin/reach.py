"""Whose reports an admin's statistics and exports cover (the admin's reach, ``bot/domain/reach.py``: all of
Indonesia for the national admin, each of its hubs' areas for a hub admin, its agencies for a liaison), its name
for the reader, and the period typed."""

from __future__ import annotations

from html import escape

from bot.db.models import utcnow
from bot.domain.reach import ADMIN_ROLES, Reach
from bot.services.periods import Period, local_today
from bot.services.reach import reach_of
from handlers.citizen.announcements import area_name
from handlers.turn import Turn


def typed_period(turn: Turn, typed: str) -> Period | None:
    """The period the admin typed ("2026", "2026-11", "2026-01-01..2026-03-31"), or the last 12 months when
    nothing was typed; None when it cannot be read."""
    today = local_today(turn._.zone, utcnow())
    return Period.parse(typed, today) if typed.strip() else Period.last_months(today)


async def admin_reach(turn: Turn) -> Reach | None:
    """What the admin's roles reach; None for citizens and staff who are not admins."""
    reach = await reach_of(turn.session, turn.user.id, turn.services.router.directory, ADMIN_ROLES)
    return None if reach.empty else reach


def reach_name(turn: Turn, reach: Reach) -> str:
    """"all of Indonesia", or the areas and agencies reached, in the order granted (HTML-escaped)."""
    if reach.everything:
        return area_name(turn, None)
    agencies = turn.services.router.directory.agencies
    hubs = [area_name(turn, hub.area_code) if hub.area_code else escape(hub.code or "") for hub in reach.hubs]
    names = [escape(agencies[code].name if code in agencies else code) for code in reach.agencies]
    return ", ".join(dict.fromkeys([*hubs, *names]))

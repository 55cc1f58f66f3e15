"""A reader's reach (``bot/domain/reach.py``) read from their roles, and as the SQL condition every query that
reads reports for staff adds to its WHERE clause: privacy is enforced where data is read, so a report outside
the reach is never loaded."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report
from bot.domain.reach import Hub, Reach
from bot.domain.roles import Role
from bot.services.staff import roles_of
from routing.agencies import Directory


async def reach_of(session: AsyncSession, user_id: int, directory: Directory,
                   roles: Collection[Role] = frozenset(Role)) -> Reach:
    """What the user's active roles among ``roles`` reach (one query)."""
    return Reach.of(await roles_of(session, user_id), directory, roles)


def condition(reach: Reach) -> ColumnElement[bool]:
    """The reports in ``reach``: the same test as ``Reach.covers``, in SQL."""
    if reach.everything:
        return true()
    parts = [hub_condition(hub) for hub in reach.hubs]
    if reach.agencies:
        parts.append(Report.agency_code.in_(reach.agencies))
    return or_(*parts) if parts else false()


def hub_condition(hub: Hub) -> ColumnElement[bool]:
    """The reports of one hub's side: in its area, or routed to the hub itself."""
    parts = [Report.agency_code == hub.code] if hub.code else []
    if hub.area_code:  # "13" is a province, "13.71" a regency or city
        parts.append((Report.regency_code if "." in hub.area_code else Report.province_code) == hub.area_code)
    return or_(*parts) if parts else false()

"""What a reader may see and act on (their reach), from their roles: the one rule behind the staff inbox, a report's
view and actions, statistics, exports and announcements. Pure: no SQL, no Telegram (``bot/services/reach.py`` reads
the roles and writes the SQL condition).

National admin: everything. Hub admin: each of its hubs' areas (a province or a regency or city), and whatever is
routed to one of those hubs itself. Liaison and staff: their agencies' reports. A reader holding several roles
reaches all of them at once: two hubs are both reached, everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.actions import Side
from bot.domain.roles import Grant, Role
from routing.agencies import Directory

# Who reads statistics and exports: not staff, who work on single reports.
ADMIN_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.HUB_ADMIN, Role.LIAISON})


class Placed(Protocol):
    """Where a report lies and who it is routed to (a report row, or anything with these)."""

    agency_code: str | None
    province_code: str | None
    regency_code: str | None


@dataclass(frozen=True)
class Hub:
    """One hub a reader admins: its agency code (None for an area asked for without a hub, as the command line
    does) and its area, a province ("13") or a regency or city ("13.71"); None for a hub the directory gives none."""

    code: str | None
    area_code: str | None

    def covers(self, report: Placed) -> bool:
        return (self.code is not None and report.agency_code == self.code) or (
            self.area_code is not None and self.area_code in (report.province_code, report.regency_code))


@dataclass(frozen=True)
class Reach:
    everything: bool = False  # the national admin
    hubs: tuple[Hub, ...] = ()  # in the order the roles were granted
    agencies: tuple[str, ...] = ()  # held as liaison or staff

    @classmethod
    def of(cls, grants: Iterable[Grant], directory: Directory, roles: Collection[Role] = frozenset(Role)) -> "Reach":
        """What ``grants`` reach, counting only those of ``roles`` (statistics and exports: ``ADMIN_ROLES``)."""
        everything, hubs, agencies = False, [], []
        for grant in grants:
            if grant.role not in roles:
                continue
            if grant.role is Role.NATIONAL_ADMIN:
                everything = True
            elif grant.agency_code and grant.role is Role.HUB_ADMIN:
                hub = directory.agencies.get(grant.agency_code)
                hubs.append(Hub(grant.agency_code, hub.area_code if hub else None))
            elif grant.agency_code:
                agencies.append(grant.agency_code)
        return cls(everything, tuple(dict.fromkeys(hubs)), tuple(dict.fromkeys(agencies)))

    @classmethod
    def over_area(cls, area_code: str, directory: Directory) -> "Reach":
        """All reports of one province or regency (the command line's export), with what its hub holds."""
        hub = next((agency.code for agency in directory.agencies.values() if agency.hub and agency.area_code == area_code), None)
        return cls(hubs=(Hub(hub, area_code),))

    @property
    def empty(self) -> bool:
        return not (self.everything or self.hubs or self.agencies)

    @property
    def areas(self) -> tuple[str, ...]:
        """The hubs' areas, in the order granted."""
        return tuple(dict.fromkeys(hub.area_code for hub in self.hubs if hub.area_code))

    def covers(self, report: Placed) -> bool:
        return bool(self.sides(report))

    def sides(self, report: Placed) -> frozenset[Side]:
        """Which side of the counter the reader is on for ``report``: none when it lies outside their reach."""
        sides = set()
        if self.everything or any(hub.covers(report) for hub in self.hubs):
            sides.add(Side.HUB)
        if report.agency_code in self.agencies:
            sides.add(Side.AGENCY)
        return frozenset(sides)

    def hub_of(self, area_code: str) -> Hub | None:
        """The reader's hub whose area is exactly ``area_code``."""
        return next((hub for hub in self.hubs if hub.area_code == area_code), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Reach":
        """From ``dataclasses.asdict`` after a trip through JSON (the queued export keeps its reach)."""
        return cls(bool(data["everything"]), tuple(Hub(**hub) for hub in data["hubs"]), tuple(data["agencies"]))

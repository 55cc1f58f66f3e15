"""Staff roles and who may invite whom: pure rules over the agency directory, no SQL, no Telegram.

National admin: anyone. Hub admin: liaisons and staff of the agencies in its hub's area, and, for a
province hub, the admins of the regency hubs inside it. Liaison: staff of its own agency. Staff: nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from routing.agencies import NATIONAL_ADMIN, Agency, Directory

HUB_PREFIX = "HUB-"


class Role(StrEnum):
    NATIONAL_ADMIN = "national_admin"
    HUB_ADMIN = "hub_admin"
    LIAISON = "liaison"
    STAFF = "staff"


# What people may type for a role, in either language.
ROLE_NAMES = {
    **{role.value: role for role in Role},
    "admin_nasional": Role.NATIONAL_ADMIN,
    "admin_hub": Role.HUB_ADMIN,
    "koordinator": Role.HUB_ADMIN,
    "admin_koordinator": Role.HUB_ADMIN,
    "penghubung": Role.LIAISON,
    "admin_penghubung": Role.LIAISON,
    "staf": Role.STAFF,
}


def parse_role(text: str) -> Role | None:
    return ROLE_NAMES.get(text.strip().lower().replace("-", "_"))


@dataclass(frozen=True)
class Grant:
    """One active role of one user (the database row's meaning, without the row)."""

    role: Role
    agency_code: str | None


def agency_code_for(role: Role, typed: str | None) -> str | None:
    """The agency code a role is held at: none for the national admin (``ADMIN-NASIONAL`` is accepted)."""
    code = (typed or "").strip() or None
    return None if role is Role.NATIONAL_ADMIN and (code or NATIONAL_ADMIN).upper() == NATIONAL_ADMIN else code


def role_fits_agency(role: Role, agency: Agency | None) -> bool:
    """A national admin has no agency; a hub admin a hub; liaisons and staff an agency that is not a hub."""
    if role is Role.NATIONAL_ADMIN:
        return agency is None
    if agency is None:
        return False
    is_hub = agency.code.startswith(HUB_PREFIX)
    return is_hub if role is Role.HUB_ADMIN else not agency.hub


def area_inside(area_code: str | None, outer: str | None) -> bool:
    """Whether an area ("13.71") is ``outer`` ("13.71") or lies in it ("13"); False when either is missing."""
    return bool(area_code and outer) and (area_code == outer or area_code.startswith(outer + "."))


def grant_covers(grant: Grant, role: Role, agency: Agency | None, directory: Directory) -> bool:
    """Whether holding ``grant`` allows inviting (or revoking) ``role`` at ``agency``."""
    if grant.role is Role.NATIONAL_ADMIN:
        return True
    if agency is None:
        return False
    if grant.role is Role.LIAISON:
        return role is Role.STAFF and agency.code == grant.agency_code
    if grant.role is Role.HUB_ADMIN:
        hub = directory.agencies.get(grant.agency_code or "")
        if hub is None:
            return False
        if role in (Role.LIAISON, Role.STAFF):
            return area_inside(agency.area_code, hub.area_code)
        if role is Role.HUB_ADMIN:  # a province hub over the regency hubs inside it
            return hub.level == "provinsi" and agency.level == "kabupaten_kota" and area_inside(agency.area_code, hub.area_code)
    return False


def may_invite(grants: list[Grant], role: Role, agency: Agency | None, directory: Directory) -> bool:
    return any(grant_covers(grant, role, agency, directory) for grant in grants)


# Staff groups -------------------------------------------------------------------------------------------


def group_role(agency: Agency) -> Role:
    """What a group linked to ``agency`` works as: a hub's admins, or an agency's staff."""
    return Role.HUB_ADMIN if agency.hub else Role.STAFF


def may_link_group(grants: list[Grant], agency: Agency, directory: Directory) -> bool:
    """The agency's liaison, the hub's own admins, and whoever may invite its staff may link a group to it."""
    own = any(grant.agency_code == agency.code and grant.role in (Role.LIAISON, Role.HUB_ADMIN) for grant in grants)
    return own or may_invite(grants, group_role(agency), agency, directory)


def group_grants(grants: list[Grant], agency: Agency, directory: Directory) -> list[Grant]:
    """What a member may do in a group linked to ``agency``: only that agency's or hub's work, and only if they
    hold a role for it, whatever else they hold elsewhere (the group must not see other agencies' reports)."""
    if agency.hub:
        admin = any(grant.role is Role.NATIONAL_ADMIN or (grant.role is Role.HUB_ADMIN and (
            grant.agency_code == agency.code or grant_covers(grant, Role.HUB_ADMIN, agency, directory))) for grant in grants)
        return [Grant(Role.HUB_ADMIN, agency.code)] if admin else []
    return [grant for grant in grants if grant.role in (Role.LIAISON, Role.STAFF) and grant.agency_code == agency.code]

"""Staff roles and one-time invitations. No Telegram here; the caller owns the transaction.

Every role change and invitation event writes its audit row in the same transaction. Tokens are
secrets: the audit trail and listings carry only their first characters.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invitation, StaffGroup, StaffRole, User, utcnow
from bot.domain.roles import Grant, Role, agency_code_for, may_invite, role_fits_agency
from bot.services import audit
from routing.agencies import NATIONAL_ADMIN, Agency, Directory

if TYPE_CHECKING:  # bot.services.notices reads the holders from here
    from bot.services.notices import Notices

DEFAULT_INVITATION_DAYS = 7
TOKEN_BYTES = 24  # 32 URL-safe characters: within a deep link's 64 of A-Za-z0-9_-
TOKEN_SHOWN = 8  # what the audit trail keeps of a token
_GROUP = "group"  # in ``holders``: a linked group chat, beside the roles


class StaffError(Exception):
    """Refused; the subclass says why."""


class UnknownAgency(StaffError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no agency {code!r} in the directory")
        self.code = code


class RoleDoesNotFit(StaffError):
    """A national admin has no agency, a hub admin needs a hub, liaisons and staff an agency."""

    def __init__(self, role: Role, agency_code: str | None) -> None:
        super().__init__(f"{role} cannot be given for {agency_code or 'no agency'}")
        self.role, self.agency_code = role, agency_code


class NotAllowed(StaffError):
    def __init__(self, role: Role, agency_code: str | None) -> None:
        super().__init__(f"not allowed to give {role} for {agency_code or 'the nation'}")
        self.role, self.agency_code = role, agency_code


class NoSuchRole(StaffError):
    pass


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class InvitationRefused(StaffError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"invitation {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Redeemed:
    role: Role
    agency_code: str | None
    granted: bool  # False: the user already held this role


def deep_link(token: str, bot_username: str | None) -> str:
    """Telegram's deep link; without the bot's username, the line the invitee sends to the bot instead."""
    return f"https://t.me/{bot_username}?start={token}" if bot_username else f"/start {token}"


def shown(token: str) -> str:
    return token[:TOKEN_SHOWN] + "…"


async def roles_of(session: AsyncSession, user_id: int) -> list[Grant]:
    """The user's active roles."""
    rows = await session.scalars(
        select(StaffRole).where(StaffRole.user_id == user_id, StaffRole.revoked_at.is_(None)).order_by(StaffRole.id)
    )
    return [Grant(Role(row.role), row.agency_code) for row in rows]


@dataclass(frozen=True)
class Holders:
    """Who acts for each agency (its staff, and its linked group chats), read at once (a sweep asks for hundreds
    of agencies)."""

    by_agency: dict[str, list[int]]
    national_admins: list[int]

    def of(self, directory: Directory, agency_code: str | None) -> list[int]:
        """The liaison and staff of an agency, a hub's admins, or (for the national admin, or an agency not in
        the directory) the national admins."""
        if agency_code is None or agency_code == NATIONAL_ADMIN or agency_code not in directory.agencies:
            return self.national_admins
        return self.by_agency.get(agency_code, [])


async def holders(session: AsyncSession, agency_codes: Collection[str] | None = None) -> Holders:
    """Everyone's roles for a sweep; only those of ``agency_codes`` (and the national admins) for one turn.
    Roles and linked groups come in one statement (a turn that tells staff waits for it)."""
    roles = select(StaffRole.user_id, StaffRole.role, StaffRole.agency_code).where(StaffRole.revoked_at.is_(None))
    groups = select(StaffGroup.chat_id, literal(_GROUP), StaffGroup.agency_code)
    if agency_codes is not None:
        roles = roles.where(StaffRole.agency_code.in_(agency_codes) | (StaffRole.role == Role.NATIONAL_ADMIN.value))
        groups = groups.where(StaffGroup.agency_code.in_(agency_codes))
    by_agency: dict[str, set[int]] = {}
    national: set[int] = set()
    for chat_id, role, agency_code in await session.execute(union_all(roles, groups)):
        if role == Role.NATIONAL_ADMIN.value:
            national.add(chat_id)
        elif agency_code:  # a linked group hears what its agency's staff hear
            by_agency.setdefault(agency_code, set()).add(chat_id)
    return Holders({code: sorted(users) for code, users in by_agency.items()}, sorted(national))


async def first_names(session: AsyncSession, user_ids: Collection[int]) -> dict[int, str]:
    return dict((await session.execute(select(User.id, User.first_name).where(User.id.in_(user_ids)))).all())


async def active_roles(session: AsyncSession) -> list[StaffRole]:
    rows = await session.scalars(select(StaffRole).where(StaffRole.revoked_at.is_(None)).order_by(StaffRole.agency_code, StaffRole.user_id))
    return list(rows)


async def open_invitations(session: AsyncSession, now: datetime | None = None) -> list[Invitation]:
    now = now or utcnow()
    rows = await session.scalars(
        select(Invitation)
        .where(Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.created_at)
    )
    return list(rows)


async def grant_national_admin(session: AsyncSession, user_id: int) -> bool:
    """The command line's way in for the first national admin. False when the user already is one."""
    return await _grant(session, user_id, Grant(Role.NATIONAL_ADMIN, None), actor=None, via="command line")


async def create_invitation(
    session: AsyncSession,
    directory: Directory,
    role: Role,
    agency_code: str | None,
    *,
    actor: int | None,
    days: int = DEFAULT_INVITATION_DAYS,
    now: datetime | None = None,
) -> Invitation:
    """An invitation to ``role`` at ``agency_code``, made by ``actor`` (None: the command line, which may
    invite anyone). Raises UnknownAgency, RoleDoesNotFit or NotAllowed."""
    agency = await _checked(session, directory, role, agency_code, actor)
    now = now or utcnow()
    invitation = Invitation(
        token=secrets.token_urlsafe(TOKEN_BYTES), role=role.value, agency_code=agency.code if agency else None,
        created_by=actor, created_at=now, expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    audit.record(session, actor, "invitation.created", shown(invitation.token), role=role.value,
                 agency_code=invitation.agency_code, expires_at=invitation.expires_at.isoformat())
    return invitation


async def redeem(session: AsyncSession, token: str, user_id: int, now: datetime | None = None) -> Redeemed:
    """Use an invitation: it works once. Raises InvitationRefused with the reason."""
    now = now or utcnow()
    # One conditional UPDATE takes the invitation, so two people racing for one token cannot both win.
    taken = await session.execute(
        update(Invitation)
        .where(Invitation.token == token, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(used_by=user_id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    invitation = await session.get(Invitation, token, populate_existing=True) if len(token) <= 64 else None
    if taken.rowcount != 1 or invitation is None:
        reason = _why_refused(invitation, now)
        audit.record(session, user_id, "invitation.refused", shown(token), reason=reason.value)
        raise InvitationRefused(reason)
    grant = Grant(Role(invitation.role), invitation.agency_code)
    granted = await _grant(session, user_id, grant, actor=invitation.created_by, via=shown(token))
    audit.record(session, user_id, "invitation.redeemed", shown(token), role=grant.role.value,
                 agency_code=grant.agency_code, invited_by=invitation.created_by)
    return Redeemed(grant.role, grant.agency_code, granted)


async def revoke_invitation(session: AsyncSession, token: str, *, actor: int | None) -> None:
    invitation = await session.get(Invitation, token)
    if invitation is None or invitation.used_at or invitation.revoked_at:
        raise InvitationRefused(_why_refused(invitation, utcnow()))
    invitation.revoked_at, invitation.revoked_by = utcnow(), actor
    audit.record(session, actor, "invitation.revoked", shown(token), role=invitation.role, agency_code=invitation.agency_code)


async def revoke_role(
    session: AsyncSession, notify: Notices, user_id: int, role: Role, agency_code: str | None, *, actor: int | None
) -> None:
    """End a role, and tell its holder. Whoever may invite to a role may revoke it; the command line may revoke any."""
    directory = notify.directory
    agency = await _checked(session, directory, role, agency_code, actor)
    agency_code = agency.code if agency else None
    row = await session.scalar(
        select(StaffRole).where(StaffRole.user_id == user_id, StaffRole.role == role.value,
                                _same_agency(agency_code), StaffRole.revoked_at.is_(None))
    )
    if row is None:
        raise NoSuchRole(f"user {user_id} is not {role} for {agency_code or 'the nation'}")
    row.revoked_at, row.revoked_by = utcnow(), actor
    audit.record(session, actor, "role.revoked", str(user_id), role=role.value, agency_code=agency_code)
    await notify.role_ended(session, user_id, role, agency_code)


async def _checked(session, directory: Directory, role: Role, agency_code: str | None, actor: int | None) -> Agency | None:
    agency, agency_code = None, agency_code_for(role, agency_code)
    if agency_code:
        agency = directory.agencies.get(agency_code) or directory.agencies.get(agency_code.upper())  # typed in lower case
        if agency is None:
            raise UnknownAgency(agency_code)
    if not role_fits_agency(role, agency):
        raise RoleDoesNotFit(role, agency_code)
    if actor is not None and not may_invite(await roles_of(session, actor), role, agency, directory):
        raise NotAllowed(role, agency_code)
    return agency


async def _grant(session: AsyncSession, user_id: int, grant: Grant, *, actor: int | None, via: str) -> bool:
    if grant in await roles_of(session, user_id):
        return False
    session.add(StaffRole(user_id=user_id, role=grant.role.value, agency_code=grant.agency_code, granted_by=actor,
                          granted_at=utcnow()))
    audit.record(session, actor, "role.granted", str(user_id), role=grant.role.value, agency_code=grant.agency_code, via=via)
    return True


def _same_agency(agency_code: str | None):
    return StaffRole.agency_code.is_(None) if agency_code is None else StaffRole.agency_code == agency_code


def _why_refused(invitation: Invitation | None, now: datetime) -> Refusal:
    if invitation is None:
        return Refusal.UNKNOWN
    if invitation.revoked_at is not None:
        return Refusal.REVOKED
    if invitation.used_at is not None:
        return Refusal.USED
    return Refusal.EXPIRED if invitation.expires_at <= now else Refusal.UNKNOWN

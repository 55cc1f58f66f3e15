"""Group chats linked to an agency or hub: its staff work reports there together, and the group hears what
its staff hear (new reports, deadlines, the reporter's replies). Linking and unlinking are audited."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import StaffGroup, utcnow
from bot.domain.roles import may_link_group
from bot.services import audit
from bot.services.staff import roles_of
from routing.agencies import Agency, Directory


class Linking(StrEnum):
    LINKED = "linked"
    UNKNOWN_AGENCY = "unknown_agency"
    NOT_ALLOWED = "not_allowed"


async def linked_agency(session: AsyncSession, directory: Directory, chat_id: int) -> Agency | None:
    code = await session.scalar(select(StaffGroup.agency_code).where(StaffGroup.chat_id == chat_id))
    return directory.agencies.get(code) if code else None


async def link(session: AsyncSession, directory: Directory, chat_id: int, code: str, actor: int) -> tuple[Linking, Agency | None]:
    """Link the group to the agency ``code`` (a group works for one agency: linking again moves it)."""
    agency = directory.agencies.get(code) or directory.agencies.get(code.upper())
    if agency is None:
        return Linking.UNKNOWN_AGENCY, None
    if not may_link_group(await roles_of(session, actor), agency, directory):
        return Linking.NOT_ALLOWED, agency
    group = await session.get(StaffGroup, chat_id)
    if group is None:
        session.add(StaffGroup(chat_id=chat_id, agency_code=agency.code, linked_by=actor, linked_at=utcnow()))
    else:
        group.agency_code, group.linked_by, group.linked_at = agency.code, actor, utcnow()
    audit.record(session, actor, "group.linked", str(chat_id), agency_code=agency.code)
    return Linking.LINKED, agency


async def unlink(session: AsyncSession, directory: Directory, chat_id: int, actor: int) -> tuple[Linking, Agency | None]:
    group = await session.get(StaffGroup, chat_id)
    agency = directory.agencies.get(group.agency_code) if group else None
    if group is None or agency is None:
        return Linking.UNKNOWN_AGENCY, None
    if not may_link_group(await roles_of(session, actor), agency, directory):
        return Linking.NOT_ALLOWED, agency
    await session.delete(group)
    audit.record(session, actor, "group.unlinked", str(chat_id), agency_code=agency.code)
    return Linking.LINKED, agency

"""Who must hear about a change to a report, queued in the transaction that makes the change.

Every state change (a report filed, a staff action, a status set from the command line, the reporter's answer,
reply or reopening, the deadline sweep) calls one of these, whoever caused it: a chat, the command line, a job or
an API. The reporter's push is rendered when it is sent (``bot.notices.status``); staff notices are rendered now,
each in its reader's language (``bot.notices.staff``). Supporters of a report (people who said "me too") would be
told here too, beside the reporter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report, ReportEvent, User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.domain import Status
from bot.domain.actions import OPEN_AT_HUB
from bot.domain.deadlines import Notice
from bot.domain.roles import Role
from bot.forwarding import queue as forwarding
from bot.forwarding.targets import Targets
from bot.i18n import Translator
from bot.notices.roles import role_ended_text
from bot.notices.staff import Headline, deadline_text, headline_text
from bot.services import forgetting, staff
from bot.services.contacts import chat_of, messaged
from routing.agencies import Directory


@dataclass(frozen=True)
class Notices:
    """What deciding who hears needs: who acts for which agency or hub, and each reader's language."""

    directory: Directory
    translator: Callable[[str | None], Translator]
    targets: Targets = Targets()  # the systems some agencies' reports are forwarded to

    def hub_of(self, report: Report) -> str:
        return self.directory.hub_for_codes(report.province_code, report.regency_code).code

    async def tell_holders(self, session: AsyncSession, codes: Iterable[str | None], headline: Headline,
                           tracking_id: str) -> list[int]:
        """Everyone who acts for the agencies or hubs ``codes`` (staff, and linked groups), each once, in their
        own language; returns the chats told."""
        codes = [code for code in dict.fromkeys(codes) if code and not self.targets.instead_of_bot(code)]
        holders = await staff.holders(session, codes)
        recipients = list(dict.fromkeys(chat for code in codes for chat in holders.of(self.directory, code)))
        users = await _users(session, recipients)
        for holder in recipients:
            user = users.get(holder)  # a linked group has no user row: the default language
            text = headline_text(self.translator(user.locale if user else None), headline, tracking_id)
            await outbox.enqueue(session, chat_of(user) if user else holder, Text(text), user=user,
                                 priority=outbox.Priority.NOTIFICATION)
        return recipients

    async def deadlines(self, session: AsyncSession, notices: list[Notice]) -> None:
        """The sweep's reminders and escalations."""
        users = await _users(session, {notice.user_id for notice in notices})
        for notice in notices:
            user = users.get(notice.user_id)  # staff made from the command line may never have written
            text = deadline_text(self.translator(user.locale if user else None), notice)
            await outbox.enqueue(session, chat_of(user) if user else notice.user_id, Text(text), user=user,
                                 priority=outbox.Priority.NOTIFICATION)

    # The changes -------------------------------------------------------------------------------------------

    async def report_filed(self, session: AsyncSession, report: Report) -> None:
        """A new report: the hub of its area checks it first; the systems of its agency and hub get it at once."""
        await forwarding.link(session, self.targets, report, (report.agency_code, self.hub_of(report)))
        await self.tell_holders(session, (self.hub_of(report),), Headline.NEW_REPORT, report.tracking_id)

    async def handed_to(self, session: AsyncSession, report: Report, code: str | None) -> None:
        """The report was sent on to the agency or hub ``code``, who must now act on it (or its system)."""
        await forwarding.link(session, self.targets, report, (code,))
        await self.tell_holders(session, (code,), Headline.NEW_REPORT, report.tracking_id)

    async def status_set(self, session: AsyncSession, report: Report, before: Status) -> None:
        """A status set as such (the command line), not by a staff action: set to assigned from a status the hub
        works on, the report is forwarded to its agency, who hear of it as they would of the hub's action."""
        if Status(report.status) is Status.ASSIGNED and before in OPEN_AT_HUB:
            await self.handed_to(session, report, report.agency_code)

    async def role_ended(self, session: AsyncSession, user_id: int, role: Role, agency_code: str | None) -> None:
        user = await session.get(User, user_id)
        text = role_ended_text(self.translator(user.locale if user else None), self.directory, role, agency_code)
        await outbox.enqueue(session, chat_of(user) if user else user_id, Text(text), user=user,
                             priority=outbox.Priority.NOTIFICATION)

    async def reporter_answered(self, session: AsyncSession, report: Report) -> None:
        await self.tell_holders(session, (report.agency_code,), Headline.ANSWERED, report.tracking_id)

    async def reporter_replied(self, session: AsyncSession, report: Report) -> None:
        await self.tell_holders(session, (report.agency_code,), Headline.REPLIED, report.tracking_id)

    async def reopened(self, session: AsyncSession, report: Report) -> None:
        await self.tell_holders(session, (report.agency_code, self.hub_of(report)), Headline.REOPENED,
                                report.tracking_id)


async def reporter_hears(session: AsyncSession, report: Report) -> bool:
    """Whether the reporter's chat takes messages: not one they asked the bot to forget, nor a system's (a report
    filed through the API, whose status the system reads)."""
    return messaged(report.chat_id) and not await forgetting.forgotten(session, report.chat_id)


async def tell_reporter(session: AsyncSession, report: Report, event: ReportEvent) -> None:
    """The reporter's push about a new status, rendered when sent, in their language then."""
    if not await reporter_hears(session, report):
        return
    reporter = await session.get(User, report.reporter_id)
    await outbox.enqueue(session, report.chat_id, user=reporter, kind=outbox.STATUS_CHANGED,
                         priority=outbox.Priority.NOTIFICATION, report_id=report.id, event_id=event.id)


async def _users(session: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    ids = list(ids)
    if not ids:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}

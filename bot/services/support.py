"""Support ("dukung"): finding the reports a draft may repeat, adding a person's support to a report (counted once
per person, at the same instant too), and telling the people who follow a report of its changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_for
from bot.db.models import Attachment, Contact, Report, ReportEvent, Support, User, utcnow
from bot.delivery import outbox
from bot.domain import CLOSED_STATUSES
from bot.domain.draft import Draft, Suggestion
from bot.domain.nearby import (
    ALIKE_IN_AREA,
    ALIKE_NEAR_PIN,
    RADIUS_METRES,
    SUGGESTIONS,
    alikeness,
    cells_around,
    metres_between,
)
from bot.services.contacts import messaged
from bot.textlimits import shorten

SUPPORTS_PER_HOUR = 10  # more in an hour is someone inflating counts, not a neighbour
EXCERPT = 120
CANDIDATES = 200  # read at most this many of the nearby reports of a category (the newest)
SUGGESTED, LINK, MERGED = "suggested", "link", "merged"


class SupportRefused(ValueError):
    """Why a support was not added: OWN (their own report), CLOSED, or TOO_MANY (the hour's allowance spent)."""

    OWN, CLOSED, TOO_MANY = "own", "closed", "too_many"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Supported:
    supporters: int  # the report's count now
    new: bool  # False: they had supported it before (it counts once)


async def similar_to(session: AsyncSession, draft: Draft, user_id: int) -> list[Suggestion]:
    """Open reports like the draft near its place, most alike first, none confidential and none of the person's."""
    query = _nearby(draft)
    if query is None:
        return []
    rows = list(await session.scalars(query.where(
        Report.category == draft.category, Report.status.not_in(CLOSED_STATUSES), Report.confidential.is_(False),
        Report.reporter_id != user_id).order_by(Report.created_at.desc()).limit(CANDIDATES)))
    scored = sorted(((score, report) for report in rows if (score := _score(draft, report)) is not None),
                    key=lambda pair: -pair[0])[:SUGGESTIONS]
    photos = await _photos(session, [report.id for _score_, report in scored])
    return [Suggestion(report.tracking_id, shorten(report.description, EXCERPT), report.status,
                       report.created_at.isoformat(), report.supporters, *photos.get(report.id, (0, None)))
            for _score_, report in scored]


def _nearby(draft: Draft):
    """Reports in the pin's cells, or in the typed place's village (or district); None where neither is known."""
    if draft.category is None or draft.place is None:
        return None
    if draft.place.point is not None:
        return select(Report).where(Report.grid_cell.in_(cells_around(*draft.place.point)))
    routing = draft.routing
    if routing is None or routing.district is None:
        return None
    query = select(Report).where(Report.district_code == routing.district)
    return query.where(Report.village_code == routing.village) if routing.village else query


def _score(draft: Draft, report: Report) -> float | None:
    """How alike the report is to the draft, or None when it is too far or too unlike to suggest."""
    point = draft.place.point
    if point is not None:
        if report.latitude is None or metres_between(point, (report.latitude, report.longitude)) > RADIUS_METRES:
            return None
    score = alikeness(draft.description or "", report.description)
    return score if score >= (ALIKE_NEAR_PIN if point is not None else ALIKE_IN_AREA) else None


async def _photos(session: AsyncSession, report_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each report's photos (the reporter's, not staff's): how many, and the first."""
    if not report_ids:
        return {}
    rows = await session.execute(select(Attachment.report_id, Attachment.file_id).where(
        Attachment.report_id.in_(report_ids), Attachment.kind == "photo", Attachment.event_id.is_(None))
        .order_by(Attachment.report_id, Attachment.position))
    photos: dict[int, tuple[int, str]] = {}
    for report_id, file_id in rows:
        count, first = photos.get(report_id, (0, file_id))
        photos[report_id] = (count + 1, first)
    return photos


async def support(session: AsyncSession, report: Report, user_id: int, chat_id: int, via: str,
                  now: datetime | None = None) -> Supported:
    """Add the person's support (or follow again, if they supported it before): counted once per person, however
    many taps or processes at once (the unique pair decides which insert counts). A merge's (``MERGED``) is not
    the person's doing, and not limited."""
    now = now or utcnow()
    if report.reporter_id == user_id:
        raise SupportRefused(SupportRefused.OWN)
    if report.status in CLOSED_STATUSES:
        raise SupportRefused(SupportRefused.CLOSED)
    if via != MERGED and await _supports_since(session, user_id, now - timedelta(hours=1)) >= SUPPORTS_PER_HOUR:
        raise SupportRefused(SupportRefused.TOO_MANY)
    added = await session.execute(insert_for(session.bind.dialect.name, Support.__table__).values(
        report_id=report.id, user_id=user_id, chat_id=chat_id, via=via, following=True, created_at=now,
    ).on_conflict_do_nothing(index_elements=["report_id", "user_id"]))
    if added.rowcount:
        await session.execute(update(Report).where(Report.id == report.id).values(supporters=Report.supporters + 1)
                              .execution_options(synchronize_session=False))
    else:
        await follow(session, report.id, user_id, True, chat_id)
    return Supported(await session.scalar(select(Report.supporters).where(Report.id == report.id)), bool(added.rowcount))


async def follow(session: AsyncSession, report_id: int, user_id: int, following: bool,
                 chat_id: int | None = None) -> bool:
    """Start or stop following a supported report (in ``chat_id`` from now on, where given); False: no support."""
    values = {"following": following} | ({"chat_id": chat_id} if chat_id is not None else {})
    changed = await session.execute(update(Support).where(Support.report_id == report_id, Support.user_id == user_id)
                                    .values(**values).execution_options(synchronize_session=False))
    return bool(changed.rowcount)


async def _supports_since(session: AsyncSession, user_id: int, since: datetime) -> int:
    return await session.scalar(select(func.count()).select_from(Support).where(
        Support.user_id == user_id, Support.created_at >= since, Support.via != MERGED))


async def tell_supporters(session: AsyncSession, report: Report, event: ReportEvent) -> None:
    """Each follower's push about the report's new status, in the chat they follow it from (rendered when sent, as
    the reporter's is, in the supporter's form: no reply, no rating)."""
    rows = (await session.execute(
        select(Support.chat_id, User).join(User, User.id == Support.user_id)
        .join(Contact, Contact.id == Support.chat_id, isouter=True)  # a Telegram chat may have no contact row
        .where(Support.report_id == report.id, Support.following.is_(True), Contact.forgotten_at.is_(None)))).all()
    for chat_id, user in rows:
        if messaged(chat_id):
            await outbox.enqueue(session, chat_id, user=user, kind=outbox.STATUS_CHANGED,
                                 priority=outbox.Priority.NOTIFICATION, report_id=report.id, event_id=event.id)

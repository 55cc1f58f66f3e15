"""What is forwarded, decided in the transaction that makes the change: a report that reaches an agency or hub
with targets is linked to them and its filing queued; every later change of a linked report is queued for the
targets that take changes (webhooks; Open311 has no way to send one, its status is read back instead). A change
that came from a target is not sent back to it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ApiReport, Report, ReportEvent, User
from bot.db.models.forwarding import Forward, ReportLink
from bot.domain import CLOSED_STATUSES
from bot.domain.actions import Action
from bot.forwarding.lapor_topics import topic_of
from bot.forwarding.targets import OPEN311, Target, Targets

FILED, STATUS_CHANGED, ANSWERED, CLOSED = "filed", "status_changed", "answered", "closed"
FROM_TARGET = "forward:"  # the actor of a change a target made (``FROM_TARGET + name``)


async def link(session: AsyncSession, targets: Targets, report: Report, codes: tuple[str | None, ...]) -> None:
    """``report`` now lies with ``codes`` (its agency, its hub): linked to their targets, once each, its filing
    queued for each new one."""
    for target in targets.for_agency(*codes):
        if await session.get(ReportLink, (report.id, target.name)) is None:
            session.add(ReportLink(report_id=report.id, target=target.name, kind=target.kind))
            payload = await report_payload(session, report, target)
            _queue(session, report, target.name, FILED, None, payload)


async def queue_change(session: AsyncSession, report: Report, event: ReportEvent) -> None:
    """A change of a linked report, for each of its targets that takes changes (not the one that made it)."""
    links = await session.scalars(select(ReportLink).where(ReportLink.report_id == report.id,
                                                           ReportLink.kind != OPEN311))
    for found in links:
        if event.actor != FROM_TARGET + found.target:
            payload = {"event": kind_of(event), "status": event.to_status, "note": event.note,
                       "at": event.at.isoformat(timespec="seconds"), "tracking_id": report.tracking_id}
            _queue(session, report, found.target, kind_of(event), event, payload)


def kind_of(event: ReportEvent) -> str:
    if event.action == Action.ANSWER.value:
        return ANSWERED
    return CLOSED if event.to_status in CLOSED_STATUSES else STATUS_CHANGED


def _queue(session: AsyncSession, report: Report, target: str, kind: str, event: ReportEvent | None,
           payload: dict[str, Any]) -> None:
    key = f"{target}:{report.tracking_id}:{kind}:{event.id if event is not None else 0}"
    session.add(Forward(report_id=report.id, target=target, event=kind, event_id=event.id if event else None, key=key,
                        payload={**payload, "idempotency_key": key}))


async def report_payload(session: AsyncSession, report: Report, target: Target) -> dict[str, Any]:
    """The report as a target receives it: what the agency's staff see (so its text, also when confidential: the
    target is the agency's own system), and the reporter's name and contact only when not anonymous."""
    payload: dict[str, Any] = {
        "event": FILED, "tracking_id": report.tracking_id, "report_type": report.report_type,
        "category": report.category, "service_code": target.service_code_for(report.category),
        "description": report.description, "lat": report.latitude, "long": report.longitude,
        "address": report.address, "road_name": report.road_name, "agency_code": report.agency_code,
        "agency_name": report.agency_name, "area_code": report.regency_code or report.province_code,
        "anonymous": report.anonymous, "confidential": report.confidential, "status": report.status,
        "filed_at": report.created_at.isoformat(timespec="seconds"),
        "lapor_topic": asdict(topic) if (topic := topic_of(report.category)) else None,
    }
    if not report.anonymous:
        payload["reporter"] = await _reporter(session, report)
    return payload


async def _reporter(session: AsyncSession, report: Report) -> dict[str, str | None]:
    user = await session.get(User, report.reporter_id)
    api = await session.get(ApiReport, report.id)
    return {"name": user.first_name if user else None, "email": api.email if api else None,
            "phone": api.phone if api else None}

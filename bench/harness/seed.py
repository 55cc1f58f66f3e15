"""Made-up sample data ("(contoh)") written straight to the database for the load generator and the benchmarks:
liaisons of 50 regencies' public-works offices, each with 100 reports forwarded to it, waiting in its inbox's
default view; or people on WhatsApp, each with one report of theirs assigned to an office, whose status the
benchmark then changes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import create_engine, session_factory
from bot.db.models import Contact, Report, ReportEvent, StaffRole, User, utcnow
from bot.services.contacts import OWN_IDS_FROM, PHONE_IDS_FROM, WHATSAPP
from bot.services.jurisdiction import load_router
from bot.services.tracking import new_tracking_id
from routing.agencies import Agency

AGENCIES = 50
REPORTS_PER_AGENCY = 100
REPORTER = 9_900_000


def _offices(count: int) -> list[Agency]:
    directory = load_router(None).directory
    offices = sorted((a for a in directory.agencies.values() if not a.hub and a.area_code and "." in a.area_code),
                     key=lambda agency: agency.code)
    return random.Random(1).sample(offices, count)


def _report(reporter: int, chat: int, agency: Agency, created_at: datetime, now: datetime) -> dict:
    return dict(tracking_id=new_tracking_id(), reporter_id=reporter, chat_id=chat, report_type="pengaduan",
                category="jalan", status="assigned", description="Jalan rusak (contoh)",
                province_code=agency.area_code.split(".")[0], regency_code=agency.area_code,
                agency_code=agency.code, agency_name=agency.name, created_at=created_at, updated_at=now)


async def _add_reports(session: AsyncSession, reports: list[dict]) -> None:
    """The reports, each with its history (submitted, then assigned by the hub), in two bulk INSERTs: thousands of
    ORM objects took seconds of a benchmark's or a test's start."""
    ids = (await session.scalars(insert(Report.__table__).returning(Report.id, sort_by_parameter_order=True), reports)).all()
    await session.execute(insert(ReportEvent.__table__), [
        event for report_id in ids for event in (
            dict(report_id=report_id, actor="reporter", from_status=None, to_status="submitted"),
            dict(report_id=report_id, actor="hub", from_status="submitted", to_status="assigned"))])


async def staff_with_inboxes(database_url: str, first_user: int, users: int) -> None:
    agencies = _offices(AGENCIES)
    engine = create_engine(database_url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add(User(id=REPORTER, first_name="Warga (contoh)", lookups=0, created_at=now))
            await session.flush()
            await session.execute(insert(StaffRole), [
                dict(user_id=first_user + index, role="liaison", agency_code=agencies[index % AGENCIES].code, granted_at=now)
                for index in range(users)])
            await _add_reports(session, [_report(REPORTER, REPORTER, agency, now - timedelta(minutes=index), now)
                                         for agency in agencies for index in range(REPORTS_PER_AGENCY)])
    finally:
        await engine.dispose()


def whatsapp_phone(index: int) -> str:
    return f"628{770_000_000 + index}"


async def whatsapp_reporters(database_url: str, count: int, last_seen: timedelta = timedelta(days=3)) -> None:
    """``count`` people on WhatsApp (phones ``whatsapp_phone(0..)``), each with a report assigned to an office,
    who last wrote ``last_seen`` ago (more than 24 hours: what the bot tells them goes as a template)."""
    agencies = _offices(AGENCIES)
    engine = create_engine(database_url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.execute(insert(User), [
                dict(id=OWN_IDS_FROM + index, first_name="Warga (contoh)", lookups=0, created_at=now,
                     last_chat_id=PHONE_IDS_FROM + index) for index in range(count)])
            await session.execute(insert(Contact), [
                dict(id=PHONE_IDS_FROM + index, channel=WHATSAPP, address=whatsapp_phone(index),
                     user_id=OWN_IDS_FROM + index, private=True, last_seen_at=now - last_seen)
                for index in range(count)])
            await _add_reports(session, [_report(OWN_IDS_FROM + index, PHONE_IDS_FROM + index, agencies[index % AGENCIES],
                                                 now - last_seen, now) for index in range(count)])
    finally:
        await engine.dispose()

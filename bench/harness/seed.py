"""The staff the load generator plays: liaisons of 50 regencies' public-works offices, each with 100 reports
forwarded to it, waiting in its inbox's default view (made-up sample reports, "(contoh)", written straight to
the database)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from bot.db import create_engine, session_factory
from bot.db.models import Report, ReportEvent, StaffRole, User, utcnow
from bot.services.jurisdiction import load_router
from bot.services.tracking import new_tracking_id

AGENCIES = 50
REPORTS_PER_AGENCY = 100
REPORTER = 9_900_000


async def staff_with_inboxes(database_url: str, first_user: int, users: int) -> None:
    directory = load_router(None).directory
    offices = sorted((a for a in directory.agencies.values() if not a.hub and a.area_code and "." in a.area_code),
                     key=lambda agency: agency.code)
    agencies = random.Random(1).sample(offices, AGENCIES)
    engine = create_engine(database_url)
    now = utcnow()
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add(User(id=REPORTER, first_name="Warga (contoh)", lookups=0, created_at=now))
            await session.flush()
            await session.execute(insert(StaffRole), [
                dict(user_id=first_user + index, role="liaison", agency_code=agencies[index % AGENCIES].code, granted_at=now)
                for index in range(users)])
            for agency in agencies:
                reports = [Report(tracking_id=new_tracking_id(), reporter_id=REPORTER, chat_id=REPORTER,
                                  report_type="pengaduan", category="jalan", status="assigned",
                                  description="Jalan rusak (contoh)", province_code=agency.area_code.split(".")[0],
                                  regency_code=agency.area_code, agency_code=agency.code, agency_name=agency.name,
                                  created_at=now - timedelta(minutes=index), updated_at=now,
                                  events=[ReportEvent(actor="reporter", to_status="submitted"),
                                          ReportEvent(actor="hub", from_status="submitted", to_status="assigned")])
                           for index in range(REPORTS_PER_AGENCY)]
                session.add_all(reports)
    finally:
        await engine.dispose()

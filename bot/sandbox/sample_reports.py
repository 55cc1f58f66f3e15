"""Sample reports for the sandbox, so that the admin personas' ``/statistik`` and ``/ekspor`` show something
on a fresh machine. Sandbox only and labelled: each text starts with "(contoh)", each reporter is a sample
persona, and the figures are made up here (deterministic), not taken from SP4N-LAPOR!.

All but two are closed (resolved or archived): they never enter an inbox, start a clock or alert anyone. The two
open ones lie near the page's sample place, Kota Padang, so that a newcomer filing a pothole or a dark street
there is offered to support one instead (issue 27); they are with the national-road office, no clock running.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Transactions
from bot.db.models import Report, ReportEvent, utcnow
from bot.domain.nearby import grid_cell
from bot.sandbox.personas import PERSONAS
from bot.services.tracking import new_tracking_id
from routing.engine import Router

LABEL = "(contoh)"
COUNT = 60
# (regency, agency, category, what happened): Kota Padang's, with a few in Kabupaten Bogor.
SAMPLES = (
    ("13.71", "PUPR-13.71", "jalan", "Jalan berlubang di depan pasar"),
    ("13.71", "PUPR-13.71", "drainase", "Saluran air tersumbat, jalan tergenang setiap hujan"),
    ("13.71", "DLH-13.71", "sampah", "Sampah menumpuk di pinggir jalan lebih dari seminggu"),
    ("13.71", "PUPR-13.71", "penerangan_jalan", "Lampu jalan mati sepanjang satu blok"),
    ("13.71", "PUPR-13.71", "jembatan", "Pagar jembatan rusak, berbahaya bagi anak-anak"),
    ("32.01", "PUPR-32.01", "jalan", "Jalan desa rusak parah setelah musim hujan"),
)


# (category, what happened, latitude, longitude): open, a few dozen metres from the sample place.
NEAR_SAMPLE_PLACE = (
    ("jalan", "Jalan berlubang besar di Jl. By Pass dekat pasar, membahayakan pengendara motor", -0.9489, 100.3547),
    ("penerangan_jalan", "Lampu jalan mati di Jl. By Pass, gelap dan rawan pada malam hari", -0.9495, 100.3540),
)
OPEN_AGENCY = "BPJN-13"


async def seed(engine: AsyncEngine, router: Router) -> None:
    """Write the sample reports once (a restarted sandbox keeps them, and the ones the newcomer filed)."""
    async with Transactions(engine).begin() as session:
        if await session.scalar(select(Report.id).where(Report.description.startswith(LABEL)).limit(1)):
            return
        now = utcnow()
        for number in range(COUNT):
            session.add(_report(number, router, now))
        for number, sample in enumerate(NEAR_SAMPLE_PLACE):
            session.add(_open_report(number, sample, router, now))


def _open_report(number: int, sample: tuple[str, str, float, float], router: Router, now: datetime) -> Report:
    category, text, latitude, longitude = sample
    reporter, created = _reporter("13.71"), now - timedelta(days=2 + number, hours=3)
    agency = router.directory.agencies.get(OPEN_AGENCY)
    return Report(
        tracking_id=new_tracking_id(), reporter_id=reporter, chat_id=reporter, report_type="pengaduan",
        category=category, description=f"{LABEL} {text}", latitude=latitude, longitude=longitude,
        grid_cell=grid_cell(latitude, longitude), province_code="13", regency_code="13.71",
        agency_code=OPEN_AGENCY, agency_name=agency.name if agency else OPEN_AGENCY, status="assigned",
        created_at=created, updated_at=created + timedelta(hours=5), verified_at=created + timedelta(hours=5),
        events=[ReportEvent(at=created, actor="reporter", to_status="submitted"),
                ReportEvent(at=created + timedelta(hours=5), actor="staff:sample", from_status="submitted",
                            to_status="assigned", action="verify")])


def _reporter(regency: str) -> int:
    """The sample subscriber who lives there (or the one who follows all of Indonesia)."""
    citizens = [persona for persona in PERSONAS if persona.role is None]
    return next((persona.user_id for persona in citizens if persona.subscribed_to == regency), citizens[-1].user_id)


def _report(number: int, router: Router, now: datetime) -> Report:
    regency, agency_code, category, text = SAMPLES[number % len(SAMPLES)]
    districts = router.hierarchy.within(regency, 3)
    district = districts[number % len(districts)].code if districts else None
    reporter = _reporter(regency)
    created = now - timedelta(days=3 + number * 3, hours=number % 9)
    verified = created + timedelta(days=number % 4, hours=2)
    answered = verified + timedelta(days=1 + number % 8, hours=4)
    archived = number % 10 == 9
    agency = router.directory.agencies.get(agency_code)
    events = [ReportEvent(at=created, actor="reporter", to_status="submitted")]
    if archived:
        events.append(ReportEvent(at=verified, actor="staff:sample", from_status="submitted", to_status="rejected",
                                  action="archive", note=f"{LABEL} Laporan ganda"))
    else:
        events += [ReportEvent(at=verified, actor="staff:sample", from_status="submitted", to_status="assigned", action="verify"),
                   ReportEvent(at=answered, actor="staff:sample", from_status="in_progress", to_status="resolved",
                               action="resolve", note=f"{LABEL} Sudah diperbaiki")]
    return Report(
        tracking_id=new_tracking_id(), reporter_id=reporter, chat_id=reporter, report_type="pengaduan", category=category,
        description=f"{LABEL} {text}", province_code=regency[:2], regency_code=regency, district_code=district, agency_code=agency_code,
        agency_name=agency.name if agency else agency_code, status="rejected" if archived else "resolved",
        created_at=created, updated_at=answered, verified_at=None if archived else verified,
        answered_at=None if archived else answered, rating=None if archived else 3 + number % 3, events=events,
    )

"""Where else a report lives: the systems it was forwarded to, with their id of it and its LAPOR! tracking ID where
one was given, for staff and for the reporter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ReportLink

LAPOR_REPORT_URL = "https://www.lapor.go.id/pengaduan/{id}"


@dataclass(frozen=True)
class Elsewhere:
    system: str  # the target's name in the operator's FORWARDING_FILE
    remote_id: str
    lapor_id: str | None = None

    @property
    def lapor_url(self) -> str | None:
        return LAPOR_REPORT_URL.format(id=self.lapor_id) if self.lapor_id else None


async def of_report(session: AsyncSession, report_id: int) -> tuple[Elsewhere, ...]:
    """The systems that have numbered the report (a forward still on its way has no id there yet)."""
    rows = await session.execute(select(ReportLink.target, ReportLink.remote_id, ReportLink.lapor_id)
                                 .where(ReportLink.report_id == report_id, ReportLink.remote_id.is_not(None))
                                 .order_by(ReportLink.target))
    return tuple(Elsewhere(target, remote_id.removeprefix("token:"), lapor_id) for target, remote_id, lapor_id in rows)

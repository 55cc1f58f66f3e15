"""What the staff's agency picker reads: the area of the report an agency is sought for, within the reader's
reach (outside it, or missing: no area, so only national bodies and typed areas are offered). No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report
from bot.domain.reach import Reach
from bot.domain.roles import Grant
from bot.services.reach import condition
from routing.agencies import Directory
from routing.agency_search import ReportArea


async def report_area(session: AsyncSession, grants: Sequence[Grant], directory: Directory,
                      tracking_id: str) -> ReportArea:
    reach = Reach.of(grants, directory)
    if reach.empty:
        return ReportArea()
    row = (await session.execute(select(Report.province_code, Report.regency_code)
                                 .where(Report.tracking_id == tracking_id, condition(reach)))).first()
    return ReportArea(*row) if row else ReportArea()

"""Which period an admin's statistics and exports cover (whose reports: ``bot/services/reach.py``), as an SQL
condition on the day a report was received."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_

from bot.db.models import Report
from bot.domain.calendar import start_of_day

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|/| s/d | sd | to )(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """Whole local days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    def condition(self, zone: ZoneInfo) -> ColumnElement[bool]:
        return and_(Report.created_at >= start_of_day(self.first, zone),
                    Report.created_at < start_of_day(self.last + timedelta(days=1), zone))

    @classmethod
    def last_months(cls, today: date, months: int = 12) -> "Period":
        """The current month and the ``months - 1`` before it."""
        year, month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
        return cls(date(year, month + 1, 1), today)

    @classmethod
    def parse(cls, text: str, today: date) -> "Period | None":
        """"2026", "2026-11" or "2026-01-01..2026-03-31"; None when it is none of these, or lies ahead."""
        period = cls._parsed(text.strip(), today)
        return period if period is not None and period.first <= min(period.last, today) else None

    @classmethod
    def _parsed(cls, text: str, today: date) -> "Period | None":
        try:
            if match := _YEAR.match(text):
                year = int(match[1])
                return cls(date(year, 1, 1), min(date(year, 12, 31), today))
            if match := _MONTH.match(text):
                first = date(int(match[1]), int(match[2]), 1)
                following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
                return cls(first, min(following - timedelta(days=1), today))
            if match := _RANGE.match(text):
                first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
                return cls(first, last) if first <= last else None
        except ValueError:
            return None
        return None


def local_today(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()

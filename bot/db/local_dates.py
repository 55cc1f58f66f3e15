"""Local calendar days and times of UTC timestamps, computed by the database (statistics group by days,
exports write times).

Indonesia's zones have fixed offsets, so a local moment is the UTC one shifted by whole hours. PostgreSQL
gives a ``date``; SQLite a ``'YYYY-MM-DD'`` text, which ``as_date`` reads.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class local_date(FunctionElement):  # noqa: N801 (SQL functions read as lowercase)
    """``local_date(timestamp, offset_hours)``: the day of ``timestamp`` at UTC+``offset_hours``."""

    type = Date()
    inherit_cache = True
    name = "local_date"


class local_time_text(FunctionElement):  # noqa: N801
    """``local_time_text(timestamp, offset_hours)``: "YYYY-MM-DD HH:MM:SS" at UTC+``offset_hours``, as text."""

    type = String()
    inherit_cache = True
    name = "local_time_text"


def _sql(template: str):
    """A compiler that fills ``template`` with the SQL of the timestamp and of the offset."""
    def compile_element(element, compiler, **kw) -> str:
        moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
        return template.format(moment=moment, hours=hours)
    return compile_element


_SHIFTED = "(({moment} AT TIME ZONE 'UTC') + make_interval(hours => {hours}))"
compiles(local_date, "postgresql")(_sql(f"CAST({_SHIFTED} AS DATE)"))
compiles(local_date, "sqlite")(_sql("date({moment}, ({hours}) || ' hours')"))
compiles(local_time_text, "postgresql")(_sql(f"to_char({_SHIFTED}, 'YYYY-MM-DD HH24:MI:SS')"))
compiles(local_time_text, "sqlite")(_sql("strftime('%Y-%m-%d %H:%M:%S', {moment}, ({hours}) || ' hours')"))


def as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)

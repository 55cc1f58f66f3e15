"""The local calendar day of a UTC timestamp, computed by the database (statistics group by it).

Indonesia's zones have fixed offsets, so a day is the UTC moment shifted by whole hours. PostgreSQL gives
a ``date``; SQLite a ``'YYYY-MM-DD'`` text, which ``as_date`` reads.
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


@compiles(local_date, "postgresql")
def _postgresql(element: local_date, compiler, **kw) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(({moment} AT TIME ZONE 'UTC') + make_interval(hours => {hours}) AS DATE)"


@compiles(local_date, "sqlite")
def _sqlite(element: local_date, compiler, **kw) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({moment}, ({hours}) || ' hours')"


def as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class local_time_text(FunctionElement):  # noqa: N801
    """``local_time_text(timestamp, offset_hours)``: "YYYY-MM-DD HH:MM:SS" at UTC+``offset_hours``, as text."""

    type = String()
    inherit_cache = True
    name = "local_time_text"


@compiles(local_time_text, "postgresql")
def _postgresql_text(element: local_time_text, compiler, **kw) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"to_char(({moment} AT TIME ZONE 'UTC') + make_interval(hours => {hours}), 'YYYY-MM-DD HH24:MI:SS')"


@compiles(local_time_text, "sqlite")
def _sqlite_text(element: local_time_text, compiler, **kw) -> str:
    moment, hours = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"strftime('%Y-%m-%d %H:%M:%S', {moment}, ({hours}) || ' hours')"

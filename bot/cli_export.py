"""``lapor-bot export``: the reports of a scope and period as CSV or XLSX, streamed to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli_staff import directory_of
from bot.config import Settings
from bot.db import create_engine, session_factory
from bot.db.models import utcnow
from bot.i18n import SUPPORTED_LOCALES
from bot.services import export_files
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from bot.domain.reach import Reach
from bot.services.periods import Period, local_today


def add_parser(commands) -> None:
    export = commands.add_parser("export", help="export reports as CSV or XLSX (no anonymous reporter's identity)")
    export.add_argument("--format", choices=[kind.value for kind in Format], default="csv")
    export.add_argument("--from", dest="first", type=date.fromisoformat, help="first day received (default: 12 months ago)")
    export.add_argument("--to", dest="last", type=date.fromisoformat, help="last day received (default: today)")
    where = export.add_mutually_exclusive_group()
    where.add_argument("--area", help="a province (13) or regency (13.71) code; default: all of Indonesia")
    where.add_argument("--agency", help="one agency's reports (its code, e.g. PUPR-13.71)")
    export.add_argument("--output", "-o", default="-", help="a file (default: CSV to standard output)")
    export.add_argument("--lang", choices=SUPPORTED_LOCALES,
                        help="the language of headers and values (default: DEFAULT_LOCALE, Indonesian)")
    export.set_defaults(command=export_command)


async def export_command(settings: Settings, arguments: argparse.Namespace) -> int:
    zone = ZoneInfo(settings.time_zone)
    today = local_today(zone, utcnow())
    default = Period.last_months(today)
    period = Period(arguments.first or default.first, arguments.last or today)
    if period.first > period.last:
        print("lapor-bot export: --from is after --to", file=sys.stderr)
        return 2
    kind = Format(arguments.format)
    if kind is Format.XLSX and arguments.output == "-":
        print("lapor-bot export: an XLSX export needs --output FILE", file=sys.stderr)
        return 2
    request = ExportRequest(_reach(settings, arguments), period, zone, arguments.lang or settings.default_locale)
    target = sys.stdout if arguments.output == "-" else Path(arguments.output)
    engine = create_engine(settings.database_url)
    try:  # no migration here: an export only reads (and must not wait on a schema change)
        async with session_factory(engine)() as session:
            count = await export_files.write(session, request, kind, target, utcnow())
    finally:
        await engine.dispose()
    print(f"exported {count} reports received {period.first} to {period.last}", file=sys.stderr)
    return 0


def _reach(settings: Settings, arguments: argparse.Namespace) -> Reach:
    """One area (with what its hub holds, as its hub admin would get), one agency, or all of Indonesia."""
    if arguments.area:
        return Reach.over_area(arguments.area, directory_of(settings))
    return Reach(agencies=(arguments.agency,)) if arguments.agency else Reach(everything=True)

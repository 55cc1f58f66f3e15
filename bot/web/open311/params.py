"""Open311's parameters read into our types: a filing (``POST requests``) and a query (``GET requests``). What
cannot be read raises ``Open311Error``, 400 with what to change."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bot.i18n import N_
from bot.inbox.cleaning import storable_text
from bot.services.open311.filing import Filing, ReporterContact
from bot.services.open311.reading import CLOSED, OPEN, Query

MAX_IDS = 100  # service_request_id=a,b,c...
MAX_PAGE, MAX_PAGE_SIZE, PAGE_SIZE = 100_000, 1000, 100
DEFAULT_WINDOW = timedelta(days=90)  # Open311: without dates, the last 90 days
MAX_FIELD_CHARS = 10_000  # any one field; the description's own limit is the chat's


@dataclass
class Open311Error(Exception):
    """Answered as Open311's error list: ``message`` an untranslated msgid with {placeholders}."""

    status: int
    message: str
    params: dict = field(default_factory=dict)
    headers: dict[str, str] | None = None


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_FIELD_CHARS:
        raise Open311Error(400, N_("{name} may have at most {maximum} characters."),
                           {"name": name, "maximum": MAX_FIELD_CHARS})
    return storable_text(value.strip())


def _required(fields: Mapping[str, str], name: str) -> str:
    value = _text(fields, name)
    if value is None:
        raise Open311Error(400, N_("{name} is required."), {"name": name})
    return value


def _number(fields: Mapping[str, str], name: str, limit: float) -> float | None:
    value = _text(fields, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, N_("{name} must be a number from -{limit} to {limit}."), {"name": name, "limit": limit})
    return number


def filing_of(fields: Mapping[str, str]) -> Filing:
    latitude, longitude = _number(fields, "lat", 90), _number(fields, "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, N_("lat and long go together: give both, or address_string instead."))
    address = _text(fields, "address_string")
    if latitude is None and address is None:
        raise Open311Error(400, N_("A request needs a place: lat and long, or address_string (address_id is not "
                                   "used here)."))
    prefix = "attribute["
    attributes = {key[len(prefix):-1]: _text(fields, key) or "" for key in fields
                  if key.startswith(prefix) and key.endswith("]")}
    contact = ReporterContact(*(_text(fields, name) for name in ("first_name", "last_name", "email", "phone")))
    return Filing(_required(fields, "service_code"), _required(fields, "description"), latitude, longitude, address,
                  _text(fields, "media_url"), contact, _text(fields, "device_id"), _text(fields, "account_id"),
                  attributes)


def query_of(fields: Mapping[str, str], now: datetime) -> Query:
    ids = tuple(part.strip().upper() for part in (_text(fields, "service_request_id") or "").split(",") if part.strip())
    if len(ids) > MAX_IDS:
        raise Open311Error(400, N_("Ask for at most {maximum} service_request_id at once."), {"maximum": MAX_IDS})
    codes = tuple(part.strip() for part in (_text(fields, "service_code") or "").split(",") if part.strip())
    start, end = _moment(fields, "start_date"), _moment(fields, "end_date")
    if start is not None and end is not None and end < start:
        raise Open311Error(400, N_("end_date is before start_date."))
    if start is None and end is None and not ids:
        start = now - DEFAULT_WINDOW
    statuses = {part.strip() for part in (_text(fields, "status") or "").split(",") if part.strip()}
    if not statuses <= {OPEN, CLOSED}:
        raise Open311Error(400, N_("status is open, closed or both (open,closed)."))
    return Query(ids, codes, start, end, statuses.pop() if len(statuses) == 1 else None,
                 _count(fields, "page", 1, MAX_PAGE), _count(fields, "page_size", PAGE_SIZE, MAX_PAGE_SIZE))


def _moment(fields: Mapping[str, str], name: str) -> datetime | None:
    value = _text(fields, name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # not a date; or one that leaves the calendar in UTC (year 1 at +14:00)
        raise Open311Error(400, N_("{name} must be a W3C date and time, e.g. 2026-12-01T00:00:00+07:00."),
                           {"name": name}) from None


def _count(fields: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    value = _text(fields, name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value[:12]) <= maximum:
        raise Open311Error(400, N_("{name} must be a whole number from 1 to {maximum}."),
                           {"name": name, "maximum": maximum})
    return int(value)

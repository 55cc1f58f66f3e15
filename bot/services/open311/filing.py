"""A report filed by another system through Open311's ``POST requests``: the same draft, checks, routing, deadlines,
staff inbox and notices as a report filed in a chat. Anonymous when no contact is given; the contact given is kept
beside the report (``ApiReport``), for the report's staff only."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ApiReport, Report
from bot.domain.answers import (NONE_OF_THESE, InputRejected, choose_category, choose_type, set_description,
                                set_location_point, set_location_text, set_road)
from bot.domain.draft import Draft, RoutingRecord
from bot.domain.steps import Step
from bot.domain.vocabulary import CATEGORY_BY_CODE, ReportType, category_groups_for
from bot.i18n import N_
from bot.services import contacts
from bot.services.api_keys import Caller
from bot.services.jurisdiction import questions, record, route_draft
from bot.services.notices import Notices
from bot.services.open311.catalog import CONFIDENTIAL, NO, REPORT_TYPE, ROAD_NAME, YES
from bot.services.reports import file_draft
from routing.engine import Router

MEDIA_URL_MAX_CHARS = 2048
CONTACT_LIMITS = {"first_name": 128, "last_name": 128, "email": 254, "phone": 32, "device_id": 128, "account_id": 128}


@dataclass(frozen=True)
class ReporterContact:
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def given(self) -> bool:
        return any((self.first_name, self.last_name, self.email, self.phone))

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class Filing:
    """What a system sent (Open311's fields, already read as text and numbers)."""

    service_code: str
    description: str
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    media_url: str | None = None
    contact: ReporterContact = ReporterContact()
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None  # the caller's: posted again, the first filing's answer


class FilingRefused(ValueError):
    """A filing that cannot be taken: ``message`` an untranslated msgid with {placeholders}; ``unknown_service``
    tells a service code we do not have from any other fault."""

    def __init__(self, message: str, params: dict | None = None, unknown_service: bool = False) -> None:
        super().__init__(message)
        self.message, self.params, self.unknown_service = message, params or {}, unknown_service


@dataclass(frozen=True)
class Filed:
    report: Report
    token: str


def draft_of(router: Router, filing: Filing) -> Draft:
    """The filing as a finished, routed draft; FilingRefused says why it cannot be one."""
    if filing.service_code not in CATEGORY_BY_CODE:
        raise FilingRefused(N_("There is no service {code}."), {"code": filing.service_code[:64]}, unknown_service=True)
    draft = Draft(anonymous=not filing.contact.given, confidential=_yes_or_no(filing.attributes.get(CONFIDENTIAL)))
    report_type = filing.attributes.get(REPORT_TYPE) or ReportType.COMPLAINT.value
    if report_type not in {kind.value for kind in ReportType}:
        raise FilingRefused(N_("The attribute {name} takes one of: {values}."),
                            {"name": REPORT_TYPE, "values": ", ".join(kind.value for kind in ReportType)})
    if CATEGORY_BY_CODE[filing.service_code].group not in category_groups_for(ReportType(report_type)):
        raise FilingRefused(N_("Service {code} takes no reports of type {type}."),
                            {"code": filing.service_code, "type": report_type})
    try:
        choose_type(draft, report_type)
        choose_category(draft, filing.service_code)
        set_description(draft, filing.description)
        _place(draft, filing)
        _route(router, draft, filing.attributes.get(ROAD_NAME))
    except InputRejected as rejected:
        raise FilingRefused(rejected.message, rejected.params) from None
    return draft


def _yes_or_no(value: str | None) -> bool:
    if value in (None, "", NO):
        return False
    if value == YES:
        return True
    raise FilingRefused(N_("The attribute {name} takes true or false."), {"name": CONFIDENTIAL})


def _place(draft: Draft, filing: Filing) -> None:
    if filing.latitude is not None and filing.longitude is not None:
        set_location_point(draft, filing.latitude, filing.longitude, _fitting_address(filing.address))
    elif filing.address:
        set_location_text(draft, filing.address)
    else:
        raise FilingRefused(N_("A request needs a place: lat and long, or address_string (address_id is not "
                                "used here)."))


def _fitting_address(address: str | None) -> str | None:
    """A pin's address, as its own words: checked as a typed one would be, ignored when it is not one."""
    if not address:
        return None
    probe = Draft()
    try:
        set_location_text(probe, address)
    except InputRejected:
        return None
    return probe.place.address if probe.place else None


def _route(router: Router, draft: Draft, road_name: str | None) -> None:
    """Who answers, settling routing's questions as a citizen who skips them would: none of the offered places,
    the road named in the attribute or not known."""
    pending = questions(route_draft(router, draft))
    if Step.PLACE in pending:
        draft.place_choice = NONE_OF_THESE
    if Step.ROAD in pending or road_name:
        set_road(draft, road_name or None)
    draft.routing = record(router, route_draft(router, draft))


def check_extras(filing: Filing) -> None:
    """The fields beside the report: a web address for the photo, contact fields within their lengths."""
    if filing.media_url is not None:
        parts = urlsplit(filing.media_url)
        if len(filing.media_url) > MEDIA_URL_MAX_CHARS or parts.scheme not in ("http", "https") or not parts.netloc:
            raise FilingRefused(N_("media_url must be an http or https address of at most {maximum} characters."),
                                {"maximum": MEDIA_URL_MAX_CHARS})
    given = {"device_id": filing.device_id, "account_id": filing.account_id, **vars(filing.contact)}
    for name, value in given.items():
        if value is not None and len(value) > CONTACT_LIMITS[name]:
            raise FilingRefused(N_("{name} may have at most {maximum} characters."),
                                {"name": name, "maximum": CONTACT_LIMITS[name]})


async def file(session: AsyncSession, router: Router, notify: Notices, caller: Caller, filing: Filing,
               explain: Callable[[RoutingRecord], str]) -> Filed:
    """File ``filing`` for ``caller``, in the caller's transaction (``explain`` words the routing for staff); the
    same idempotency key again gives the first filing back, filing nothing."""
    if filing.idempotency_key and (earlier := await _filed_before(session, caller, filing.idempotency_key)):
        return earlier
    check_extras(filing)
    draft = draft_of(router, filing)
    reporter_id, chat_id = await contacts.api_reporter(session, caller.key_id, filing.contact.name[:256])
    report = await file_draft(session, draft, reporter_id, chat_id, notify, explain(draft.routing))
    token = secrets.token_urlsafe(16)
    contact = filing.contact
    session.add(ApiReport(report_id=report.id, token=token, api_key_id=caller.key_id, media_url=filing.media_url,
                          first_name=contact.first_name, last_name=contact.last_name, email=contact.email,
                          phone=contact.phone, device_id=filing.device_id, account_id=filing.account_id,
                          idempotency_key=filing.idempotency_key))
    await session.flush()
    return Filed(report, token)


async def _filed_before(session: AsyncSession, caller: Caller, key: str) -> Filed | None:
    found = (await session.execute(select(Report, ApiReport.token).join(ApiReport, ApiReport.report_id == Report.id)
                                   .where(ApiReport.api_key_id == caller.key_id, ApiReport.idempotency_key == key))).first()
    return Filed(found[0], found[1]) if found else None

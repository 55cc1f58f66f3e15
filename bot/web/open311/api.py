"""Open311 GeoReport v2 under ``/open311/v2/``, in JSON and XML: discovery, services and their definitions, filing
a request (a key that may write), reading requests and tokens (a key that may read). Every error is Open311's list
of ``{code, description}`` with the HTTP status, in Indonesian (the default language), never a stack trace.

Keys are limited to OPEN311_REQUESTS_PER_MINUTE each, per process; the request's key never reaches a log.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from aiohttp import web
from aiolimiter import AsyncLimiter
from sqlalchemy.exc import IntegrityError

from bot.db.models import utcnow
from bot.domain.deadlines import Deadline, FIXED_WORKING_DAYS
from bot.i18n import N_
from bot.services import api_keys
from bot.services.api_keys import Caller
from bot.services.open311 import catalog, filing, reading
from bot.services.open311.reading import PublicRequest
from bot.web.open311.formats import FORMATS, JSON, errors, respond
from bot.web.open311.params import Open311Error, filing_of, query_of
from handlers.render import routing_explanation

log = logging.getLogger(__name__)

BASE = "/open311/v2"
FILING_TRIES = 3
IDEMPOTENCY_KEY_CHARS = 128
MAX_BODY_BYTES = 64 * 1024  # a request is a few fields; a photo goes by media_url
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Open311Api:
    def __init__(self, services) -> None:
        """``services``: the bot's (bot.runtime.Services)."""
        self.services = services
        self._ = services.settings.translator()
        self._limits: dict[int, AsyncLimiter] = {}

    def add_routes(self, app: web.Application, dispatcher=None) -> None:
        # On the app itself, not a sub-app: its router answers an unknown path or method under BASE, which only the
        # app's own middleware sees (and turns into Open311's error; it leaves every other path alone).
        app.middlewares.append(self._errors)
        for method, path, handler in (("GET", "discovery", self.discovery), ("GET", "services", self.service_list),
                                      ("GET", "services/{code}", self.definition),
                                      ("POST", "requests", self.post_request), ("GET", "requests", self.get_requests),
                                      ("GET", "requests/{id}", self.get_request), ("GET", "tokens/{token}", self.get_token)):
            app.router.add_route(method, f"{BASE}/{path}.{{fmt}}", handler)

    # The endpoints --------------------------------------------------------------------------------------------

    async def discovery(self, request: web.Request) -> web.Response:
        url = f"{request.url.origin()}{BASE}/"
        endpoint = {"specification": SPECIFICATION, "url": url, "changeset": "2026-12-06T00:00:00+00:00",
                    "type": "production", "formats": ["application/json", "text/xml"]}
        return respond({"changeset": endpoint["changeset"], "contact": self._(N_("The Diskominfo office that runs "
                        "this bot.")), "key_service": self._(N_("Keys are given by the operator (lapor-bot api-key "
                        "create).")), "endpoints": [endpoint]}, "discovery", _fmt(request))

    async def service_list(self, request: web.Request) -> web.Response:
        shown = [{"service_code": item.code, "service_name": item.name, "description": item.description,
                  "metadata": True, "type": "realtime", "keywords": item.code.replace("_", ","), "group": item.group}
                 for item in catalog.services(self._)]
        return respond(shown, "services", _fmt(request))

    async def definition(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        if catalog.service(self._, code) is None:
            raise Open311Error(404, N_("There is no service {code}."), {"code": code[:64]})
        attributes = [{"variable": True, "code": item.code, "datatype": item.datatype, "required": item.required,
                       "datatype_description": None, "order": item.order, "description": item.description,
                       **({"values": [{"key": key, "name": name} for key, name in item.values]} if item.values else {})}
                      for item in catalog.attributes(self._, code)]
        return respond({"service_code": code, "attributes": attributes}, "service_definition", _fmt(request))

    async def post_request(self, request: web.Request) -> web.Response:
        fields = {**request.query, **await _form(request)}
        caller = await self._caller(fields, api_keys.WRITE)
        asked = replace(filing_of(fields), idempotency_key=_idempotency_key(request))
        filed = await self._file(caller, asked)
        self.services.delivery.kick()  # the hub hears of it now
        report = filed.report
        notice = self._(N_("Filed for {agency}; the hub verifies it within {days} working days.")).format(
            agency=report.agency_name or "-", days=FIXED_WORKING_DAYS[Deadline.VERIFICATION])
        log.info("Open311: key %s filed %s", caller.prefix, report.tracking_id)
        return respond([{"service_request_id": report.tracking_id, "token": filed.token, "service_notice": notice,
                         "account_id": asked.account_id}], "service_requests", _fmt(request))

    async def _file(self, caller: Caller, asked: filing.Filing) -> filing.Filed:
        for _retry in range(FILING_TRIES - 1):
            try:
                return await self._file_once(caller, asked)
            except IntegrityError:  # two filings took the same new id at once (PostgreSQL): the next one is free
                continue
        return await self._file_once(caller, asked)

    async def _file_once(self, caller: Caller, asked: filing.Filing) -> filing.Filed:
        services = self.services
        try:
            async with services.transactions.begin() as session:
                return await filing.file(session, services.router, services.notices, caller, asked,
                                         lambda routing: routing_explanation(self._, routing))
        except filing.FilingRefused as refused:
            raise Open311Error(400, refused.message, refused.params) from None

    async def get_requests(self, request: web.Request) -> web.Response:
        await self._caller(request.query, api_keys.READ)
        query = query_of(request.query, utcnow())
        async with self.services.sessions() as session:
            found = await reading.find(session, self._, query)
        return respond([_shown(item) for item in found], "service_requests", _fmt(request))

    async def get_request(self, request: web.Request) -> web.Response:
        await self._caller(request.query, api_keys.READ)
        tracking_id = request.match_info["id"].strip().upper()[:32]
        async with self.services.sessions() as session:
            found = await reading.find(session, self._, reading.Query(ids=(tracking_id,)))
        if not found:
            raise Open311Error(404, N_("There is no request {id}."), {"id": tracking_id})
        return respond([_shown(item) for item in found], "service_requests", _fmt(request))

    async def get_token(self, request: web.Request) -> web.Response:
        await self._caller(request.query, api_keys.READ)
        token = request.match_info["token"][:64]
        async with self.services.sessions() as session:
            tracking_id = await reading.by_token(session, token)
        if tracking_id is None:
            raise Open311Error(404, N_("There is no such token."))
        return respond([{"service_request_id": tracking_id, "token": token}], "service_requests", _fmt(request))

    # Keys, limits and errors ------------------------------------------------------------------------------------

    async def _caller(self, fields, scope: str) -> Caller:
        """The key's caller, if it may do ``scope`` and has requests left this minute."""
        key = fields.get("api_key") or ""
        async with self.services.sessions() as session:
            caller = await api_keys.caller_of(session, key) if key else None
        if caller is None or not caller.may(scope):
            raise Open311Error(403, N_("api_key is missing, not valid, revoked, or may not do this."))
        if caller.use_not_noted:
            async with self.services.transactions.begin() as session:
                await api_keys.note_use(session, caller)
        limit = self._limits.setdefault(caller.key_id, AsyncLimiter(self.services.settings.open311_per_minute, 60))
        if not limit.has_capacity():
            wait = math.ceil(60 / self.services.settings.open311_per_minute)
            raise Open311Error(429, N_("Too many requests with this key: try again in {seconds} seconds."),
                               {"seconds": wait}, {"Retry-After": str(wait)})
        await limit.acquire()
        return caller

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(BASE + "/"):
            return await handler(request)
        fmt = _fmt(request)
        try:
            unmatched = request.match_info.http_exception
            if isinstance(unmatched, web.HTTPMethodNotAllowed):
                raise Open311Error(405, N_("This endpoint does not take {method}."), {"method": request.method[:16]})
            if unmatched is not None:
                raise Open311Error(404, N_("There is no such endpoint: see discovery.json."))
            if request.match_info.get("fmt") not in FORMATS:
                raise Open311Error(404, N_("Add .json or .xml to the address: the format of the answer."))
            return await handler(request)
        except Open311Error as error:
            return errors(error.status, self._(error.message).format(**error.params), fmt, headers=error.headers)
        except Exception:
            log.exception("Open311 %s %s failed", request.method, request.match_info.route.resource)
            return errors(500, self._(N_("Something went wrong on our side; please try again later.")), fmt)


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_CHARS:
        raise Open311Error(400, N_("{name} may have at most {maximum} characters."),
                           {"name": "Idempotency-Key", "maximum": IDEMPOTENCY_KEY_CHARS})
    return key or None


def _fmt(request: web.Request) -> str:
    """The format asked for: the path's suffix (also of a path no route has)."""
    fmt = request.match_info.get("fmt") or request.path.rpartition(".")[2]
    return fmt if fmt in FORMATS else JSON


async def _form(request: web.Request) -> dict[str, str]:
    """A POST's form fields (application/x-www-form-urlencoded, as Open311 posts), within MAX_BODY_BYTES."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise Open311Error(415, N_("Send the fields as application/x-www-form-urlencoded."))
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Open311Error(413, N_("The request is larger than {maximum} bytes."), {"maximum": MAX_BODY_BYTES})
    body = await request.content.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise Open311Error(413, N_("The request is larger than {maximum} bytes."), {"maximum": MAX_BODY_BYTES})
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=200,
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Open311Error(400, N_("The fields could not be read: UTF-8, at most 200 of them.")) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def _shown(item: PublicRequest) -> dict:
    return {"service_request_id": item.service_request_id, "status": item.status, "status_notes": item.status_notes,
            "service_name": item.service_name, "service_code": item.service_code, "description": item.description,
            "agency_responsible": item.agency_responsible, "service_notice": None,
            "requested_datetime": item.requested_datetime, "updated_datetime": item.updated_datetime,
            "expected_datetime": item.expected_datetime, "address": item.address, "address_id": None,
            "zipcode": None, "lat": item.latitude, "long": item.longitude, "media_url": item.media_url}

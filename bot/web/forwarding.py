"""``POST /forwarding/{target}/status``: a target pushes its status of reports forwarded to it, as Open311's request
records (``service_request_id`` = its id, ``status`` open or closed, ``status_notes``, ``updated_datetime``), one or
a list, signed ``X-Lapor-Signature-256: sha256=<HMAC-SHA256 of the body with the target's secret>``."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.forwarding import statuses
from bot.forwarding.adapters import SIGNATURE_HEADER, parse_status, signature

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_RECORDS = 100


class StatusReceiver:
    def __init__(self, services) -> None:
        self.services = services

    def add_routes(self, app: web.Application, dispatcher=None) -> None:
        app.router.add_post("/forwarding/{target}/status", self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        target = self.services.settings.forwarding.named(request.match_info["target"])
        if target is None:
            return web.json_response({"error": "no such target"}, status=404)
        body = await request.content.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return web.json_response({"error": "body too large"}, status=413)
        if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), signature(target.secret, body)):
            log.warning("a status push for %s with a wrong signature refused (%d bytes)", target.name, len(body))
            return web.json_response({"error": "wrong signature"}, status=403)
        try:
            records = json.loads(body)
        except ValueError:
            return web.json_response({"error": "not JSON"}, status=400)
        records = records if isinstance(records, list) else [records]
        found = [status for record in records[:MAX_RECORDS] if (status := parse_status(record)) is not None]
        if len(records) > MAX_RECORDS or len(found) != len(records):
            return web.json_response({"error": f"up to {MAX_RECORDS} records of service_request_id and status"},
                                     status=400)
        applied = 0
        for remote in found:
            async with self.services.transactions.begin() as session:
                applied += await statuses.apply(session, target.name, remote)
        if applied:
            self.services.delivery.kick()
        return web.json_response({"applied": applied})

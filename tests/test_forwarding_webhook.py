"""Forwarding by signed webhook (issue 26): every event of a report of a forwarding agency, signed, with its
idempotency key, in order; a receiver that fails is tried again until it answers 2xx, each event taken once; one
that refuses (4xx) leaves the forward refused, visible, and tells the hub."""

from __future__ import annotations

import json
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.db.models import Forward, Report, ReportLink
from bot.domain import Status
from bot.domain.roles import Role
from bot.forwarding.adapters import SIGNATURE_HEADER, signature
from bot.forwarding.targets import WEBHOOK, Target, Targets
from bot.jobs import forwarding as forwarding_job
from bot.services import reports
from tests.conftest import eventually
from tests.flows import DESCRIPTION, file_report
from tests.open311_bot import open311_bot
from tests.test_staff_inbox import make_staff
from tests.harness import free_port

SECRET = "rahasia-bersama-dinas"


class Receiver:
    """The agency's system: answers ``answers`` in turn (then 200), keeps what it took by idempotency key."""

    def __init__(self, answers: list[int]) -> None:
        self.answers, self.taken, self.posts, self.port = list(answers), {}, 0, free_port()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        assert request.headers[SIGNATURE_HEADER] == signature(SECRET, body)
        self.posts += 1
        status = self.answers.pop(0) if self.answers else 200
        if status == 200:
            self.taken.setdefault(request.headers["Idempotency-Key"], json.loads(body))
            return web.json_response({"remote_id": "DPU-" + str(len(self.taken))})
        return web.Response(status=status, text="tidak")

    async def __aenter__(self) -> "Receiver":
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


def _target(port: int) -> Target:
    """Padang's hub forwards its reports (as well as working them in the chat)."""
    return Target("dinas-pu", WEBHOOK, frozenset({"HUB-13.71"}), f"http://127.0.0.1:{port}/hook", secret=SECRET)


async def test_every_event_goes_signed_in_order_once_whatever_the_receiver_failed(emulator, migrated_url, tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setattr(forwarding_job, "FIRST_PAUSE", timedelta(seconds=0.2))
    async with Receiver([500, 503]) as receiver:
        async with open311_bot(emulator, migrated_url, tmp_path, forwarding=Targets((_target(receiver.port),))) as bot:
            tracking_id = await file_report(bot.citizen())
            async with bot.services.transactions.begin() as session:
                report = await reports.locked_for_change(session, tracking_id)
                await reports.change_status(session, report, Status.REJECTED, bot.services.notices, actor="cli",
                                            note="Bukan kewenangan dinas")
            await eventually(lambda: len(receiver.taken) == 2, timeout=30)
    events = list(receiver.taken.values())
    assert [event["event"] for event in events] == ["filed", "closed"] and events[1]["note"] == "Bukan kewenangan dinas"
    assert events[0]["tracking_id"] == tracking_id and events[0]["description"] == DESCRIPTION
    assert receiver.posts == 4, "two failures, then each event once"


async def test_a_refusing_receiver_leaves_the_forward_refused_and_the_hub_told(emulator, migrated_url, tmp_path):
    async with Receiver([400] * 10) as receiver:
        async with open311_bot(emulator, migrated_url, tmp_path, forwarding=Targets((_target(receiver.port),))) as bot:
            hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
            tracking_id = await file_report(bot.citizen())
            await eventually(lambda: any("tidak dapat diteruskan" in (m.get("text") or "") for m in hub.messages),
                             timeout=30)
            async with bot.sessions() as session:
                forward = await session.scalar(select(Forward))
    assert forward.state == "failed" and "HTTP 400" in forward.last_error and tracking_id


async def test_a_system_pushes_its_status_back_signed_and_the_citizen_hears_it(emulator, migrated_url, tmp_path):
    async with Receiver([]) as receiver, \
            open311_bot(emulator, migrated_url, tmp_path, forwarding=Targets((_target(receiver.port),))) as bot:
        citizen = bot.citizen()
        tracking_id = await file_report(citizen)

        async def linked() -> str | None:
            async with bot.sessions() as session:
                return await session.scalar(select(ReportLink.remote_id))

        await eventually(linked, timeout=20)
        push = f"http://127.0.0.1:{bot.port}/forwarding/dinas-pu/status"
        record = json.dumps({"service_request_id": await linked(), "status": "closed",
                             "status_notes": "Lubang sudah ditambal dinas"}).encode()
        async with aiohttp.ClientSession() as http:
            answers = [await _post(http, push, record, signature(SECRET, record)),
                       await _post(http, push, record, signature("bukan-rahasia", record)),
                       await _post(http, push.replace("dinas-pu", "tidak-ada"), record, signature(SECRET, record)),
                       await _post(http, push, b"{rusak", signature(SECRET, b"{rusak")),
                       await _post(http, push, record, signature(SECRET, record))]
        assert answers == [(200, 1), (403, None), (404, None), (400, None), (200, 0)], "applied once"
        await eventually(lambda: any("Lubang sudah ditambal dinas" in (m.get("text") or "") for m in citizen.messages))
        async with bot.sessions() as session:
            assert await session.scalar(select(Report.status).where(Report.tracking_id == tracking_id)) == "resolved"


async def _post(http, url: str, body: bytes, signed: str) -> tuple[int, int | None]:
    async with http.post(url, data=body, headers={SIGNATURE_HEADER: signed, "Content-Type": "application/json"}) as answer:
        data = await answer.json()
        return answer.status, data.get("applied")

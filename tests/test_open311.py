"""The Open311 GeoReport v2 API (issue 26) against the real bot: every endpoint in JSON and XML, a request filed by a
system going the way a chat's report goes (routing, the hub's notice and inbox), its status read back, and every
error in Open311's shape with its HTTP status."""

from __future__ import annotations

import re

import aiohttp
import pytest
from sqlalchemy import select

from bot.db.models import ApiReport, OutboxMessage, Report
from bot.domain import Status
from bot.domain.roles import Role
from bot.domain.vocabulary import CATEGORIES
from bot.services import api_keys, reports
from bot.services.open311.filing import Filing, draft_of
from tests.conftest import eventually
from tests.flows import DESCRIPTION, PADANG
from tests.open311_bot import Open311Bot, call, open311_bot
from tests.test_staff_inbox import make_staff

TRACKING_ID = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")
FORMATS = ["json", "xml"]


@pytest.fixture
async def api(emulator, migrated_url, tmp_path):
    async with open311_bot(emulator, migrated_url, tmp_path) as running, aiohttp.ClientSession() as http:
        running.http = http
        yield running


async def post(api: Open311Bot, fmt: str = "json", **fields) -> object:
    return await call(api.http, "POST", api.url(f"requests.{fmt}"), data=fields)


def padang_pothole(key: str, **more) -> dict:
    return {"api_key": key, "service_code": "jalan", "lat": str(PADANG[0]), "long": str(PADANG[1]),
            "description": DESCRIPTION, "attribute[road_name]": "Jl. By Pass", **more}


@pytest.mark.parametrize("fmt", FORMATS)
async def test_discovery_services_and_definitions_in_both_formats(api, fmt):
    discovery = await call(api.http, "GET", api.url(f"discovery.{fmt}"))
    assert discovery.status == 200 and discovery.content_type == {"json": "application/json", "xml": "text/xml"}[fmt]
    assert discovery.data["endpoints"][0]["url"] == api.url("") and discovery.data["endpoints"][0]["formats"]

    services = await call(api.http, "GET", api.url(f"services.{fmt}"))
    assert [item["service_code"] for item in services.data] == [category.code for category in CATEGORIES]
    road = next(item for item in services.data if item["service_code"] == "jalan")
    assert road["service_name"] == "Jalan" and road["group"] == "Infrastruktur" and road["type"] == "realtime"

    definition = await call(api.http, "GET", api.url(f"services/jalan.{fmt}"))
    codes = [attribute["code"] for attribute in definition.data["attributes"]]
    assert definition.data["service_code"] == "jalan" and codes == ["report_type", "confidential", "road_name"]
    types = [value["key"] for value in definition.data["attributes"][0]["values"]]
    assert types == ["pengaduan", "aspirasi", "informasi"]
    health = await call(api.http, "GET", api.url(f"services/kesehatan.{fmt}"))
    assert "road_name" not in [attribute["code"] for attribute in health.data["attributes"]]


async def test_a_filed_request_goes_the_way_a_chats_report_goes_and_its_status_reads_back(api):
    hub = await make_staff(api, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    key = await api.key()
    filed = await post(api, **padang_pothole(key))
    assert filed.status == 200, filed.body
    tracking_id, token = filed.data[0]["service_request_id"], filed.data[0]["token"]
    assert TRACKING_ID.match(tracking_id) and token and "hari kerja" in filed.data[0]["service_notice"]

    async with api.sessions() as session:
        report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        expected = draft_of(api.router, Filing("jalan", DESCRIPTION, *PADANG, attributes={"road_name": "Jl. By Pass"}))
        assert (report.agency_code, report.regency_code) == (expected.routing.agency_code, "13.71")
        assert report.anonymous, "no contact: anonymous"
        assert await session.scalar(select(OutboxMessage.id).where(OutboxMessage.chat_id == report.chat_id)) is None
    await eventually(lambda: any(tracking_id in (message.get("text") or "") for message in hub.messages))
    assert tracking_id in (await hub.send("/kotakmasuk"))[-1]["text"], "in the hub's inbox"

    by_token = await call(api.http, "GET", api.url(f"tokens/{token}.json"), params={"api_key": key})
    assert by_token.data == [{"service_request_id": tracking_id, "token": token}]
    shown = (await call(api.http, "GET", api.url(f"requests/{tracking_id}.json"), params={"api_key": key})).data[0]
    assert (shown["status"], shown["service_code"], shown["lat"], shown["long"]) == ("open", "jalan", *PADANG)
    assert shown["description"] == DESCRIPTION and shown["agency_responsible"] == report.agency_name

    async with api.services.transactions.begin() as session:
        report = await reports.locked_for_change(session, tracking_id)
        await reports.change_status(session, report, Status.REJECTED, api.services.notices, actor="cli",
                                    note="Sudah diperbaiki minggu lalu oleh dinas.")
    shown = (await call(api.http, "GET", api.url(f"requests/{tracking_id}.xml"), params={"api_key": key})).data[0]
    assert (shown["status"], shown["status_notes"]) == ("closed", "Sudah diperbaiki minggu lalu oleh dinas.")
    assert shown["updated_datetime"] >= shown["requested_datetime"]


async def test_a_contact_makes_a_request_not_anonymous_and_stays_with_staff(api):
    key = await api.key()
    filed = await post(api, **padang_pothole(key, first_name="Siti", last_name="Aminah", email="siti@example.id",
                                             phone="+6281234567890", media_url="https://example.id/foto.jpg"))
    tracking_id = filed.data[0]["service_request_id"]
    async with api.sessions() as session:
        report = await session.scalar(select(Report).where(Report.tracking_id == tracking_id))
        kept = await session.get(ApiReport, report.id)
    assert not report.anonymous and (kept.email, kept.phone) == ("siti@example.id", "+6281234567890")
    shown = (await call(api.http, "GET", api.url(f"requests/{tracking_id}.json"), params={"api_key": key})).data[0]
    assert shown["media_url"] == "https://example.id/foto.jpg"
    hub = await make_staff(api, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    view = (await hub.send(f"/kotakmasuk {tracking_id}"))[0]["text"]
    assert all(part in view for part in ("Siti Aminah", "siti@example.id", "Sistem uji", "example.id/foto.jpg"))
    assert not {"Siti", "Aminah", "siti@example.id", "+6281234567890"} & set(map(str, shown.values()))


async def test_a_confidential_request_shows_its_status_and_nothing_of_its_content(api):
    key = await api.key()
    filed = await post(api, **padang_pothole(key, **{"attribute[confidential]": "true"}))
    tracking_id = filed.data[0]["service_request_id"]
    shown = (await call(api.http, "GET", api.url(f"requests/{tracking_id}.json"), params={"api_key": key})).data[0]
    assert shown["status"] == "open" and shown["agency_responsible"]
    assert [shown[name] for name in ("description", "lat", "long", "address", "service_code", "status_notes")] == [None] * 6


async def test_the_list_filters_by_id_service_status_and_date_and_pages(api):
    key = await api.key()
    ids = [(await post(api, **padang_pothole(key))).data[0]["service_request_id"] for _ in range(3)]
    health = (await post(api, **{**padang_pothole(key), "service_code": "kesehatan"})).data[0]["service_request_id"]

    async def listed(**params) -> list[str]:
        answer = await call(api.http, "GET", api.url("requests.json"), params={"api_key": key, **params})
        assert answer.status == 200, answer.body
        return [item["service_request_id"] for item in answer.data]

    assert await listed() == [health, *reversed(ids)], "newest first, the last 90 days"
    assert await listed(service_request_id=f"{ids[0]}, {health.lower()}") == [health, ids[0]]
    assert await listed(service_code="kesehatan") == [health]
    assert await listed(status="closed") == [] and len(await listed(status="open,closed")) == 4
    assert await listed(page_size="3", page="2") == [ids[0]]
    assert await listed(start_date="2099-01-01T00:00:00+07:00") == []
    assert await listed(end_date="2000-01-01T00:00:00Z") == []


async def test_errors_are_open311s_list_with_the_right_status(api):
    write, read = await api.key(), await api.key(api_keys.READ)
    async with api.services.transactions.begin() as session:
        revoked = await api_keys.create(session, "lama", api_keys.WRITE)
        await api_keys.revoke(session, revoked[0].prefix)
    cases = [
        ("POST", "requests.json", {"data": {k: v for k, v in padang_pothole(write).items() if k != "service_code"}}, 400),
        ("POST", "requests.xml", {"data": padang_pothole(write, service_code="tidak_ada")}, 400),
        ("POST", "requests.json", {"data": padang_pothole(write, lat="95", long="100")}, 400),
        ("POST", "requests.json", {"data": padang_pothole(write, lat="51.5", long="-0.12")}, 400),  # London
        ("POST", "requests.json", {"data": padang_pothole(write, description="rusak")}, 400),
        ("POST", "requests.json", {"data": padang_pothole(write, media_url="javascript:alert(1)")}, 400),
        ("POST", "requests.json", {"data": padang_pothole(read)}, 403),
        ("POST", "requests.json", {"data": padang_pothole(revoked[1])}, 403),
        ("POST", "requests.json", {"data": padang_pothole("lpr_00000000_palsu")}, 403),
        ("POST", "requests.json", {"data": {**padang_pothole(write), "api_key": ""}}, 403),
        ("POST", "requests.json", {"data": "x" * 70_000, "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 413),
        ("POST", "requests.json", {"json": padang_pothole(write)}, 415),
        ("GET", "requests.json", {"params": {}}, 403),
        ("GET", "requests.json", {"params": {"api_key": read, "page_size": "5000"}}, 400),
        ("GET", "requests.json", {"params": {"api_key": read, "start_date": "kemarin"}}, 400),
        ("GET", "requests/AAAAA-AAAAA.json", {"params": {"api_key": read}}, 404),
        ("GET", "tokens/bukan-token.xml", {"params": {"api_key": read}}, 404),
        ("GET", "services/tidak_ada.json", {}, 404),
        ("GET", "services.html", {}, 404),
        ("GET", "tidak/ada.json", {}, 404),
        ("DELETE", "requests.json", {}, 405),
    ]
    for method, path, options, status in cases:
        answer = await call(api.http, method, api.url(path), **options)
        errors = answer.data
        assert answer.status == status, (method, path, answer.status, answer.body[:300])
        assert isinstance(errors, list) and errors[0]["description"] and int(errors[0]["code"]) == status, answer.body
        assert b"Traceback" not in answer.body


async def test_a_key_past_its_rate_gets_429_with_when_to_try_again(emulator, migrated_url, tmp_path):
    async with open311_bot(emulator, migrated_url, tmp_path, open311_per_minute=3) as running, \
            aiohttp.ClientSession() as http:
        key = await running.key(api_keys.READ)
        answers = [await call(http, "GET", running.url("requests.json"), params={"api_key": key}) for _ in range(5)]
    assert [answer.status for answer in answers][:3] == [200] * 3 and answers[-1].status == 429
    assert int(answers[-1].headers["Retry-After"]) >= 1 and answers[-1].data[0]["code"] == 429


async def test_a_filing_posted_again_with_its_idempotency_key_is_filed_once(api):
    key = await api.key()
    first, again = [await call(api.http, "POST", api.url("requests.json"), data=padang_pothole(key),
                               headers={"Idempotency-Key": "forward-42-filed"}) for _ in range(2)]
    other = await call(api.http, "POST", api.url("requests.json"), data=padang_pothole(await api.key()),
                       headers={"Idempotency-Key": "forward-42-filed"})
    assert first.data[0]["service_request_id"] == again.data[0]["service_request_id"]
    assert first.data[0]["token"] == again.data[0]["token"]
    assert other.data[0]["service_request_id"] != first.data[0]["service_request_id"], "another key's own filing"
    async with api.sessions() as session:
        assert len(list(await session.scalars(select(ApiReport.report_id)))) == 2

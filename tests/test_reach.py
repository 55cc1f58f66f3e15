"""One reach everywhere: a hub admin of two hubs gets both in the inbox, statistics, export and announcements (it
used to get only the first in /statistik and /ekspor); a liaison only its agency's reports; the national admin
everything. Driven through the emulator, and the rule itself as units."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from bot.db.models import Report
from bot.services.generated import ExportRecipe as Export, recipe_from_json, recipe_json
from bot.domain.actions import Side
from bot.domain.reach import ADMIN_ROLES, Hub, Reach
from bot.domain.roles import Grant, Role
from bot.services import staff
from bot.services.reach import condition
from tests.conftest import eventually
from tests.test_broadcasts import KABUPATEN_BOGOR, KOTA_PADANG, _subscribe
from tests.test_staff_inbox import add_report, make_staff

MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
NEWS = "Jembatan <b>Siti Nurbaya</b> ditutup Sabtu untuk perbaikan."


async def _grant(bot, person, role: Role, agency: str | None) -> None:
    """A further role for someone who holds one already, invited and redeemed as in production."""
    async with bot.sessions() as session, session.begin():
        invitation = await staff.create_invitation(session, bot.router.directory, role, agency, actor=None)
        await staff.redeem(session, invitation.token, person.user_id)


async def _two_hub_admin(bot):
    admin = await make_staff(bot, Role.HUB_ADMIN, "HUB-13", "Hana")  # West Sumatra's hub
    await _grant(bot, admin, Role.HUB_ADMIN, "HUB-32")  # and West Java's
    return admin


async def _reports(bot) -> dict[str, str]:
    """Two reports in Kota Padang (West Sumatra), one in Kabupaten Bogor (West Java), one in Kutai (East Kalimantan)."""
    return {
        "padang_roads": await add_report(bot, created_at=MONDAY),
        "padang_waste": await add_report(bot, created_at=MONDAY, agency="DLH-13.71", category="sampah"),
        "bogor": await add_report(bot, created_at=MONDAY, province="32", regency="32.01", agency="PUPR-32.01"),
        "kutai": await add_report(bot, created_at=MONDAY, province="64", regency="64.02", agency="PUPR-64.02"),
    }


def _exported(bot, person) -> set[str]:
    document = [message["document"] for message in person.messages if message.get("document")][-1]
    text = bot.emulator.state.files[document["file_id"]].data.decode("utf-8-sig")
    return {row["Nomor pelacakan"] for row in csv.DictReader(io.StringIO(text))}


async def _sees(bot, person, ids: dict[str, str]) -> dict[str, set[str]]:
    """What one reader finds in /kotakmasuk, counts in /statistik and gets in /ekspor, by report name."""
    inbox = (await person.send("/kotakmasuk"))[-1]["text"]
    statistics = next(reply["text"] for reply in await person.send("/statistik 2026-11") if "Statistik" in reply["text"])
    received = int(statistics.split("Diterima: <b>")[1].split("<")[0])
    await person.send("/ekspor csv 2026-11")
    await eventually(lambda: any(message.get("document") for message in person.messages), timeout=20)
    exported = _exported(bot, person)
    assert len(exported) == received, "the figures count what the export holds"
    return {"inbox": {name for name, tracking_id in ids.items() if tracking_id in inbox},
            "export": {name for name, tracking_id in ids.items() if tracking_id in exported},
            "title": {statistics.splitlines()[0]}}


async def test_a_hub_admin_of_two_hubs_gets_both_in_the_inbox_statistics_and_export(bot):
    ids = await _reports(bot)
    seen = await _sees(bot, await _two_hub_admin(bot), ids)
    both = {"padang_roads", "padang_waste", "bogor"}
    assert seen["inbox"] == both
    assert seen["export"] == both, "the second hub too (it used to be the first hub's only)"
    assert seen["title"] == {"📊 <b>Statistik: Sumatera Barat, Jawa Barat</b>"}


async def test_a_liaison_gets_its_agency_only_and_the_national_admin_everything(bot):
    ids = await _reports(bot)
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    async with bot.sessions() as session, session.begin():  # forwarded to the liaison: in its inbox's to-do view
        await session.execute(update(Report).where(Report.tracking_id == ids["padang_roads"]).values(status="assigned"))
    seen = await _sees(bot, liaison, ids)
    assert seen["inbox"] == seen["export"] == {"padang_roads"}, "not the other agency's report in its own city"
    assert seen["title"] == {"📊 <b>Statistik: Dinas Pekerjaan Umum dan Penataan Ruang Kota Padang</b>"}

    national = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    seen = await _sees(bot, national, ids)
    assert seen["export"] == set(ids) and seen["inbox"] == set(ids) - {"padang_roads"}, "assigned: the agency's to do"
    assert seen["title"] == {"📊 <b>Statistik: seluruh Indonesia</b>"}


def _got(person) -> list[str]:
    return [message.get("text", "") for message in person.messages if "Siti Nurbaya" in message.get("text", "")]


async def test_a_hub_admin_of_two_hubs_announces_to_either_and_narrows_within_it(bot):
    admin = await _two_hub_admin(bot)
    padang, bogor = bot.citizen("Ani", None), bot.citizen("Citra", None)
    await _subscribe(bot, padang, KOTA_PADANG)
    await _subscribe(bot, bogor, KABUPATEN_BOGOR)

    replies = await admin.send("/siaran")
    assert "untuk daerah mana" in replies[-1]["text"] and admin.buttons() == ["Sumatera Barat", "Jawa Barat"]
    await admin.tap("Jawa Barat")
    replies = await admin.send(NEWS)
    assert "1 pelanggan" in replies[-1]["text"], "West Java's subscriber"
    await admin.tap("Wilayah: Jawa Barat")
    replies = await admin.send("Kota Padang")
    assert "di Jawa Barat" in replies[-1]["text"], "the other hub's city is not inside this announcement's area"
    replies = await admin.send("Kabupaten Bogor")
    assert "Wilayah: Kabupaten Bogor" in admin.buttons()[0] and "1 pelanggan" in replies[-1]["text"]
    replies = await admin.tap("Pratinjau")
    assert "Provinsi Jawa Barat" in replies[0]["text"], "the copy names the hub it comes from"
    await admin.tap("Kirim ke 1")
    await eventually(lambda: _got(bogor), timeout=15)

    await admin.send("/siaran")
    await admin.tap("Sumatera Barat")
    await admin.send(NEWS)
    await admin.tap("Pratinjau")
    await admin.tap("Kirim ke 1")
    await eventually(lambda: _got(padang), timeout=15)
    assert len(_got(bogor)) == len(_got(padang)) == 1


# The rule itself ------------------------------------------------------------------------------------------


def _report(agency: str | None, province: str | None = None, regency: str | None = None):
    return SimpleNamespace(agency_code=agency, province_code=province, regency_code=regency)


@pytest.fixture(scope="module")
def directory():
    from bot.services.jurisdiction import load_router
    return load_router(None, polygons=False).directory


def test_roles_reach_their_hubs_and_agencies_together(directory):
    grants = [Grant(Role.HUB_ADMIN, "HUB-13"), Grant(Role.STAFF, "DLH-32.01"), Grant(Role.HUB_ADMIN, "HUB-32.01"),
              Grant(Role.LIAISON, "PUPR-64.02"), Grant(Role.HUB_ADMIN, "HUB-13")]
    reach = Reach.of(grants, directory)
    assert reach == Reach(False, (Hub("HUB-13", "13"), Hub("HUB-32.01", "32.01")), ("DLH-32.01", "PUPR-64.02"))
    assert reach.areas == ("13", "32.01") and not reach.empty
    assert Reach.of(grants, directory, ADMIN_ROLES).agencies == ("PUPR-64.02",), "staff do not read statistics"

    assert reach.sides(_report("PUPR-13.71", "13", "13.71")) == {Side.HUB}
    assert reach.sides(_report("PUPR-32.01", "32", "32.01")) == {Side.HUB}, "the second hub as much as the first"
    assert reach.sides(_report("DLH-32.01", "32", "32.01")) == {Side.HUB, Side.AGENCY}
    assert reach.sides(_report("PUPR-64.02", "64", "64.02")) == {Side.AGENCY}
    assert reach.sides(_report("HUB-13", None, None)) == {Side.HUB}, "routed to the hub itself, wherever it lies"
    assert not reach.covers(_report("PUPR-32.02", "32", "32.02")), "another regency of the province of neither hub"

    assert reach.hub_of("32.01") == Hub("HUB-32.01", "32.01") and reach.hub_of("13.71") is None


async def test_the_sql_condition_finds_exactly_what_the_rule_covers(bot):
    places = [("PUPR-13.71", "13", "13.71"), ("DLH-13.71", "13", "13.71"), ("PUPR-13.06", "13", "13.06"),
              ("PUPR-32.01", "32", "32.01"), ("HUB-32.01", None, None), ("ADMIN-NASIONAL", None, None)]
    reports = {await add_report(bot, agency=agency, province=province, regency=regency): _report(agency, province, regency)
               for agency, province, regency in places}
    directory = bot.router.directory
    for grants in ([Grant(Role.HUB_ADMIN, "HUB-13.71"), Grant(Role.HUB_ADMIN, "HUB-32.01")], [Grant(Role.HUB_ADMIN, "HUB-13")],
                   [Grant(Role.LIAISON, "PUPR-13.06"), Grant(Role.STAFF, "DLH-13.71")], [Grant(Role.NATIONAL_ADMIN, None)], []):
        reach = Reach.of(grants, directory)
        async with bot.sessions() as session:
            found = set(await session.scalars(select(Report.tracking_id).where(condition(reach))))
        assert found == {tracking_id for tracking_id, report in reports.items() if reach.covers(report)}, grants


def test_the_national_admin_reaches_everything_and_a_citizen_nothing(directory):
    national = Reach.of([Grant(Role.NATIONAL_ADMIN, None), Grant(Role.LIAISON, "PUPR-13.71")], directory)
    assert national.everything and national.areas == ()
    assert national.sides(_report("PUPR-13.71", "13", "13.71")) == {Side.HUB, Side.AGENCY}
    assert national.sides(_report(None)) == {Side.HUB}
    citizen = Reach.of([], directory)
    assert citizen.empty and not citizen.covers(_report("PUPR-13.71", "13", "13.71")) and citizen.areas == ()
    assert Reach.of([Grant(Role.STAFF, "PUPR-13.71")], directory, ADMIN_ROLES).empty


def test_an_ordered_export_keeps_its_reach_and_old_ones_still_read(directory):
    reach = Reach.of([Grant(Role.HUB_ADMIN, "HUB-13"), Grant(Role.HUB_ADMIN, "HUB-32")], directory)
    export = Export(reach, "2026-11-01", "2026-11-30", "csv", "Asia/Jakarta", "x.csv", "caption", "too large")
    assert recipe_from_json(json.loads(json.dumps(recipe_json(export)))) == export
    old = {key: value for key, value in asdict(export).items() if key != "reach"}
    assert Export.from_json({**old, "area_code": "13.71", "agency_code": None}).reach == Reach(hubs=(Hub(None, "13.71"),))
    assert Export.from_json({**old, "area_code": None, "agency_code": "PUPR-13.71"}).reach == Reach(agencies=("PUPR-13.71",))
    assert Export.from_json({**old, "area_code": None, "agency_code": None}).reach == Reach(everything=True)
    assert Reach.over_area("13.71", directory) == Reach(hubs=(Hub("HUB-13.71", "13.71"),))

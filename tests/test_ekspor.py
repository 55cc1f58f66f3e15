"""/ekspor and ``lapor-bot export``: the admin's reports as CSV or XLSX, with area codes, agency, deadlines and
the status history; never an anonymous reporter's name, never a confidential report's text; a hub admin gets
its own area only; text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli_export import export_command
from bot.db.models import Report, ReportEvent
from bot.domain.roles import Role
from handlers.admin import export as export_handler
from tests.conftest import eventually
from tests.test_staff_inbox import add_report, make_staff

MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
SECRET = "Petugas meminta uang pelicin Rp500.000"


async def _reports(bot) -> dict[str, str]:
    named = await add_report(bot, created_at=MONDAY, verified_at=MONDAY + timedelta(days=1), status="assigned",
                             due_kind="first_answer", due_at=MONDAY + timedelta(days=8),
                             events=[ReportEvent(actor="reporter", to_status="submitted", at=MONDAY),
                                     ReportEvent(actor="staff:1", from_status="submitted", to_status="assigned",
                                                 action="verify", at=MONDAY + timedelta(days=1))])
    anonymous = await add_report(bot, created_at=MONDAY, anonymous=True, description="=HYPERLINK(\"http://x\")")
    secret = await add_report(bot, created_at=MONDAY, confidential=True, description=SECRET, address="Kantor camat")
    bogor = await add_report(bot, created_at=MONDAY, province="32", regency="32.01", agency="PUPR-32.01")
    return {"named": named, "anonymous": anonymous, "secret": secret, "bogor": bogor}


def _document(bot, person) -> bytes:
    document = next(message["document"] for message in person.messages if message.get("document"))
    return bot.emulator.state.files[document["file_id"]].data


async def test_the_national_admin_exports_csv_without_anonymous_names_or_confidential_text(bot):
    ids = await _reports(bot)
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    replies = await admin.send("/ekspor csv 2026-11")
    assert any("Menyiapkan ekspor 4 laporan" in reply.get("text", "") for reply in replies)
    await eventually(lambda: any(message.get("document") for message in admin.messages), timeout=20)
    rows = {row["Nomor pelacakan"]: row for row in csv.DictReader(io.StringIO(_document(bot, admin).decode("utf-8-sig")))}
    assert set(rows) == set(ids.values())
    named, anonymous, secret = rows[ids["named"]], rows[ids["anonymous"]], rows[ids["secret"]]
    assert named["Nama pelapor"] == "Warga" and anonymous["Nama pelapor"] == "", "the anonymous reporter's name never"
    assert all(str(user_id) not in _document(bot, admin).decode() for user_id in (7000001,)), "no Telegram ids"
    assert SECRET not in _document(bot, admin).decode() and secret["Uraian"] == "[rahasia]"
    assert secret["Alamat"] == "[rahasia]"
    assert anonymous["Uraian"].startswith("'="), "a formula stays text"
    assert named["Kode kabupaten/kota"] == "13.71" and named["Kode instansi"] == "PUPR-13.71"
    assert named["Waktu diterima"] == "2026-11-02 09:00:00+07:00", "local time, with its offset"
    assert named["Tenggat yang berjalan"] == "jawaban pertama" and named["Terlambat"] == "Ya"
    assert named["Riwayat status"] == (
        "2026-11-02 09:00 WIB Belum terverifikasi; "
        "2026-11-03 09:00 WIB Diteruskan ke instansi berwenang (diverifikasi dan diteruskan)")


async def test_values_are_in_the_readers_language_with_the_codes_in_columns_of_their_own(bot):
    ids = await _reports(bot)
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/ekspor csv 2026-11")
    await eventually(lambda: any(message.get("document") for message in admin.messages), timeout=20)
    text = _document(bot, admin).decode("utf-8-sig")
    headers = text.splitlines()[0].split(",")
    assert headers[:8] == ["Nomor pelacakan", "Waktu diterima", "Jenis laporan", "Jenis laporan (kode)", "Kategori",
                           "Kategori (kode)", "Status", "Status (kode)"]
    assert not set(headers) & {"tracking_id", "status", "status_history"}, "no English codes as headers"
    named = next(row for row in csv.DictReader(io.StringIO(text)) if row["Nomor pelacakan"] == ids["named"])
    assert (named["Jenis laporan"], named["Jenis laporan (kode)"]) == ("Pengaduan", "pengaduan")
    assert (named["Kategori"], named["Kategori (kode)"]) == ("Jalan", "jalan")
    assert (named["Status"], named["Status (kode)"]) == ("Diteruskan ke instansi berwenang", "assigned")
    assert (named["Tenggat yang berjalan"], named["Tenggat yang berjalan (kode)"]) == ("jawaban pertama", "first_answer")
    assert (named["Anonim"], named["Rahasia"]) == ("Tidak", "Tidak")
    for english in ("submitted", "(verify)", "first_answer;"):
        assert english not in named["Riwayat status"], english

    await admin.send("/bahasa")
    await admin.tap("English")
    await admin.send("/ekspor csv 2026-11")
    await eventually(lambda: len([message for message in admin.messages if message.get("document")]) == 2, timeout=20)
    document = [message["document"] for message in admin.messages if message.get("document")][-1]
    english = bot.emulator.state.files[document["file_id"]].data.decode("utf-8-sig")
    row = next(row for row in csv.DictReader(io.StringIO(english)) if row["Tracking ID"] == ids["named"])
    assert (row["Report status"], row["Report status (code)"]) == ("Forwarded to the responsible agency", "assigned")
    assert row["Overdue"] == "Yes" and "(verified and forwarded)" in row["Status history"]


async def test_a_hub_admin_exports_its_area_as_xlsx_and_a_citizen_nothing(bot, monkeypatch):
    ids = await _reports(bot)
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-32", "Hana")
    await hub.send("/ekspor 2026")
    await eventually(lambda: any(message.get("document") for message in hub.messages), timeout=20)
    document = next(message["document"] for message in hub.messages if message.get("document"))
    assert document["file_name"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(_document(bot, hub)), read_only=True)["Laporan"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nomor pelacakan" and [row[0] for row in rows[1:]] == [ids["bogor"]], "West Java's report only"
    assert rows[1][1] == datetime(2026, 11, 2, 9, 0), "a real date cell, in local time"

    replies = await bot.citizen("Dodi", None).send("/ekspor")
    assert "Ekspor hanya untuk admin" in replies[-1]["text"]
    replies = await hub.send("/ekspor 2025")
    assert "Tidak ada laporan" in replies[-1]["text"]
    monkeypatch.setattr(export_handler, "CHAT_EXPORT_LIMIT", 0)
    replies = await hub.send("/ekspor")
    assert "lebih dari yang muat dalam ekspor lewat chat" in replies[-1]["text"], "a large export: told to narrow it"


async def test_the_command_line_streams_the_export(bot, tmp_path, capsys):
    ids = await _reports(bot)
    output = tmp_path / "padang.csv"
    arguments = argparse.Namespace(format="csv", first=MONDAY.date(), last=MONDAY.date(), area="13.71", agency=None,
                                   output=str(output), lang=None)
    assert await export_command(bot.settings, arguments) == 0
    rows = list(csv.DictReader(output.open(encoding="utf-8-sig")))
    assert sorted(row["Nomor pelacakan"] for row in rows) == sorted([ids["named"], ids["anonymous"], ids["secret"]]), \
        "no reader: the default language, Indonesian"
    assert "exported 3 reports" in capsys.readouterr().err
    assert await export_command(bot.settings, argparse.Namespace(**{**vars(arguments), "lang": "en"})) == 0
    rows = list(csv.DictReader(output.open(encoding="utf-8-sig")))
    assert {row["Report status"] for row in rows} == {"Forwarded to the responsible agency", "Not yet verified"}


async def test_supporters_and_merged_duplicates_are_in_the_export(bot):
    kept = await add_report(bot, created_at=MONDAY, status="assigned", supporters=3)
    async with bot.sessions() as session:
        kept_id = await session.scalar(select(Report.id).where(Report.tracking_id == kept))
    duplicate = await add_report(bot, created_at=MONDAY, status="rejected", merged_into_id=kept_id, events=[
        ReportEvent(actor="reporter", to_status="submitted", at=MONDAY),
        ReportEvent(actor="staff:1", from_status="submitted", to_status="rejected", action="merge", note=kept,
                    at=MONDAY + timedelta(hours=1))])
    admin = await make_staff(bot, Role.NATIONAL_ADMIN, None, "Nadia")
    await admin.send("/ekspor csv 2026-11")
    await eventually(lambda: any(message.get("document") for message in admin.messages), timeout=20)
    rows = {row["Nomor pelacakan"]: row for row in csv.DictReader(io.StringIO(_document(bot, admin).decode("utf-8-sig")))}
    assert (rows[kept]["Pendukung"], rows[kept]["Duplikat dari"]) == ("3", "")
    assert (rows[duplicate]["Pendukung"], rows[duplicate]["Duplikat dari"]) == ("0", kept)
    assert rows[duplicate]["Riwayat status"].endswith(f"(diarsipkan) (duplikat, digabungkan ke {kept})")

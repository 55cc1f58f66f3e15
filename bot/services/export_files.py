"""An export written to a file as CSV or XLSX, page by page (openpyxl's write-only mode streams rows to disk).

Writing is CPU work, so each page is written in a worker thread while the event loop fetches the next.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.exports import COLUMNS, DATE_COLUMNS, FLAG_COLUMNS, TEXT_COLUMNS, ExportRequest, pages


FORMULA_STARTS = frozenset("=+-@\t\r")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {Format.CSV: "text/csv", Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def write(session: AsyncSession, request: ExportRequest, kind: Format, target: Path | IO[str], now: datetime) -> int:
    """Write the export to ``target`` (a path, or an open text stream for CSV); returns the number of reports."""
    writer = _CsvWriter(target) if kind is Format.CSV else _XlsxWriter(target)
    count, pending = 0, None
    try:
        async for page in pages(session, request, now):
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(asyncio.to_thread(writer.write, page))  # overlaps the next page's query
            count += len(page)
        if pending is not None:
            await pending
    finally:
        await asyncio.to_thread(writer.close)
    return count


class _CsvWriter:
    def __init__(self, target: Path | IO[str]) -> None:
        # A byte order mark, so that Excel opens the UTF-8 (Indonesian names, emoji) correctly.
        self._file = open(target, "w", newline="", encoding="utf-8-sig") if isinstance(target, Path) else target
        self._owned = isinstance(target, Path)
        self._csv = csv.writer(self._file)
        self._csv.writerow(COLUMNS)

    def write(self, rows: list[tuple]) -> None:
        self._csv.writerows(_csv_row(row) for row in rows)

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self._file.flush()


def _csv_row(row: tuple) -> list:
    values = list(row)
    for index in DATE_COLUMNS:
        if values[index] is not None:
            values[index] = values[index].isoformat(sep=" ")
    for index in FLAG_COLUMNS:
        values[index] = "yes" if values[index] else "no"
    for index in TEXT_COLUMNS:
        values[index] = _inert(values[index])
    return values


def _inert(value):
    """A citizen's text that a spreadsheet would run as a formula ("=HYPERLINK(...)") is kept as text."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


class _XlsxWriter:
    def __init__(self, target: Path | IO[str]) -> None:
        if not isinstance(target, Path):
            raise ValueError("an XLSX export needs a file, not a stream")
        self._path = target
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("reports")
        self._sheet.append(COLUMNS)

    def write(self, rows: list[tuple]) -> None:
        for row in rows:
            self._sheet.append(_xlsx_row(row))

    def close(self) -> None:
        self._book.save(self._path)


def _xlsx_row(row: tuple) -> list:
    values = list(row)
    for index in DATE_COLUMNS:  # spreadsheets have no time zones: the export's local time
        if values[index] is not None:
            values[index] = values[index].replace(tzinfo=None)
    for index in TEXT_COLUMNS:
        values[index] = _inert(values[index])
    return values

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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.export_columns import Sheet, sheet
from bot.services.exports import ExportRequest, pages


FORMULA_STARTS = frozenset("=+-@\t\r")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {Format.CSV: "text/csv", Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def write(session: AsyncSession, request: ExportRequest, kind: Format, target: Path | IO[str], now: datetime) -> int:
    """Write the export to ``target`` (a path, or an open text stream for CSV); returns the number of reports."""
    columns = sheet(request.translator())
    writer = _CsvWriter(target, columns) if kind is Format.CSV else _XlsxWriter(target, columns)
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
    def __init__(self, target: Path | IO[str], columns: Sheet) -> None:
        # A byte order mark, so that Excel opens the UTF-8 (Indonesian names, emoji) correctly.
        self._file = open(target, "w", newline="", encoding="utf-8-sig") if isinstance(target, Path) else target
        self._owned = isinstance(target, Path)
        self._csv = csv.writer(self._file)
        self._csv.writerow(columns.headers)
        self._columns = columns

    def write(self, rows: list[tuple]) -> None:
        self._csv.writerows(_csv_row(self._columns, row) for row in rows)

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self._file.flush()


def _csv_row(columns: Sheet, row: tuple) -> list:
    values = columns.row(row)
    for index in columns.dates:
        if values[index] is not None:
            values[index] = values[index].isoformat(sep=" ")
    for index in columns.flags:
        values[index] = columns.yes if values[index] else columns.no
    for index in columns.typed:
        values[index] = _inert(values[index])
    return values


def _inert(value):
    """A citizen's text that a spreadsheet would run as a formula ("=HYPERLINK(...)") is kept as text."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


class _XlsxWriter:
    def __init__(self, target: Path | IO[str], columns: Sheet) -> None:
        if not isinstance(target, Path):
            raise ValueError("an XLSX export needs a file, not a stream")
        from openpyxl import Workbook  # when the first XLSX is written, not at every process's start

        self._path = target
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(columns.title)
        self._sheet.append(columns.headers)
        self._columns = columns

    def write(self, rows: list[tuple]) -> None:
        for row in rows:
            self._sheet.append(_xlsx_row(self._columns, row))

    def close(self) -> None:
        self._book.save(self._path)


def _xlsx_row(columns: Sheet, row: tuple) -> list:
    values = columns.row(row)
    for index in columns.dates:  # spreadsheets have no time zones: the export's local time
        if values[index] is not None:
            values[index] = values[index].replace(tzinfo=None)
    for index in columns.flags:  # a yes/no a reader can read, in any spreadsheet program's language
        values[index] = columns.yes if values[index] else columns.no
    for index in columns.typed:
        values[index] = _inert(values[index])
    return values

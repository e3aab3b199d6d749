"""Streaming CSV and XLSX exports of any list, safe against formula injection.

A list page describes its columns once (`Column(header, getter)`) and hands a select statement
(or any iterable of rows) to `export_response`. CSV is a generator over rows fetched with
`yield_per`; XLSX is written row by row by openpyxl's write-only workbook into a temporary file
that is streamed back and removed. Neither holds the whole result in memory.
"""

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request, stream_with_context
from flask_babel import format_datetime
from openpyxl import Workbook
from sqlalchemy import Select

from app.extensions import db

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text types itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: A cell beginning with one of these would be read as a formula by a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The same signs after leading blanks, half- or full-width (spreadsheets accept both).
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
YIELD_PER = 500
CHUNK_CHARS = 64 * 1024


@dataclass(frozen=True)
class Column:
    """One exported column: its (translated) header and how to read the value from a row."""

    header: Any
    get: Callable[[Any], Any]


def neutralise(value: Any) -> Any:
    """The value as a cell: text starting (after blanks) with = + - @ (or ＝＋－＠), tab or CR
    gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd HH:mm")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) or looks_like_formula(text):
        return "'" + text
    return text


def looks_like_formula(text: str) -> bool:
    """True when the text, after leading blanks (full-width ones too), starts a formula."""
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_SIGNS


def requested_format() -> str | None:
    """The ?format= argument when it asks for a file (csv or xlsx), else None."""
    value = (request.args.get("format") or "").strip().lower()
    return value if value in FORMATS else None


def _rows(source: Select | Iterable[Any]) -> Iterator[Any]:
    """Rows of a select statement fetched in chunks (or the items of an iterable)."""
    limit = current_app.config.get("EXPORT_MAX_ROWS", 200000)
    if isinstance(source, Select):
        stmt = source.limit(limit).execution_options(yield_per=YIELD_PER)
        result = db.session.execute(stmt)
        if len(result.keys()) == 1:
            yield from result.scalars()
        else:
            yield from result
        return
    for count, row in enumerate(source):
        if count >= limit:
            return
        yield row


def chunked_rows(stmt: Select, enrich: Callable[[list[Any]], Iterable[Any]]) -> Iterator[Any]:
    """Rows of a select of plain columns fetched YIELD_PER at a time (up to EXPORT_MAX_ROWS),
    each chunk handed to `enrich` (which may add what one keyed query per chunk finds)."""
    limit = current_app.config.get("EXPORT_MAX_ROWS", 200000)
    result = db.session.execute(stmt.limit(limit).execution_options(yield_per=YIELD_PER))
    for chunk in result.partitions():
        yield from enrich(chunk)


def _cells(columns: list[Column], row: Any) -> list[Any]:
    return [neutralise(column.get(row)) for column in columns]


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 5987 / 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_stream(source: Select | Iterable[Any], columns: list[Column]) -> Iterator[str]:
    """CSV text chunk by chunk: a BOM (Excel reads UTF-8 then), a header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c.header) for c in columns])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for row in _rows(source):
        writer.writerow(_cells(columns, row))
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest


def write_xlsx(source: Select | Iterable[Any], columns: list[Column], sheet: str) -> str:
    """Write the rows into a temporary .xlsx file with a write-only workbook; returns its path."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31] or "Sheet1")
    worksheet.append([str(c.header) for c in columns])
    for row in _rows(source):
        worksheet.append(_cells(columns, row))
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="gongxue-export-")
    os.close(handle)
    workbook.save(path)
    return path


def _file_chunks(path: str, size: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes in chunks; the file is removed once read (or the download aborted)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(size):
                yield chunk
    finally:
        os.unlink(path)


def export_response(
    source: Select | Iterable[Any], columns: list[Column], basename: str, fmt: str
) -> Response:
    """A streamed attachment of the rows as CSV or XLSX named `<basename>.<fmt>`."""
    filename = f"{basename}.{fmt}"
    if fmt == "csv":
        body = (chunk.encode("utf-8") for chunk in csv_stream(source, columns))
        response = Response(stream_with_context(body), mimetype=MIMETYPES["csv"])
    else:
        path = write_xlsx(source, columns, basename)
        response = Response(_file_chunks(path), mimetype=MIMETYPES["xlsx"])
        response.headers["Content-Length"] = str(os.path.getsize(path))
    response.direct_passthrough = True
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def export_args(fmt: str) -> dict[str, Any]:
    """View and query arguments of the current page with format=fmt (the page dropped)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    return {**(request.view_args or {}), **args, "format": fmt}

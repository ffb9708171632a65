"""An operator's or the post's list of sites read as rows of named fields.

The list is a CSV (UTF-8, or the ANSI code page an old Excel wrote: TCVN3 and VNI text
then arrive as cp1252 characters) or the first sheet of an XLSX. The header row is the
first row that names at least two known fields; which column holds which field is
guessed from the header names (Vietnamese or English, with or without diacritics) and
can be given instead as a JSON mapping ``{"code": "Mã trạm", "lat": "Vĩ độ", ...}``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.domain.text import fold_diacritics
from desktop_app.i18n import _
from desktop_app.imports.errors import ImportFileError
from desktop_app.imports.files import check_readable, check_xlsx
from desktop_app.imports.legacy import Decoder

FIELDS = (
    "code",
    "name",
    "type",
    "operator",
    "commune",
    "village",
    "lat",
    "lon",
    "coordinates",
    "technologies",
    "status",
    "shared",
    "notes",
)

# Header names, folded (lower case, no diacritics, single spaces), for each field.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("ma tram", "ma vi tri", "ma", "ma site", "ma tram bts", "ma diem", "ma buu cuc",
             "site code", "site id", "code", "cell id", "id"),
    "name": ("ten tram", "ten vi tri", "ten", "ten diem", "ten buu cuc", "site name", "name"),
    "type": ("loai", "loai tram", "loai hinh", "loai diem", "type", "site type", "kind"),
    "operator": ("nha mang", "doanh nghiep", "nha khai thac", "don vi quan ly", "operator",
                 "carrier"),
    "commune": ("xa", "xa phuong", "xa/phuong", "xa phuong thi tran", "ten xa", "ma xa",
                "don vi hanh chinh", "commune", "commune code", "ward"),
    "village": ("thon", "ban", "thon ban", "thon/ban", "thon/ban/to", "village"),
    "lat": ("vi do", "vi do (lat)", "latitude", "lat"),
    "lon": ("kinh do", "kinh do (long)", "longitude", "lon", "lng", "long"),
    "coordinates": ("toa do", "toa do gps", "coordinates", "gps"),
    "technologies": ("cong nghe", "cong nghe phat song", "technology", "technologies"),
    "status": ("trang thai", "tinh trang", "status"),
    "shared": ("dung chung", "dung chung ha tang", "shared"),
    "notes": ("ghi chu", "notes", "note", "remarks"),
}  # fmt: skip


def _fold_header(text: str) -> str:
    folded = fold_diacritics(text)
    return " ".join(re.sub(r"[^a-z0-9/()]+", " ", folded).split())


@dataclass
class Table:
    """The rows of a list, each a dict field → text, with their row numbers."""

    path: Path
    columns: dict[str, str]  # field → header as written
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\0" in text:
        raise ImportFileError(path=str(path), detail=_("it is not a text (CSV) file"))
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            path=str(path), detail=_("the workbook is damaged and cannot be read")
        ) from None
    try:
        ws = wb.worksheets[0]
        return [
            ["" if v is None else _cell_text(v) for v in row]
            for row in ws.iter_rows(values_only=True)
        ]
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _mapping(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    check_readable(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ImportFileError(path=str(path), detail=_("it is not a JSON column mapping")) from None
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise ImportFileError(path=str(path), detail=_("it is not a JSON column mapping"))
    unknown = sorted(set(doc) - set(FIELDS))
    if unknown:
        raise ImportFileError(
            path=str(path),
            detail=_("it names unknown fields {fields} (known: {known})").format(
                fields=", ".join(unknown), known=", ".join(FIELDS)
            ),
        )
    return {k: str(v) for k, v in doc.items()}


def _guess(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    folded = [_fold_header(h) for h in header]
    for name, options in HEADER_NAMES.items():
        for option in options:  # the first, most specific name wins
            if option in folded and folded.index(option) not in found.values():
                found[name] = folded.index(option)
                break
    return found


def read_table(path: Path, mapping_path: Path | None = None) -> Table:
    """The list's rows as fields; :class:`ImportFileError` when it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise ImportFileError(path=str(path), detail=_("the file name must end in .xlsx or .csv"))
    mapping = _mapping(mapping_path)
    check_readable(path)
    raw = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    decoder = Decoder.for_texts(v for row in raw for v in row if v)
    raw = [[decoder.text(v).strip() for v in row] for row in raw]
    header_at, columns = _find_header(raw, mapping)
    if header_at is None:
        raise ImportFileError(
            path=str(path),
            detail=_(
                "no header row names the columns (such as «Mã trạm», «Vĩ độ», «Kinh độ»); "
                "give a --mapping"
            ),
        )
    header = raw[header_at]
    table = Table(path, {name: header[i] for name, i in columns.items()})
    for number, row in enumerate(raw[header_at + 1 :], start=header_at + 2):
        if not any(row):
            continue
        table.rows.append(
            (number, {name: (row[i] if i < len(row) else "") for name, i in columns.items()})
        )
    note = decoder.note()
    if note:
        table.notes.append(note)
    return table


def _find_header(
    raw: list[list[str]], mapping: dict[str, str] | None
) -> tuple[int | None, dict[str, int]]:
    for at, row in enumerate(raw[:20]):
        if mapping is not None:
            folded = [_fold_header(h) for h in row]
            columns = {
                name: folded.index(_fold_header(header))
                for name, header in mapping.items()
                if _fold_header(header) in folded
            }
            if len(columns) == len(mapping):
                return at, columns
            continue
        columns = _guess(row)
        has_place = ("lat" in columns and "lon" in columns) or "coordinates" in columns
        if len(columns) >= 2 and (has_place or "code" in columns or "name" in columns):
            return at, columns
    return None, {}

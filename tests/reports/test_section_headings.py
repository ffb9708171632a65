"""Each section heading of the indicator table appears once, with its indicators under
it, also after a catalogue version moved an indicator to another section (the new
catalogue keeps the indicator's row where it was: 2026.1 moves ``diem_internet_cc``
from "fixed" to "postal")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from desktop_app.reports import build_report, write_model
from desktop_app.reports.model import SECTIONS
from tests.helpers.net import PROVINCE, Net
from tests.reports.conftest import pdf_text
from tests.reports.test_locked_catalogue import COMMUNE, DAY, DISTRICT, OPEN, _new_catalogue, _type

MOVED = "diem_internet_cc"


NAMES = {vi for vi, _en in SECTIONS.values()}


def _sections(rows: tuple) -> list[tuple[str, list[str]]]:  # type: ignore[type-arg]
    """(section heading, the indicator codes under it) in the order printed."""
    out: list[tuple[str, list[str]]] = []
    for row in rows:
        if row.heading and not row.number and row.label in NAMES:
            out.append((row.label, []))
        elif out and row.code and not row.cell and row.number and "." not in row.number:
            if row.code not in out[-1][1]:
                out[-1][1].append(row.code)
    return out


def test_a_moved_indicator_is_printed_under_its_new_section_once(net: Net, tmp_path: Path) -> None:
    province, district, commune = net[PROVINCE], net[DISTRICT], net[COMMUNE]
    _type(commune, COMMUNE, OPEN, 40)
    commune.submissions.move(COMMUNE, OPEN, "submitted")  # open: not approved
    net.send(COMMUNE, DISTRICT)
    assert province.publishing.publish_catalogue(_new_catalogue(tmp_path, "2026.1")) > 0
    net.send(PROVINCE, DISTRICT)
    assert district.catalogue.indicator(MOVED).section == "postal"

    model = build_report(district, "commune", COMMUNE, OPEN, report_date=DAY)
    sections = _sections(model.rows)
    headings = [name for name, _codes in sections]
    assert len(headings) == len(set(headings)), headings
    # the sections keep the report's order; the moved indicator is under "Bưu chính"
    assert headings == [vi for vi, _en in SECTIONS.values()]
    codes = dict(sections)
    assert MOVED in codes["Bưu chính"] and MOVED not in codes["Internet cố định và băng rộng"]
    # the PDF read back: each heading is printed once
    lines = pdf_text(write_model(model, tmp_path / "open.pdf"), layout=False).splitlines()
    printed = Counter(x.strip() for x in lines if x.strip() in NAMES)
    assert printed == Counter(NAMES), printed
    # and the numbers run 1, 2, 3 ... without a gap or a repeat
    numbers = [int(r.number) for r in model.rows if r.number.isdigit() and not r.cell]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))

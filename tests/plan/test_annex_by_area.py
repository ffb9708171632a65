"""``report district|province --annex-by-area``: the annex lists the communes grouped by the
area classification in force (border, region III, other), each commune with the same figures
as in the plain annex, the deciding decisions under it; read back from the PDF's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.domain.areas import report_group
from desktop_app.store.repositories.areas import AreaRepository
from desktop_app.store.store import Store
from tests.plan.conftest import copy_pair
from tests.reports.conftest import pdf_text

DISTRICT, PROVINCE = "pre2025:125", "pre2025:14"
GROUP = re.compile(r"^(I|II|III)\s+(.+?) \((\d+) xã\)$")
ROW = re.compile(r"^(\d+)\s+(\D+?)\s{2,}(\d.*)$")
GROUP_NAMES = {"Xã biên giới": "border", "Xã khu vực III": "region3", "Các xã khác": "other"}


def _annex(pdf: Path, title: str) -> list[str]:
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] == "PHỤ LỤC"), len(lines)
    )  # the map annex follows
    return lines[start:end]


def _rows(annex: list[str]) -> dict[str, list[str]]:
    """Commune name → its figures as printed."""
    found = {}
    for line in annex:
        match = ROW.match(line)
        if match:
            found[match.group(2).strip()] = match.group(3).split()
    return found


def _report(db: Path, kind: str, unit: str, out: Path, *extra: str) -> Path:
    args = ["--db", str(db), "--unit", unit, "--period", "2020Q4", "--out", str(out)]
    assert cli.main(["report", kind, *args, *extra]) == 0
    return out


def test_the_district_annex_grouped_by_area(demo_pair: tuple[Path, Path], tmp_path: Path) -> None:
    office, _province = copy_pair(demo_pair, tmp_path)
    plain = _report(office, "district", DISTRICT, tmp_path / "plain.pdf")
    grouped = _report(office, "district", DISTRICT, tmp_path / "g.pdf", "--annex-by-area")
    with Store.open(office) as store:
        _decisions, kinds = AreaRepository(store).in_force(2020)
        communes = store.reference.communes_under(DISTRICT)
        expected: dict[str, set[str]] = {"border": set(), "region3": set(), "other": set()}
        for commune in communes:
            expected[report_group(kinds.get(commune.id, ()))].add(commune.name)
    annex = _annex(grouped, "Các chỉ tiêu chính theo xã, nhóm theo địa bàn, Quý 4/2020")
    # each group: its heading with the number of communes, then its communes numbered from 1
    groups: dict[str, set[str]] = {}
    current = ""
    numbers: list[int] = []
    for line in annex:
        heading = GROUP.match(line)
        if heading:
            current = GROUP_NAMES[heading.group(2)]
            groups[current] = set()
            assert int(heading.group(3)) == len(expected[current]), line
            numbers = []
            continue
        row = ROW.match(line)
        if row and current:
            groups[current].add(row.group(2).strip())
            numbers.append(int(row.group(1)))
            assert numbers == list(range(1, len(numbers) + 1))
    assert groups == expected
    assert expected["border"] and expected["region3"]  # the demo's sample decisions
    # every commune carries the figures of the plain annex
    plain_rows = _rows(_annex(plain, "Các chỉ tiêu chính theo xã, Quý 4/2020"))
    assert _rows(annex) == plain_rows and len(plain_rows) == len(communes)
    notes = " ".join(annex)
    assert "Phân loại địa bàn theo:" in notes
    assert re.search(r"MẪU-02/QĐ-TTg [^;]*; hiệu lực 2016–2020", notes)


def test_the_province_annex_names_each_communes_district(
    demo_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    _office, province = copy_pair(demo_pair, tmp_path)
    grouped = _report(province, "province", PROVINCE, tmp_path / "p.pdf", "--annex-by-area")
    annex = _annex(grouped, "Các chỉ tiêu chính theo xã, nhóm theo địa bàn, Quý 4/2020")
    assert any(line.startswith("TT") and "Xã (huyện)" in line for line in annex)
    rows = _rows(annex)
    # the demo province holds Mai Sơn's figures (handed over by the demo's bundle)
    assert rows["Xã Chiềng Sung (Huyện Mai Sơn)"][0] == "20"
    headings = [m.group(2) for m in map(GROUP.match, annex) if m]
    assert headings == ["Xã biên giới", "Xã khu vực III", "Các xã khác"]


def test_a_commune_report_refuses_the_option_and_writes_nothing(
    demo_pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, _province = copy_pair(demo_pair, tmp_path)
    out = tmp_path / "c.pdf"
    args = ["--db", str(office), "--unit", "pre2025:04108", "--period", "2020Q4"]
    code = cli.main(["report", "commune", *args, "--out", str(out), "--annex-by-area"])
    assert code != 0 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--annex-by-area" in err[0], err

"""Area classifications: published by XLSX at the province, they reach the district with one
bundle and change the "by area" section of its report, decision and years printed under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app import cli
from desktop_app.reports.area_sheet import DECISIONS, PLACES, import_area_sheet, write_area_sheet
from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store
from tests.plan.conftest import copy_pair
from tests.reports.conftest import pdf_text

DISTRICT = "pre2025:125"


def _section(pdf: Path) -> list[str]:
    lines = [re.sub(r"\s+", " ", line).strip() for line in pdf_text(pdf).splitlines()]
    start = lines.index("Các chỉ tiêu chính theo địa bàn")
    end = next(i for i, line in enumerate(lines) if line.startswith("III. "))
    return lines[start:end]


def _row(section: list[str], name: str) -> list[str]:
    line = next(line for line in section if line.startswith(name))
    return line[len(name) :].split()


def _carry(source: Path, dest: Path, folder: Path) -> None:
    """One bundle from ``source`` imported at ``dest``, through the command line."""
    folder.mkdir()
    assert cli.main(["bundle", "export", "--db", str(source), "--out", str(folder)]) == 0
    (bundle,) = folder.iterdir()
    assert cli.main(["bundle", "import", "--db", str(dest), str(bundle)]) == 0


def _report(db: Path, out: Path) -> list[str]:
    args = ["--db", str(db), "--unit", DISTRICT, "--period", "2020Q2", "--out", str(out)]
    assert cli.main(["report", "district", *args]) == 0
    return _section(out)


def test_areas_imported_at_the_province_change_the_district_report(
    demo_pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, province = copy_pair(demo_pair, tmp_path)
    before = _report(office, tmp_path / "before.pdf")
    assert _row(before, "Xã biên giới")[0] == "2"
    assert re.search(r"MẪU-02/QĐ-TTg [^;]*; hiệu lực 2016–2020", " ".join(before))

    usb = tmp_path / "usb"
    usb.mkdir()
    _carry(office, province, usb / "up")  # the province holds the district's villages

    sheet = tmp_path / "areas.xlsx"
    assert cli.main(["areas", "export", "--db", str(province), "--out", str(sheet)]) == 0
    with Store.open(office) as store:
        communes = [c.id for c in store.reference.communes_under(DISTRICT)]
        agg = aggregate(store, DISTRICT, "2020Q2", with_previous=False)
    book = load_workbook(sheet)
    decisions, places = book[DECISIONS], book[PLACES]
    decisions.append(["123/QĐ-UBND", "Danh sách xã biên giới (bổ sung)", "02/01/2020", 2020, 2025])
    held = {str(r[2].value) for r in places.iter_rows(min_row=4) if r[1].value == "border"}
    new = [c for c in communes if c not in held][:3]
    for commune in new:
        places.append(["123/QĐ-UBND", "border", commune])
    book.save(sheet)
    assert cli.main(["areas", "import", "--db", str(province), str(sheet)]) == 0
    assert "1 quyết định" not in capsys.readouterr().out  # three decisions now

    _carry(province, office, usb / "down")

    after = _report(office, tmp_path / "after.pdf")
    border = _row(after, "Xã biên giới")
    assert border[0] == "5"
    villages = sum(a.villages for a in agg.by_commune if a.unit.id in held | set(new))
    assert border[1] == str(villages)
    assert re.search(r"123/QĐ-UBND [^;]*; hiệu lực 2020–2025", " ".join(after))
    assert "bổ sung" in " ".join(after)
    total = _row(after, "Toàn huyện")
    assert total == _row(before, "Toàn huyện")  # the whole district is the same


def test_every_bad_row_is_refused_and_nothing_published(
    demo_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    from desktop_app.i18n import setup

    office, province = copy_pair(demo_pair, tmp_path)
    _carry(office, province, tmp_path / "up")
    with Store.open(province) as store:
        sheet = write_area_sheet(store, tmp_path / "a.xlsx")
        book = load_workbook(sheet)
        book[DECISIONS].append(["9/QĐ-UBND", "", "", "năm ngoái", None])
        book[DECISIONS].append(["10/QĐ-UBND", "", "", 2021, 2019])
        book[PLACES].append(["77/QĐ-XX", "border", "pre2025:04108"])
        book[PLACES].append(["MẪU-01/QĐ-UBND", "vung_sau", "pre2025:04108"])
        book[PLACES].append(["MẪU-01/QĐ-UBND", "border", "pre2025:99999"])
        book[PLACES].append(["MẪU-02/QĐ-TTg", "difficult_village", "khong-co-thon"])
        book.save(sheet)
        rows = "SELECT * FROM area_member ORDER BY 1, 2, 3"
        before = store.db.execute_sql(rows).fetchall()
        changes = store.db.execute_sql("SELECT count(*) FROM change").fetchone()
        setup("vi")
        result = import_area_sheet(store, sheet)
        assert not result.applied and result.changed == 0
        lines = [p.line() for p in result.problems]
        assert len(lines) == 6, lines
        text = "\n".join(lines)
        assert "Trang Quyết định, dòng" in text and "năm bắt đầu hiệu lực phải là một năm" in text
        assert "không trước năm 2021" in text
        assert "không có quyết định số 77/QĐ-XX" in text
        assert "loại địa bàn không hợp lệ: vung_sau" in text
        assert "không có xã mã pre2025:99999" in text
        assert "không có thôn mã khong-co-thon" in text
        assert store.db.execute_sql(rows).fetchall() == before
        assert store.db.execute_sql("SELECT count(*) FROM change").fetchone() == changes

"""Bad workbooks: each is refused with one clear line and the database stays exactly as it was."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.domain.periods import Period
from desktop_app.imports.errors import ImportFileError, WrongWorkbookError
from desktop_app.imports.template import write_template
from desktop_app.imports.values_import import plan_values_import
from desktop_app.reports.errors import OutputError
from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE, table_state

ROOT = Path(__file__).resolve().parents[2]
Q4 = Period.parse("2020Q4")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", "vi", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def template(store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    write_template(store, COMMUNE, Q4, path)
    return path


def _refused(store: Store, path: Path, error: type[Exception], words: str, **kw: object) -> None:
    before = table_state(store)
    with pytest.raises(error) as caught:
        plan_values_import(store, path, **kw)  # type: ignore[arg-type]
    message = str(caught.value)
    assert words in message and "\n" not in message and "Nothing was changed" in message
    assert table_state(store) == before


def test_another_communes_workbook(store: Store, tmp_path: Path, unit_directory):  # type: ignore[no-untyped-def]
    from desktop_app.store.office import create_office

    other = create_office(
        tmp_path / "other.db", "pre2025:04111", directory=unit_directory, user="canbo"
    )
    with other:
        other.villages.add("pre2025:04111", "Bản Cát")
        write_template(other, "pre2025:04111", Q4, tmp_path / "other.xlsx")
    _refused(
        store,
        tmp_path / "other.xlsx",
        WrongWorkbookError,
        "data of Xã Mường Bằng; this database is the office of Xã Chiềng Sung",
    )


def test_another_periods_workbook(store: Store, tmp_path: Path):
    path = tmp_path / "q3.xlsx"
    write_template(store, COMMUNE, Period.parse("2020Q3"), path)
    _refused(store, path, WrongWorkbookError, "period 2020Q3, not of 2020Q4", expected_period=Q4)


def test_renamed_sheet(store: Store, template: Path):
    wb = load_workbook(template)
    wb.worksheets[0].title = "Sheet1"
    wb.save(template)
    _refused(store, template, WrongWorkbookError, "sheet «Villages» is missing")


def test_formula_in_a_cell(store: Store, template: Path):
    wb = load_workbook(template)
    wb.worksheets[0]["D5"] = "=D4+1"
    wb.save(template)
    before = table_state(store)
    plan = plan_values_import(store, template)
    [refusal] = plan.refusals
    assert refusal.coordinate == "D5" and "formula" in refusal.reason
    with pytest.raises(Exception, match="1 cell"):
        plan.apply(store)
    assert table_state(store) == before


def test_a_50_mb_file(store: Store, tmp_path: Path):
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/photo.bin", random.Random(1).randbytes(50 * 1024 * 1024))
    _refused(store, path, ImportFileError, "more than the 20 MB an import reads")


def test_not_a_spreadsheet(store: Store, tmp_path: Path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.4\n" + b"x" * 500)
    _refused(store, path, ImportFileError, "it is not an Excel workbook (.xlsx)")
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    _refused(store, xls, ImportFileError, "Excel 97-2003")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")
    _refused(store, damaged, ImportFileError, "damaged")


def test_a_workbook_that_is_no_template(store: Store, tmp_path: Path):
    from openpyxl import Workbook

    path = tmp_path / "survey-2019.xlsx"
    wb = Workbook()
    wb.active.append(["Thôn", "Số hộ"])
    wb.save(path)
    _refused(store, path, WrongWorkbookError, "not a Coverage Desk template")


def test_read_only_files(store: Store, template: Path, tmp_path: Path):
    """A read-only template imports (it is only read, and stays as it was); a read-only
    file is never overwritten by a new template."""
    template.chmod(stat.S_IRUSR | stat.S_IRGRP)
    content = template.read_bytes()
    plan = plan_values_import(store, template)
    assert plan.refusals == [] and plan.changes == []
    assert template.read_bytes() == content
    with pytest.raises(OutputError, match="read-only"):
        write_template(store, COMMUNE, Q4, template)
    assert template.read_bytes() == content


def test_locked_period(store: Store, tmp_path: Path):
    path = tmp_path / "q3.xlsx"
    write_template(store, COMMUNE, Period.parse("2020Q3"), path)  # approved in the demo
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    column = next(c.column for c in ws[1] if c.value == "ho_ftth")
    ws.cell(row=4, column=column).value = 3
    wb.save(path)
    before = table_state(store)
    plan = plan_values_import(store, path)
    [refusal] = plan.refusals
    assert "2020Q3" in refusal.reason and "approved and locked" in refusal.reason
    assert plan.changes == []
    assert plan.apply(store, partial=True) == 0
    assert table_state(store) == before


def test_cli_says_each_in_one_vietnamese_line(commune_db: Path, tmp_path: Path):
    path = tmp_path / "t.xlsx"
    assert (
        _cli(
            "template", "--db", str(commune_db), "--period", "2020Q4", "--out", str(path)
        ).returncode
        == 0
    )
    with Store.open(commune_db) as store:
        before = table_state(store)
    cases = {
        "--period": (["--period", "2020Q3"], "đây là mẫu của kỳ 2020Q4, không phải kỳ 2020Q3"),
        "missing": ([], "tệp không tồn tại"),
    }
    result = _cli("import", "values", "--db", str(commune_db), str(path), *cases["--period"][0])
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert cases["--period"][1] in result.stderr and "Không có gì bị thay đổi" in result.stderr
    result = _cli("import", "values", "--db", str(commune_db), str(tmp_path / "nope.xlsx"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert cases["missing"][1] in result.stderr
    path.chmod(0o444)
    result = _cli("template", "--db", str(commune_db), "--period", "2020Q4", "--out", str(path))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "chỉ được đọc" in result.stderr
    with Store.open(commune_db) as store:
        assert table_state(store) == before

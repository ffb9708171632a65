"""The blank collection form: one page (or more) per village with the indicators to
collect, empty boxes and last period's value lightly beside each; read back from the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.domain.periods import Period
from desktop_app.reports.form import write_form
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

COMMUNE = "pre2025:04108"


@pytest.fixture(autouse=True)
def with_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    if "report_commands" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "report_commands"))


def test_every_village_gets_its_page_with_last_periods_values(
    reports_store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "form.pdf"
    pages = write_form(reports_store, COMMUNE, Period(2020, 4), out)
    villages = reports_store.villages.for_commune(COMMUNE)
    text = pdf_text(out)
    sheets = [p for p in text.split("\f") if p.strip()]
    assert pages == len(sheets) > len(villages)
    for v in villages:
        assert sum(f"{v.name}, Xã Chiềng Sung - quý 4/2020" in s for s in sheets) == 1, v.name
    first = sheets[0]
    assert "PHIẾU THU THẬP SỐ LIỆU" in first and "Kỳ trước" in first
    assert "Tình trạng sóng di động" in first and "Sóng yếu" in first
    # last period's value of the first village's households, printed beside its box
    row = reports_store.db.execute_sql(
        "SELECT value FROM data_value WHERE village_id = ? AND indicator = 'so_ho'"
        " AND period = '2020'",
        (villages[0].id,),
    ).fetchone()
    assert str(row[0]) in first
    assert "Chỉ tiêu cấp xã: Xã Chiềng Sung - quý 4/2020" in text


def test_the_command_refuses_a_district(
    reports_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.pdf"
    argv = ["report", "form", "--db", str(reports_db), "--unit", "pre2025:125"]
    assert cli.main([*argv, "--period", "2020Q4", "--out", str(out)]) != 0
    assert "không phải là xã" in capsys.readouterr().err
    assert not out.exists()
    argv[5] = COMMUNE
    assert cli.main([*argv, "--period", "2020Q4", "--out", str(out)]) == 0
    assert out.stat().st_size > 1000

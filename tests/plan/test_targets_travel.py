"""Targets entered at the province reach the district with one bundle and show in its report."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from desktop_app import cli
from tests.helpers.clock import FakeClock
from tests.plan.conftest import fill_sheet
from tests.reports.conftest import pdf_text
from tests.sync.conftest import PROVINCE, Net

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


@pytest.fixture
def clock() -> FakeClock:
    """Now: the command line runs on the real clock, so certificates must be valid today."""
    return FakeClock(time.time() - 3600)


def run(*argv: str) -> int:
    return cli.main(["--lang", "vi", *argv])


def test_province_sheet_reaches_the_district_report_after_one_bundle(
    net: Net, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province, district = net[PROVINCE], net[DISTRICT]
    pdb, ddb = str(province.path), str(district.path)
    sheet = tmp_path / "plan.xlsx"
    assert run("plan", "export", "--db", pdb, "--year", "2021", "--out", str(sheet)) == 0
    fill_sheet(
        sheet,
        {
            (DISTRICT, "ty_le_thon_4g"): 87.5,
            (DISTRICT, "ty_le_ho_internet"): "63,4",
            (COMMUNE, "ty_le_thon_co_song"): 100,
        },
    )
    assert run("plan", "import", "--db", pdb, str(sheet)) == 0
    assert "3 đã thay đổi" in capsys.readouterr().out
    assert district.targets.for_year(2021) == {}

    usb = tmp_path / "usb"
    usb.mkdir()
    to = district.node.node_id
    assert run("bundle", "export", "--db", pdb, "--out", str(usb), "--to", to) == 0
    (bundle,) = usb.iterdir()
    assert run("bundle", "import", "--db", ddb, str(bundle)) == 0
    assert district.targets.for_year(2021) == {
        (DISTRICT, "ty_le_thon_4g"): 87.5,
        (DISTRICT, "ty_le_ho_internet"): 63.4,
        (COMMUNE, "ty_le_thon_co_song"): 100.0,
    }

    report = tmp_path / "district.pdf"
    args = ["--unit", DISTRICT, "--period", "2021Q4", "--out", str(report)]
    assert run("report", "district", "--db", ddb, *args) == 0
    text = pdf_text(report)
    row_4g = next(line for line in text.splitlines() if "Tỷ lệ thôn có sóng 4G" in line)
    assert row_4g.rstrip().endswith("87,5")
    row_internet = next(line for line in text.splitlines() if "kết nối Internet" in line)
    assert row_internet.rstrip().endswith("63,4")

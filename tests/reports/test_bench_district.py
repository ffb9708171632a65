"""``python -m bench.bench_reports --district`` says in words what it measures (which
report, from which database, up to where the clock runs) and prints each figure as a
ratio to a baseline measured in the same run (DESIGN §10). Run here on the demo district
office with one sample each, only to read what it prints: no time is asserted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench.bench_reports import district_only


def test_the_district_bench_says_what_it_measures_against_which_baseline(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / demo_db.name
    shutil.copy(demo_db, db)
    district_only(db, rounds=1, what="the demo district office")
    out = capsys.readouterr().out
    assert "district report of Huyện Mai Sơn (pre2025:125), 2020Q4" in out
    assert f"from {db.name} (the demo district office, " in out
    assert "from the open database to the PDF written" in out  # where the clock runs
    assert "PDF written, process ended" in out
    assert "load average" in out
    # each measured figure has its ratio to a baseline of the same run, named
    ratios = re.findall(r"= (\d+\.\d)x the baseline", out)
    assert len(ratios) == 3, out
    assert "baseline: reportlab writing a one-page PDF" in out
    assert "baseline: `coverage-desk --help`" in out

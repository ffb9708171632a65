"""``coverage-desk report`` and ``export dhis2``: round trips and clear errors."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from desktop_app import cli
from tests.reports.conftest import pdf_text


@pytest.fixture(autouse=True)
def with_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    if "report_commands" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "report_commands"))


def run(*argv: str) -> int:
    return cli.main(["--lang", "en", *argv])


def test_report_round_trip(
    reports_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.pdf"
    assert (
        run(
            "report",
            "district",
            "--db",
            str(reports_db),
            "--unit",
            "pre2025:125",
            "--period",
            "2020Q4",
            "--out",
            str(out),
            "--date",
            "2021-02-05",
        )
        == 0
    )
    assert str(out) in capsys.readouterr().out
    text = pdf_text(out)
    assert "REPORT" in text and "Mai Sơn, 5 February 2021" in text
    for ext in ("xlsx", "csv"):
        target = tmp_path / f"d.{ext}"
        assert (
            run(
                "report",
                "district",
                "--db",
                str(reports_db),
                "--unit",
                "pre2025:125",
                "--period",
                "2020Q4",
                "--out",
                str(target),
            )
            == 0
        )
        assert target.stat().st_size > 1000


def test_vietnamese_by_default(reports_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    assert (
        cli.main(
            [
                "report",
                "commune",
                "--db",
                str(reports_db),
                "--unit",
                "pre2025:04108",
                "--period",
                "2020Q4",
                "--out",
                str(out),
                "--date",
                "2021-03-15",
            ]
        )
        == 0
    )
    assert "ngày 15 tháng 3 năm 2021" in pdf_text(out)


def test_dhis2_export(reports_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.json"
    assert (
        run(
            "export",
            "dhis2",
            "--db",
            str(reports_db),
            "--unit",
            "pre2025:04108",
            "--period",
            "2020Q4",
            "--out",
            str(out),
        )
        == 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["dataValues"]


@pytest.mark.parametrize(
    ("kind", "unit", "period", "out", "message"),
    [
        ("commune", "pre2025:125", "2020Q4", "r.pdf", "is not a commune"),
        ("province", "pre2025:125", "2020Q4", "r.pdf", "is not a province"),
        ("district", "pre2025:99999", "2020Q4", "r.pdf", "Unknown unit"),
        ("district", "pre2025:125", "2020q4", "r.pdf", "Invalid period 2020q4"),
        ("district", "pre2025:125", "2020Q4", "r.doc", "must end in .pdf, .xlsx, .csv"),
        ("district", "pre2025:125", "2020Q4", "missing/r.pdf", "the folder does not exist"),
    ],
)
def test_errors(
    reports_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    unit: str,
    period: str,
    out: str,
    message: str,
) -> None:
    code = run(
        "report",
        kind,
        "--db",
        str(reports_db),
        "--unit",
        unit,
        "--period",
        period,
        "--out",
        str(tmp_path / out),
    )
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_bad_date(reports_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            "report",
            "district",
            "--db",
            str(reports_db),
            "--unit",
            "pre2025:125",
            "--period",
            "2020Q4",
            "--out",
            str(tmp_path / "r.pdf"),
            "--date",
            "5/2/2021",
        )
        == 1
    )
    assert "Invalid date 5/2/2021" in capsys.readouterr().err


def test_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            "report",
            "district",
            "--db",
            str(tmp_path / "none.db"),
            "--unit",
            "pre2025:125",
            "--period",
            "2020Q4",
            "--out",
            str(tmp_path / "r.pdf"),
        )
        == 1
    )
    assert "does not exist" in capsys.readouterr().err


def test_full_disk_leaves_nothing(
    reports_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    assert (
        run(
            "report",
            "district",
            "--db",
            str(reports_db),
            "--unit",
            "pre2025:125",
            "--period",
            "2020Q4",
            "--out",
            str(tmp_path / "r.csv"),
        )
        == 1
    )
    assert "the disk is full" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_read_only_folder(
    reports_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A folder the user may not write to (simulated: the tests may run as root)."""

    def refuse(self: Path, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "touch", refuse)
    code = run(
        "report",
        "district",
        "--db",
        str(reports_db),
        "--unit",
        "pre2025:125",
        "--period",
        "2020Q4",
        "--out",
        str(tmp_path / "r.pdf"),
    )
    assert code == 1
    assert "permission denied" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())

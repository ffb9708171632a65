"""Fixtures of the report tests: the demo district's reports, built once per session."""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.reports.model import ReportModel
from desktop_app.store.aggregation import UnitAggregate
from desktop_app.store.store import Store
from tests.helpers.clock import FakeClock
from tests.reports.handbuilt import PROVINCE, build_small_district

REPORT_DATE = date(2021, 2, 5)
DISTRICT = "pre2025:125"
PERIOD = "2020Q4"


@dataclass(frozen=True)
class Built:
    """A report written from the demo database, with what it was built from."""

    path: Path
    model: ReportModel
    aggregate: UnitAggregate


@pytest.fixture(scope="session")
def reports_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the session's demo database (the original stays untouched)."""
    path = tmp_path_factory.mktemp("reports") / "demo.db"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(scope="session")
def reports_store(reports_db: Path) -> Iterator[Store]:
    """The copy, open for the whole session (tests only read it)."""
    store = Store.open(reports_db)
    yield store
    store.close()


@pytest.fixture
def province_store(
    tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> Iterator[Store]:
    """The province's own office (it holds every commune's data), with the hand-built
    data of two Mai Sơn communes (``handbuilt.build_small_district``)."""
    from desktop_app.store.office import create_office

    store = create_office(
        tmp_path / "province.db",
        PROVINCE,
        directory=unit_directory,
        clock=clock,
        rng=random.Random(3),
        user="tester",
    )
    build_small_district(store)
    yield store
    store.close()


def _build(store: Store, folder: Path, name: str, lang: str) -> Built:
    from desktop_app.reports import build_report, write_model

    model = build_report(store, "district", DISTRICT, PERIOD, lang=lang, report_date=REPORT_DATE)  # type: ignore[arg-type]
    path = write_model(model, folder / name)
    return Built(path, model, model.aggregate)


@pytest.fixture(scope="session")
def district_vi(reports_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The Vietnamese district report of the demo, 2020Q4, as PDF."""
    return _build(reports_store, tmp_path_factory.mktemp("pdf"), "district.pdf", "vi")


@pytest.fixture(scope="session")
def district_en(reports_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The English district report of the demo, 2020Q4, as PDF."""
    return _build(reports_store, tmp_path_factory.mktemp("pdf"), "district-en.pdf", "en")


def pdf_text(path: Path, *, layout: bool = True) -> str:
    """The text of a PDF by poppler's pdftotext."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")

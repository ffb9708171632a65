"""The commune form of the entry page shows each section's title once, its indicators
under it, also after a catalogue version moved an indicator to another section and kept
its row where it was (as the report's table does: reports.model, domain.by_section)."""

from __future__ import annotations

import csv
import random
import shutil
from collections import Counter
from pathlib import Path

from desktop_app.domain.units import UnitDirectory
from desktop_app.paths import resources_dir
from desktop_app.store.office import create_office
from desktop_app.ui.pages.entry import make_entry_page
from desktop_app.ui.pages.entry_models import section_title
from tests.conftest import COMMUNE, FakeClock
from tests.ui.shell_helpers import context_for, controller_of

MOVED = "diem_internet_cc"  # fixed → postal, its row left among the "fixed" ones


def _moved_catalogue(tmp: Path) -> Path:
    folder = tmp / "catalog"
    shutil.copytree(resources_dir() / "catalog", folder)
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["code"] == MOVED:
            assert row["section"] == "fixed"
            row["section"] = "postal"
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _form_sections(model) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    out: list[tuple[str, list[str]]] = []
    for row, cells in enumerate(model.cells):
        if row in model.header_rows:
            out.append((model.row_titles[row], []))
        elif cells[0] is not None and cells[0].indicator.code not in out[-1][1]:
            out[-1][1].append(cells[0].indicator.code)
    return out


def test_a_moved_indicator_is_under_its_new_section_once(
    qtbot, tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory
) -> None:  # type: ignore[no-untyped-def]
    store = create_office(
        tmp_path / "commune.db",
        COMMUNE,
        directory=unit_directory,
        catalogue_dir=_moved_catalogue(tmp_path),
        clock=clock,
        rng=random.Random(11),
        user="canbo",
    )
    try:
        assert store.catalogue.indicator(MOVED).section == "postal"
        store.villages.add(COMMUNE, "Bản Nà Sản")
        page = make_entry_page(context_for(store))
        qtbot.addWidget(page)
        page.resize(1280, 720)
        page.show()
        qtbot.waitExposed(page)
        model = controller_of(page).commune_model
        sections = _form_sections(model)
        titles = [t for t, _codes in sections]
        assert Counter(titles).most_common(1)[0][1] == 1, titles
        order = ("mobile", "fixed", "postal", "radio", "egov")  # the commune-level sections
        assert titles == [section_title(s) for s in order]
        codes = dict(sections)
        assert MOVED in codes[section_title("postal")]
        assert MOVED not in codes[section_title("fixed")]
        # every commune indicator of the quarter is on the form once
        shown = [c.indicator.code for row in model.cells for c in row if c is not None]
        assert len(set(shown)) == len(
            controller_of(page).snapshot.shown_indicators(store.catalogue, "commune")
        )
    finally:
        store.close()

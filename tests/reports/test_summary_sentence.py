"""The summary's first sentence is a whole sentence, also when no headline figure is
there to compare with the previous period."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.reports import build_report
from desktop_app.store.store import Store
from tests.reports.handbuilt import DISTRICT, build_small_district


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_period_without_headline_figures_ends_its_first_sentence(
    district_store: Store, lang: str
) -> None:
    build_small_district(district_store)
    # 2021Q1: villages are active, nobody entered a figure; the previous quarter exists
    model = build_report(
        district_store, "district", DISTRICT, "2021Q1", lang=lang, report_date=date(2021, 5, 5)
    )
    first = model.summary[0]
    assert first.endswith("."), first
    assert "so với" not in first and "compared with" not in first, first


def test_a_period_with_figures_still_compares_them(district_store: Store) -> None:
    build_small_district(district_store)
    model = build_report(
        district_store, "district", DISTRICT, "2020Q4", report_date=date(2021, 2, 5)
    )
    first = model.summary[0]
    assert "; so với quý 3/2020:" in first, first
    assert first.endswith("."), first

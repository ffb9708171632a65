"""A report's sentences about a number of communes or villages take the number's form:
"1 commune has", "2 communes have" (gettext plurals in the report's language; Vietnamese
has one form, from the catalogue)."""

from __future__ import annotations

import re
from datetime import date

from desktop_app.reports import build_report
from desktop_app.reports.area_section import annex_by_area, commune_figures
from desktop_app.store.store import Store
from tests.reports.handbuilt import DISTRICT, actor_for, build_small_district

DAY = date(2021, 2, 5)
COMMUNE = "pre2025:04105"  # Thị trấn Hát Lót: B1 and B2


def test_one_commune_one_village_in_english(district_store: Store) -> None:
    build_small_district(district_store)
    c = actor_for(district_store, "pre2025:04111")
    district_store.villages.add("pre2025:04111", "C1 Bản Mòng", actor=c)  # one village
    model = build_report(
        district_store, "commune", "pre2025:04111", "2020Q4", lang="en", report_date=DAY
    )
    # no figures entered: the sentence ends with the villages (no "compared with" and nothing)
    assert model.summary[0] == "In Q4 2020, Xã Mường Bằng has 1 active village."
    # nothing entered: said so, not "0 of 1 commune has sent" nor "left out"
    assert model.summary[1] == (
        "No figures have been entered for this period: the commune has entered no data for Q4 2020."
    )
    assert model.notices == (
        "No figures have been entered for this period (Q4 2020, Xã Mường Bằng): the figures"
        " are left blank (—).",
    )
    two = build_report(district_store, "commune", COMMUNE, "2020Q4", lang="en", report_date=DAY)
    assert two.summary[0].startswith("In Q4 2020, Thị trấn Hát Lót has 2 active villages")


def test_a_district_of_many_communes(district_store: Store) -> None:
    build_small_district(district_store)
    model = build_report(district_store, "district", DISTRICT, "2020Q4", lang="en", report_date=DAY)
    # A approved, B returned; the other 20 communes have sent nothing
    assert model.summary[1].startswith("2 of 22 communes have sent their data for Q4 2020")
    assert model.summary[1].endswith("; 20 have not sent yet.")
    # B entered and is not approved; the other 20 entered nothing (not "not approved")
    assert (
        "Only approved data is counted; 1 commune not approved is left out: Thị trấn Hát Lót."
        in model.notices
    )
    assert any(n.startswith("20 communes have entered no figures for this period: Xã Mường")
               for n in model.notices)  # fmt: skip


def test_the_annex_group_rows(district_store: Store) -> None:
    build_small_district(district_store)
    for lang in ("en", "vi"):
        model = build_report(district_store, "district", DISTRICT, "2020Q4", lang=lang)  # type: ignore[arg-type]
        communes = commune_figures(district_store, model.aggregate)
        grouped = annex_by_area(district_store, model, communes, lang)  # type: ignore[arg-type]
        groups = [str(r[1]) for r in grouped.annex_rows if r[0] in ("I", "II", "III")]
        assert groups, lang
        # a group without a commune says so, no count (test_area_rows); the others count
        none = "(không có xã nào)" if lang == "vi" else "(no commune)"
        counted = [t for t in groups if not t.endswith(none)]
        assert counted, lang
        for text in counted:
            n = int(text.rsplit("(", 1)[1].split()[0])
            if lang == "vi":
                assert text.endswith(f"({n} xã)")
            else:
                assert text.endswith(f"({n} commune)" if n == 1 else f"({n} communes)")


def test_vietnamese_has_one_form_from_the_catalogue() -> None:
    from desktop_app.reports.texts import translations

    tr = translations("vi")
    one = "{n} commune has no counted data for {period}: {names}"
    many = "{n} communes have no counted data for {period}: {names}"
    for n in (1, 2, 5):
        assert (
            tr.ngettext(one, many, n) == "{n} xã không có số liệu được tính của {period}: {names}"
        )


def test_the_lineage_lines_count_communes_and_villages(reports_store: Store) -> None:
    from dataclasses import replace

    from desktop_app.reports.lineage import lineage_lines
    from desktop_app.store.aggregation import aggregate

    agg = aggregate(reports_store, DISTRICT, "2020Q4", with_previous=False)
    commune = agg.completeness[0].commune
    one = replace(agg, unplaced={commune.id: 1})
    assert lineage_lines(one, "en") == (
        f"Not counted: 1 village of {commune.name} (not yet mapped by the province to a new"
        " commune: coverage-desk reform plan).",
    )
    assert lineage_lines(replace(agg, unplaced={commune.id: 3}), "en")[0].startswith(
        "Not counted: 3 villages of"
    )
    assert lineage_lines(one, "vi")[0].startswith(f"Chưa tính 1 thôn, bản của {commune.name}")
    province = reports_store.reference.unit("2025:14")
    new = replace(agg, unit=province, level="province", sources={"2025:04108": (commune,)})
    assert lineage_lines(new, "en") == (
        "The figures include those of 1 commune before the 2025 reform, from which today's"
        " communes (1) were formed.",
    )


def test_the_plan_summary_counts_its_nouns_through_the_catalogue(reports_store: Store) -> None:
    # the plan report's counted nouns are gettext plurals, translated in the .po, not an
    # English "s" glued on: both languages read them from the catalogue
    from desktop_app.reports.plan import build_plan_report
    from desktop_app.reports.texts import translations

    vi = translations("vi")
    assert vi.ngettext("{n} plan target", "{n} plan targets", 2) == "{n} chỉ tiêu kế hoạch"
    assert vi.ngettext("{n} unit", "{n} units", 2) == "{n} đơn vị"
    assert (
        vi.ngettext("{approved} of {n} commune approved", "{approved} of {n} communes approved", 22)
        == "{approved}/{n} xã đã được duyệt"
    )
    en = build_plan_report(reports_store, DISTRICT, 2020, lang="en").summary
    assert re.search(
        r"has 92 plan targets set for 23 units\. .*\(\d+ of 22 communes approved\)", en
    ), en
    text = build_plan_report(reports_store, DISTRICT, 2020).summary
    assert re.search(
        r"có 92 chỉ tiêu kế hoạch được giao cho 23 đơn vị\. .*\(\d+/22 xã đã được duyệt\)", text
    ), text

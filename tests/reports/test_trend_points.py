"""Each point of the trend chart is its quarter's own figure, the one that quarter's own
report prints, and the axis ends at the report's quarter. The demo district: 2020Q3 all
22 communes approved, 2020Q4 only 3, 2021Q1 nothing entered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from desktop_app.reports import build_report, write_model
from desktop_app.reports.model import ReportModel
from desktop_app.store.store import Store

DISTRICT = "pre2025:125"
DAY = date(2021, 2, 5)


def _points(model: ReportModel) -> dict[str, dict[str, float | None]]:
    assert model.trend is not None
    return {
        name: dict(zip(model.trend.labels, values, strict=True))
        for name, values in model.trend.series
    }


def _own(model: ReportModel, name: str) -> float | None:
    row = next(r for r in model.rows if r.label.split(" (")[0] == name and not r.cell)
    return None if row.current is None else float(row.current)


def test_every_point_is_its_quarter_s_own_figure(reports_store: Store, tmp_path: Path) -> None:
    q3 = build_report(reports_store, "district", DISTRICT, "2020Q3", report_date=DAY)
    q4 = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    q1 = build_report(reports_store, "district", DISTRICT, "2021Q1", report_date=DAY)
    for name, points in _points(q4).items():
        # Q3/2020 as its own report says (22 communes), not counted like for like with
        # the 3 communes Q4 counts (the "Kỳ trước" column's figure, 100,0 against 96,3)
        assert points["Q3/2020"] == pytest.approx(_own(q3, name)), name
        assert points["Q4/2020"] == pytest.approx(_own(q4, name)), name
    assert _points(q4)["Tỷ lệ thôn có sóng di động"]["Q3/2020"] != pytest.approx(
        float(next(r for r in q4.rows if r.code == "ty_le_thon_co_song").previous or 0)
    )
    for name, points in _points(q1).items():
        # nothing entered in 2021Q1: Q4/2020 keeps its own figure, and Q1/2021 is on the
        # axis with no point
        assert points["Q4/2020"] == pytest.approx(_own(q4, name)), name
        assert points["Q1/2021"] is None
    assert q1.trend is not None and q1.trend.labels[-1] == "Q1/2021"
    pdf = pdfium.PdfDocument(str(write_model(q1, tmp_path / "q1.pdf")))
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    chart = text[text.index("Diễn biến các tỷ lệ chính qua các quý") :]
    assert "Q4/2020" in chart and "Q1/2021" in chart


def test_the_chart_says_which_quarters_count_fewer_communes(
    reports_store: Store, tmp_path: Path
) -> None:
    # Q4/2020's point counts the 3 approved communes, Q3/2020's all 22: the line from one
    # to the other is not a change of the whole district, and the chart says so
    q4 = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    said = "Mỗi điểm chỉ tính số liệu đã được duyệt của quý đó; số xã được tính: Q4/2020: 3/22 xã."
    assert q4.trend is not None and q4.trend.note == said
    pdf = pdfium.PdfDocument(str(write_model(q4, tmp_path / "q4.pdf")))
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    finally:
        pdf.close()
    assert "Diễn biến các tỷ lệ chính qua các quý " + said in text
    # every quarter of 2019-2020Q3 has all 22 approved; drafts counted: nothing to say
    q3 = build_report(reports_store, "district", DISTRICT, "2020Q3", report_date=DAY)
    assert q3.trend is not None and q3.trend.note == ""
    drafts = build_report(
        reports_store, "district", DISTRICT, "2020Q4", include_drafts=True, report_date=DAY
    )
    assert drafts.trend is not None and drafts.trend.note == ""

"""A period nobody entered is told apart from one entered and not approved, and from one
partly approved: the notice of a period with no value at all said "không tính 22 xã chưa
được duyệt", as if something awaited approval, and the completeness sentence counted
"0/22 xã đã gửi (0 đã duyệt, 0 bị trả lại, 0 chờ duyệt)". Read back from the PDF
(pdftotext) and the workbook (openpyxl)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from desktop_app.reports import build_report, write_model
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.reports.conftest import DISTRICT, pdf_text
from tests.reports.handbuilt import actor_for

DAY = date(2021, 5, 5)
NOTHING_VI = "Chưa có số liệu nào được nhập cho kỳ này"
SUNG = "pre2025:04108"  # Xã Chiềng Sung


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cells(path: Path) -> dict[str, list[str]]:
    book = load_workbook(path)
    return {
        ws.title: [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        for ws in book
    }


def test_a_period_nobody_entered_says_so_and_prints_no_figure(
    reports_store: Store, tmp_path: Path
) -> None:
    # the demo holds nothing for 2021Q1, in any commune
    model = build_report(reports_store, "district", DISTRICT, "2021Q1", report_date=DAY)
    text = _flat(pdf_text(write_model(model, tmp_path / "q1.pdf"), layout=False))
    assert (
        "Chưa có số liệu nào được nhập cho kỳ này (quý 1/2021, huyện Mai Sơn): các chỉ tiêu"
        " để trống (—)." in text
    )
    assert "chưa được duyệt" not in text and "0 đã duyệt" not in text
    # no count of what nobody sent, no percentage of the period anywhere in the text
    assert "0/22" not in text
    assert (
        "IV. TÌNH HÌNH GỬI SỐ LIỆU Chưa có số liệu nào được nhập cho kỳ này: cả 22 xã chưa"
        " nhập số liệu quý 1/2021." in text
    )
    assert "Q1/2021: chưa có số liệu nào được nhập." in text
    # not even the trend's axis: a tick "0 %" beside the empty quarter read as its figure
    assert not re.search(r"\d ?%", text), re.findall(r".{20}\d ?%.{5}", text)

    sheets = _cells(write_model(model, tmp_path / "q1.xlsx"))
    assert any(c.startswith(NOTHING_VI + " (quý 1/2021") for c in sheets["Chỉ tiêu"])
    assert any(c.startswith(NOTHING_VI + ": cả 22 xã") for c in sheets["Gửi số liệu"])
    every = " ".join(c for cells in sheets.values() for c in cells)
    assert "chưa được duyệt" not in every and "0/22" not in every

    en = build_report(reports_store, "district", DISTRICT, "2021Q1", lang="en", report_date=DAY)
    english = _flat(pdf_text(write_model(en, tmp_path / "q1-en.pdf"), layout=False))
    assert "No figures have been entered for this period (Q1 2021, Huyện Mai Sơn)" in english
    assert "not approved" not in english and "0 of 22" not in english
    assert model.aggregate.entered == ()


def test_entered_not_approved_then_partly_approved(reports_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(reports_db, path)
    store = Store.open(path)
    try:
        village = str(
            store.db.execute_sql(
                "SELECT id FROM village WHERE commune_id = ? ORDER BY id", (SUNG,)
            ).fetchone()[0]
        )
        a = actor_for(store, SUNG)
        store.values.set_many([ValueWrite(SUNG, village, "2021Q1", "phu_4g", True)], actor=a)

        # entered (a draft of one commune), nothing approved
        model = build_report(store, "district", DISTRICT, "2021Q1", report_date=DAY)
        text = _flat(pdf_text(write_model(model, tmp_path / "draft.pdf"), layout=False))
        assert NOTHING_VI not in text
        assert (
            "Số liệu quý 1/2021 của huyện Mai Sơn đã được nhập nhưng chưa được duyệt: báo cáo"
            " chưa tính số liệu nào, các chỉ tiêu để trống (—)." in text
        )
        assert (
            "Chỉ tính số liệu đã được duyệt; không tính 1 xã chưa được duyệt: Xã Chiềng Sung."
            in text
        )
        assert "21 xã chưa nhập số liệu nào cho kỳ này: Thị trấn Hát Lót," in text
        assert "Có 0/22 xã đã gửi số liệu quý 1/2021" in text  # a draft: counted as not sent

        # partly approved: the approved commune counts, the others entered nothing
        store.submissions.move(SUNG, "2021Q1", "submitted", actor=a)
        store.submissions.move(SUNG, "2021Q1", "approved", actor=actor_for(store, DISTRICT))
        model = build_report(store, "district", DISTRICT, "2021Q1", report_date=DAY)
        text = _flat(pdf_text(write_model(model, tmp_path / "part.pdf"), layout=False))
        assert NOTHING_VI not in text and "chưa được duyệt:" not in text
        assert "21 xã chưa nhập số liệu nào cho kỳ này: Thị trấn Hát Lót," in text
        sheets = _cells(write_model(model, tmp_path / "part.xlsx"))
        assert any(c.startswith("21 xã chưa nhập số liệu nào") for c in sheets["Chỉ tiêu"])
    finally:
        store.close()

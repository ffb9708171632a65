"""What an officer signs: missing is not zero, and only submitted/approved data counts
unless drafts are asked for (then every page says so). Real demo database, PDFs read back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

DISTRICT = "pre2025:125"


@pytest.fixture(autouse=True)
def with_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    if "report_commands" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "report_commands"))


def _report(db: Path, kind: str, unit: str, period: str, out: Path, *extra: str) -> int:
    argv = ["report", kind, "--db", str(db), "--unit", unit, "--period", period]
    return cli.main([*argv, "--out", str(out), *extra])


def test_a_period_with_no_data_is_blank_with_a_notice_and_a_warning(
    reports_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "empty.pdf"
    assert _report(reports_db, "district", DISTRICT, "2018Q1", out) == 0  # still exit 0
    err = capsys.readouterr().err
    assert "chưa có số liệu Quý 1/2018 của Huyện Mai Sơn" in err
    text = pdf_text(out)
    first = text.split("\f")[0]
    assert "Chưa có số liệu nào được nhập cho kỳ này (quý 1/2018, huyện Mai Sơn)" in first
    # nothing is reported as measured: no "0%", no "no village lacks signal"
    assert "giữ nguyên" not in text and "0,0%" not in text
    assert "Không còn thôn, bản chưa có sóng di động" not in text
    assert "Chưa có số liệu về sóng di động" in text


def test_no_data_figures_are_dashes(reports_store: Store) -> None:
    model = build_report(reports_store, "district", DISTRICT, "2018Q1")
    figures = [r for r in model.rows if not r.heading and r.code != "so_thon"]
    assert figures and all(r.current is None for r in figures)
    assert all(r.texts("vi")[1] == "—" for r in figures)
    # the demo's villages were registered in 2019Q2 with values from 2019Q1: none lived
    # in 2018Q1 (a village's life starts with its registration or its first values)
    # in 2018Q1 (no village list at all, not "0 thôn")
    assert model.rows[1].code == "so_thon" and model.rows[1].current is None
    assert model.rows[1].label == "Số thôn/bản"  # no "(0/22 xã có danh sách thôn)"
    assert model.areas is not None and not any("danh sách" in n for n in model.areas.notes)
    # no sentence about figures, so none announced ("so với quý 4/2017:" and nothing after)
    assert (
        model.summary[0] == "Quý 1/2018, đơn vị chưa có danh sách thôn, bản nào của huyện Mai Sơn."
    )


def _approved_communes(db: Path, period: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT commune_id FROM submission WHERE period = ?"
                " AND state IN ('approved', 'accepted')",
                (period,),
            )
        }


def _sum_cells(db: Path, communes: set[str] | None, code: str, period: str, cell: str) -> int:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT commune_id, value FROM data_value WHERE indicator = ? AND period = ?"
            " AND disagg = ? AND value IS NOT NULL",
            (code, period, cell),
        ).fetchall()
    return sum(int(v) for c, v in rows if communes is None or c in communes)


def test_district_counts_only_approved_communes_by_default(
    reports_db: Path, reports_store: Store, tmp_path: Path
) -> None:
    approved = _approved_communes(reports_db, "2020Q4")
    assert 0 < len(approved) < 22  # the demo has unsent, returned and pending communes
    model = build_report(reports_store, "district", DISTRICT, "2020Q4")
    cum_loa = next(r for r in model.rows if r.code == "cum_loa" and not r.cell)
    # the loudspeaker clusters from the "tong" cell alone, of the approved communes only
    assert cum_loa.current == _sum_cells(reports_db, approved, "cum_loa", "2020", "tong")
    assert cum_loa.current != _sum_cells(reports_db, None, "cum_loa", "2020", "tong")
    assert model.draft_mark == ""
    assert {u.id for u in model.aggregate.excluded} == {
        c.commune.id for c in model.aggregate.completeness
    } - approved
    # completeness stays as it is: every commune with its state
    assert len(model.completeness_rows) == 22
    out = write_model(model, tmp_path / "official.pdf")
    text = pdf_text(out)
    assert "SỐ LIỆU CHƯA DUYỆT" not in text
    assert "Chỉ tính số liệu đã được duyệt" in text.split("\f")[0]


def test_drafts_included_are_marked_on_every_page_and_named(
    reports_db: Path, reports_store: Store, tmp_path: Path
) -> None:
    model = build_report(reports_store, "district", DISTRICT, "2020Q4", include_drafts=True)
    cum_loa = next(r for r in model.rows if r.code == "cum_loa" and not r.cell)
    assert cum_loa.current == _sum_cells(reports_db, None, "cum_loa", "2020", "tong")
    out = tmp_path / "drafts.pdf"
    assert _report(reports_db, "district", DISTRICT, "2020Q4", out, "--include-drafts") == 0
    pages = pdf_text(out).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    assert all("SỐ LIỆU CHƯA DUYỆT" in p for p in pages)
    pending = [c.commune.name for c in model.aggregate.completeness if c.state != "approved"]
    first = " ".join(pages[0].split())
    assert "báo cáo có tính số liệu tạm của" in first
    for name in pending[:5]:
        assert name in first
    notes = {r[1]: r[3] for r in model.completeness_rows}
    assert all(notes[name].startswith("Số liệu tạm, chưa duyệt") for name in pending)


def test_commune_report_needs_the_commune_to_have_sent(
    reports_db: Path, reports_store: Store
) -> None:
    with sqlite3.connect(reports_db) as conn:
        unsent = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM unit WHERE level = 3 AND parent_id = ? AND id NOT IN"
                " (SELECT commune_id FROM submission WHERE period = '2020Q4')",
                (DISTRICT,),
            )
        ]
    assert unsent
    model = build_report(reports_store, "commune", unsent[0], "2020Q4")
    assert not model.aggregate.current.has_data
    # its drafts are entered, not sent: not "nothing entered"
    assert model.notices[0].startswith("Số liệu quý 4/2020 của xã ")
    assert "đã được nhập nhưng chưa gửi hoặc bị trả lại" in model.notices[0]
    drafts = build_report(reports_store, "commune", unsent[0], "2020Q4", include_drafts=True)
    assert drafts.aggregate.current.has_data and drafts.draft_mark


def test_a_change_is_stated_between_the_same_communes(
    reports_store: Store,
) -> None:
    # 2020Q3: all 22 communes approved; 2020Q4: only 3, so the previous column (and the
    # summary's "from … to …") counts those 3 communes in 2020Q3 too, and says so
    model = build_report(reports_store, "district", DISTRICT, "2020Q4")
    agg = model.aggregate
    assert agg.previous is not None and agg.previous.coverage == agg.current.coverage
    assert agg.current.coverage["so_thon_lom_song"].communes == 3
    assert " từ " in model.summary[0]
    assert len(agg.previous_dropped) == 19 and not agg.previous_missing
    assert model.previous_note.startswith(
        "(*) Cột “Kỳ trước” tính cùng các xã được tính ở cột “Kỳ này”; không tính số liệu"
        " quý 3/2020 của 19 xã không có số liệu được tính kỳ này: Thị trấn Hát Lót,"
    )
    drafts = build_report(reports_store, "district", DISTRICT, "2020Q4", include_drafts=True)
    assert " từ " in drafts.summary[0]  # same villages both quarters: the change is said

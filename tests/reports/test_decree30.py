"""Decree 30 points measured from the PDF itself: word positions by poppler
(``pdftotext -bbox``), rules (path objects) and fonts by pypdfium2."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from desktop_app.reports import build_report, write_model
from desktop_app.reports.texts import SUBJECT_GROUPS
from desktop_app.store.store import Store
from tests.conftest import COMMUNE
from tests.reports.conftest import Built

PT = 1.0
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


def words(path: Path) -> list[list[Word]]:
    """Every page's words, top (y from the top of the page) and left first."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    pages = []
    for page in html.split("<page ")[1:]:
        found = [
            Word(float(a), float(b), float(c), float(d), unescape(t))
            for a, b, c, d, t in _WORD.findall(page)
        ]
        pages.append(sorted(found, key=lambda w: (round(w.top), w.x0)))
    return pages


def lines(page: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (same top within 2 pt)."""
    out: list[list[Word]] = []
    for w in page:
        if out and abs(out[-1][0].top - w.top) < 2:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def line_text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


def rules(path: Path, index: int) -> list[tuple[float, float, float]]:
    """Horizontal rules of a page: (left, right, y from the top)."""
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[index]
        height = page.get_height()
        out = []
        for obj in page.get_objects():
            if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            left, bottom, right, top = obj.get_bounds()
            if top - bottom < 2 and right - left > 20:
                out.append((left, right, height - (top + bottom) / 2))
        return out
    finally:
        pdf.close()


def _subject_lines(page: list[Word]) -> list[list[Word]]:
    ls = lines(page)
    start = next(i for i, ln in enumerate(ls) if line_text(ln) == "BÁO CÁO") + 1
    end = start
    firsts = ("I. ", "SỐ LIỆU", "Chỉ tính", "Chưa có", "Đơn vị chỉ")  # after the subject
    while not line_text(ls[end]).startswith(firsts):
        end += 1
    return ls[start:end]


@pytest.fixture(scope="module")
def three(reports_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("decree30")
    day = date(2021, 2, 5)
    out = {}
    for kind, unit in (
        ("commune", COMMUNE),
        ("district", "pre2025:125"),
        ("province", "pre2025:14"),
    ):
        model = build_report(
            reports_store,
            kind,  # type: ignore[arg-type]
            unit,
            "2020Q4",
            report_date=day,
            include_drafts=True,
        )
        out[kind] = write_model(model, folder / f"{kind}.pdf")
    return out


def test_a_rule_under_the_subject_a_third_to_a_half_of_its_longest_line(
    three: dict[str, Path],
) -> None:
    for kind, path in three.items():
        subject = _subject_lines(words(path)[0])
        assert len(subject) >= 2, kind
        longest = max(ln[-1].x1 - ln[0].x0 for ln in subject)
        below = subject[-1][0].bottom
        under = [r for r in rules(path, 0) if 0 < r[2] - below < 12]
        assert len(under) == 1, (kind, under)
        left, right, _y = under[0]
        centre = (subject[-1][0].x0 + subject[-1][-1].x1) / 2
        assert 1 / 3 - 0.01 <= (right - left) / longest <= 1 / 2, kind
        assert abs((left + right) / 2 - centre) < 3, kind


def test_word_groups_and_names_are_never_split(three: dict[str, Path]) -> None:
    for kind, path in three.items():
        subject = [line_text(ln) for ln in _subject_lines(words(path)[0])]
        for group in (*SUBJECT_GROUPS, "quý 4/2020"):
            assert any(group in text for text in subject), (kind, group, subject)


def test_paragraphs_are_at_least_6_pt_apart(built_district: Built) -> None:
    page = lines(words(built_district.path)[0])
    texts = [line_text(ln) for ln in page]
    second = next(i for i, t in enumerate(texts) if t.startswith("Có 20/22 xã"))
    within = page[second - 1][0].top - page[second - 2][0].top  # line spacing inside
    between = page[second][0].top - page[second - 1][0].top
    assert between - within >= 6 * PT - 0.2


def test_the_signature_block_is_kept_with_the_last_paragraph(three: dict[str, Path]) -> None:
    for kind, path in three.items():
        pages = words(path)
        where = next(
            i for i, p in enumerate(pages) if any("Nơi nhận:" in line_text(ln) for ln in lines(p))
        )
        page = lines(pages[where])
        sign = next(i for i, ln in enumerate(page) if "Nơi nhận" in line_text(ln))
        body = [
            ln
            for ln in page[:sign]
            if not re.fullmatch(r"\d+|SỐ LIỆU CHƯA DUYỆT|\d+ SỐ LIỆU CHƯA DUYỆT", line_text(ln))
        ]
        assert body, f"{kind}: the signature block stands alone on page {where + 1}"


def test_annex_says_whose_report_it_is_attached_to(three: dict[str, Path]) -> None:
    pages = words(three["district"])
    texts = [" ".join(line_text(ln) for ln in lines(page)) for page in pages]
    # the first annex page (the table by commune; the map annex follows it)
    text = next(t for t in texts if "PHỤ LỤC" in t)
    assert "(Kèm theo Báo cáo số" in text
    assert "của Phòng Văn hóa và Thông tin huyện Mai Sơn)" in text


def test_a_new_commune_office_gets_its_real_letterhead(
    commune_store: Store, tmp_path: Path
) -> None:
    model = build_report(commune_store, "commune", COMMUNE, "2020Q4", report_date=date(2021, 2, 5))
    assert model.header.parent_agency == "UBND HUYỆN MAI SƠN"
    path = write_model(model, tmp_path / "c.pdf")
    head = [line_text(ln) for ln in lines(words(path)[0])[:6]]
    assert any(t.startswith("UBND HUYỆN MAI SƠN") for t in head), head
    # the office's name is whole on its line: "ỦY BAN NHÂN DÂN" may break, the name never
    left = " | ".join(head)
    assert "XÃ CHIỀNG SUNG" in left, head
    assert not any(t.rstrip().endswith(("XÃ CHIỀNG", "HUYỆN MAI")) for t in head), head
    # and the commune report with nothing entered says so on page 1
    first = " ".join(line_text(ln) for ln in lines(words(path)[0]))
    assert "Chưa có số liệu nào được nhập cho kỳ này (quý 4/2020, xã Chiềng Sung)" in first


@pytest.fixture(scope="module")
def built_district(three: dict[str, Path], reports_store: Store) -> Built:
    model = build_report(reports_store, "district", "pre2025:125", "2020Q4", include_drafts=True)
    return Built(three["district"], model, model.aggregate)


def _signature_has_company(path: Path) -> bool:
    pages = words(path)
    where = next(
        i for i, p in enumerate(pages) if any("Nơi nhận:" in line_text(ln) for ln in lines(p))
    )
    page = lines(pages[where])
    sign = next(i for i, ln in enumerate(page) if "Nơi nhận" in line_text(ln))
    skip = r"\d+|SỐ LIỆU CHƯA DUYỆT|\d+ SỐ LIỆU CHƯA DUYỆT"
    return len([ln for ln in page[:sign] if not re.fullmatch(skip, line_text(ln))]) >= 3


@pytest.mark.parametrize("recipients", [1, 13, 20])
def test_a_long_signature_block_still_goes_with_the_chart(
    reports_db: Path, tmp_path: Path, recipients: int
) -> None:
    """Regression: with 13 recipients the block used to stand alone on the last page."""
    import shutil

    copy = tmp_path / "sig.db"
    shutil.copy(reports_db, copy)
    store = Store.open(copy)
    try:
        lines_ = "\n".join(f"- Nơi nhận số {i};" for i in range(recipients))
        store.reference.set_settings({"recipients": lines_})
        model = build_report(store, "district", "pre2025:125", "2020Q4", include_drafts=True)
        path = write_model(model, tmp_path / "sig.pdf")
    finally:
        store.close()
    assert _signature_has_company(path)

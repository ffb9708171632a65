"""The district PDF of the demo, read back: the official form, the figures, the fonts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pypdf import PdfReader

from desktop_app.reports.texts import rounded
from tests.reports.conftest import Built, pdf_text
from tests.reports.expected import expected_row, parse_en, parse_vi

BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def _table_lines(text: str, start: str, end: str) -> list[str]:
    body = text[text.index(start) : text.index(end)]
    return body.splitlines()


def _check_table(built: Built, text: str, start: str, end: str, parse) -> int:  # type: ignore[no-untyped-def]
    lines = _table_lines(text, start, end)
    checked = 0
    for row in built.model.rows:
        if row.heading:
            continue
        pattern = re.compile(rf"^\s*{re.escape(row.number)}\s+\S")
        found = [line for line in lines if pattern.match(line)]
        assert len(found) == 1, (row.number, row.label, found)
        tokens = found[0].split()
        got = [parse(t) for t in tokens[-3:]]
        want = expected_row(built.aggregate, row.code, row.cell)
        for g, w in zip(got, want, strict=True):
            if w is None:
                assert g is None, (row.number, row.label, got, want)
            else:
                assert g == rounded(w, row.decimals), (row.number, row.label, got, want)
        checked += 1
    return checked


def test_official_form(district_vi: Built) -> None:
    text = pdf_text(district_vi.path)
    first = text.split("\f")[0]
    for needle in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN MAI SƠN",
        "PHÒNG VĂN HÓA VÀ THÔNG TIN",
        "Số: …/BC-VHTT",
        "Mai Sơn, ngày 05 tháng 02 năm 2021",
        "BÁO CÁO",
        "trên địa bàn huyện Mai Sơn",
    ):
        assert needle in first, needle
    assert "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "TRƯỞNG PHÒNG" in text
    # page numbers from page 2, on top: the first line of each later page is its number
    # the annex is numbered on its own (its first page unnumbered, like the body's)
    pages = [p for p in text.split("\f") if p.strip()]
    annex = next(i for i, p in enumerate(pages) if p.strip().startswith("PHỤ LỤC"))
    assert 2 < annex
    assert not pages[0].strip().startswith("1")
    for n, page in enumerate(pages[1:annex], start=2):
        assert page.strip().splitlines()[0].strip() == str(n)
    for n, page in enumerate(pages[annex + 1 :], start=2):
        assert page.strip().splitlines()[0].strip() == str(n)


def test_page_geometry(district_vi: Built) -> None:
    reader = PdfReader(district_vi.path)
    first = reader.pages[0]
    assert round(float(first.mediabox.width)) == 595 and round(float(first.mediabox.height)) == 842
    # the annex is landscape
    last = reader.pages[-1]
    assert float(last.mediabox.width) > float(last.mediabox.height)


def test_every_figure_equals_the_aggregation(district_vi: Built) -> None:
    text = pdf_text(district_vi.path)
    checked = _check_table(district_vi, text, "II. CÁC CHỈ TIÊU", "III. THÔN, BẢN", parse_vi)
    assert checked > 60


def test_summary_and_lists(district_vi: Built) -> None:
    agg = district_vi.aggregate
    text = pdf_text(district_vi.path, layout=False)
    flat = " ".join(text.split())
    before = agg.previous.derived["so_thon_lom_song"]  # type: ignore[union-attr]
    now = agg.current.derived["so_thon_lom_song"]
    # a change is stated only between figures covering the same villages and communes
    same = agg.previous.coverage["so_thon_lom_song"] == agg.current.coverage["so_thon_lom_song"]  # type: ignore[union-attr]
    if not same:
        stated = f"có số liệu) là {now:.0f}"
    elif round(before) == round(now):
        stated = f"giữ nguyên {now:.0f}"
    else:
        up = now > before
        stated = f"{'tăng' if up else 'giảm'} từ {before:.0f} {'lên' if up else 'xuống'} {now:.0f}"
    assert stated in flat
    for hole in agg.without_signal:
        assert hole.commune.name in flat
        for village in hole.villages:
            assert village in flat
    for state in agg.completeness:
        assert state.commune.name in flat


def test_english_version(district_en: Built) -> None:
    text = pdf_text(district_en.path)
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text
    assert "REPORT" in text and "Previous" in text and "Annual" in text
    assert "Villages without mobile signal" in text
    assert "Mai Sơn, 5 February 2021" in text
    checked = _check_table(district_en, text, "II. INDICATORS", "III. VILLAGES", parse_en)
    assert checked > 60


def _fonts(path: Path) -> list[tuple[str, object]]:
    out = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            out.append((str(font["/BaseFont"]), descriptor.get_object() if descriptor else None))
    return out


def test_fonts_are_embedded_subsets(district_vi: Built, district_en: Built) -> None:
    for built in (district_vi, district_en):
        fonts = _fonts(built.path)
        assert fonts
        for name, descriptor in fonts:
            assert re.fullmatch(r"/[A-Z]{6}\+.+", name), name
            assert not any(base in name for base in BASE14), name
            assert descriptor is not None and "/FontFile2" in descriptor, name


def test_nfd_settings_render_like_nfc(district_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from desktop_app.reports import write_report
    from tests.reports.handbuilt import build_small_district

    build_small_district(district_store)
    settings = {
        "office_name": "PHÒNG VĂN HÓA VÀ THÔNG TIN",
        "signer_name": "Lò Văn Tâm",
        "place": "Mai Sơn",
        "recipients": "- Sở Thông tin và Truyền thông tỉnh Sơn La;\n- Lưu: VT.",
    }
    texts = []
    for form in ("NFC", "NFD"):
        district_store.reference.set_settings(
            {k: unicodedata.normalize(form, v) for k, v in settings.items()}
        )
        out = write_report(
            district_store,
            "district",
            "pre2025:125",
            "2020Q4",
            tmp_path / f"{form}.pdf",
            report_date=date(2021, 2, 5),
        )
        texts.append(pdf_text(out))
    assert texts[0] == texts[1]
    assert "Lò Văn Tâm" in texts[0]
    assert not any(unicodedata.combining(ch) for ch in texts[1])


def test_commune_report(reports_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from desktop_app.reports import write_report

    out = write_report(
        reports_store,
        "commune",
        "pre2025:04108",
        "2020Q4",
        tmp_path / "c.pdf",
        report_date=date(2021, 2, 5),
    )
    text = pdf_text(out)
    assert "BÁO CÁO" in text and "xã Chiềng Sung" in text


def test_province_overview(reports_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The province report of the district demo: Mai Sơn's data, every district listed."""
    from datetime import date

    from desktop_app.reports import build_report, write_model

    model = build_report(
        reports_store, "province", "pre2025:14", "2020Q4", report_date=date(2021, 2, 5)
    )
    out = write_model(model, tmp_path / "p.pdf")
    built = Built(out, model, model.aggregate)
    text = pdf_text(out)
    assert "trên địa bàn tỉnh Sơn La" in text
    assert _check_table(built, text, "II. CÁC CHỈ TIÊU", "III. THÔN, BẢN", parse_vi) > 60
    assert len(model.aggregate.by_district) == 12
    assert "Huyện Mai Sơn" in text

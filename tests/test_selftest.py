"""``coverage-desk self-test``: the whole run, the PDF reader, the verdicts, the About box."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from desktop_app import selftest
from desktop_app.selftest import CheckResult, SkipCheck, choose_qt_platform, read_pdf

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_self_test_passes_from_the_source_tree(tmp_path: Path) -> None:
    """The self-test as CI runs it on the frozen build, here from the source tree."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "COVERAGE_DESK_LANG": "en",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.selftest", "--strict", "--verbose"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Coverage Desk ") and "self-test (source tree" in lines[0]
    for name in ("resources", "database", "window", "PDF", "sync bundle", "server"):
        assert any(line.startswith(f"✓ {name}: ") for line in lines), done.stdout
    assert "main window «" in done.stdout  # the real window, not the stand-in
    assert "✗" not in done.stdout
    assert lines[-1].startswith("self-test passed: 6 checks, 0 skipped")
    assert not list(tmp_path.glob("coverage-desk-selftest-*")), "temporary folder left behind"


def test_the_subcommand_is_registered() -> None:
    """``coverage-desk self-test`` exists (cli.COMMAND_MODULES lists selftest_command)."""
    from desktop_app import cli

    assert "selftest_command" in cli.COMMAND_MODULES
    args = cli.build_parser().parse_args(["self-test", "--no-window", "--strict"])
    assert args.no_window and args.strict and args.timeout == 20.0


def test_the_subcommand_runs_the_self_test(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.commands import selftest_command

    seen: dict[str, object] = {}

    def fake_run(**kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(selftest, "run_self_test", fake_run)
    parser = argparse.ArgumentParser()
    selftest_command.register(parser.add_subparsers())
    args = parser.parse_args(["self-test", "--no-window", "--timeout", "5"])
    assert args.func(args) == 0
    assert seen == {"window": False, "strict": False, "timeout": 5.0, "verbose": False}


# --- verdicts ------------------------------------------------------------------


def _run_with(monkeypatch: pytest.MonkeyPatch, checks: list, **kwargs: object) -> tuple[int, str]:
    monkeypatch.setattr(selftest, "CHECKS", checks)
    lines: list[str] = []
    code = selftest.run_self_test(out=lines.append, **kwargs)  # type: ignore[arg-type]
    return code, "\n".join(lines)


def _ok(state: selftest.SelfTestState) -> str:
    return "fine"


def _broken(state: selftest.SelfTestState) -> str:
    raise RuntimeError("the disk is on fire")


def _skipped(state: selftest.SelfTestState) -> str:
    raise SkipCheck("not built yet")


def test_a_failed_check_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _run_with(monkeypatch, [("database", _ok), ("PDF", _broken)])
    assert code == 1
    assert "✓ database: fine" in output
    assert "✗ PDF: RuntimeError: the disk is on fire" in output
    assert "self-test FAILED: 1 of 2 checks" in output


def test_a_skipped_check_passes_unless_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _run_with(monkeypatch, [("database", _ok), ("sync bundle", _skipped)])
    assert code == 0
    assert "– sync bundle: skipped: not built yet" in output
    assert "self-test passed: 1 checks, 1 skipped" in output
    code, _output = _run_with(
        monkeypatch, [("database", _ok), ("sync bundle", _skipped)], strict=True
    )
    assert code == 1


def test_no_window_skips_the_window_check(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _run_with(monkeypatch, [("window", _broken)], window=False)
    assert code == 0
    assert "– window: skipped: --no-window given" in output


def test_the_bundle_check_skips_without_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "desktop_app.sync.exchange", None)
    state = selftest.SelfTestState(Path("."))
    with pytest.raises(SkipCheck, match="sync not available"):
        selftest.check_bundle(state)


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", "offscreen"),
        ({"DISPLAY": ":0"}, "linux", None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", None),
        ({}, "win32", None),
        ({}, "darwin", None),
    ],
)
def test_offscreen_only_without_a_display(
    environ: dict[str, str], platform: str, expected: str | None
) -> None:
    assert choose_qt_platform(environ, platform) == expected


# --- the PDF reader ------------------------------------------------------------

VIETNAMESE_LETTERS = "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưy"
    for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
)


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from desktop_app.reports.fonts import report_fonts

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(report_fonts().regular, 12)
    for i, line in enumerate(text.splitlines()):
        canvas.drawString(40, 800 - 14 * i, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pypdf_fonts(data: bytes) -> dict[str, bool]:
    """BaseFont -> embedded (a /FontFile2 in its descriptor) of page 1's fonts, by pypdf.

    reportlab always lists Helvetica (its initial font, not embedded) too."""
    pypdf = pytest.importorskip("pypdf")
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    fonts = page["/Resources"]["/Font"]
    found = {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        descendants = font.get("/DescendantFonts")
        if descriptor is None and descendants is not None:
            descriptor = descendants[0].get_object().get("/FontDescriptor")
        embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
        found[str(font["/BaseFont"]).lstrip("/")] = embedded
    return found


def test_read_pdf_reads_back_vietnamese_in_the_embedded_font() -> None:
    data = _pdf(selftest.PDF_TEXT)
    summary = read_pdf(data)
    assert summary.pages == 1
    assert summary.fonts == [("LiberationSerif", True)]
    assert summary.text == selftest.PDF_TEXT
    assert summary.width > 100 and summary.height > 100
    # pypdf, independently: one subset of Liberation Serif (XXXXXX+ prefix), embedded
    fonts = _pypdf_fonts(data)
    assert fonts.pop("Helvetica") is False
    ((name, embedded),) = fonts.items()
    assert embedded
    prefix, _plus, base = name.partition("+")
    assert base == "LiberationSerif" and len(prefix) == 6 and prefix.isupper()


def test_read_pdf_reads_every_subset_and_agrees_with_pypdf() -> None:
    """More than 256 distinct glyphs: reportlab splits the font in subsets."""
    pypdf = pytest.importorskip("pypdf")
    others = "".join(chr(c) for c in [*range(0x100, 0x180), *range(0x410, 0x450)])
    letters = VIETNAMESE_LETTERS + "đ" + VIETNAMESE_LETTERS.upper() + "Đ" + others
    lines = [letters[i : i + 50] for i in range(0, len(letters), 50)]
    lines.append("(ngoặc) \\ gạch chéo")
    data = _pdf("\n".join(lines))
    subsets = _pypdf_fonts(data)
    del subsets["Helvetica"]
    assert len(subsets) >= 2 and all(subsets.values())
    assert {name.partition("+")[2] for name in subsets} == {"LiberationSerif"}
    summary = read_pdf(data)
    assert summary.fonts == [("LiberationSerif", True)]  # pdfium drops the subset prefix
    assert summary.text.splitlines() == lines
    extracted = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # pypdf breaks lines where we do not: compare the letters
    assert "".join(unicodedata.normalize("NFC", extracted).split()) == "".join(summary.text.split())


def test_read_pdf_tells_a_font_that_is_not_embedded() -> None:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont("Times-Roman", 12)  # one of the 14 standard fonts: never embedded
    canvas.drawString(40, 800, "plain ASCII")
    canvas.showPage()
    canvas.save()
    summary = read_pdf(buffer.getvalue())
    assert summary.fonts == [("Times-Roman", False)]
    assert _pypdf_fonts(buffer.getvalue()) == {"Helvetica": False, "Times-Roman": False}


def test_read_pdf_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        read_pdf(b"PK\x03\x04 a zip file")


def test_check_result_lines() -> None:
    assert CheckResult("PDF", "ok", "fine").line() == "✓ PDF: fine"
    assert CheckResult("PDF", "failed", "bad").line() == "✗ PDF: bad"
    assert CheckResult("PDF", "skipped", "later").line() == "– PDF: skipped: later"


# --- the About box -------------------------------------------------------------


def test_every_shipped_component_has_its_licence_text() -> None:
    from desktop_app.ui.about import components

    shipped = components()
    licences = {c.name.lower(): c.licence for c in shipped}
    assert licences["qt"] == licences["pyside6_essentials"] == "LGPL-3.0-only"
    assert licences["reportlab"] == "BSD"
    assert licences["peewee"] == "MIT"
    assert licences["cryptography"] == "Apache-2.0 OR BSD-3-Clause"
    assert licences["zstandard"] == "BSD-3-Clause"
    assert licences["openpyxl"] == "MIT"
    assert licences["platformdirs"] == "MIT"
    assert licences["liberation serif"] == "OFL-1.1"
    for component in shipped:
        assert component.files, component.name
        for path in component.paths():
            assert path.is_file(), f"{component.name}: {path} missing"
        assert max(p.stat().st_size for p in component.paths()) > 300, component.name


def test_about_dialog_shows_version_database_and_licences(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app import __version__
    from desktop_app.ui.about import AboutDialog, about_html

    db = tmp_path / "văn phòng.db"
    dialog = AboutDialog(None, db)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "About Coverage Desk"
    html = about_html(db)
    assert f"Coverage Desk {__version__}" in html and str(db) in html
    assert dialog.components.count() == len(dialog.shipped) > 10
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in dialog.text.toPlainText()
    row = next(i for i, c in enumerate(dialog.shipped) if c.name == "Liberation Serif")
    dialog.components.setCurrentRow(row)
    assert "SIL OPEN FONT LICENSE" in dialog.text.toPlainText().upper()


def test_a_missing_licence_index_gives_no_components(tmp_path: Path) -> None:
    from desktop_app.ui.about import components

    assert components(tmp_path) == []

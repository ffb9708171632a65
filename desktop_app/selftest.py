"""``coverage-desk self-test``: prove that this installation works, end to end.

Used by CI on the frozen build (``build/smoke_test.sh``) and by a technician on
an office PC. It works the same from a source checkout and from the bundle,
and touches nothing but a temporary folder. The checks, in order:

1. resources: the shipped units, catalogue, translations, fonts and licences are there;
2. database: a commune office database is created (``pre2025:04108``), a village
   added, a value written through the repositories, the file closed, reopened
   and the value read back;
3. window: a real top-level window (the main window on that database when the
   window code can be built, else a plain window with the application title)
   and the About box are shown (offscreen when there is no display) and must paint,
   and the window's font must have the Vietnamese letters;
4. PDF: a one-page PDF in Vietnamese with the shipped Liberation Serif is made
   and read back without reportlab: the font is embedded (``/FontFile2``) and
   the text, decoded through the font's ``/ToUnicode`` map, is the text drawn;
   pdfium (the report preview's renderer) renders it;
5. sync bundle: the office is enrolled with a temporary province, a bundle is
   exported, verified and imported at the province, and the value is there;
6. server: the province database is served on 127.0.0.1 by uvicorn, as
   ``coverage-desk serve`` does, and ``/v1/health`` answers.

Each check prints one line with ✓ (passed), ✗ (failed) or – (skipped); the exit
code is 0 only when every check that ran passed (``--strict``: and none was skipped).
Qt is imported only by the window check, from :mod:`desktop_app.ui.selftest_window`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from desktop_app.i18n import _

__all__ = [
    "OFFICE_ID",
    "PDF_TEXT",
    "CheckResult",
    "PdfSummary",
    "SkipCheck",
    "choose_qt_platform",
    "main",
    "read_pdf",
    "run_self_test",
]

OFFICE_ID = "pre2025:04108"
"""A commune of Huyện Mai Sơn, Sơn La: the office the self-test creates."""
PROVINCE_ID = "pre2025:14"
"""Sơn La, the province the self-test enrols the office with."""
VILLAGE_NAME = "Bản Kiểm Tra"
PERIOD = "2019"
INDICATOR = "so_ho"
VALUE = 120
PDF_TEXT = "Kiểm tra phông chữ: Sơn La, Huyện Mai Sơn — sóng điện thoại, bưu điện, truyền thanh."
"""Vietnamese text with every kind of diacritic (ă â đ ê ô ơ ư and the five tones)."""
SHIPPED_FONT = "LiberationSerif-Regular.ttf"
REQUIRED_RESOURCES = (
    "units/units.json",
    "catalog/indicators.csv",
    "catalog/VERSION",
    f"fonts/{SHIPPED_FONT}",
    "fonts/LICENSE-LiberationSerif.txt",
    "icons/coverage-desk.png",
    "licenses/index.json",
)

Status = Literal["ok", "failed", "skipped"]
MARKS: dict[Status, str] = {"ok": "✓", "failed": "✗", "skipped": "–"}


class SkipCheck(Exception):
    """Raised by a check that cannot run here (e.g. a part of the app not built yet)."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its name, status and a one-line detail."""

    name: str
    status: Status
    detail: str

    def line(self) -> str:
        """``✓ database: …`` as printed (``– sync bundle: skipped: …`` when skipped)."""
        if self.status == "skipped":
            return f"{MARKS[self.status]} {self.name}: {_('skipped')}: {self.detail}"
        return f"{MARKS[self.status]} {self.name}: {self.detail}"


@dataclass
class SelfTestState:
    """What the checks share: the temporary folder and what earlier checks made."""

    workdir: Path
    timeout: float = 20.0
    office_db: Path | None = None
    province_db: Path | None = None
    village_id: str | None = None
    notes: list[str] = field(default_factory=list)


# --- 1. resources ------------------------------------------------------------


def check_resources(state: SelfTestState) -> str:
    """The shipped resources are where the application looks for them."""
    from desktop_app import i18n
    from desktop_app.paths import resources_dir

    root = resources_dir()
    missing = [name for name in REQUIRED_RESOURCES if not (root / name).exists()]
    if missing:
        raise RuntimeError(
            _("missing in {folder}: {names}").format(folder=root, names=", ".join(missing))
        )
    import json

    index = json.loads((root / "licenses" / "index.json").read_text(encoding="utf-8"))
    absent = [f for entry in index for f in entry["files"] if not (root / f).is_file()]
    if not index or absent:
        raise RuntimeError(
            _("licence texts missing in {folder}: {names}").format(
                folder=root / "licenses", names=", ".join(absent) or "index.json"
            )
        )
    before = i18n.current_language()
    try:  # the .po in a checkout, the compiled .mo in the frozen build
        i18n.setup("vi")
        translated = _("Coverage Desk: telephone, Internet, postal and radio coverage survey.")
    finally:
        i18n.setup(before)
    if translated.startswith("Coverage Desk: telephone"):
        raise RuntimeError(_("the Vietnamese catalogue did not load"))
    return _("{folder} (licences of {count} components)").format(folder=root, count=len(index))


# --- 2. database -------------------------------------------------------------


def check_database(state: SelfTestState) -> str:
    """Create an office database, write a value through the repositories, read it back."""
    from desktop_app.store.office import create_office
    from desktop_app.store.repositories.values import ValueWrite
    from desktop_app.store.store import Store

    path = state.workdir / "office.db"
    with create_office(path, OFFICE_ID, user="selftest") as store:
        village = store.villages.add(store.node.office_id, VILLAGE_NAME)
        change = store.values.set_value(
            ValueWrite(store.node.office_id, village.id, PERIOD, INDICATOR, VALUE)
        )
        if change is None:
            raise RuntimeError(_("the value was not written"))
    with Store.open(path) as store:
        stored = store.values.get(village.id, PERIOD, INDICATOR)
        names = [v.name for v in store.villages.for_commune(store.node.office_id)]
    if stored is None or stored.value != str(VALUE):
        raise RuntimeError(
            _("read back {found!r} instead of {expected}").format(
                found=None if stored is None else stored.value, expected=VALUE
            )
        )
    if VILLAGE_NAME not in names:
        raise RuntimeError(_("the village was not found after reopening"))
    state.office_db, state.village_id = path, village.id
    return _("{office}: wrote and read back {indicator} = {value} ({path})").format(
        office=OFFICE_ID, indicator=INDICATOR, value=stored.value, path=path.name
    )


# --- 3. window ---------------------------------------------------------------


def choose_qt_platform(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """``"offscreen"`` when Qt has no display to use, else None (Qt's own choice).

    An explicit ``QT_QPA_PLATFORM`` always wins. Windows and macOS always have a
    display; on Linux one needs ``DISPLAY`` (X11/Xvfb) or ``WAYLAND_DISPLAY``.
    """
    if environ.get("QT_QPA_PLATFORM"):
        return None
    if platform.startswith(("win", "darwin")):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "offscreen"


def check_window(state: SelfTestState) -> str:
    """Open the main window (or a stand-in) and the About box, and wait for both to paint."""
    platform = choose_qt_platform(os.environ)
    if platform is not None:
        os.environ["QT_QPA_PLATFORM"] = platform
    from desktop_app.ui.selftest_window import show_windows

    report = show_windows(state.office_db, timeout=state.timeout)
    if report.fallback_reason:
        state.notes.append(report.fallback_reason)
    return _(
        "{kind} «{title}» painted {width}×{height} on {platform}, font {font}; About box painted"
    ).format(
        kind=_("main window") if report.real_main_window else _("stand-in window"),
        title=report.title,
        width=report.width,
        height=report.height,
        platform=report.platform,
        font=report.font,
    )


# --- 4. PDF ------------------------------------------------------------------


def check_pdf(state: SelfTestState) -> str:
    """A one-page Vietnamese PDF in the shipped font, written and read back."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from desktop_app.paths import resources_dir

    font_file = resources_dir() / "fonts" / SHIPPED_FONT
    try:  # the reports' own helper, when present, names the shipped files
        from desktop_app.reports.fonts import shipped_liberation

        font_file = shipped_liberation()["regular"]
    except ImportError:
        pass
    font_name = "CDSelfTest-LiberationSerif"
    if font_name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font_name, str(font_file)))
    expected = unicodedata.normalize("NFC", PDF_TEXT)
    path = state.workdir / "selftest.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("Coverage Desk self-test")
    canvas.setFont(font_name, 14)
    canvas.drawString(72, 760, expected)
    canvas.showPage()
    canvas.save()
    data = path.read_bytes()
    summary = read_pdf(data)
    if summary.pages != 1:
        raise RuntimeError(_("{n} pages instead of 1").format(n=summary.pages))
    embedded = sorted({name for name, is_embedded in summary.fonts if is_embedded})
    if embedded != ["LiberationSerif"]:
        raise RuntimeError(
            _("the font is not embedded (fonts: {names})").format(
                names=", ".join(f"{name} {is_embedded}" for name, is_embedded in summary.fonts)
                or "-"
            )
        )
    if expected not in summary.text:
        raise RuntimeError(_("the text read back differs: {text!r}").format(text=summary.text))
    reports_font = ""
    try:
        from desktop_app.reports.fonts import find_times_new_roman

        if find_times_new_roman() is not None:
            reports_font = "; " + _("reports will use Times New Roman from this machine")
    except ImportError:
        pass
    return (
        _("{size} bytes, font {font} embedded, Vietnamese text read back").format(
            size=len(data), font=embedded[0]
        )
        + "; "
        + _("preview rendered {width}×{height}").format(width=summary.width, height=summary.height)
        + reports_font
    )


@dataclass(frozen=True)
class PdfSummary:
    """What pdfium (the report preview's renderer) reads from a PDF's first page."""

    pages: int
    fonts: list[tuple[str, bool]]
    """(base name without the subset prefix, embedded) of every text object's font."""
    text: str
    """the first page's text, lines joined by newlines"""
    width: int
    height: int
    """the first page rendered at half scale, as the preview does"""


def read_pdf(data: bytes) -> PdfSummary:
    """Pages, fonts and text of ``data`` as pypdfium2 reads them; the page rendered.

    Raises ``ValueError`` when ``data`` is not a PDF pdfium can open.
    """
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ValueError(f"not a PDF: {exc}") from exc
    try:
        page = document[0]
        fonts: list[tuple[str, bool]] = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
            name = buffer.value.decode("utf-8", "replace")
            entry = (name, bool(pdfium_c.FPDFFont_GetIsEmbedded(font)))
            if entry not in fonts:
                fonts.append(entry)
        text = page.get_textpage().get_text_bounded().replace("\r\n", "\n")
        bitmap = page.render(scale=0.5)
        summary = PdfSummary(
            pages=len(document),
            fonts=fonts,
            text=unicodedata.normalize("NFC", text),
            width=bitmap.width,
            height=bitmap.height,
        )
    finally:
        document.close()
    if summary.width <= 0 or summary.height <= 0:
        raise RuntimeError(_("pdfium rendered an empty page"))
    return summary


# --- 5. sync bundle ----------------------------------------------------------


def check_bundle(state: SelfTestState) -> str:
    """Enrol the office with a temporary province, export a bundle, verify and import it."""
    try:
        from desktop_app.sync.certificates import enroll_demo, init_province
        from desktop_app.sync.exchange import export_bundle, import_bundle, verify_bundle
    except ImportError as exc:
        raise SkipCheck(_("sync not available ({error})").format(error=exc)) from None
    from desktop_app.store.store import Store

    if state.office_db is None or state.village_id is None:
        raise SkipCheck(_("needs the database check"))
    bundle = state.workdir / "selftest.cdsync"
    province_db = state.workdir / "province.db"
    with (
        init_province(province_db, PROVINCE_ID, user="selftest") as province,
        Store.open(state.office_db, user="selftest") as office,
    ):
        enroll_demo(office, province)
        exported = export_bundle(office, bundle)
        verify_bundle(province, bundle.read_bytes(), str(bundle))
        imported = import_bundle(province, bundle, backup=False)
        stored = province.values.get(state.village_id, PERIOD, INDICATOR)
    if imported.report.applied < 1 or stored is None or stored.value != str(VALUE):
        raise RuntimeError(
            _("the province did not receive the value ({applied} applied)").format(
                applied=imported.report.applied
            )
        )
    state.province_db = province_db
    return _("{changes} changes, {size} bytes; verified and imported at the province").format(
        changes=exported.changes, size=exported.size
    )


# --- 6. server ----------------------------------------------------------------


def check_server(state: SelfTestState) -> str:
    """Serve the province database on 127.0.0.1 (uvicorn, as ``serve`` does) and ask /health."""
    try:
        import uvicorn

        from desktop_app.server import app as server_app
    except ImportError as exc:
        raise SkipCheck(_("server not available ({error})").format(error=exc)) from None
    import json
    import socket
    import threading
    import urllib.request

    if state.province_db is None:
        raise SkipCheck(_("needs the sync bundle check"))
    application = server_app.create_app(state.province_db)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + state.timeout
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not server.started:
            raise RuntimeError(_("the server did not start"))
        api = getattr(server_app, "API", "/v1")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}{api}/health", timeout=10) as response:
            body = json.loads(response.read().decode("utf-8"))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    if body.get("status") != "ok":
        raise RuntimeError(_("unexpected answer: {body}").format(body=body))
    return _("{api}/health answered on 127.0.0.1:{port} ({mode})").format(
        api=api, port=port, mode=body.get("mode", "?")
    )


# --- running -----------------------------------------------------------------

CHECKS: list[tuple[str, Callable[[SelfTestState], str]]] = [
    ("resources", check_resources),
    ("database", check_database),
    ("window", check_window),
    ("PDF", check_pdf),
    ("sync bundle", check_bundle),
    ("server", check_server),
]


def _check_title(name: str) -> str:
    titles = {
        "resources": _("resources"),
        "database": _("database"),
        "window": _("window"),
        "PDF": _("PDF"),
        "sync bundle": _("sync bundle"),
        "server": _("server"),
    }
    return titles.get(name, name)


def run_checks(
    *, window: bool = True, timeout: float = 20.0, verbose: bool = False
) -> list[CheckResult]:
    """Run every check in a temporary folder (removed afterwards); their results in order."""
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(prefix="coverage-desk-selftest-") as tmp:
        state = SelfTestState(Path(tmp), timeout=timeout)
        for name, check in CHECKS:
            title = _check_title(name)
            if name == "window" and not window:
                results.append(CheckResult(title, "skipped", _("--no-window given")))
                continue
            try:
                results.append(CheckResult(title, "ok", check(state)))
            except SkipCheck as exc:
                results.append(CheckResult(title, "skipped", str(exc)))
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                if verbose:
                    detail += "\n" + traceback.format_exc()
                results.append(CheckResult(title, "failed", detail))
        results.extend(CheckResult(_("note"), "ok", note) for note in state.notes)
    return results


def _safe_output() -> None:
    """Never fail on a console that cannot print ✓ or Vietnamese (Windows code pages)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            reconfigure(errors="replace")


def run_self_test(
    *,
    window: bool = True,
    strict: bool = False,
    timeout: float = 20.0,
    verbose: bool = False,
    out: Callable[[str], None] | None = None,
) -> int:
    """Run and print every check; 0 when all that ran passed (and, if ``strict``, none skipped)."""
    from desktop_app import __version__
    from desktop_app.paths import install_dir

    if out is None:
        _safe_output()

        def out(line: str) -> None:
            print(line, flush=True)

    frozen = _("frozen build") if getattr(sys, "frozen", False) else _("source tree")
    out(
        _("Coverage Desk {version} self-test ({kind}, {folder})").format(
            version=__version__, kind=frozen, folder=install_dir()
        )
    )
    started = time.monotonic()
    results = run_checks(window=window, timeout=timeout, verbose=verbose)
    for result in results:
        out(result.line())
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    bad = failed + (skipped if strict else [])
    seconds = time.monotonic() - started
    if bad:
        out(
            _("self-test FAILED: {n} of {total} checks ({seconds:.1f} s)").format(
                n=len(bad), total=len(CHECKS), seconds=seconds
            )
        )
        return 1
    out(
        _("self-test passed: {n} checks, {skipped} skipped ({seconds:.1f} s)").format(
            n=len(CHECKS) - len(skipped), skipped=len(skipped), seconds=seconds
        )
    )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The self-test options (shared by the subcommand and ``python -m desktop_app.selftest``)."""
    parser.add_argument("--no-window", action="store_true", help=_("skip the window check (no Qt)"))
    parser.add_argument("--strict", action="store_true", help=_("fail when a check is skipped"))
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help=_("seconds to wait for the window to paint (default: 20)"),
    )
    parser.add_argument(
        "--verbose", action="store_true", help=_("print the traceback of a failed check")
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m desktop_app.selftest [--no-window] [--strict]``."""
    from desktop_app import i18n

    lang = os.environ.get("COVERAGE_DESK_LANG", "vi")
    i18n.setup(lang if lang in i18n.LANGUAGES else "vi")
    parser = argparse.ArgumentParser(prog="coverage-desk self-test")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_self_test(
        window=not args.no_window, strict=args.strict, timeout=args.timeout, verbose=args.verbose
    )


if __name__ == "__main__":
    sys.exit(main())

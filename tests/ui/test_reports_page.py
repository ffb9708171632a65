"""The reports screen on the demo district: preview, save, print, and what an office may
choose. Real widgets, the real reports layer, files read back with pypdf and openpyxl."""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.periods import Period
from desktop_app.store.store import Store
from desktop_app.ui.pages import reports_print
from desktop_app.ui.pages.reports import ReportsPage
from desktop_app.ui.pages.reports_choices import preview_task, with_suffix_of_filter
from desktop_app.ui.tasks import CancelFlag, Cancelled, SyncTaskRunner, TaskRunner
from tests.conftest import COMMUNE
from tests.ui.pages_fixtures import make_context

DISTRICT = "pre2025:125"


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo district office, open."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    yield store
    store.close()


def _page(qtbot: QtBot, store: Store) -> ReportsPage:
    ctx = make_context(store, "clerk")
    ctx.runner = SyncTaskRunner()
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _previewed(qtbot: QtBot, store: Store) -> ReportsPage:
    page = _page(qtbot, store)
    page.select("district", DISTRICT, "2020Q4")
    page.preview_button.click()
    assert page.preview is not None
    return page


def _answer_save_dialog(monkeypatch: pytest.MonkeyPatch, path: Path, chosen: str = "") -> None:
    def fake(*_args: object, **_kwargs: object) -> tuple[str, str]:
        return str(path), chosen

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))


def _capture_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from desktop_app.ui.dialogs import confirm

    shown: list[str] = []

    def fake_inform(_parent: object, _title: str, text: str, **_kwargs: object) -> None:
        shown.append(text)

    monkeypatch.setattr(confirm, "inform", fake_inform)
    return shown


def test_a_district_office_chooses_its_district_or_one_of_its_communes(
    qtbot: QtBot, demo_store: Store
) -> None:
    page = _page(qtbot, demo_store)
    kinds = [page.kind_box.itemData(i) for i in range(page.kind_box.count())]
    assert kinds == ["district", "commune", "plan", "holes"]
    assert [page.unit_box.itemData(i) for i in range(page.unit_box.count())] == [DISTRICT]
    assert page.period_picker.period() == Period(2020, 4)  # the latest quarter with data
    page.kind_box.setCurrentIndex(1)
    communes = [page.unit_box.itemData(i) for i in range(page.unit_box.count())]
    assert communes == [u.id for u in demo_store.reference.communes_under(DISTRICT)]
    assert COMMUNE in communes


def test_a_commune_office_only_offers_its_commune(qtbot: QtBot, commune_store: Store) -> None:
    page = _page(qtbot, commune_store)
    assert [page.kind_box.itemData(i) for i in range(page.kind_box.count())] == ["commune"]
    assert [page.unit_box.itemData(i) for i in range(page.unit_box.count())] == [COMMUNE]
    assert not page.kind_box.isEnabled() and not page.unit_box.isEnabled()


def test_preview_shows_every_page_of_the_pdf(qtbot: QtBot, demo_store: Store) -> None:
    page = _previewed(qtbot, demo_store)
    assert page.preview is not None
    pages = len(PdfReader(page.preview.pdf).pages)
    assert pages > 1
    assert page.viewer.page_count() == pages == len(page.viewer.page_labels())
    assert page.viewer.count_label.text() == f"{pages} pages"
    assert page.preview.pages[-1].landscape  # the annex table
    page.viewer.set_zoom("actual")
    assert page.viewer.page_labels()[0].width() == round(595.28 * page.logicalDpiX() / 72)
    page.language_box.setCurrentIndex(1)
    assert "press Preview" in page.status_label.text()  # the preview no longer matches


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx", ".csv"])
def test_save_writes_each_format(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    page = _previewed(qtbot, demo_store)
    out = tmp_path / f"report{suffix}"
    _answer_save_dialog(monkeypatch, out)
    page.save_button.click()
    assert out.exists() and str(out) in page.status_label.text().replace("\u200b", "")
    if suffix == ".pdf":
        assert len(PdfReader(out).pages) == page.viewer.page_count()
    elif suffix == ".xlsx":
        assert load_workbook(out).worksheets[0].max_row > 10
    else:
        with open(out, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) > 10 and rows[0][:2] == ["TT", "Chỉ tiêu"]


def test_save_without_preview_builds_the_report(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, demo_store)
    page.select("commune", COMMUNE, "2020Q4")
    _answer_save_dialog(monkeypatch, tmp_path / "chieng-sung", "Excel workbook (*.xlsx)")
    page.save_button.click()
    assert (tmp_path / "chieng-sung.xlsx").exists()  # the format came from the filter


def test_an_unwritable_folder_is_said_in_words(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _previewed(qtbot, demo_store)
    shown = _capture_messages(monkeypatch)
    out = tmp_path / "no such folder" / "report.pdf"
    _answer_save_dialog(monkeypatch, out)
    page.save_button.click()
    assert not out.exists()
    assert shown and "the folder does not exist" in shown[0] and "Traceback" not in shown[0]
    assert shown[0] == page.status_label.text()


def test_a_read_only_folder_is_said_in_words(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, who may write anywhere: the refusal is simulated where the
    # finished file is moved into place, as a locked folder or USB stick refuses it.
    def refuse(_src: object, _dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    page = _previewed(qtbot, demo_store)
    shown = _capture_messages(monkeypatch)
    monkeypatch.setattr(os, "replace", refuse)
    _answer_save_dialog(monkeypatch, tmp_path / "report.xlsx")
    page.save_button.click()
    assert shown and "permission denied" in shown[0]
    assert list(tmp_path.glob("report*")) == []


def test_a_full_disk_is_said_in_words(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    page = _previewed(qtbot, demo_store)
    shown = _capture_messages(monkeypatch)
    monkeypatch.setattr(os, "fsync", full)  # the disk fills while the file is written
    _answer_save_dialog(monkeypatch, tmp_path / "report.csv")
    page.save_button.click()
    assert shown and "the disk is full" in shown[0]
    assert list(tmp_path.glob("report*")) == [] and list(tmp_path.glob(".report*")) == []


def test_dhis2_export_writes_json_and_csv(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, demo_store)
    page.select("district", DISTRICT, "2020Q4")
    _answer_save_dialog(monkeypatch, tmp_path / "values.json")
    page.dhis2_button.click()
    values = json.loads((tmp_path / "values.json").read_text(encoding="utf-8"))["dataValues"]
    assert values and f"{len(values)} values" in page.status_label.text()
    _answer_save_dialog(monkeypatch, tmp_path / "values.csv")
    page.dhis2_button.click()
    with open(tmp_path / "values.csv", encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == len(values) + 1


def test_preview_runs_off_the_gui_thread(qtbot: QtBot, demo_store: Store) -> None:
    page = _page(qtbot, demo_store)
    runner = TaskRunner()
    page.ctx.runner = runner
    page.select("commune", COMMUNE, "2020Q4")
    page.preview_button.click()
    qtbot.waitUntil(lambda: page.preview is not None, timeout=20000)
    assert runner.wait()
    assert page.viewer.page_count() == len(PdfReader(page.preview.pdf).pages)  # type: ignore[union-attr]
    assert demo_store.reference.unit(COMMUNE).name == "Xã Chiềng Sung"  # GUI connection fine


def test_cancelling_stops_the_preview(qtbot: QtBot, demo_store: Store, tmp_path: Path) -> None:
    page = _page(qtbot, demo_store)
    cancel = CancelFlag()

    def progress(_fraction: float | None, _message: str = "") -> None:
        cancel.set()  # the user pressed Cancel as soon as the dialog showed

    task = preview_task(demo_store, page.choice(), tmp_path)
    with pytest.raises(Cancelled):
        task(progress, cancel)
    page._on_task_failed(Cancelled())
    assert page.status_label.text() == "Stopped."
    assert list(tmp_path.glob("*.pdf")) == []


def test_printing_to_a_pdf_file_prints_every_page(
    qtbot: QtBot, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = tmp_path / "printed.pdf"
    dialogs: list[QPrintDialog] = []

    def fake_exec(dialog: QPrintDialog) -> int:
        # the user picks "print to file"; a low resolution keeps the test quick
        dialogs.append(dialog)
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        printer.setResolution(96)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    page = _page(qtbot, demo_store)
    page.select("district", DISTRICT, "2020Q4")
    page.print_button.click()  # no preview yet: it is made first, then printed
    assert page.preview is not None and dialogs
    reader = PdfReader(printed)
    assert len(reader.pages) == page.viewer.page_count()
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ]
    assert sizes[0] == (595, 842) and sizes[-1] == (842, 595)  # A4, the annex in landscape
    assert f"{len(reader.pages)} pages sent" in page.status_label.text()


def test_print_dialog_buttons_speak_vietnamese(qtbot: QtBot) -> None:
    from desktop_app import i18n

    i18n.setup("vi")
    printer = QPrinter()
    dialog = reports_print.make_print_dialog(printer, 3, None)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "In báo cáo"
    if dialog.findChildren(QDialogButtonBox):  # Qt's own dialog (Windows shows the system's)
        texts = [button.text() for button in dialog.findChildren(QPushButton)]
        assert "In" in texts and "Hủy" in texts


def test_page_range_follows_the_dialog() -> None:
    printer = QPrinter()
    assert reports_print.page_range(printer, 5) == range(5)
    printer.setFromTo(2, 3)
    assert reports_print.page_range(printer, 5) == range(1, 3)


def test_the_filter_gives_the_extension() -> None:
    formats = (".pdf", ".xlsx", ".csv")
    assert with_suffix_of_filter("/a/b", "CSV table (*.csv)", formats) == Path("/a/b.csv")
    assert with_suffix_of_filter("/a/b.XLSX", "PDF (*.pdf)", formats) == Path("/a/b.XLSX")
    assert with_suffix_of_filter("/a/b.v2", "", formats) == Path("/a/b.v2.pdf")

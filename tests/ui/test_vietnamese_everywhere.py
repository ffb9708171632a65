"""Every page and dialog in Vietnamese: no label, button, tooltip, header or menu text
that is English (Latin letters only) unless it is a name or a code; Qt's file dialog
translated label by label; OS errors as sentences."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.i18n import setup as setup_i18n
from desktop_app.store.store import Store
from desktop_app.ui.app import install_qt_translations
from desktop_app.ui.context import AppContext
from desktop_app.ui.error_text import detail_text, user_text
from desktop_app.ui.main_window import MainWindow
from tests.ui.shell_helpers import context_for

# Names and codes that stay as they are in a Vietnamese window.
ALLOWED = set(
    """
    coverage desk bts usb dhis2 pdf xlsx csv viettel vnpt vinaphone mobifone vietnamobile
    gmobile itelecom wi fi wifi ctrl alt shift enter tab esc del ok internet email url http
    https gps lat lon km kb mb gb id sqlite zip vnpost wgs84 lte gsm umts nr cdsync json db
    vtv vov adsl ftth qt pyside6 python liberation serif sans dejavu mit ofl gpl lgpl apache
    bsd sha ed25519 uuid hlc utc vi en english pc wan lan tcp ip localhost png html tv fm am
    mm cm ha
    in tin cho con gia thi tra xem ban so sao
    """.split()
)  # names and codes; the last line: Vietnamese words that need no diacritics
WORD = re.compile(r"[A-Za-z0-9]+")
TAG = re.compile(r"<[^>]+>")


def english_in(text: str) -> bool:
    """True when ``text`` reads as English: Latin letters only, a word not a name or code."""
    text = TAG.sub(" ", text).replace("&", "")
    text = re.sub(r"\S+@\S+|\S*[/\\]\S*|\S+\.\w{2,6}\b|\([*.\w; ]+\)", " ", text)
    if any(ord(ch) > 127 and ch.isalpha() for ch in text):
        return False  # Vietnamese letters: a Vietnamese sentence (maybe with a name in it)
    words = [w.lower() for w in WORD.findall(text)]
    return any(w not in ALLOWED and len(w) > 1 and not any(c.isdigit() for c in w) for w in words)


def _model_texts(model: QAbstractItemModel | None) -> Iterator[str]:
    if model is None:
        return
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model: no header
        return
    for column in range(columns):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")


def texts_of(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every visible text the widget and its children show."""
    items: list[QWidget] = [widget, *widget.findChildren(QWidget)]
    for w in items:
        name = type(w).__name__
        if w.isWindow() and w.windowTitle():
            yield f"{name} title", w.windowTitle()
        tip = w.toolTip()
        if tip:
            yield f"{name} tooltip", tip
        if isinstance(w, QLabel):
            yield name, w.text()
        elif isinstance(w, QAbstractButton):
            yield name, w.text()
        elif isinstance(w, QGroupBox):
            yield name, w.title()
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            yield f"{name} placeholder", w.placeholderText()
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield f"{name} tab", w.tabText(i)
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name} item", w.itemText(i)
        elif isinstance(w, QAbstractItemView) and w.isVisibleTo(widget):
            for text in _model_texts(w.model()):
                yield f"{name} header", text
        if isinstance(w, QMenu | QMainWindow):
            for action in w.actions():
                yield f"{name} action", action.text()
                yield (
                    f"{name} action tip",
                    action.toolTip() if action.toolTip() != action.text().replace("&", "") else "",
                )
                if action.menu() is not None:
                    for sub in action.menu().actions():
                        yield f"{name} menu", sub.text()


def english_texts(widget: QWidget) -> list[str]:
    return sorted(
        {f"{where}: {text!r}" for where, text in texts_of(widget) if text and english_in(text)}
    )


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    setup_i18n("vi")
    install_qt_translations(qapp, "vi")
    yield
    setup_i18n("en")
    install_qt_translations(qapp, "en")


def test_the_english_detector_flags_english_and_spares_names() -> None:
    assert english_in("Look in:") and english_in("Cancel") and english_in("File name")
    assert not english_in("Tìm trong:") and not english_in("Gửi báo cáo")
    assert not english_in("Coverage Desk 0.1.0") and not english_in("BTS (Viettel)")
    assert not english_in("xa-chieng-sung-2019.cdsync") and not english_in("2019Q2")


def test_every_page_of_the_window_speaks_vietnamese(
    qtbot: QtBot, vietnamese: None, district_store: Store
) -> None:
    context = context_for(district_store, "admin", "quantri")
    context.language = "vi"
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    found: dict[str, list[str]] = {}
    for key, *_rest in window.pages:
        page = window.show_page(key)
        assert page is not None
        QApplication.processEvents()
        bad = english_texts(page)
        if bad:
            found[key] = bad
    bad = english_texts(window)
    if bad:
        found["window"] = bad
    assert not found, found


def _dialogs(store: Store, context: AppContext) -> Iterator[QWidget]:
    from desktop_app.ui.about import AboutDialog
    from desktop_app.ui.dialogs.reason import ReasonDialog
    from desktop_app.ui.dialogs.site_form import SiteFormDialog
    from desktop_app.ui.dialogs.user_form import (
        ChangePasswordDialog,
        PasswordDialog,
        UserFormDialog,
    )
    from desktop_app.ui.dialogs.village_form import VillageNameDialog
    from desktop_app.ui.login import LoginDialog

    yield LoginDialog(store)
    yield ReasonDialog("Trả lại số liệu của Xã Chiềng Sung.", lambda _r: None)
    yield VillageNameDialog("Xã Chiềng Sung", lambda _n: None)
    yield SiteFormDialog(
        context, store.reference.communes_under(store.node.office_id), lambda _s: None
    )
    yield UserFormDialog(lambda _u: None)
    yield PasswordDialog("hoa", lambda _p: None)
    yield ChangePasswordDialog("hoa", lambda _v: True)
    yield AboutDialog(None, store.path)


def test_every_dialog_speaks_vietnamese(
    qtbot: QtBot, vietnamese: None, commune_store: Store
) -> None:
    context = context_for(commune_store, "admin", "quantri")
    context.language = "vi"
    found: dict[str, list[str]] = {}
    for dialog in _dialogs(commune_store, context):
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        bad = english_texts(dialog)
        if bad:
            found[type(dialog).__name__] = bad
        dialog.close()
    assert not found, found


@pytest.mark.parametrize("mode", ["open", "save", "folder"])
def test_qt_file_dialogs_are_translated_label_by_label(
    qtbot: QtBot, vietnamese: None, tmp_path: Path, mode: str
) -> None:
    (tmp_path / "xa-chieng-sung-2019.cdsync").write_bytes(b"x")
    (tmp_path / "Báo cáo").mkdir()
    assert QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    dialog = QFileDialog(None, "Chọn gói tin", str(tmp_path))
    qtbot.addWidget(dialog)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setNameFilter("Gói tin Coverage Desk (*.cdsync);;Mọi tệp (*)")
    dialog.show()
    qtbot.waitUntil(lambda: dialog.findChildren(QAbstractItemView) != [], timeout=3000)
    QApplication.processEvents()
    labels = {w.text() for w in dialog.findChildren(QLabel) if w.text()}
    assert "&Tìm trong:" in labels
    if mode != "folder":
        assert "&Loại tệp:" in labels
    buttons = {b.text() for b in dialog.findChildren(QAbstractButton) if b.text()}
    assert "Hủy" in buttons
    assert english_texts(dialog) == []
    # the list's context menu (right click) is Qt's too
    for edit in dialog.findChildren(QLineEdit):
        menu = edit.createStandardContextMenu()
        shown = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
        assert shown[:2] == ["&Hoàn tác", "&Làm lại"]


def test_qts_print_dialog_speaks_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    """The report page's "In…" opens Qt's print dialog (on Linux): every label in Vietnamese,
    the options part included."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    options = [b for b in dialog.findChildren(QAbstractButton) if "Tùy chọn" in b.text()]
    assert options, "the options button is not translated"
    options[0].click()  # shows the copies, range and page setup part
    QApplication.processEvents()
    labels = {w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog)}
    assert "&Tên:" in labels and "Vị trí:" in labels
    assert english_texts(dialog) == []


def test_a_message_box_speaks_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Lỗi", "Không ghi được tệp.")
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    box.show()
    assert {b.text() for b in box.buttons()} == {"Đồng ý", "Hủy"}


def test_os_errors_become_sentences(vietnamese: None) -> None:
    from desktop_app.netsync.http import NetworkSyncError
    from desktop_app.sync.errors import EnrolmentError

    refused = NetworkSyncError(detail="[Errno 111] Connection refused")
    text = user_text(refused)
    assert "Errno" not in text and "refused" not in text
    assert "máy chủ từ chối kết nối" in text
    assert detail_text("timed out") == "máy chủ không trả lời kịp"
    enrol = user_text(EnrolmentError(detail="the certificate comes from another province"))
    assert "another province" not in enrol and "tỉnh khác" in enrol
    full = user_text(OSError(errno.ENOSPC, "No space left on device", "E:/goi.cdsync"))
    assert full == "E:/goi.cdsync: ổ đĩa hoặc USB đã đầy"
    denied = user_text(PermissionError(errno.EACCES, "Permission denied"))
    assert "Permission" not in denied and not english_in(denied)
    assert not english_in(user_text(ConnectionRefusedError(errno.ECONNREFUSED, "refused")))


def test_qt_texts_not_in_the_table_stay_qts_own(vietnamese: None) -> None:
    from PySide6.QtCore import QCoreApplication

    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "&Tìm trong:"
    # a null answer, not an empty one: Qt keeps its text (an image still loads, etc.)
    assert QCoreApplication.translate("QFileDialog", "Not in our table") == "Not in our table"

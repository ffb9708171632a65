"""Render the spreadsheet import screens at 1366×768, offscreen, in Vietnamese and English,
into /tmp/screens/imports-*.png: the export dialog, and the preview of a filled template
(changed cells, one refused cell, one cell typed in TCVN3) over the main window.

    .venv/bin/python -m bench.screenshots_imports [out_dir]

Uses the demo commune office (Xã Chiềng Sung), built once under /tmp.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.screenshots import COMMUNE, SIZE, demo, save
from desktop_app import i18n


def shoot(out: Path, lang: str) -> None:
    from openpyxl import load_workbook

    from desktop_app.domain.periods import Period
    from desktop_app.imports.template import write_template
    from desktop_app.imports.values_import import plan_values_import
    from desktop_app.store.store import Store
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.spreadsheet_dialogs import ExportDialog, ImportPreviewDialog

    i18n.setup(lang)
    work = Path(tempfile.mkdtemp())
    db = work / "commune.db"
    shutil.copy(demo(COMMUNE), db)
    store = Store.open(db)
    user = store.users.add("nhap.excel", "Lò Thị Hoa", "clerk", "matkhau1")
    ctx = AppContext(store=store, user=user, language=lang)
    window = MainWindow(ctx)
    save(window, out, f"imports-window-{lang}", SIZE)
    export = ExportDialog(ctx, window)
    export.period_picker.set_period(Period.parse("2020Q4"))
    save(export, out, f"imports-export-{lang}")
    path = work / "mau.xlsx"
    write_template(store, COMMUNE, Period.parse("2020Q4"), path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cols = {c.value: c.column for c in ws[1] if c.value}
    for row in range(4, 10):
        ws.cell(row=row, column=cols["so_ho"]).value = (
            int(ws.cell(row=row, column=cols["so_ho"]).value) + row
        )
    ws.cell(row=5, column=cols["so_ho_ngheo"]).value = 100000
    ws.cell(row=6, column=cols["song_di_dong"]).value = "Sãng yÕu"  # TCVN3 for «Sóng yếu»
    ws.cell(row=7, column=cols["dien_luoi"]).value = "Kh«ng"  # TCVN3 for «Không»
    wb.save(path)
    plan = plan_values_import(store, path)
    preview = ImportPreviewDialog(store, plan, window)
    window.show()
    save(preview, out, f"imports-preview-{lang}")
    store.close()


def main() -> None:
    from desktop_app.ui.app import make_application

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    app = make_application([])
    for lang in ("vi", "en"):
        shoot(out, lang)
    del app


if __name__ == "__main__":
    main()

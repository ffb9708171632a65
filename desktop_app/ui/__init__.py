"""The window (the only package that imports PySide6).

Importing it first makes PySide6's per-import source scan cheap
(:mod:`desktop_app.ui.pyside_import_scan`), before the window's own modules load.
"""

from desktop_app.ui import pyside_import_scan

pyside_import_scan.install()

"""Build hook: the wheel carries ``resources/`` with its catalogues compiled.

``pyproject.toml`` holds the project's metadata; this file only extends ``build_py``
so that a built wheel (``pip install .``, ``pip wheel .``) ships the units, the
indicator catalogue, fonts, icons, licences and the compiled ``.mo`` catalogues as
``desktop_app/_resources/`` (``desktop_app.paths.resources_dir`` looks there first).
An editable install (``make``'s ``pip install -e``) keeps reading ``resources/`` of
the checkout, so nothing is copied then. setuptools' own build folder is moved out of
``build/``, which holds the project's build scripts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target = Path(self.build_lib) / "desktop_app" / "_resources"
        shutil.copytree(
            ROOT / "resources",
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("*.mo", "*.po", "__pycache__"),
        )
        for po_path in sorted((ROOT / "resources" / "locale").glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as source:
                catalogue = read_po(source)
            mo_path = target / po_path.relative_to(ROOT / "resources").with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as out:
                write_mo(out, catalogue, use_fuzzy=False)


setup(
    cmdclass={"build_py": BuildWithResources},
    options={"build": {"build_base": ".setuptools-build"}},
)

"""The report font: Times New Roman where the machine has it, else the shipped Liberation Serif.

Liberation Serif has the metrics of Times New Roman and the whole Vietnamese
alphabet (OFL; ``resources/fonts/`` with its licence). Both are registered with
reportlab as TrueType fonts, so they are embedded as subsets; the base-14
Helvetica/Times are never used. Every string drawn goes through :func:`nfc`:
reportlab does not place combining tone marks itself.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from desktop_app.paths import resources_dir

__all__ = ["ReportFonts", "find_times_new_roman", "nfc", "report_fonts"]

_STYLES = ("regular", "bold", "italic", "bold_italic")
_TNR_NAMES: dict[str, tuple[str, ...]] = {
    "regular": ("times.ttf", "Times New Roman.ttf", "Times_New_Roman.ttf", "TimesNewRoman.ttf"),
    "bold": ("timesbd.ttf", "Times New Roman Bold.ttf", "Times_New_Roman_Bold.ttf"),
    "italic": ("timesi.ttf", "Times New Roman Italic.ttf", "Times_New_Roman_Italic.ttf"),
    "bold_italic": (
        "timesbi.ttf",
        "Times New Roman Bold Italic.ttf",
        "Times_New_Roman_Bold_Italic.ttf",
    ),
}
_LIBERATION = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (precomposed letters with their tone marks)."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class ReportFonts:
    """The registered reportlab font names of the four styles, and where they came from."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    family: str
    source: str


def font_folders() -> list[Path]:
    """The usual Windows, macOS and Linux font folders, user folders first."""
    home = Path.home()
    folders = [
        home / ".local/share/fonts",
        home / ".fonts",
        home / "Library/Fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts/Supplemental"),
        Path("/usr/share/fonts/truetype/msttcorefonts"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/share/fonts/truetype"),
        Path("/usr/local/share/fonts"),
        Path("/usr/share/fonts"),
    ]
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        folders = [windir / "Fonts"] + ([Path(local) / "Microsoft/Windows/Fonts"] if local else [])
    return folders


def find_times_new_roman(folders: list[Path] | None = None) -> dict[str, Path] | None:
    """The four Times New Roman files, or None unless all four styles are found."""
    found: dict[str, Path] = {}
    for folder in folders if folders is not None else font_folders():
        if not folder.is_dir():
            continue
        for style in _STYLES:
            if style in found:
                continue
            for name in _TNR_NAMES[style]:
                candidate = folder / name
                if candidate.is_file():
                    found[style] = candidate
                    break
            else:
                for sub in ("msttcorefonts", "TTF", "truetype"):
                    for name in _TNR_NAMES[style]:
                        candidate = folder / sub / name
                        if candidate.is_file():
                            found[style] = candidate
                            break
    return found if len(found) == len(_STYLES) else None


def shipped_liberation() -> dict[str, Path]:
    """The Liberation Serif files shipped in ``resources/fonts``."""
    folder = resources_dir() / "fonts"
    return {style: folder / name for style, name in _LIBERATION.items()}


@lru_cache(maxsize=1)
def report_fonts() -> ReportFonts:
    """Register the report fonts with reportlab once and return their names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = find_times_new_roman()
    family, source = "CDTimesNewRoman", "Times New Roman"
    if files is None:
        files, family, source = shipped_liberation(), "CDLiberationSerif", "Liberation Serif"
    names = {style: f"{family}-{style}" for style in _STYLES}
    for style in _STYLES:
        if names[style] not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(names[style], str(files[style])))
    for alias in (family, names["regular"]):
        pdfmetrics.registerFontFamily(
            alias,
            normal=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            boldItalic=names["bold_italic"],
        )
    return ReportFonts(
        names["regular"], names["bold"], names["italic"], names["bold_italic"], family, source
    )

"""Old Vietnamese encodings in imported files: TCVN3 (ABC) and VNI, to Unicode NFC.

Many offices' spreadsheets were typed with the .VnTime (TCVN3) or VNI-Times fonts:
the file holds Latin-1 look-alikes, so "Thôn Bản" reads "Th«n B¶n" (TCVN3) or
"Thoân Baûn" (VNI) in any modern program. The conversion tables and the detection
are viparse's (a maintained library, no dependencies of its own, tables checked
against several independent sources). Detection looks at the whole file, not cell by
cell: one cell ("Cã") is too short to tell TCVN3 from other text, a file's worth is
not. A cell that already holds Unicode Vietnamese letters (ă, đ, ơ, ư, ạ…ỹ) is left
as it is, so a file half retyped in Unicode converts only its old half.

viparse's VNI table leaves out two letters of the VNI-Windows chart that its corpus
never showed: ẳ (``aú``) and ỵ (``î``, where viparse expects ``yï``), and their
capitals. :data:`_VNI_GAPS` adds them before the library converts; the letter-by-letter
test (tests/imports/test_legacy.py) holds every letter of both encodings.

TCVN3 has no capital letters with tones: offices wrote them with the capitals-only
font (.VnTimeH) over the lower-case codes, so such text converts to lower case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop_app.i18n import _

ENCODINGS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}
# Letters only Unicode Vietnamese has: Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư and Ạ…ỹ.
_UNICODE_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)
# Latin-1 letters that Unicode Vietnamese uses (the rest of Latin-1 it never does).
_LATIN1_VIETNAMESE = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Typography a Unicode file may hold that says nothing about the encoding.
_NEUTRAL = frozenset("\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026°′″²³€")
# VNI's letter + mark pairs that no Unicode Vietnamese word holds ("Coù", "Khoâng"):
# VNI's tone and hat marks are themselves Latin-1 letters (ù â á…), so its commonest
# words carry no odd character at all. Left out: "oà", "oá" (old-style "hoà", "hoá")
# and "aê" (VNI's ă, but also the Cơ Tu commune name "Xã Laêê" in Quảng Nam).
_VNI_PAIRS = re.compile(
    "[aeouyAEOUY][ùøûõïÙØÛÕÏ]|[aeoAEO][âÂ]|[aeAE][áàåãäÁÀÅÃÄ]|[oO][åäÅÄ]|[aA][éèúüëÉÈÚÜË]"
)
# VNI-Windows letters viparse's table lacks (see the module docstring).
_VNI_GAPS = (("AÚ", "Ẳ"), ("aú", "ẳ"), ("Î", "Ỵ"), ("î", "ỵ"))
# How much of a file the detection reads: enough to judge, bounded for big files.
_SAMPLE_CHARS = 20_000


def _is_plain(text: str) -> bool:
    return text.isascii()


def _telltale(text: str) -> bool:
    """True when ``text`` holds a character Unicode Vietnamese never uses (« ¶ µ ø ñ…)."""
    return any(
        not ch.isascii() and ch not in _LATIN1_VIETNAMESE and ch not in _NEUTRAL for ch in text
    )


def detect(texts: Iterable[str]) -> str | None:
    """``"tcvn3"`` or ``"vni"`` when the texts are in that encoding, else None.

    Two witnesses must agree: viparse's letter-frequency detection over the file's
    text (TCVN3 against VNI), and at least one character Unicode Vietnamese never uses
    (or a VNI letter + mark pair no Vietnamese word holds). Text made only of
    letters both could mean ("Xã Phúc Hòa" is also TCVN3 for "Xó Phỳc Hũa") stays as
    it is: on the country's 14,000 unit names the frequency detection alone takes 66
    single names for TCVN3, the two together none.
    """
    from viparse.normalize.detector import detect_encoding_by_content
    from viparse.normalize.encodings import CHARMAPS

    sample: list[str] = []
    size = 0
    seen = False
    for text in texts:
        if _is_plain(text) or _UNICODE_VIETNAMESE.search(text):
            continue
        seen = seen or witnessed(text)
        if size < _SAMPLE_CHARS:
            sample.append(text)
            size += len(text)
    if not sample or not seen:
        return None
    # Only the two encodings offices used are candidates: with VISCII in the race, a
    # list of Thai village names in TCVN3 scores too close to VISCII for viparse to call.
    candidates = {name: CHARMAPS[name] for name in ENCODINGS}
    found = detect_encoding_by_content("\n".join(sample), candidates).encoding
    return found if found in ENCODINGS else None


def to_unicode(text: str, encoding: str) -> str:
    """``text`` converted from ``encoding`` to Unicode NFC (unchanged when it is Unicode)."""
    from viparse import fix

    if _is_plain(text) or _UNICODE_VIETNAMESE.search(text):
        return unicodedata.normalize("NFC", text)
    if encoding == "vni":
        for old, new in _VNI_GAPS:
            text = text.replace(old, new)
    return unicodedata.normalize("NFC", fix(text, encoding=encoding, normalize="NFC"))


def witnessed(text: str) -> bool:
    """True when ``text`` holds a character or a VNI pair no Unicode Vietnamese word has."""
    return _telltale(text) or bool(_VNI_PAIRS.search(text))


@dataclass
class Decoder:
    """Converts a file's texts once its encoding is known, counting what it changed."""

    encoding: str | None
    converted: int = field(default=0)
    # Cells converted one by one where the file was too short to judge (see ``guess``).
    guessed: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> Decoder:
        """A decoder for the file whose text cells are ``texts``."""
        return cls(detect(texts))

    def text(self, value: str) -> str:
        """One cell's text in Unicode NFC."""
        if self.encoding is None:
            return unicodedata.normalize("NFC", value)
        fixed = to_unicode(value, self.encoding)
        if fixed != unicodedata.normalize("NFC", value):
            self.converted += 1
        return fixed

    def guesses(self, value: str) -> list[tuple[str, str]]:
        """(encoding, Unicode text) readings of one odd cell when the file's encoding is
        unknown: a cell of a closed vocabulary (a choice, «Có»/«Không») that reads in one
        of them is evidence enough, where a file of three such cells is too short to score.
        """
        if self.encoding is not None or not witnessed(value):
            return []
        return [(name, to_unicode(value, name)) for name in ENCODINGS]

    def took(self, encoding: str) -> None:
        """Count one cell read through :meth:`guesses` in ``encoding``."""
        self.guessed[encoding] = self.guessed.get(encoding, 0) + 1

    def note(self) -> str | None:
        """What to tell the user, or None when nothing was converted."""
        if self.encoding is None and self.guessed:
            encoding = max(self.guessed.items(), key=lambda item: item[1])[0]
            return _(
                "The file was typed in the old {encoding} encoding: {count} cell(s) "
                "converted to Unicode."
            ).format(encoding=ENCODINGS[encoding], count=sum(self.guessed.values()))
        if self.encoding is None or not self.converted:
            return None
        return _(
            "The file was typed in the old {encoding} encoding: {count} cell(s) "
            "converted to Unicode."
        ).format(encoding=ENCODINGS[self.encoding], count=self.converted)

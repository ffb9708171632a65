"""Vietnamese collation without ICU (DESIGN §12).

Python's ``sorted()`` compares code points, which puts "Đ" after "Z" and "Bản Ná" before
"Bản Nà". :func:`vi_sort_key` builds a three-level key that reproduces ICU's ``vi`` locale at
its default (tertiary) strength for real place and person names:

1. **Primary**: base letters in the Vietnamese alphabet order
   ``a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z)``, with the
   foreign letters f, j, w, z in their usual Latin place. Whitespace, punctuation and symbols
   are *not* ignored (ICU's default "non-ignorable" handling of variable characters): they sort
   before digits, and digits (compared one by one, not numerically) sort before letters.
2. **Secondary**: tones, compared only when the whole primary sequence is equal, in the order
   none, huyền (`̀`), hỏi (`̉`), ngã (`̃`), sắc (`́`), nặng (`̣`).
3. **Tertiary**: case, lower before upper, again only after the two levels above are equal.

The key is a tuple of three tuples (one per level), so Python compares the *whole* base-letter
sequence of both strings before looking at any tone, exactly like an ICU sort key. A fourth
component (the NFC text) only breaks ties that ICU would report as equal, so sorting is
deterministic.

Input may be NFC or NFD (or mixed); it is normalised first. The module is pure: stdlib only,
no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from desktop_app.domain.text import fold_diacritics

__all__ = ["fold_diacritics", "vi_sort_key", "vi_sorted"]

T = TypeVar("T")

SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]

# --- primary weights -------------------------------------------------------------------------
# A primary weight is ``group << 21 | minor``: the group decides the broad class, the minor
# value (an index or a code point, always < 2**21) orders inside it.
_SHIFT = 21
_G_SPACE = 1  # the whitespace ICU knows about, in ICU order
_G_OTHER_SPACE = 2  # any other Zs/Zl/Zp, by code point
_G_PUNCT = 3  # ASCII and common Unicode punctuation/symbols/currency, in ICU order
_G_OTHER_PUNCT = 4  # any other punctuation, by code point
_G_OTHER_SYMBOL = 5  # any other symbol, by code point
_G_DIGIT = 6  # decimal digits by value
_G_LATIN = 7  # the Latin/Vietnamese alphabet
_G_OTHER = 8  # anything else (other scripts), by code point

# Order produced by ICU 74 (Node 20, ``new Intl.Collator('vi')``).
_SPACES = "\t\n\v\f\r "
_PUNCT = (
    "_-\u2010\u2011\u2012\u2013\u2014\u2015,;:!\u00a1?\u00bf.\u2026\u00b7'\u2018\u2019\"\u201c"
    "\u201d\u00ab\u00bb()[]{}\u00a7@*/\\&#%\u2022`^\u00b0\u00a9\u00ae+\u00b1\u00f7\u00d7<=>|~"
    "$\u20ab\u20ac"
)
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"

_PRIMARY: dict[str, int] = {}
for _i, _ch in enumerate(_SPACES):
    _PRIMARY[_ch] = _G_SPACE << _SHIFT | _i
for _i, _ch in enumerate(_PUNCT):
    _PRIMARY[_ch] = _G_PUNCT << _SHIFT | _i
for _i, _ch in enumerate(_ALPHABET):
    _PRIMARY[_ch] = _G_LATIN << _SHIFT | _i

# Base letter + modifier mark that the vi tailoring treats as a letter of its own.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_LETTER_MODIFIERS: dict[tuple[str, str], str] = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# --- secondary weights -----------------------------------------------------------------------
_COMMON = 0
_TONES: dict[str, int] = {
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}
_OTHER_MARK_BASE = 100  # any other combining mark: after the tones, by code point

# --- tertiary weights ------------------------------------------------------------------------
_LOWER, _UPPER, _COMPAT = 0, 1, 2  # _COMPAT is added for compatibility variants (², NBSP, ﬁ)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _is_ignorable(ch: str) -> bool:
    """Characters ICU ignores completely: format characters and most controls."""
    cat = unicodedata.category(ch)
    return cat == "Cf" or (cat == "Cc" and ch not in _SPACES)


def _primary(ch: str) -> int:
    """Primary weight of one base (non-mark) character, already lower-cased."""
    weight = _PRIMARY.get(ch)
    if weight is not None:
        return weight
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return _G_DIGIT << _SHIFT | unicodedata.decimal(ch)
    if cat[0] == "Z":
        return _G_OTHER_SPACE << _SHIFT | ord(ch)
    if cat[0] == "P":
        return _G_OTHER_PUNCT << _SHIFT | ord(ch)
    if cat[0] == "S":
        return _G_OTHER_SYMBOL << _SHIFT | ord(ch)
    return _G_OTHER << _SHIFT | ord(ch)


def _expand(ch: str) -> tuple[str, bool]:
    """NFD of a character, or its NFKD (flagged) if it is a compatibility variant."""
    compat = unicodedata.normalize("NFKD", ch)
    if compat != unicodedata.normalize("NFD", ch):
        return compat, True
    return unicodedata.normalize("NFD", ch), False


def vi_sort_key(text: str) -> SortKey:
    """Return a sort key ordering ``text`` like ICU's ``vi`` collator at default strength.

    The key is ``(primary, secondary, tertiary, nfc_text)``: base letters over the whole
    string first, then tones, then case; the NFC text only breaks ICU-level ties.
    """
    nfc = unicodedata.normalize("NFC", text)
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []

    # Work character by character on the NFC text so compatibility variants can be flagged,
    # then on each character's decomposition: one base letter followed by its marks.
    for source in nfc:
        if _is_ignorable(source):
            continue
        decomposed, compat = _expand(source)
        i = 0
        while i < len(decomposed):
            base = decomposed[i]
            i += 1
            marks: list[str] = []
            while i < len(decomposed) and _is_mark(decomposed[i]):
                marks.append(decomposed[i])
                i += 1
            if _is_mark(base):  # a mark with no base letter in this character
                marks.insert(0, base)
                base = ""
            if base and _is_ignorable(base):
                base = ""
            if base:
                lower = base.lower() if len(base.lower()) == 1 else base
                for mark in marks:
                    letter = _LETTER_MODIFIERS.get((lower, mark))
                    if letter is not None:
                        lower = letter
                        marks.remove(mark)
                        break
                case = _UPPER if base.isupper() else _LOWER
                primary.append(_primary(lower))
                secondary.append(_COMMON)
                tertiary.append(case + (_COMPAT if compat else 0))
            for mark in marks:
                tone = _TONES.get(mark)
                secondary.append(tone if tone is not None else _OTHER_MARK_BASE + ord(mark))
                tertiary.append(_LOWER)
    return tuple(primary), tuple(secondary), tuple(tertiary), nfc


def vi_sorted(iterable: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Return a new list sorted in Vietnamese order (see :func:`vi_sort_key`).

    ``key`` extracts the text to compare from each item; without it the items must be
    strings.
    """
    if key is None:
        return sorted(iterable, key=lambda item: vi_sort_key(_as_text(item)))
    extract = key
    return sorted(iterable, key=lambda item: vi_sort_key(extract(item)))


def _as_text(item: object) -> str:
    if not isinstance(item, str):
        raise TypeError(f"vi_sorted needs strings or a key function, got {type(item).__name__}")
    return item

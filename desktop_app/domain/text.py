"""Text helpers shared by the domain: folding Vietnamese for search and matching."""

from __future__ import annotations

import unicodedata


def fold_diacritics(text: str) -> str:
    """Lower-case ``text`` without tones or letter marks, đ as d, white space folded.

    ``fold_diacritics("Phường  Chiềng Lề") == "phuong chieng le"``: a name typed
    without diacritics matches the real one.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())

"""Vietnamese text written the old way, from tables kept here independently of the
converter under test: TCVN3 (ABC, one byte per letter) and VNI (letter + mark bytes)."""

from __future__ import annotations

import unicodedata

BASES = "aăâeêioôơuưy"
# Tones in the order of the tables below: none, huyền, hỏi, ngã, sắc, nặng.
MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

_TCVN3 = {
    "a": "aµ¶·¸¹",
    "ă": "¨»¼½¾Æ",
    "â": "©ÇÈÉÊË",
    "e": "eÌÎÏÐÑ",
    "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ",
    "o": "oßáâãä",
    "ô": "«åæçèé",
    "ơ": "¬êëìíî",
    "u": "uïñòóô",
    "ư": "\u00adõö÷øù",
    "y": "yúûüýþ",
}
_TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Đ": "§", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "đ": "®"}

# VNI: base letter, then one byte for the vowel's hat and tone together.
_VNI_TONES = ("", "ø", "û", "õ", "ù", "ï")  # plain vowels a e o u y
_VNI_HAT_TONES = ("â", "à", "å", "ã", "á", "ä")  # â ê ô (circumflex)
_VNI_BREVE_TONES = ("ê", "è", "ú", "ü", "é", "ë")  # ă
_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")
_VNI_O_HORN = ("ô", "ôø", "ôû", "ôõ", "ôù", "ôï")
_VNI_U_HORN = ("ö", "öø", "öû", "öõ", "öù", "öï")
_VNI_Y = ("y", "yø", "yû", "yõ", "yù", "î")


def letter(base: str, tone: int) -> str:
    """The Unicode (NFC) letter of ``base`` with tone number ``tone``."""
    return unicodedata.normalize("NFC", base + MARKS[tone])


def all_letters() -> list[str]:
    """Every Vietnamese vowel with every tone, lower and upper case, and đ Đ."""
    out = [letter(b, t) for b in BASES for t in range(6)]
    return out + [c.upper() for c in out] + ["đ", "Đ"]


def tcvn3_letter(ch: str) -> str:
    """One Unicode letter in TCVN3; capitals with a tone are typed as the lower-case codes."""
    if ch in _TCVN3_CAPITALS:
        return _TCVN3_CAPITALS[ch]
    if ch == "Đ":
        return "§"
    lower = ch.lower()
    for base in BASES:
        for tone in range(6):
            if letter(base, tone) == lower:
                code = _TCVN3[base][tone]
                if ch != lower and tone == 0:
                    return _TCVN3_CAPITALS.get(ch, ch)
                return code
    return ch


def tcvn3(text: str) -> str:
    """``text`` as a .VnTime font user typed it."""
    return "".join(tcvn3_letter(ch) for ch in unicodedata.normalize("NFC", text))


def vni_letter(ch: str) -> str:
    """One Unicode letter in VNI-Windows."""
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    lower = ch.lower()
    upper = ch != lower
    for base in BASES:
        for tone in range(6):
            if letter(base, tone) != lower:
                continue
            if base in "aeouy" and base != "y":
                code = base + _VNI_TONES[tone]
            elif base == "y":
                code = _VNI_Y[tone]
            elif base in "âêô":
                code = {"â": "a", "ê": "e", "ô": "o"}[base] + _VNI_HAT_TONES[tone]
            elif base == "ă":
                code = "a" + _VNI_BREVE_TONES[tone]
            elif base == "i":
                code = _VNI_I[tone]
            elif base == "ơ":
                code = _VNI_O_HORN[tone]
            else:
                code = _VNI_U_HORN[tone]
            return code.upper() if upper else code
    return ch


def vni(text: str) -> str:
    """``text`` as a VNI-Times font user typed it."""
    return "".join(vni_letter(ch) for ch in unicodedata.normalize("NFC", text))


def tcvn3_readable(text: str) -> str:
    """What a TCVN3 round trip can give back: capitals with a tone come back lower case."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        toned = any(m in decomposed for m in MARKS[1:])
        out.append(ch.lower() if ch.isupper() and toned else ch)
    return "".join(out)

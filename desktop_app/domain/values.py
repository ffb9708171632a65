"""Typed data values: canonical text for storage and parsing of what a clerk types.

Canonical text: integers ``"12"``, decimals without exponent (``"3.5"``), booleans
``"1"``/``"0"``, a choice as its code, a multichoice as its codes in dimension order
joined with ``"|"`` (``""`` for the empty set).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.text import fold_diacritics as fold

__all__ = [
    "Value",
    "ValueInputError",
    "decode",
    "encode",
    "fold",
    "format_number",
    "parse_input",
]

Value = int | Decimal | bool | str | frozenset[str]

_TRUE = frozenset({"co", "c", "x", "1", "yes", "y", "true", "dung"})
_FALSE = frozenset({"khong", "k", "0", "no", "n", "false", "sai"})
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GROUPED = re.compile(r"\d{1,3}(?:([.,' ])\d{3})(?:\1\d{3})*")


class ValueInputError(ValueError):
    """Typed text that is not a valid value; carries messages in Vietnamese and English."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        """Keep both messages (NFC); ``str()`` gives the English one."""
        super().__init__(message_en)
        self.message_vi = unicodedata.normalize("NFC", message_vi)
        self.message_en = message_en


def format_number(value: int | Decimal, lang: str = "vi") -> str:
    """Show a number for people: ``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    text = _canonical_decimal(Decimal(value))
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}"
    if lang == "vi":
        return sign + grouped.replace(",", ".") + ("," + frac if frac else "")
    return sign + grouped + ("." + frac if frac else "")


def _canonical_decimal(d: Decimal) -> str:
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _check(indicator: Indicator, value: Value) -> Value:
    kind = indicator.kind
    ok = (
        (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
        or (kind == "decimal" and isinstance(value, (int, Decimal)) and not isinstance(value, bool))
        or (kind == "boolean" and isinstance(value, bool))
        or (kind == "choice" and isinstance(value, str) and value in indicator.choices)
        or (
            kind == "multichoice"
            and isinstance(value, frozenset)
            and value <= frozenset(indicator.choices)
        )
    )
    if not ok:
        raise ValueError(f"{value!r} is not a valid {kind} value of {indicator.code!r}")
    if kind == "decimal" and not Decimal(value).is_finite():  # type: ignore[arg-type]
        raise ValueError(f"{value!r} is not a finite number")
    return value


def encode(indicator: Indicator, value: Value) -> str:
    """The canonical text of ``value``; ``ValueError`` when it does not fit the indicator."""
    _check(indicator, value)
    if indicator.kind == "boolean":
        return "1" if value else "0"
    if indicator.kind == "integer":
        return str(value)
    if indicator.kind == "decimal":
        return _canonical_decimal(Decimal(value))  # type: ignore[arg-type]
    if indicator.kind == "choice":
        return str(value)
    assert isinstance(value, frozenset)
    return "|".join(c for c in indicator.choices if c in value)


def decode(indicator: Indicator, text: str) -> Value:
    """The value stored as canonical ``text``; ``ValueError`` when the text is not canonical."""
    kind = indicator.kind
    value: Value
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"{text!r} is not a stored integer of {indicator.code!r}")
        value = int(text)
    elif kind == "decimal":
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(f"{text!r} is not a stored decimal of {indicator.code!r}")
        value = Decimal(text)
    elif kind == "boolean":
        if text not in ("0", "1"):
            raise ValueError(f"{text!r} is not a stored boolean of {indicator.code!r}")
        value = text == "1"
    elif kind == "choice":
        value = text
    else:
        value = frozenset(text.split("|")) if text else frozenset()
    return _check(indicator, value)


def _quote(text: str) -> str:
    return f"«{text}»"


def _parse_integer(text: str) -> int | None:
    compact = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    sign = ""
    if compact[:1] in "-+−":
        sign, compact = ("-" if compact[0] != "+" else ""), compact[1:].strip()
    if re.fullmatch(r"\d+", compact) or _GROUPED.fullmatch(compact):
        return int(sign + re.sub(r"\D", "", compact))
    return None


def _parse_decimal(text: str) -> Decimal | None:
    compact = _SPACES.sub("", text)
    sign = ""
    if compact[:1] in "-+−":
        sign, compact = ("-" if compact[0] != "+" else ""), compact[1:]
    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", compact):
        return None
    dots, commas = compact.count("."), compact.count(",")
    if dots and commas:
        point = "." if compact.rfind(".") > compact.rfind(",") else ","
        thousands = "," if point == "." else "."
        if compact.count(point) > 1:
            return None
        whole, _, frac = compact.partition(point)
        if not _GROUPED.fullmatch(whole):
            return None
        compact = whole.replace(thousands, "") + "." + frac
    elif dots + commas > 1:
        if not _GROUPED.fullmatch(compact):
            return None
        compact = compact.replace(".", "").replace(",", "")
    else:
        compact = compact.replace(",", ".")
    try:
        return Decimal(sign + compact)
    except InvalidOperation:  # pragma: no cover - the regexes keep this out
        return None


def _labels(indicator: Indicator, catalogue: Catalogue) -> dict[str, str]:
    table: dict[str, str] = {}
    for code in indicator.choices:
        for key in (code, catalogue.choice_label(indicator, code, "vi")):
            table.setdefault(fold(key), code)
        table.setdefault(fold(catalogue.choice_label(indicator, code, "en")), code)
    return table


def _choice_error(text: str, indicator: Indicator, catalogue: Catalogue) -> ValueInputError:
    vi = ", ".join(catalogue.choice_label(indicator, c, "vi") for c in indicator.choices)
    en = ", ".join(catalogue.choice_label(indicator, c, "en") for c in indicator.choices)
    return ValueInputError(
        f"{_quote(text)} không phải là lựa chọn hợp lệ. Hãy chọn một trong: {vi}.",
        f"{_quote(text)} is not one of the choices: {en}.",
    )


def parse_input(indicator: Indicator, text: str, catalogue: Catalogue) -> Value:
    """Parse what a clerk typed into a value of ``indicator``; :class:`ValueInputError` if bad.

    Blank text is an error except for a multichoice (the empty set): callers treat
    clearing a cell as deleting the value before they call this.
    """
    text = unicodedata.normalize("NFC", text).strip()
    kind = indicator.kind
    if not text and kind != "multichoice":
        raise ValueInputError("Chưa nhập giá trị.", "No value was entered.")
    if kind == "integer":
        number = _parse_integer(text)
        if number is None:
            raise ValueInputError(
                f"{_quote(text)} không phải là số nguyên.", f"{_quote(text)} is not a whole number."
            )
        return number
    if kind == "decimal":
        dec = _parse_decimal(text)
        if dec is None:
            raise ValueInputError(
                f"{_quote(text)} không phải là số.", f"{_quote(text)} is not a number."
            )
        return Decimal(_canonical_decimal(dec))
    if kind == "boolean":
        folded = fold(text)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise ValueInputError(
            f"{_quote(text)} không phải là «Có» hoặc «Không».",
            f"{_quote(text)} is not «Yes» or «No».",
        )
    labels = _labels(indicator, catalogue)
    if kind == "choice":
        code = labels.get(fold(text))
        if code is None:
            raise _choice_error(text, indicator, catalogue)
        return code
    codes: set[str] = set()
    for part in re.split(r"[,;]", text):
        if not part.strip() or fold(part) == "-":
            continue
        code = labels.get(fold(part))
        if code is None:
            raise _choice_error(part.strip(), indicator, catalogue)
        codes.add(code)
    return frozenset(codes)

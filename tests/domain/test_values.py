"""Tests of value encoding and of parsing what a clerk types."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, load_catalogue
from desktop_app.domain.values import (
    Value,
    ValueInputError,
    decode,
    encode,
    fold,
    format_number,
    parse_input,
)

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(CATALOG)


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [
        ("so_ho", 12, "12"),
        ("so_ho", -3, "-3"),
        ("so_ho", 0, "0"),
        ("tan_suat_phat", Decimal("3.50"), "3.5"),
        ("tan_suat_phat", Decimal("0.25"), "0.25"),
        ("tan_suat_phat", Decimal("1.2E+1"), "12"),
        ("tan_suat_phat", Decimal("-0.0"), "0"),
        ("dien_tich", 7, "7"),
        ("dien_luoi", True, "1"),
        ("dien_luoi", False, "0"),
        ("song_di_dong", "yeu", "yeu"),
        ("nha_mang", frozenset({"khac", "viettel", "mobifone"}), "viettel|mobifone|khac"),
        ("nha_mang", frozenset(), ""),
    ],
)
def test_encode_decode_round_trip(cat: Catalogue, code: str, value: Value, text: str) -> None:
    ind = cat.indicators[code]
    assert encode(ind, value) == text
    assert decode(ind, text) == value
    assert encode(ind, decode(ind, text)) == text


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("so_ho", True),
        ("so_ho", Decimal("1.5")),
        ("dien_luoi", 1),
        ("song_di_dong", "mat_song"),
        ("nha_mang", frozenset({"fpt"})),
        ("tan_suat_phat", Decimal("NaN")),
    ],
)
def test_encode_rejects_wrong_values(cat: Catalogue, code: str, value: Value) -> None:
    with pytest.raises(ValueError):
        encode(cat.indicators[code], value)


@pytest.mark.parametrize(
    ("code", "text"), [("so_ho", "1.5"), ("dien_luoi", "yes"), ("tan_suat_phat", "1e3")]
)
def test_decode_rejects_non_canonical_text(cat: Catalogue, code: str, text: str) -> None:
    with pytest.raises(ValueError):
        decode(cat.indicators[code], text)


@pytest.mark.parametrize(
    ("code", "typed", "expected"),
    [
        ("so_ho", "12", 12),
        ("so_ho", " 1.234 ", 1234),
        ("so_ho", "1 234", 1234),
        ("so_ho", "1\u00a0234\u00a0567", 1234567),
        ("so_ho", "1,234", 1234),
        ("so_ho", "-5", -5),
        ("tan_suat_phat", "3,5", Decimal("3.5")),
        ("tan_suat_phat", "3.5", Decimal("3.5")),
        ("tan_suat_phat", "1.234,5", Decimal("1234.5")),
        ("tan_suat_phat", "1 234,5", Decimal("1234.5")),
        ("tan_suat_phat", "2", Decimal("2")),
        ("tan_suat_phat", "-0,5", Decimal("-0.5")),
        ("dien_luoi", "có", True),
        ("dien_luoi", "Có", True),
        ("dien_luoi", "CÓ", True),
        ("dien_luoi", "co", True),
        ("dien_luoi", "x", True),
        ("dien_luoi", "c", True),
        ("dien_luoi", "Yes", True),
        ("dien_luoi", "true", True),
        ("dien_luoi", "1", True),
        ("dien_luoi", "Không", False),
        ("dien_luoi", unicodedata.normalize("NFD", "không"), False),
        ("dien_luoi", "khong", False),
        ("dien_luoi", "k", False),
        ("dien_luoi", "No", False),
        ("dien_luoi", "0", False),
        ("dien_luoi", "FALSE", False),
        ("song_di_dong", "yeu", "yeu"),
        ("song_di_dong", "Sóng yếu", "yeu"),
        ("song_di_dong", "song on dinh", "on_dinh"),
        ("song_di_dong", "No signal", "khong_co"),
        ("dai_truyen_thanh", "fm", "fm"),
        (
            "nha_mang",
            "viettel, VNPT-VinaPhone; mobifone",
            frozenset({"viettel", "vnpt", "mobifone"}),
        ),
        ("nha_mang", "Khác", frozenset({"khac"})),
        ("nha_mang", "Other;viettel;viettel", frozenset({"khac", "viettel"})),
        ("nha_mang", "", frozenset()),
    ],
)
def test_parse_input(cat: Catalogue, code: str, typed: str, expected: Value) -> None:
    value = parse_input(cat.indicators[code], typed, cat)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("code", "typed", "vi", "en"),
    [
        ("so_ho", "abc", "«abc» không phải là số nguyên.", "«abc» is not a whole number."),
        ("so_ho", "3,5", "«3,5» không phải là số nguyên.", "«3,5» is not a whole number."),
        ("so_ho", "1.23", "«1.23» không phải là số nguyên.", "«1.23» is not a whole number."),
        ("tan_suat_phat", "ba", "«ba» không phải là số.", "«ba» is not a number."),
        ("tan_suat_phat", "1,2,3", "«1,2,3» không phải là số.", "«1,2,3» is not a number."),
        (
            "dien_luoi",
            "có lẽ",
            "«có lẽ» không phải là «Có» hoặc «Không».",
            "«có lẽ» is not «Yes» or «No».",
        ),
        ("so_ho", "  ", "Chưa nhập giá trị.", "No value was entered."),
    ],
)
def test_bad_input_messages(cat: Catalogue, code: str, typed: str, vi: str, en: str) -> None:
    with pytest.raises(ValueInputError) as info:
        parse_input(cat.indicators[code], typed, cat)
    assert info.value.message_vi == vi
    assert info.value.message_en == en
    assert unicodedata.is_normalized("NFC", info.value.message_vi)


def test_bad_choice_lists_the_choices(cat: Catalogue) -> None:
    with pytest.raises(ValueInputError) as info:
        parse_input(cat.indicators["song_di_dong"], "mất sóng", cat)
    assert info.value.message_vi == (
        "«mất sóng» không phải là lựa chọn hợp lệ. "
        "Hãy chọn một trong: Không có sóng, Sóng yếu, Sóng ổn định."
    )
    assert "No signal, Weak signal, Stable signal" in info.value.message_en
    with pytest.raises(ValueInputError, match="«fpt»"):
        parse_input(cat.indicators["nha_mang"], "viettel, fpt", cat)


def test_helpers() -> None:
    assert fold("  Đài  Hữu tuyến ") == "dai huu tuyen"
    assert format_number(Decimal("1234.5"), "vi") == "1.234,5"
    assert format_number(Decimal("1234.5"), "en") == "1,234.5"
    assert format_number(-12, "vi") == "-12"

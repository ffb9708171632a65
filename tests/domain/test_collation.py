"""Vietnamese collation against ICU orderings committed under tests/data/.

The reference files were produced by ``node build/tools/icu_order.mjs`` (ICU's ``vi`` locale);
the tests read them and never run node.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.collation import fold_diacritics, vi_sort_key, vi_sorted

DATA = Path(__file__).resolve().parent.parent / "data"
REFERENCE_FILES = ["son_la_communes_icu_vi.txt", "vi_tricky_icu_vi.txt"]


def _read(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_files_are_nfc_unique_and_non_trivial(name: str) -> None:
    names = _read(name)
    assert len(names) > 200
    assert len(set(names)) == len(names)
    assert all(n and unicodedata.is_normalized("NFC", n) for n in names)


def test_son_la_file_holds_communes_of_both_structures_and_districts() -> None:
    names = set(_read("son_la_communes_icu_vi.txt"))
    assert "Phường Chiềng Lề" in names
    assert "Huyện Sốp Cộp" in names
    assert any(n.startswith("Xã ") for n in names)
    assert any(n.startswith("Thị trấn ") for n in names)


@pytest.mark.parametrize("name", REFERENCE_FILES)
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_matches_icu_order_from_shuffled_input(name: str, seed: int) -> None:
    expected = _read(name)
    shuffled = expected[:]
    random.Random(seed).shuffle(shuffled)
    assert vi_sorted(shuffled) == expected


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_matches_icu_order_from_nfd_input(name: str) -> None:
    expected = _read(name)
    shuffled = [unicodedata.normalize("NFD", n) for n in reversed(expected)]
    result = [unicodedata.normalize("NFC", n) for n in vi_sorted(shuffled)]
    assert result == expected


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_every_adjacent_pair_compares_like_icu(name: str) -> None:
    names = _read(name)
    for before, after in itertools.pairwise(names):
        assert vi_sort_key(before) < vi_sort_key(after), (before, after)


def test_python_default_sort_is_wrong_which_is_why_this_exists() -> None:
    assert sorted(["Em", "Đồng"]) == ["Em", "Đồng"]
    assert vi_sorted(["Em", "Đồng"]) == ["Đồng", "Em"]


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        # base letters: a ă â, d đ, e ê, o ô ơ, u ư
        ("az", "ăa"),
        ("ăz", "âa"),
        ("dz", "đa"),
        ("Dương", "Đa"),
        ("ez", "êa"),
        ("oz", "ôa"),
        ("ôz", "ơa"),
        ("uz", "ưa"),
        ("Muông", "Mưng"),
        # tones: none, huyền, hỏi, ngã, sắc, nặng
        ("ma", "mà"),
        ("mà", "mả"),
        ("mả", "mã"),
        ("mã", "má"),
        ("má", "mạ"),
        # the whole base sequence is compared before any tone
        ("Bạn A", "Ban B"),
        ("Bản Na", "Ban Nam"),
        ("mạ", "mac"),
        # tones before case
        ("Ba", "bà"),
        ("BA", "bà"),
        # case: lower before upper, only after tones
        ("ba", "Ba"),
        ("Ba", "BA"),
        ("chiềng lề", "chiềng Lề"),
        ("đ", "Đ"),
        # digits before letters, compared as characters
        ("9", "a"),
        ("Tổ 10", "Tổ 2"),
        # space before punctuation before digits before letters
        ("Mường Chanh", "Mường-Chanh"),
        ("Mường-Chanh", "MườngChanh"),
        ("Mường Chanh 2", "Mường Chiên"),
        ("a b", "a-b"),
        ("a-b", "a1"),
        # old and new tone placement
        ("Hoà", "Hòa"),
        ("Thuỷ", "Thủy"),
    ],
)
def test_pairwise_order(smaller: str, larger: str) -> None:
    assert vi_sort_key(smaller) < vi_sort_key(larger)
    assert vi_sorted([larger, smaller]) == [smaller, larger]


def test_nfc_and_nfd_give_the_same_key() -> None:
    for text in ["Chiềng Lề", "Sốp Cộp", "Ặ", "Mường Ẳm", "Đ"]:
        nfd = unicodedata.normalize("NFD", text)
        assert nfd != text or text == "Đ"
        assert vi_sort_key(nfd) == vi_sort_key(text)


def test_mark_order_inside_a_letter_does_not_matter() -> None:
    # "ậ" as a + dot below + circumflex (NFD order) and a + circumflex + dot below
    assert vi_sort_key("a\u0323\u0302") == vi_sort_key("a\u0302\u0323") == vi_sort_key("ậ")


def test_ignorable_characters_are_ignored() -> None:
    assert vi_sort_key("Bản\u00adNà")[:3] == vi_sort_key("BảnNà")[:3]
    assert vi_sort_key("Nà\u200b")[:3] == vi_sort_key("Nà")[:3]


def test_empty_string_sorts_first() -> None:
    assert vi_sorted(["a", "", " "]) == ["", " ", "a"]


def test_vi_sorted_with_key_function_and_stability() -> None:
    rows = [("Sơn La", 2), ("Đà Bắc", 1), ("Ba Vì", 3), ("Sơn La", 0)]
    assert vi_sorted(rows, key=lambda row: row[0]) == [
        ("Ba Vì", 3),
        ("Đà Bắc", 1),
        ("Sơn La", 2),
        ("Sơn La", 0),
    ]


def test_vi_sorted_accepts_any_iterable_and_returns_a_new_list() -> None:
    names = ("Yên", "Ân")
    assert vi_sorted(iter(names)) == ["Ân", "Yên"]


def test_vi_sorted_without_key_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="key function"):
        vi_sorted([1, 2])


def test_other_scripts_sort_after_latin_and_foreign_accents_are_secondary() -> None:
    assert vi_sorted(["Ω", "z", "Москва"]) == ["z", "Ω", "Москва"]
    assert vi_sorted(["Müller", "Muller", "Mz"]) == ["Muller", "Müller", "Mz"]


@given(st.lists(st.text(max_size=12), max_size=20))
def test_sort_result_does_not_depend_on_input_order(texts: list[str]) -> None:
    def nfc(items: list[str]) -> list[str]:
        return [unicodedata.normalize("NFC", t) for t in items]

    once = vi_sorted(texts)
    assert nfc(vi_sorted(list(reversed(texts)))) == nfc(once)
    assert vi_sorted(once) == once


@given(st.text(max_size=20))
def test_key_is_invariant_under_normalisation(text: str) -> None:
    assert vi_sort_key(unicodedata.normalize("NFD", text)) == vi_sort_key(
        unicodedata.normalize("NFC", text)
    )


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chiềng Lề", "chieng le"),
        ("Đồng Đăng", "dong dang"),
        ("Mường Ẳm", "muong am"),
        ("SỐP CỘP", "sop cop"),
        ("Ư ơ ô â ă ê", "u o o a a e"),
        ("Tổ 10 - Tiểu khu 2", "to 10 - tieu khu 2"),
        ("", ""),
    ],
)
def test_fold_diacritics(text: str, folded: str) -> None:
    assert fold_diacritics(text) == folded
    assert fold_diacritics(unicodedata.normalize("NFD", text)) == folded


def test_fold_diacritics_lets_plain_typing_find_names() -> None:
    names = _read("son_la_communes_icu_vi.txt")
    hits = [n for n in names if fold_diacritics("chieng le") in fold_diacritics(n)]
    assert "Phường Chiềng Lề" in hits
    assert all("Chiềng Lề" in n for n in hits)

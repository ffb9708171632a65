"""TCVN3 (ABC) and VNI text to Unicode: every letter with every tone, whole files,
and no false alarm on the country's unit names or the demo's village names."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest

from desktop_app.demo.names import village_names
from desktop_app.domain.catalogue import load_catalogue
from desktop_app.imports.legacy import Decoder, detect, to_unicode
from tests.imports.legacy_samples import all_letters, tcvn3, tcvn3_readable, vni

ROOT = Path(__file__).resolve().parents[2]
UNIT_NAMES = [u[1] for u in json.loads((ROOT / "resources/units/units.json").read_text())["units"]]


def _villages() -> list[str]:
    rng = random.Random(5)
    names: list[str] = []
    for kind in ("xã", "xã", "xã", "thị trấn", "phường"):
        names.extend(v.name for v in village_names(rng, kind, 40))
    return names


def _catalogue_texts() -> list[str]:
    catalogue = load_catalogue(ROOT / "resources/catalog")
    texts = [i.name_vi for i in catalogue.indicators.values()]
    texts += [i.unit_vi for i in catalogue.indicators.values() if i.unit_vi]
    texts += [m.name_vi for members in catalogue.dimensions.values() for m in members]
    return texts


# A commune's sheet as an office typed it: village names, headers, answers.
SHEET = [
    *_villages()[:60],
    *_catalogue_texts(),
    "Thôn Cờ Đỏ", "Có", "Không", "Sóng yếu", "Sóng ổn định", "Ủy ban nhân dân xã Chiềng Sung",
    "Trạm BTS Viettel Bản Mòn", "Điểm Bưu điện - Văn hóa xã", "Ghi chú: mất sóng khi mưa",
]  # fmt: skip
LETTERS = all_letters()


@pytest.mark.parametrize("ch", LETTERS)
def test_every_tcvn3_letter(ch: str) -> None:
    assert to_unicode(tcvn3(ch), "tcvn3") == tcvn3_readable(ch)


@pytest.mark.parametrize("ch", LETTERS)
def test_every_vni_letter(ch: str) -> None:
    assert to_unicode(vni(ch), "vni") == ch


@pytest.mark.parametrize(
    ("encode", "name", "readable"), [(tcvn3, "tcvn3", tcvn3_readable), (vni, "vni", str)]
)
def test_a_whole_sheet_is_detected_and_converted(encode, name, readable) -> None:  # type: ignore[no-untyped-def]
    """Each letter in a cell of a real-looking sheet: detected, and read back as typed."""
    cells = [encode(t) for t in SHEET] + [encode(f"Bản H{ch}n") for ch in LETTERS]
    decoder = Decoder.for_texts(cells)
    assert decoder.encoding == name
    back = [decoder.text(c) for c in cells]
    assert back == [unicodedata.normalize("NFC", readable(t)) for t in SHEET] + [
        readable(f"Bản H{ch}n") for ch in LETTERS
    ]
    note = decoder.note()
    assert note is not None and ("TCVN3" in note if name == "tcvn3" else "VNI" in note)


def test_a_sheet_retyped_half_in_unicode_converts_only_the_old_half() -> None:
    old = [tcvn3(t) for t in SHEET[:40]]
    new = ["Bản Mường Lạn", "Huổi Một"]
    decoder = Decoder.for_texts(old + new)
    assert decoder.encoding == "tcvn3"
    assert [decoder.text(t) for t in new] == new


def test_no_false_alarm_on_unit_names_village_names_and_the_catalogue() -> None:
    assert detect(UNIT_NAMES) is None
    assert detect(_villages()) is None
    assert detect(_catalogue_texts()) is None
    alarms = [n for n in UNIT_NAMES + _villages() if detect([n]) is not None]
    assert alarms == []
    decoder = Decoder.for_texts(UNIT_NAMES)
    assert [decoder.text(n) for n in UNIT_NAMES[:500]] == [
        unicodedata.normalize("NFC", n) for n in UNIT_NAMES[:500]
    ]
    assert decoder.note() is None


def test_plain_and_foreign_text_is_left_alone() -> None:
    texts = ["Viettel", "BTS-001", "Señor Müller, café crème", "Ærø, Øresund, Straße"]
    assert detect(texts) is None

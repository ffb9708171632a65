"""Tests of the indicator catalogue loader."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(CATALOG)


def _rows(name: str) -> list[dict[str, str]]:
    with (CATALOG / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_loads_everything_in_file_order(cat: Catalogue) -> None:
    assert cat.version == "2025.1"
    assert len(cat.indicators) == 36
    assert list(cat.indicators)[:3] == ["so_ho", "dan_so", "so_ho_ngheo"]
    assert len(cat.derived) == 11
    assert [m.code for m in cat.dimensions["speaker"]] == ["tong", "ip", "hong"]
    assert len(cat.village_indicators()) + len(cat.commune_indicators()) == 36
    assert all(i.level == "village" for i in cat.village_indicators())


def test_indicator_fields(cat: Catalogue) -> None:
    song = cat.indicators["song_di_dong"]
    assert (song.kind, song.choices, song.frequency) == (
        "choice",
        ("khong_co", "yeu", "on_dinh"),
        "quarterly",
    )
    nha_mang = cat.indicators["nha_mang"]
    assert nha_mang.kind == "multichoice"
    assert nha_mang.choices == ("viettel", "vnpt", "mobifone", "vietnamobile", "khac")
    tram = cat.indicators["bts_tram"]
    assert tram.disaggregation == ("operator", "technology")
    assert tram.name_vi == "Số trạm phát sóng theo công nghệ"
    assert cat.derived["ban_kinh_phuc_vu"].level == "commune+"


def test_disaggregation_keys(cat: Catalogue) -> None:
    keys = cat.disaggregation_keys("bts_tram")
    assert len(keys) == 20
    assert keys[:5] == ("viettel.2g", "viettel.3g", "viettel.4g", "viettel.5g", "vnpt.2g")
    assert keys[-1] == "khac.5g"
    assert cat.disaggregation_keys("so_ho") == ("",)
    assert cat.disaggregation_keys("cum_loa") == ("tong", "ip", "hong")


def test_labels(cat: Catalogue) -> None:
    assert cat.disaggregation_label("bts_tram", "viettel.4g", "vi") == "Viettel · 4G"
    assert cat.disaggregation_label("buu_cuc", "phat", "en") == "Delivery office"
    assert cat.disaggregation_label("so_ho", "", "vi") == ""
    assert cat.choice_label("song_di_dong", "khong_co", "vi") == "Không có sóng"
    assert cat.choice_label("song_di_dong", "on_dinh", "en") == "Stable signal"
    assert cat.choice_label(cat.indicators["nha_mang"], "vnpt", "vi") == "VNPT-VinaPhone"
    assert cat.choice_label("nha_mang", "khac", "en") == "Other"
    for code in cat.indicators["dai_truyen_thanh"].choices:
        assert cat.choice_label("dai_truyen_thanh", code, "vi") != code
    with pytest.raises(CatalogueError):
        cat.disaggregation_label("bts_tram", "viettel.6g", "vi")


def test_from_rows_rebuilds_the_same_catalogue(cat: Catalogue) -> None:
    rebuilt = Catalogue.from_rows(
        _rows("indicators.csv"), _rows("dimensions.csv"), _rows("derived.csv"), "x"
    )
    assert rebuilt.indicators == cat.indicators
    assert rebuilt.derived == cat.derived
    assert rebuilt.version == "x"


def test_without_version_file(tmp_path: Path) -> None:
    for name in ("indicators.csv", "dimensions.csv", "derived.csv"):
        shutil.copy(CATALOG / name, tmp_path / name)
    assert load_catalogue(tmp_path).version == "unversioned"


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("level", "town", "level must be village or commune"),
        ("type", "text", "unknown type"),
        ("type", "multichoice:colour", "multichoice needs a known dimension"),
        ("disaggregation", "operator*colour", "unknown disaggregation dimension 'colour'"),
        ("frequency", "monthly", "frequency"),
        ("code", "", "invalid indicator code"),
    ],
)
def test_garbled_indicator_row(column: str, value: str, fragment: str) -> None:
    rows = _rows("indicators.csv")
    rows[2] = {**rows[2], column: value}
    with pytest.raises(CatalogueError, match="indicators row 3") as info:
        Catalogue.from_rows(rows, _rows("dimensions.csv"), _rows("derived.csv"), "1")
    assert fragment in str(info.value)


def test_malformed_csv_file_names_the_row(tmp_path: Path) -> None:
    for name in ("dimensions.csv", "derived.csv"):
        shutil.copy(CATALOG / name, tmp_path / name)
    lines = (CATALOG / "indicators.csv").read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4] + ",stray,fields"
    (tmp_path / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"indicators row 4 \('dien_luoi'\)|indicators row 4"):
        load_catalogue(tmp_path)


def test_duplicate_and_missing_column() -> None:
    rows = _rows("indicators.csv")
    with pytest.raises(CatalogueError, match="duplicate code 'so_ho'"):
        Catalogue.from_rows([*rows, rows[0]], _rows("dimensions.csv"), [], "1")
    with pytest.raises(CatalogueError, match="missing column"):
        Catalogue.from_rows([{"code": "x"}], _rows("dimensions.csv"), [], "1")
    derived = _rows("derived.csv")
    derived[0] = {**derived[0], "level": "village"}
    with pytest.raises(CatalogueError, match="derived row 1"):
        Catalogue.from_rows(rows, _rows("dimensions.csv"), derived, "1")

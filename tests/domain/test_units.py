"""The administrative-unit directory, on the shipped resource and on small hand-made ones."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from desktop_app.domain.units import (
    COMMUNE,
    DISTRICT,
    PROVINCE,
    STRUCTURES,
    Unit,
    UnitDirectory,
    UnitError,
    fold_diacritics,
    make_unit_id,
    parse_unit_id,
)
from desktop_app.units_resource import default_units_path, load_unit_directory

SON_LA_PRE = "pre2025:14"
SON_LA_2025 = "2025:14"
MAI_SON = "pre2025:125"


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return load_unit_directory()


# -- ids ---------------------------------------------------------------------------------


def test_parse_unit_id() -> None:
    assert STRUCTURES == ("pre2025", "2025")
    assert parse_unit_id("pre2025:125") == ("pre2025", "125")
    assert parse_unit_id("2025:03646") == ("2025", "03646")
    assert parse_unit_id("pre2025:14") == ("pre2025", "14")
    assert make_unit_id("2025", "14") == "2025:14"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("03646", "no structure"),
        ("", "no structure"),
        ("2024:03646", "unknown structure"),
        ("PRE2025:14", "unknown structure"),
        (":14", "unknown structure"),
        ("pre2025:", "no code"),
        ("pre2025:12a", "digits only"),
        ("pre2025:-12", "digits only"),
        ("pre2025: 14", "digits only"),
        ("pre2025:١٤", "digits only"),  # Arabic-Indic digits are digits to str.isdigit
        ("pre2025:3646", "5 (commune) digits"),
        ("2025:03646:1", "digits only"),
    ],
)
def test_malformed_ids_raise_with_a_clear_message(bad: str, words: str) -> None:
    with pytest.raises(UnitError, match=re.escape(words)):
        parse_unit_id(bad)


def test_non_text_id_raises() -> None:
    with pytest.raises(UnitError):
        parse_unit_id(14)  # type: ignore[arg-type]


def test_directory_lookups_reject_malformed_and_unknown_ids(units: UnitDirectory) -> None:
    with pytest.raises(UnitError, match="unknown structure"):
        units.get("2019:14")
    with pytest.raises(UnitError, match="Unknown unit: pre2025:99999"):
        units.get("pre2025:99999")
    assert units.find("pre2025:99999") is None
    with pytest.raises(UnitError):
        units.find("14")
    assert "pre2025:14" in units
    assert "14" not in units


# -- the shipped data: Sơn La ------------------------------------------------------------


def test_resource_is_versioned_and_complete(units: UnitDirectory) -> None:
    assert units.version == "2026-09-20"
    assert "GSO" in units.source
    assert len(units.provinces("pre2025")) == 63
    assert len(units.provinces("2025")) == 34
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units)


def test_son_la_before_2025_has_12_districts_and_204_communes(units: UnitDirectory) -> None:
    son_la = units.get(SON_LA_PRE)
    assert (son_la.name, son_la.level, son_la.parent_id) == ("Tỉnh Sơn La", PROVINCE, None)
    districts = units.children(SON_LA_PRE)
    assert len(districts) == 12
    assert all(d.level == DISTRICT for d in districts)
    assert len(units.descendants(SON_LA_PRE, level=DISTRICT)) == 12
    assert len(units.descendants(SON_LA_PRE, level=COMMUNE)) == 204
    whole = units.units_of_province(SON_LA_PRE)
    assert len(whole) == 1 + 12 + 204
    assert whole[0] == son_la


def test_mai_son_district_and_its_communes(units: UnitDirectory) -> None:
    mai_son = units.get(MAI_SON)
    assert mai_son.name == "Huyện Mai Sơn"
    assert mai_son.short_name == "Mai Sơn"
    assert mai_son.kind == "huyện"
    assert mai_son.parent_id == SON_LA_PRE
    communes = units.children(MAI_SON)
    assert len(communes) == 22
    names = [c.name for c in communes]
    assert names[0] == "Thị trấn Hát Lót"
    assert {"Xã Chiềng Mung", "Xã Cò Nòi", "Xã Nà Ơt"} <= set(names)
    assert all(c.level == COMMUNE and c.parent_id == MAI_SON for c in communes)
    assert units.descendants(MAI_SON) == communes
    assert units.province_of(communes[0].id).id == SON_LA_PRE


def test_son_la_in_2025_has_75_communes_under_the_province(units: UnitDirectory) -> None:
    communes = units.children(SON_LA_2025)
    assert len(communes) == 75
    assert all(c.level == COMMUNE and c.parent_id == SON_LA_2025 for c in communes)
    assert units.descendants(SON_LA_2025, level=DISTRICT) == ()
    assert len(units.units_of_province(SON_LA_2025)) == 76


def test_reused_code_03646(units: UnitDirectory) -> None:
    before, after = units.get("pre2025:03646"), units.get("2025:03646")
    assert before.name == "Phường Chiềng Lề"
    assert after.name == "Phường Tô Hiệu"
    assert before.code == after.code == "03646"
    assert before.structure != after.structure
    assert [u.id for u in units.ancestors("pre2025:03646")] == ["pre2025:14", "pre2025:116"]
    assert [u.id for u in units.ancestors("2025:03646")] == ["2025:14"]
    assert units.ancestors(SON_LA_PRE) == ()


def test_short_names() -> None:
    def short(name: str, kind: str, level: int = COMMUNE) -> str:
        return Unit("pre2025:00001", "pre2025", "00001", name, kind, level, None).short_name

    assert short("Huyện Mai Sơn", "huyện", DISTRICT) == "Mai Sơn"
    assert short("Thị trấn Hát Lót", "thị trấn") == "Hát Lót"
    assert short("Phường Chiềng Lề", "phường") == "Chiềng Lề"
    assert short("Thành phố Sơn La", "thành phố", DISTRICT) == "Sơn La"
    assert short("Thành phố Hà Nội", "thành phố trung ương", PROVINCE) == "Hà Nội"
    assert short("Tỉnh Sơn La", "tỉnh", PROVINCE) == "Sơn La"
    assert short("Thị xã Sơn Tây", "thị xã", DISTRICT) == "Sơn Tây"
    assert short("Quận Ba Đình", "quận", DISTRICT) == "Ba Đình"
    assert short("Xã Chiềng Mung", "xã") == "Chiềng Mung"
    assert short("Đặc khu Côn Đảo", "đặc khu") == "Côn Đảo"
    # A number alone names nothing: keep the kind.
    assert short("Phường 1", "phường") == "Phường 1"
    assert short("Phường Mỹ Đình 1", "phường") == "Mỹ Đình 1"


def test_every_shipped_short_name_is_shorter_than_its_name(units: UnitDirectory) -> None:
    for unit in units:
        if unit.short_name != unit.name:
            assert unit.name.endswith(" " + unit.short_name)
        else:
            assert unit.name.split(" ")[-1].isdigit(), unit


# -- the 2025 lineage --------------------------------------------------------------------


def test_sources_of_to_hieu(units: UnitDirectory) -> None:
    sources = units.sources_of("2025:03646")
    assert [u.name for u in sources] == [
        "Phường Chiềng Lề",
        "Phường Tô Hiệu",
        "Phường Quyết Thắng",
        "Phường Quyết Tâm",
    ]
    assert all(u.structure == "pre2025" and u.level == COMMUNE for u in sources)
    assert [u.id for u in units.successors_of("pre2025:03646")] == ["2025:03646"]


def test_sources_and_successors_round_trip(units: UnitDirectory) -> None:
    for new in units.descendants(SON_LA_2025):
        for old in units.sources_of(new.id):
            assert new in units.successors_of(old.id)
    for old in units.descendants(SON_LA_PRE, level=COMMUNE):
        for new in units.successors_of(old.id):
            assert old in units.sources_of(new.id)
            assert units.province_of(new.id).id == SON_LA_2025


# The source data (2026-09-20) names no 2025 successor for 7 of Sơn La's 204 pre-2025
# communes (28 in the country), dissolved by the late-2024 merger (Resolution 1280). Two
# are shipped from public sources (``LINEAGE_FIXES`` in build/make_resources.py: Chiềng Ly
# into 2025 Xã Thuận Châu, Thị trấn Phù Yên into 2025 Xã Phù Yên); the province maps the
# villages of the other five (``coverage-desk reform plan``).
SON_LA_LINEAGE_FIXES = {"pre2025:03751": "2025:03721", "pre2025:03898": "2025:03910"}
SON_LA_COMMUNES_WITHOUT_SUCCESSOR = {
    "pre2025:03913",  # Xã Huy Bắc, Huyện Phù Yên
    "pre2025:03988",  # Xã Tân Hợp, Huyện Mộc Châu
    "pre2025:03991",  # Xã Qui Hướng, Huyện Mộc Châu
    "pre2025:04003",  # Xã Tà Lai, Huyện Mộc Châu
    "pre2025:04060",  # Thị trấn Yên Châu
}


def test_son_la_communes_of_2025_come_from_son_la(units: UnitDirectory) -> None:
    covered = {old.id for new in units.children(SON_LA_2025) for old in units.sources_of(new.id)}
    before = {c.id for c in units.descendants(SON_LA_PRE, level=COMMUNE)}
    assert covered <= before
    assert before - covered == SON_LA_COMMUNES_WITHOUT_SUCCESSOR
    for unit_id in SON_LA_COMMUNES_WITHOUT_SUCCESSOR:
        assert units.successors_of(unit_id) == ()
    for old_id, new_id in SON_LA_LINEAGE_FIXES.items():
        assert [u.id for u in units.successors_of(old_id)] == [new_id]


def test_island_special_zone_without_sources(units: UnitDirectory) -> None:
    con_dao = units.get("2025:26732")
    assert con_dao.kind == "đặc khu"
    assert units.sources_of(con_dao.id) == ()


def test_lineage_asked_of_the_wrong_structure_raises(units: UnitDirectory) -> None:
    with pytest.raises(UnitError, match="not a 2025 commune"):
        units.sources_of("pre2025:03646")
    with pytest.raises(UnitError, match="not a pre-2025 commune"):
        units.successors_of("2025:03646")
    with pytest.raises(UnitError, match="not a pre-2025 commune"):
        units.successors_of(MAI_SON)


# -- search ------------------------------------------------------------------------------


def test_fold_diacritics() -> None:
    assert fold_diacritics("Phường Chiềng Lề") == "phuong chieng le"
    assert fold_diacritics("ĐẶC KHU  Côn Đảo") == "dac khu con dao"
    assert fold_diacritics(unicodedata.normalize("NFD", "Mường Ẳng")) == "muong ang"
    assert fold_diacritics("Nà Ơt, Cò Nòi") == "na ot, co noi"


def test_search_with_or_without_diacritics(units: UnitDirectory) -> None:
    plain = units.search("chieng le")
    assert plain[0].id == "pre2025:03646"
    assert [u.id for u in units.search("Chiềng Lề")] == [u.id for u in plain]
    assert [u.id for u in units.search("CHIENG  LE")] == [u.id for u in plain]


def test_search_ranks_exact_short_names_first(units: UnitDirectory) -> None:
    found = units.search("mai son", within=SON_LA_PRE)
    assert [u.name for u in found] == ["Huyện Mai Sơn"]
    everywhere = units.search("mai son")
    assert everywhere[0].id == MAI_SON  # districts before communes of the same rank
    assert {u.short_name for u in everywhere[:4]} == {"Mai Sơn"}


def test_search_within_a_unit_and_a_structure(units: UnitDirectory) -> None:
    found = units.search("hat lot", within=MAI_SON)
    assert [u.name for u in found] == ["Thị trấn Hát Lót", "Xã Hát Lót"]
    in_2025 = units.search("to hieu", within=SON_LA_2025)
    assert [u.id for u in in_2025] == ["2025:03646"]
    only_pre = units.search("to hieu", structure="pre2025")
    assert all(u.structure == "pre2025" for u in only_pre)
    assert "pre2025:03646" not in {u.id for u in only_pre}
    assert units.search("   ") == []
    assert len(units.search("xa", limit=3)) == 3


# -- loading -----------------------------------------------------------------------------


def test_default_path_is_the_shipped_resource() -> None:
    assert default_units_path().parts[-3:] == ("resources", "units", "units.json")


def _tiny() -> dict[str, Any]:
    return {
        "format": 1,
        "version": "2026-01-01",
        "source": "test",
        "units": [
            ["pre2025:14", "Tỉnh Sơn La", "tỉnh", 1, None],
            ["pre2025:125", "Huyện Mai Sơn", "huyện", 2, "pre2025:14"],
            ["pre2025:04105", "Thị trấn Hát Lót", "thị trấn", 3, "pre2025:125"],
            ["2025:14", "Tỉnh Sơn La", "tỉnh", 1, None],
            ["2025:04105", "Xã Mai Sơn", "xã", 3, "2025:14"],
        ],
        "sources": {"2025:04105": ["pre2025:04105"]},
    }


def test_load_from_a_given_path(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text(json.dumps(_tiny(), ensure_ascii=False), encoding="utf-8")
    tiny = load_unit_directory(path)
    assert len(tiny) == 5
    assert tiny.version == "2026-01-01"
    assert [u.id for u in tiny.successors_of("pre2025:04105")] == ["2025:04105"]


def test_load_reports_missing_and_damaged_files(tmp_path: Path) -> None:
    with pytest.raises(UnitError, match="Cannot read the unit directory"):
        load_unit_directory(tmp_path / "missing.json")
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format": 1, "units": [', encoding="utf-8")
    with pytest.raises(UnitError, match="damaged"):
        load_unit_directory(damaged)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(format=2),
        lambda d: d["units"].append(["pre2025:14", "Tỉnh Sơn La", "tỉnh", 1, None]),
        lambda d: d["units"].append(["pre2025:00001", "Xã X", "xã", 3, "pre2025:999"]),
        lambda d: d["units"].append(["2025:00001", "Xã X", "xã", 3, "pre2025:14"]),
        lambda d: d["units"].append(["2025:001", "Huyện X", "huyện", 2, "2025:14"]),
        lambda d: d["units"].append(["pre2025:00001", "Xã X", "xã", 3, None]),
        lambda d: d["units"].append(["pre2025:00001", "Xã X", "xã"]),
        lambda d: d["sources"].update({"2025:04105": ["pre2025:125"]}),
        lambda d: d["sources"].update({"pre2025:04105": ["pre2025:04105"]}),
        lambda d: d.pop("units"),
    ],
)
def test_damaged_documents_raise(spoil: Any) -> None:
    document = _tiny()
    spoil(document)
    with pytest.raises(UnitError):
        UnitDirectory.from_resource(document)

"""An operator's list of 300 sites into the province's register: matched by code, by
distance, new, unmatched and unreadable rows counted right, in UTF-8 XLSX and in a
TCVN3 CSV; a second import changes nothing."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.imports.errors import NotAllowedError
from desktop_app.imports.sites_import import plan_sites_import
from desktop_app.store.office import create_office
from desktop_app.store.repositories.sites import Site
from desktop_app.store.store import Store
from tests.imports.legacy_samples import tcvn3

PROVINCE = "pre2025:14"
HEADER_VI = ["STT", "Mã trạm", "Tên trạm", "Xã", "Vĩ độ", "Kinh độ", "Công nghệ", "Trạng thái"]
HEADER_EN = [
    "No",
    "Site code",
    "Site name",
    "Commune",
    "Latitude",
    "Longitude",
    "Technology",
    "Status",
]


@dataclass
class Expected:
    by_code: int
    by_distance: int
    new: int
    changed: int
    unchanged: int
    unmatched: int
    unreadable: int


def _dms(value: float, positive: str, negative: str) -> str:
    hemi = positive if value >= 0 else negative
    hundredths = round(abs(value) * 360_000)  # in 1/100 s, so that 59.999 s never prints as 60
    degrees, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    return f"{degrees}°{minutes:02d}'{rest / 100:05.2f}\"{hemi}"


def _offset(lat: float, metres: float) -> float:
    return lat + metres / 111_320.0


def _seed(
    store: Store, rng: random.Random
) -> tuple[list[Site], list[Site], list[tuple[float, float]]]:
    """200 Viettel sites in the register: 100 with the operator's code, 100 typed without."""
    communes = store.reference.communes_under(PROVINCE)
    spots = [(20.70 + 0.05 * (i // 20), 103.40 + 0.05 * (i % 20)) for i in range(400)]
    rng.shuffle(spots)
    coded, typed = [], []
    with store.transaction():
        for i in range(200):
            lat, lon = spots[i]
            commune = communes[i % len(communes)]
            site = Site("", "bts", commune.id, None, f"BTS Viettel {commune.short_name} {i}",
                        "viettel", ("2g", "4g"), False, lat, lon, "active", None, None, "",
                        site_code=f"SLA{i:04d}" if i < 100 else "")  # fmt: skip
            saved = store.sites.save(site, on_behalf=True)
            (coded if i < 100 else typed).append(saved)
    return coded, typed, spots[200:]


def _rows(store: Store, rng: random.Random) -> tuple[list[list[str]], Expected]:
    coded, typed, free = _seed(store, rng)
    names = {c.id: c.name for c in store.reference.communes_under(PROVINCE)}
    rows: list[list[str]] = []

    def row(
        code: str,
        name: str,
        commune: str,
        lat: float,
        lon: float,
        tech: str,
        status: str,
        dms: bool,
    ) -> list[str]:
        where = [_dms(lat, "N", "S"), _dms(lon, "E", "W")] if dms else [f"{lat:.6f}", f"{lon:.6f}"]
        return [str(len(rows) + 1), code, name, commune, *where, tech, status]

    for n, s in enumerate(coded):  # by code: 60 as they are, 40 with 3G added
        assert s.lat is not None and s.lon is not None
        tech = "2G/4G" if n < 60 else "2G/3G/4G"
        rows.append(
            row(
                s.site_code,
                s.name,
                names[s.commune_id],
                s.lat,
                s.lon,
                tech,
                "Hoạt động",
                n % 3 == 0,
            )
        )
    for n, s in enumerate(typed[:80]):  # by distance: 20 to 80 m away, now with a code
        assert s.lat is not None and s.lon is not None
        lat = _offset(s.lat, 20 + (n % 7) * 10)
        rows.append(
            row(f"SLB{n:04d}", s.name, names[s.commune_id], lat, s.lon, "2G/4G", "", n % 2 == 0)
        )
    communes = list(names.items())
    for n in range(110):  # new: far from every register site
        lat, lon = free[n]
        commune_id, name = communes[(n * 7) % len(communes)]
        where = name if n % 4 else commune_id.split(":")[1]  # by name, or by GSO code
        rows.append(
            row(f"SLN{n:04d}", f"BTS mới {n}", where, lat, lon, "4G", "Quy hoạch", n % 5 == 0)
        )
    bad = [
        ["", "SLX0001", "Sai tọa độ", "Xã Chiềng Sung", "abc", "104.1", "4G", ""],
        ["", "SLX0002", "Ngoài tỉnh", "Xã Không Có", "21.1", "104.1", "4G", ""],
        ["", "SLX0003", "Đảo ngược", "Xã Chiềng Sung", "104.1", "21.1", "4G", ""],
        ["", "", "Không mã, không tọa độ", "Xã Chiềng Sung", "", "", "4G", ""],
        ["", "SLX0005", "Trạng thái lạ", "Xã Chiềng Sung", "21.3", "104.2", "4G", "không rõ"],
        ["", "SLX0006", "Thiếu xã", "", "21.4", "104.3", "4G", ""],
        ["", "SLX0007", "Phút quá 60", "Xã Chiềng Sung", "21°75'10\"N", "104°10'00\"E", "4G", ""],
        ["", "SLX0008", "Một nửa", "Xã Chiềng Sung", "21.3", "", "4G", ""],
        ["", "SLX0009", "Thiếu kinh độ", "Xã Chiềng Sung", "21.35", "x", "4G", ""],
        ["", "SLX0010", "Xã tỉnh khác", "Phường Phúc Xá", "21.2", "104.2", "4G", ""],
    ]
    rows.extend(bad)
    rng.shuffle(rows)
    expected = Expected(by_code=100, by_distance=80, new=110, changed=40 + 80, unchanged=60,
                        unmatched=20, unreadable=len(bad))  # fmt: skip
    assert len(rows) == 300
    return rows, expected


@pytest.fixture
def province(tmp_path: Path, unit_directory) -> Store:  # type: ignore[no-untyped-def]
    return create_office(tmp_path / "province.db", PROVINCE, directory=unit_directory,
                         rng=random.Random(3), user="so")  # fmt: skip


def _xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TRẠM BTS VIETTEL TỈNH SƠN LA"])
    ws.append([])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _tcvn3_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow([tcvn3(h) for h in header])
    for r in rows:
        writer.writerow([tcvn3(v) for v in r])
    path.write_bytes(text.getvalue().encode("cp1252"))  # what Excel saves as "CSV" there
    return path


def _check(plan, expected: Expected) -> None:  # type: ignore[no-untyped-def]
    got = Expected(plan.by_code, plan.by_distance, len(plan.new), len(plan.changed),
                   len(plan.unchanged), len(plan.unmatched), len(plan.unreadable))  # fmt: skip
    assert got == expected


@pytest.mark.parametrize("kind", ["xlsx-vi", "xlsx-en", "csv-tcvn3"])
def test_a_300_site_list(province: Store, tmp_path: Path, kind: str) -> None:
    with province as store:
        rows, expected = _rows(store, random.Random(17))
        if kind == "csv-tcvn3":
            path = _tcvn3_csv(tmp_path / "viettel.csv", HEADER_VI, rows)
        else:
            path = _xlsx(
                tmp_path / "viettel.xlsx", HEADER_VI if kind == "xlsx-vi" else HEADER_EN, rows
            )
        before = store.sites.count()
        plan = plan_sites_import(store, path, operator="viettel")
        _check(plan, expected)
        if kind == "csv-tcvn3":
            assert any("TCVN3" in n for n in plan.notes)
            assert {s.name for s in plan.new} >= {"BTS mới 1", "BTS mới 2"}
        else:
            assert plan.notes == []
        reasons = " | ".join(u.reason for u in plan.unreadable)
        assert "not in Viet Nam" in reasons and "not a commune of this office" in reasons
        assert store.sites.count() == before  # a plan writes nothing

        assert plan.apply(store) == expected.new + expected.changed
        assert store.sites.count() == before + expected.new
        by_code = {s.site_code: s for s in store.sites.find() if s.site_code}
        assert by_code["SLA0070"].technologies == ("2g", "3g", "4g")
        assert len([c for c in by_code if c.startswith("SLB")]) == 80
        audit = store.db.execute_sql(
            "SELECT count(*) FROM change WHERE entity = 'site'"
        ).fetchone()[0]

        again = plan_sites_import(store, path, operator="viettel")
        assert (len(again.new), len(again.changed), len(again.unchanged)) == (0, 0, 290)
        assert len(again.unmatched) == 20 and len(again.unreadable) == 10
        assert again.apply(store) == 0
        assert (
            store.db.execute_sql("SELECT count(*) FROM change WHERE entity = 'site'").fetchone()[0]
            == audit
        )


def test_a_commune_imports_its_own_rows_and_a_district_none(
    commune_db: Path, tmp_path: Path, unit_directory
) -> None:  # type: ignore[no-untyped-def]
    path = _xlsx(tmp_path / "list.xlsx", ["Mã trạm", "Vĩ độ", "Kinh độ", "Nhà mạng", "Công nghệ"], [
        ["MSN001", "21°12'18.4\"N", "104°05'35.5\"E", "VinaPhone", "4G"],
        ["MSN002", "21,2101", "104,1002", "Viettel", "2G, 4G"],
    ])  # fmt: skip
    with Store.open(commune_db) as store:
        plan = plan_sites_import(store, path)
        assert len(plan.new) == 2 and plan.unreadable == []
        assert {(s.operator, s.technologies) for s in plan.new} == {
            ("vnpt", ("4g",)),
            ("viettel", ("2g", "4g")),
        }
        assert {s.commune_id for s in plan.new} == {store.node.office_id}
        assert plan.apply(store) == 2
    district = create_office(tmp_path / "d.db", "pre2025:125", directory=unit_directory, user="h")
    with district, pytest.raises(NotAllowedError, match="district office cannot import sites"):
        plan_sites_import(district, path)


def test_a_mapping_file_names_the_columns(commune_db: Path, tmp_path: Path) -> None:
    import json

    path = _xlsx(tmp_path / "odd.xlsx", ["Cột A", "Cột B", "Cột C"], [["P1", "21.21", "104.1"]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"code": "Cột A", "lat": "Cột B", "lon": "Cột C"}), encoding="utf-8"
    )
    with Store.open(commune_db) as store:
        plan = plan_sites_import(store, path, operator="mobifone", mapping=mapping)
        [site] = plan.new
        assert (site.site_code, site.lat, site.lon, site.operator) == (
            "P1",
            21.21,
            104.1,
            "mobifone",
        )
        with pytest.raises(Exception, match="no header row"):
            plan_sites_import(store, path, operator="mobifone")

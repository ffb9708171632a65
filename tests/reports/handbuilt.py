"""A small hand-built district database whose figures are worked out by hand.

Huyện Mai Sơn (pre2025:125) with data in two communes:

* Xã Chiềng Sung (04108): villages A1, A2 and A3 (A3 deactivated after its values
  were written, so it must not count anywhere).
* Thị trấn Hát Lót (04105): villages B1 and B2.

The figures each test expects are written next to the test.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.store.changes import Actor
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

DISTRICT = "pre2025:125"
PROVINCE = "pre2025:14"
COMMUNE_A = "pre2025:04108"
COMMUNE_B = "pre2025:04105"


def actor_for(store: Store, office_id: str) -> Actor:
    """An actor of the same installation acting for ``office_id`` (test only)."""
    node = store.node
    return Actor(node.node_id, node.epoch, office_id, "tester")


def build_small_district(store: Store) -> dict[str, str]:
    """Fill ``store`` (a pre2025:125 office) and return village name → id."""
    ids: dict[str, str] = {}
    a = actor_for(store, COMMUNE_A)
    b = actor_for(store, COMMUNE_B)
    for name in ("A1 Bản Nà Sản", "A2 Bản Hua Tát", "A3 Bản Cũ"):
        ids[name[:2]] = store.villages.add(COMMUNE_A, name, actor=a).id
    for name in ("B1 Tiểu khu 1", "B2 Bản Ỏ"):
        ids[name[:2]] = store.villages.add(COMMUNE_B, name, actor=b).id

    def village(commune: str, v: str, period: str, code: str, value: object) -> ValueWrite:
        return ValueWrite(commune, ids[v], period, code, value)  # type: ignore[arg-type]

    def commune(cid: str, period: str, code: str, value: object, disagg: str = "") -> ValueWrite:
        return ValueWrite(cid, None, period, code, value, disagg)  # type: ignore[arg-type]

    writes_a = [
        village(COMMUNE_A, "A1", "2020", "so_ho", 100),
        village(COMMUNE_A, "A2", "2020", "so_ho", 50),
        village(COMMUNE_A, "A3", "2020", "so_ho", 30),
        village(COMMUNE_A, "A1", "2020", "dan_so", 400),
        village(COMMUNE_A, "A2", "2020", "dan_so", 200),
        village(COMMUNE_A, "A3", "2020", "dan_so", 100),
        village(COMMUNE_A, "A1", "2020", "ho_dttm", 60),
        village(COMMUNE_A, "A2", "2020", "ho_dttm", 20),
        village(COMMUNE_A, "A1", "2020Q4", "song_di_dong", "on_dinh"),
        village(COMMUNE_A, "A2", "2020Q4", "song_di_dong", "khong_co"),
        village(COMMUNE_A, "A3", "2020Q4", "song_di_dong", "khong_co"),
        village(COMMUNE_A, "A1", "2020Q4", "phu_4g", True),
        village(COMMUNE_A, "A2", "2020Q4", "phu_4g", False),
        village(COMMUNE_A, "A1", "2020Q4", "ho_internet", 40),
        village(COMMUNE_A, "A2", "2020Q4", "ho_internet", 10),
        village(COMMUNE_A, "A3", "2020Q4", "ho_internet", 5),
        village(COMMUNE_A, "A1", "2020Q4", "nha_mang", frozenset({"viettel", "vnpt"})),
        village(COMMUNE_A, "A2", "2020Q4", "nha_mang", frozenset()),
        village(COMMUNE_A, "A1", "2020Q3", "song_di_dong", "yeu"),
        village(COMMUNE_A, "A2", "2020Q3", "song_di_dong", "khong_co"),
        village(COMMUNE_A, "A1", "2020Q3", "phu_4g", False),
        village(COMMUNE_A, "A2", "2020Q3", "phu_4g", False),
        village(COMMUNE_A, "A1", "2020Q3", "ho_internet", 30),
        village(COMMUNE_A, "A2", "2020Q3", "ho_internet", 10),
        commune(COMMUNE_A, "2020Q4", "bts_vi_tri", 2, "viettel"),
        commune(COMMUNE_A, "2020Q4", "bts_vi_tri", 1, "vnpt"),
        commune(COMMUNE_A, "2020Q4", "xa_cap_quang", True),
        commune(COMMUNE_A, "2020", "tan_suat_phat", Decimal("1.5")),
        commune(COMMUNE_A, "2020", "diem_bdvhx", 1),
        commune(COMMUNE_A, "2020", "dai_truyen_thanh", "cntt_vt"),
    ]
    writes_b = [
        village(COMMUNE_B, "B1", "2020", "so_ho", 80),
        village(COMMUNE_B, "B2", "2020", "so_ho", 70),
        village(COMMUNE_B, "B1", "2020", "dan_so", 300),
        village(COMMUNE_B, "B2", "2020", "dan_so", 250),
        village(COMMUNE_B, "B1", "2020", "ho_dttm", 40),
        village(COMMUNE_B, "B2", "2020", "ho_dttm", 30),
        village(COMMUNE_B, "B1", "2020Q4", "song_di_dong", "yeu"),
        village(COMMUNE_B, "B2", "2020Q4", "song_di_dong", "on_dinh"),
        village(COMMUNE_B, "B1", "2020Q4", "phu_4g", True),
        village(COMMUNE_B, "B2", "2020Q4", "phu_4g", True),
        village(COMMUNE_B, "B1", "2020Q4", "ho_internet", 20),
        village(COMMUNE_B, "B2", "2020Q4", "ho_internet", 30),
        village(COMMUNE_B, "B1", "2020Q4", "nha_mang", frozenset({"viettel"})),
        village(COMMUNE_B, "B2", "2020Q4", "nha_mang", frozenset({"viettel", "mobifone"})),
        village(COMMUNE_B, "B1", "2020Q3", "song_di_dong", "khong_co"),
        village(COMMUNE_B, "B2", "2020Q3", "song_di_dong", "on_dinh"),
        village(COMMUNE_B, "B1", "2020Q3", "phu_4g", False),
        village(COMMUNE_B, "B2", "2020Q3", "phu_4g", True),
        village(COMMUNE_B, "B1", "2020Q3", "ho_internet", 10),
        village(COMMUNE_B, "B2", "2020Q3", "ho_internet", 30),
        commune(COMMUNE_B, "2020Q4", "bts_vi_tri", 3, "viettel"),
        commune(COMMUNE_B, "2020Q4", "xa_cap_quang", False),
        commune(COMMUNE_B, "2020", "tan_suat_phat", Decimal("0.5")),
        commune(COMMUNE_B, "2020", "diem_bdvhx", 0),
        commune(COMMUNE_B, "2020", "dai_truyen_thanh", "fm"),
    ]
    store.values.set_many(writes_a, actor=a)
    store.values.set_many(writes_b, actor=b)
    store.villages.set_active(ids["A3"], False, actor=a)
    store.submissions.move(COMMUNE_A, "2020Q4", "submitted", actor=a)
    store.submissions.move(COMMUNE_A, "2020Q4", "approved", actor=actor_for(store, DISTRICT))
    store.submissions.move(COMMUNE_B, "2020Q4", "submitted", actor=b)
    store.submissions.move(
        COMMUNE_B, "2020Q4", "returned", reason="Thiếu số liệu", actor=actor_for(store, DISTRICT)
    )
    store.targets.set(DISTRICT, 2020, "ty_le_thon_4g", 80.0, actor=actor_for(store, PROVINCE))
    store.targets.set(DISTRICT, 2020, "so_thon_lom_song", 0.0, actor=actor_for(store, PROVINCE))
    store.reference.set_settings(
        {
            "parent_agency": "UBND HUYỆN MAI SƠN",
            "office_name": "PHÒNG VĂN HÓA VÀ THÔNG TIN",
            "report_number": "12/BC-VHTT",
            "place": "Mai Sơn",
            "signer_title": "TRƯỞNG PHÒNG",
            "signer_on_behalf": "",
            "signer_name": "Lò Văn Tâm",
            "recipients": "- Sở Thông tin và Truyền thông;\n- Lưu: VT.",
        }
    )
    return ids

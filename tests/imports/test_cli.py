"""``coverage-desk import sites`` and ``import dhis2`` as real processes, in Vietnamese."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE, table_state

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", "vi", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_import_sites_preview_then_apply(commune_db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "vnpt.csv"
    csv.write_text(
        "Mã trạm,Tên trạm,Vĩ độ,Kinh độ,Công nghệ\n"
        "MSN-V01,BTS VNPT Bản Mòn,21.2051,104.0932,2G/4G\n"
        "MSN-V02,BTS VNPT Bản Hát,21°12'30\"N,104°06'10\"E,4G\n"
        "MSN-V03,Sai,21.2,khong ro,4G\n",
        encoding="utf-8",
    )
    with Store.open(commune_db) as store:
        before = store.sites.count()
    preview = _cli(
        "import", "sites", "--db", str(commune_db), str(csv), "--operator", "vnpt", "--preview"
    )
    assert preview.returncode == 0, preview.stderr
    assert "2 mới" in preview.stdout and "1 dòng không đọc được" in preview.stdout
    assert "Chỉ xem trước" in preview.stdout
    assert preview.stderr.strip() == "Dòng 4: không đọc được tọa độ «21.2», «khong ro»"
    with Store.open(commune_db) as store:
        assert store.sites.count() == before
    done = _cli("import", "sites", "--db", str(commune_db), str(csv), "--operator", "vnpt")
    assert done.returncode == 0 and "Đã ghi 2 điểm" in done.stdout
    again = _cli("import", "sites", "--db", str(commune_db), str(csv), "--operator", "vnpt")
    assert "0 mới, 0 thay đổi, 2 không đổi" in again.stdout and "Đã ghi 0 điểm" in again.stdout
    bad = _cli("import", "sites", "--db", str(commune_db), str(csv), "--operator", "vtc")
    assert (
        bad.returncode == 1
        and bad.stderr.count("\n") == 1
        and "không biết nhà mạng vtc" in bad.stderr
    )


def test_import_dhis2_of_the_export(commune_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q4.json"
    made = _cli(
        "export",
        "dhis2",
        "--db",
        str(commune_db),
        "--unit",
        COMMUNE,
        "--period",
        "2020Q4",
        "--include-drafts",  # 2020Q4 is still a draft in the demo: the export is official only
        "--out",
        str(out),
        "--include-drafts",  # an official export holds submitted periods only; this one is not
    )
    assert made.returncode == 0, made.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    row = next(r for r in doc["dataValues"] if r["dataElement"] == "ho_internet")
    row["value"] = "0"
    doc["dataValues"].append(
        {"dataElement": "khong_co", "period": "2020Q4", "orgUnit": COMMUNE, "value": "1"}
    )
    out.write_text(json.dumps(doc), encoding="utf-8")
    with Store.open(commune_db) as store:
        before = table_state(store)
    refused = _cli("import", "dhis2", "--db", str(commune_db), str(out))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert "khong_co không phải là chỉ tiêu trong danh mục" in lines[0]
    assert "Không có ô nào được nhập" in lines[-1]
    with Store.open(commune_db) as store:
        assert table_state(store) == before
    partial = _cli("import", "dhis2", "--db", str(commune_db), str(out), "--partial")
    assert partial.returncode == 0, partial.stderr
    assert "1 ô đã nhập" in partial.stdout

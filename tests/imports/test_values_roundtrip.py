"""Template → filled with openpyxl → import: the store holds exactly what was filled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from desktop_app.domain.periods import Period
from desktop_app.imports.errors import CellsRefusedError
from desktop_app.imports.template import write_template
from desktop_app.imports.values_import import plan_values_import
from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE, table_state

ROOT = Path(__file__).resolve().parents[2]
PERIOD = Period.parse("2020Q4")


def _columns(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value}


def _rows(ws: Any) -> dict[str, int]:
    return {str(ws.cell(row=r, column=1).value): r for r in range(4, ws.max_row + 1)}


def _stored(store: Store, org: str, indicator: str, disagg: str = "") -> str | None:
    code = "2020" if store.catalogue.indicator(indicator).frequency == "annual" else "2020Q4"
    got = store.values.get(org, code, indicator, disagg)
    return None if got is None else got.value


def _fill(path: Path, store: Store) -> tuple[dict[tuple[str, str, str], str | None], str]:
    """Edit the template as a clerk would; return the expected canonical texts and the
    village whose cell breaks a rule."""
    wb = load_workbook(path)
    villages, commune = wb.worksheets[0], wb.worksheets[1]
    vcols, ccols = _columns(villages), _columns(commune)
    vrows = _rows(villages)
    first, second, third = list(vrows)[:3]
    expected: dict[tuple[str, str, str], str | None] = {}

    def put(
        ws: Any,
        rows: dict[str, int],
        cols: dict[str, int],
        org: str,
        code: str,
        raw: Any,
        text: str | None,
    ) -> None:
        ws.cell(row=rows[org], column=cols[code]).value = raw
        indicator, _, disagg = code.partition("|")
        expected[(org, indicator, disagg)] = text

    so_ho = int(_stored(store, first, "so_ho") or 0)
    put(villages, vrows, vcols, first, "so_ho", so_ho + 7, str(so_ho + 7))  # a number
    dan_so = 5000 if _stored(store, first, "dan_so") != "5000" else 5100
    put(
        villages,
        vrows,
        vcols,
        first,
        "dan_so",
        f"{dan_so // 1000}.{dan_so % 1000:03d}",
        str(dan_so),
    )
    signal = "on_dinh" if _stored(store, second, "song_di_dong") == "yeu" else "yeu"
    label = {"yeu": "Sóng yếu", "on_dinh": "Sóng ổn định"}[signal]
    put(villages, vrows, vcols, second, "song_di_dong", label, signal)  # a choice label
    grid = _stored(store, second, "dien_luoi") == "1"
    put(
        villages, vrows, vcols, second, "dien_luoi", "Không" if grid else "có", "0" if grid else "1"
    )
    ops = (
        "viettel"
        if _stored(store, second, "nha_mang") == "viettel|mobifone"
        else "viettel|mobifone"
    )
    shown = {"viettel": "Viettel", "viettel|mobifone": "viettel , MobiFone"}[ops]
    put(villages, vrows, vcols, second, "nha_mang", shown, ops)
    put(villages, vrows, vcols, third, "ho_chi_2g", None, None)  # cleared
    crow = {COMMUNE: 4}
    sites = int(_stored(store, COMMUNE, "bts_vi_tri", "viettel") or 0) + 3
    put(commune, crow, ccols, COMMUNE, "bts_vi_tri|viettel", sites, str(sites))
    rate = "1.5" if _stored(store, COMMUNE, "tan_suat_phat") != "1.5" else "2.5"
    put(commune, crow, ccols, COMMUNE, "tan_suat_phat", float(rate), rate)  # yearly, decimal
    radio = "fm" if _stored(store, COMMUNE, "dai_truyen_thanh") != "fm" else "huu_tuyen"
    put(
        commune,
        crow,
        ccols,
        COMMUNE,
        "dai_truyen_thanh",
        store.catalogue.choice_label("dai_truyen_thanh", radio, "vi"),
        radio,
    )
    # The refused cell: more poor households than households (an error-level rule).
    bad = third
    villages.cell(row=vrows[bad], column=vcols["so_ho_ngheo"]).value = 100000
    wb.save(path)
    return expected, bad


def test_roundtrip(store: Store, tmp_path: Path):
    path = tmp_path / "t.xlsx"
    info = write_template(store, COMMUNE, PERIOD, path)
    assert info.villages == len(store.villages.for_commune(COMMUNE)) and info.communes == 1
    assert (
        _stored(store, list(_rows(load_workbook(path).worksheets[0]))[2], "ho_chi_2g") is not None
    )
    expected, bad = _fill(path, store)
    bad_before = _stored(store, bad, "so_ho_ngheo")
    before = table_state(store)

    plan = plan_values_import(store, path)
    assert len(plan.changes) == len(expected)
    [refusal] = plan.refusals
    assert refusal.coordinate.startswith("F") and "so_ho_ngheo" not in refusal.reason
    with pytest.raises(CellsRefusedError):
        plan.apply(store)
    assert table_state(store) == before  # nothing applied while a cell is refused

    written = plan.apply(store, partial=True)
    assert written == len(expected)
    rows, changes, audits = table_state(store)
    assert changes == before[1] + written and audits == before[2] + written
    for (org, indicator, disagg), text in expected.items():
        assert _stored(store, org, indicator, disagg) == text, (org, indicator)
    assert _stored(store, bad, "so_ho_ngheo") == bad_before
    # Everything the workbook did not change is exactly as it was.
    touched = {(o, i, d) for o, i, d in expected}
    untouched_before = [r for r in before[0] if (r[0], r[2], r[3]) not in touched]
    untouched_after = [r for r in rows if (r[0], r[2], r[3]) not in touched]
    assert untouched_after == untouched_before

    again = plan_values_import(store, path)
    assert again.changes == [] and again.unchanged == len(expected)
    assert again.apply(store, partial=True) == 0
    assert table_state(store) == (rows, changes, audits)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", "vi", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_lists_the_refused_cell_in_vietnamese(commune_db: Path, tmp_path: Path):
    path = tmp_path / "t.xlsx"
    made = _cli("template", "--db", str(commune_db), "--period", "2020Q4", "--out", str(path))
    assert made.returncode == 0, made.stderr
    with Store.open(commune_db) as store:
        _fill(path, store)
        before = table_state(store)
    result = _cli("import", "values", "--db", str(commune_db), str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Trang «Thôn, bản», ô F")
    assert "Số hộ nghèo và cận nghèo" in lines[0] and "không được lớn hơn" in lines[0]
    assert "Không có ô nào được nhập" in lines[1] and "--partial" in lines[1]
    with Store.open(commune_db) as store:
        assert table_state(store) == before
    partial = _cli("import", "values", "--db", str(commune_db), str(path), "--partial")
    assert partial.returncode == 0, partial.stderr
    assert "9 ô đã nhập" in partial.stdout


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_answers_typed_in_an_old_encoding(store: Store, tmp_path: Path, encoding: str):
    from tests.imports.legacy_samples import tcvn3, vni

    encode = tcvn3 if encoding == "tcvn3" else vni
    path = tmp_path / "t.xlsx"
    write_template(store, COMMUNE, PERIOD, path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cols = _columns(ws)
    rows = _rows(ws)
    expected = {}
    for n, org in enumerate(rows):
        grid = n % 2 == 0
        ws.cell(row=rows[org], column=cols["dien_luoi"]).value = encode("Có" if grid else "Không")
        ws.cell(row=rows[org], column=cols["thon_co_loa"]).value = encode("Không" if grid else "Có")
        expected[org] = ("1" if grid else "0", "0" if grid else "1")
    wb.save(path)
    plan = plan_values_import(store, path)
    assert plan.refusals == []
    [note] = plan.notes
    assert ("TCVN3" if encoding == "tcvn3" else "VNI") in note
    plan.apply(store)
    for org, (grid_text, loa_text) in expected.items():
        assert _stored(store, org, "dien_luoi") == grid_text
        assert _stored(store, org, "thon_co_loa") == loa_text


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_two_answers_in_an_old_encoding_are_too_few_to_score_but_read(
    store: Store, tmp_path: Path, encoding: str
):
    from tests.imports.legacy_samples import tcvn3, vni

    encode = tcvn3 if encoding == "tcvn3" else vni
    path = tmp_path / "t.xlsx"
    write_template(store, COMMUNE, PERIOD, path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cols, rows = _columns(ws), _rows(ws)
    first, second = list(rows)[:2]
    signal = "on_dinh" if _stored(store, first, "song_di_dong") == "yeu" else "yeu"
    label = {"yeu": "Sóng yếu", "on_dinh": "Sóng ổn định"}[signal]
    ws.cell(row=rows[first], column=cols["song_di_dong"]).value = encode(label)
    grid = _stored(store, second, "dien_luoi") == "1"
    ws.cell(row=rows[second], column=cols["dien_luoi"]).value = encode("Không" if grid else "Có")
    wb.save(path)
    plan = plan_values_import(store, path)
    assert plan.refusals == [] and len(plan.changes) == 2
    [note] = plan.notes
    assert ("TCVN3" if encoding == "tcvn3" else "VNI") in note and "2 cell" in note
    plan.apply(store)
    assert _stored(store, first, "song_di_dong") == signal
    assert _stored(store, second, "dien_luoi") == ("0" if grid else "1")

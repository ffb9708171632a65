"""What the template looks like to a clerk in Excel: names and units shown, codes hidden,
current values filled in, input validation on every column, the header locked."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from desktop_app.domain.periods import Period
from desktop_app.imports.template import write_template
from desktop_app.store.store import Store
from tests.imports.conftest import COMMUNE


def test_the_template_as_a_clerk_sees_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    info = write_template(store, COMMUNE, Period.parse("2020Q4"), path)
    wb = load_workbook(path)
    villages, commune, meta = wb.worksheets
    assert [villages.title, commune.title] == ["Villages", "Commune"]
    assert meta.sheet_state == "veryHidden"
    for ws in (villages, commune):
        assert ws.row_dimensions[1].hidden and ws.column_dimensions["A"].hidden  # the codes
        assert ws.protection.sheet  # header and names locked…
        assert ws["B2"].protection.locked and ws["B4"].protection.locked
    cols = {c.value: c.column for c in villages[1] if c.value}
    assert villages.cell(row=2, column=cols["so_ho"]).value == "Households"
    assert villages.cell(row=3, column=cols["so_ho"]).value == "(households)"
    assert not villages.cell(row=4, column=cols["so_ho"]).protection.locked  # …cells open
    names = [v.name for v in store.villages.for_commune(COMMUNE)]
    assert [villages.cell(row=r, column=3).value for r in range(4, 4 + len(names))] == names
    first = store.villages.for_commune(COMMUNE)[0]
    stored = store.values.get(first.id, "2020", "so_ho")
    assert stored is not None and villages.cell(row=4, column=cols["so_ho"]).value == int(
        stored.value
    )
    kinds = {}
    for dv in villages.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            kinds[ref.split(":")[0].rstrip("0123456789")] = (dv.type, dv.formula1)
    letter = villages.cell(row=1, column=cols["so_ho"]).column_letter
    assert kinds[letter] == ("whole", "0")
    letter = villages.cell(row=1, column=cols["song_di_dong"]).column_letter
    assert kinds[letter][0] == "list" and "Weak signal" in kinds[letter][1]
    letter = villages.cell(row=1, column=cols["dien_luoi"]).column_letter
    assert kinds[letter] == ("list", '"Yes,No"')
    ccols = {c.value: c.column for c in commune[1] if c.value}
    assert (
        commune.cell(row=3, column=ccols["bts_tram|viettel.4g"]).value
        == "Viettel · 4G (transmitters)"
    )
    assert info.cells == len(names) * (len(cols) - 1) + len(ccols) - 1

"""Where things are in a data-entry workbook: shared by the template writer and the reader.

Both data sheets are "one row per village (or commune) × one column per cell":
row 1 (hidden) holds each column's cell code ``indicator`` or ``indicator|disagg``,
rows 2-3 the indicator name and the cell label with its unit, data from row 4.
Column A (hidden) holds the row's village or commune id, so a clerk who sorts the
rows in Excel does not mislay a value. A very hidden sheet holds what the workbook
is for (format, communes, period) and the values it was written with: the import
applies only the cells the clerk changed, so a template filled slowly never
overwrites what arrived in the database meanwhile.
"""

from __future__ import annotations

from desktop_app.domain.catalogue import Lang

FORMAT = "coverage-desk-template/1"
META_SHEET = "_coverage_desk"
CODE_ROW = 1
NAME_ROW = 2
LABEL_ROW = 3
FIRST_DATA_ROW = 4
ID_COLUMN = 1  # A: village or commune id (hidden)
VILLAGE_FIRST_CELL_COLUMN = 4  # A id, B commune, C village, D… cells
COMMUNE_FIRST_CELL_COLUMN = 3  # A id, B commune, C… cells
EMPTY_SET = "-"  # a multichoice answered "none of them"

# Keys of the meta sheet's first block (column A key, column B value).
KEY_FORMAT = "format"
KEY_PERIOD = "period"
KEY_COMMUNES = "communes"
KEY_OFFICE = "office"
KEY_VILLAGE_SHEET = "village_sheet"
KEY_COMMUNE_SHEET = "commune_sheet"
KEY_CATALOGUE = "catalogue_version"
# Then one row per village or commune: its id, and a JSON object of cell code →
# canonical text (one cell a row: reading 3,400 rows is fast where 70,000 cells are not).
ORIGINALS_MARK = "originals"


def cell_code(indicator: str, disagg: str) -> str:
    """The hidden code of a column: ``so_ho`` or ``bts_tram|viettel.4g``."""
    return f"{indicator}|{disagg}" if disagg else indicator


def split_code(code: str) -> tuple[str, str]:
    """(indicator, disagg) of a column code."""
    indicator, _, disagg = code.partition("|")
    return indicator, disagg


def language() -> Lang:
    """The language of the messages now in force, as the catalogue's labels name it."""
    from desktop_app.i18n import current_language

    return "vi" if current_language() == "vi" else "en"

"""The site register as a Qt table model, and its filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.domain.collation import vi_sort_key
from desktop_app.domain.text import fold_diacritics
from desktop_app.i18n import _
from desktop_app.store.repositories.sites import Site
from desktop_app.ui.pages.sites_labels import site_type_label, status_label

COLUMN_COUNT = 9

_Index = QModelIndex | QPersistentModelIndex


def column_titles() -> list[str]:
    """The register's column titles in the current language."""
    return [
        _("Name"),
        _("Type"),
        _("Commune"),
        _("Village"),
        _("Operator"),
        _("Technologies"),
        _("Shared"),
        _("Status"),
        _("Coordinates"),
    ]


@dataclass(frozen=True)
class SiteFilter:
    """What the register shows: empty fields mean "any"."""

    commune_id: str = ""
    site_type: str = ""
    operator: str = ""
    status: str = ""
    text: str = ""

    def matches(self, site: Site, village_name: str) -> bool:
        """True when ``site`` passes every filter; the text ignores case and diacritics."""
        if self.commune_id and site.commune_id != self.commune_id:
            return False
        if self.site_type and site.site_type != self.site_type:
            return False
        if self.operator and site.operator != self.operator:
            return False
        if self.status and site.status != self.status:
            return False
        needle = fold_diacritics(self.text)
        if needle:
            haystack = fold_diacritics(f"{site.name} {village_name} {site.notes}")
            return needle in haystack
        return True


class SiteTableModel(QAbstractTableModel):
    """Adapts a list of sites (already filtered) for a QTableView."""

    def __init__(
        self,
        commune_names: Mapping[str, str],
        operator_names: Mapping[str, str],
        technology_names: Mapping[str, str],
    ) -> None:
        super().__init__()
        self._sites: list[Site] = []
        self._villages: dict[str, str] = {}
        self._communes = dict(commune_names)
        self._operators = dict(operator_names)
        self._techs = dict(technology_names)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_sites(self, sites: Sequence[Site], village_names: Mapping[str, str]) -> None:
        """Show ``sites`` (village ids resolved through ``village_names``)."""
        self.beginResetModel()
        self._sites = list(sites)
        self._villages = dict(village_names)
        self._sort_rows()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in Vietnamese alphabetical order (kept across reloads)."""
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        self._sites.sort(
            key=lambda s: vi_sort_key(self._text(s, column)),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def site(self, row: int) -> Site:
        """The site shown in ``row``."""
        return self._sites[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sites)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return column_titles()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        site = self._sites[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(site, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and site.notes:
            return site.notes
        if role == Qt.ItemDataRole.ForegroundRole and site.status != "active":
            from PySide6.QtGui import QColor

            return QColor("#666666")
        return None

    def _text(self, site: Site, column: int) -> str:
        if column == 0:
            return site.name
        if column == 1:
            return site_type_label(site.site_type)
        if column == 2:
            return self._communes.get(site.commune_id, site.commune_id)
        if column == 3:
            return self._villages.get(site.village_id or "", "")
        if column == 4:
            return self._operators.get(site.operator, site.operator)
        if column == 5:
            return ", ".join(self._techs.get(t, t) for t in site.technologies)
        if column == 6:
            return _("yes") if site.shared else ""
        if column == 7:
            return status_label(site.status)
        if site.lat is None or site.lon is None:
            return ""
        return f"{site.lat:.5f}, {site.lon:.5f}"

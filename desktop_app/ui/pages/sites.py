"""The site register page: filters, the list of sites, the site form, and the warning
banner when the register's BTS counts differ from the typed ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.changes import Actor
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.sites import SITE_TYPES, STATUSES, Site
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.dialogs.base import ERROR_STYLE
from desktop_app.ui.dialogs.site_form import SiteFormDialog
from desktop_app.ui.error_text import user_text
from desktop_app.ui.pages.sites_labels import member_label, site_type_label, status_label
from desktop_app.ui.pages.sites_mismatch import register_mismatches
from desktop_app.ui.pages.sites_model import SiteFilter, SiteTableModel

BANNER_STYLE = "background: #fff4ce; color: #4d3800; border: 1px solid #e0c060; padding: 6px;"
MAX_BANNER_LINES = 6


class SitesPage(QWidget):
    """The register of sites of the office's communes (editable by a commune office)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        store = ctx.store
        self.communes = store.reference.communes_under(ctx.office_id)
        self.commune_names = {u.id: u.name for u in self.communes}
        dims = store.catalogue.dimensions
        self.operator_names = {
            m.code: member_label(m.name_vi, m.name_en, ctx.language)
            for m in dims.get("operator", ())
        }
        tech_names = {
            m.code: member_label(m.name_vi, m.name_en, ctx.language)
            for m in dims.get("technology", ())
        }
        # Sites are data of a commune: only that commune's office may change them.
        self.editable = ctx.office_id in self.commune_names and ctx.can("clerk")
        self.model = SiteTableModel(self.commune_names, self.operator_names, tech_names)
        self._build()
        ctx.bus.sites_changed.connect(self._on_data_changed)
        ctx.bus.values_changed.connect(self._on_data_changed)
        ctx.bus.villages_changed.connect(self._on_data_changed)
        self.reload()

    # --- view ---

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        layout.addWidget(self.banner)

        filters = QHBoxLayout()
        self.commune_filter = self._combo(_("All communes"), self.commune_names.items())
        self.commune_filter.setVisible(len(self.communes) > 1)
        self.type_filter = self._combo(
            _("All types"), ((c, site_type_label(c)) for c in SITE_TYPES)
        )
        self.operator_filter = self._combo(_("All operators"), self.operator_names.items())
        self.status_filter = self._combo(
            _("All statuses"), ((c, status_label(c)) for c in STATUSES)
        )
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(_("Search by name (diacritics optional)"))
        self.search_edit.setClearButtonEnabled(True)
        for widget in (
            self.commune_filter,
            self.type_filter,
            self.operator_filter,
            self.status_filter,
        ):
            filters.addWidget(widget)
            widget.currentIndexChanged.connect(self._on_filter_changed)
        filters.addWidget(self.search_edit, 1)
        self.search_edit.textChanged.connect(self._on_filter_changed)
        layout.addLayout(filters)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name and the type are the long texts: fixed, adjustable widths so the
        # other columns keep their contents at 1366 px; the rest of the row goes to the name.
        for column, width in ((0, 240), (1, 190)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._on_edit)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("Add a site…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.delete_button = QPushButton(_("Delete…"))
        self.add_button.clicked.connect(self._on_add)
        self.edit_button.clicked.connect(self._on_edit)
        self.delete_button.clicked.connect(self._on_delete)
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setVisible(self.editable)
            buttons.addWidget(button)
        self.count_label = QLabel()
        buttons.addStretch(1)
        if not self.editable:
            note = QLabel(_("Each commune office keeps its own sites; here they are read-only."))
            note.setStyleSheet("color: #555;")
            buttons.addWidget(note)
            buttons.addSpacing(16)
        buttons.addWidget(self.count_label)
        layout.addLayout(buttons)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._on_selection_changed()

    @staticmethod
    def _combo(any_text: str, items: Iterable[tuple[str, str]]) -> QComboBox:
        box = QComboBox()
        box.addItem(any_text, "")
        for code, label in items:
            box.addItem(label, code)
        return box

    # --- reading ---

    def current_filter(self) -> SiteFilter:
        """The filter the controls describe."""
        return SiteFilter(
            commune_id=str(self.commune_filter.currentData() or ""),
            site_type=str(self.type_filter.currentData() or ""),
            operator=str(self.operator_filter.currentData() or ""),
            status=str(self.status_filter.currentData() or ""),
            text=self.search_edit.text(),
        )

    def reload(self) -> None:
        """Read the register and the mismatches again."""
        store = self.ctx.store
        villages: dict[str, str] = {}
        sites: list[Site] = []
        for commune_id in self.commune_names:
            for village in store.villages.for_commune(commune_id, include_inactive=True):
                villages[village.id] = village.name
            sites.extend(store.sites.find(commune_id))
        self._all_sites, self._village_names = sites, villages
        self._apply_filter()
        lines = register_mismatches(
            store, self.commune_names, self.operator_names, self.ctx.language
        )
        if len(lines) > MAX_BANNER_LINES:
            more = len(lines) - MAX_BANNER_LINES + 1
            lines = [
                *lines[: MAX_BANNER_LINES - 1],
                _("… and {n} more differences.").format(n=more),
            ]
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def _apply_filter(self) -> None:
        wanted = self.current_filter()
        shown = [
            s
            for s in self._all_sites
            if wanted.matches(s, self._village_names.get(s.village_id or "", ""))
        ]
        self.model.set_sites(shown, self._village_names)
        self.count_label.setText(
            _("{shown} of {total} sites").format(shown=len(shown), total=len(self._all_sites))
        )
        self._on_selection_changed()

    def selected_site(self) -> Site | None:
        """The site of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.site(rows[0].row()) if rows else None

    # --- controller ---

    def _actor(self) -> Actor:
        return replace(self.ctx.store.local_actor(), user=self.ctx.user.username)

    def _save(self, site: Site) -> None:
        saved = self.ctx.store.sites.save(site, actor=self._actor())
        self.ctx.bus.sites_changed.emit(saved.commune_id)

    def _open_form(self, site: Site | None) -> None:
        dialog = SiteFormDialog(self.ctx, self._editable_communes(), self._save, site, self)
        dialog.exec()

    def _editable_communes(self) -> list[Unit]:
        return [u for u in self.communes if u.id == self.ctx.office_id]

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _on_add(self) -> None:
        self._show_error("")
        self._open_form(None)

    def _on_edit(self) -> None:
        site = self.selected_site()
        if site is not None and self.editable:
            self._show_error("")
            self._open_form(site)

    def _on_delete(self) -> None:
        site = self.selected_site()
        if site is None:
            return
        question = _(
            "Delete «{name}» from the register? It is kept in the history and stops being counted."
        ).format(name=site.name)
        if not confirm.ask(self, _("Delete a site"), question, yes_text=_("Delete"), danger=True):
            return
        try:
            self.ctx.store.sites.delete(site.id, actor=self._actor())
        except StoreError as exc:
            self._show_error(user_text(exc))
            return
        self._show_error("")
        self.ctx.bus.sites_changed.emit(site.commune_id)

    def _on_filter_changed(self) -> None:
        self._apply_filter()

    def _on_selection_changed(self) -> None:
        has = bool(self.table.selectionModel().selectedRows())
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _on_data_changed(self, *_args: object) -> None:
        self.reload()

"""The form of one site of the register: type, place, operator, coordinates, status, dates."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.store.repositories.sites import SITE_TYPES, STATUSES, Site
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs.base import WARNING_STYLE, FormDialog, FormInvalid
from desktop_app.ui.pages.sites_labels import (
    PROVINCE_BOXES,
    member_label,
    site_type_label,
    status_label,
)

_NO_DATE = QDate(2000, 1, 1)  # the minimum of the date boxes stands for "no date"
_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;]\s+(-?\d+(?:\.\d+)?)\s*$")


def parse_degrees(text: str) -> float | None:
    """Decimal degrees typed with a point or a comma; None when empty, ValueError if bad."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    return float(text)


class SiteFormDialog(FormDialog[Site]):
    """Add or edit a site; ``save`` writes it through the site repository."""

    def __init__(
        self,
        ctx: AppContext,
        communes: Sequence[Unit],
        save: Callable[[Site], object],
        site: Site | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = _("Edit site") if site else _("Add a site")
        super().__init__(title, save, parent)
        self.ctx = ctx
        self.original = site
        self.setMinimumWidth(620)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.body.addLayout(form)

        self.type_box = QComboBox()
        for code in SITE_TYPES:
            self.type_box.addItem(site_type_label(code), code)
        form.addRow(_("Type"), self.type_box)

        self.commune_box = QComboBox()
        for unit in communes:
            self.commune_box.addItem(unit.name, unit.id)
        form.addRow(_("Commune"), self.commune_box)

        self.village_box = QComboBox()
        form.addRow(_("Village"), self.village_box)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("e.g. Trạm Bản Hua Tát"))
        form.addRow(_("Name"), self.name_edit)

        self.operator_box = QComboBox()
        self.operator_box.addItem(_("(none)"), "")
        for member in ctx.store.catalogue.dimensions.get("operator", ()):
            self.operator_box.addItem(
                member_label(member.name_vi, member.name_en, ctx.language), member.code
            )
        form.addRow(_("Operator"), self.operator_box)

        tech_row = QHBoxLayout()
        self.tech_boxes: dict[str, QCheckBox] = {}
        for member in ctx.store.catalogue.dimensions.get("technology", ()):
            box = QCheckBox(member_label(member.name_vi, member.name_en, ctx.language))
            self.tech_boxes[member.code] = box
            tech_row.addWidget(box)
        self.shared_box = QCheckBox(_("Shared infrastructure"))
        tech_row.addSpacing(16)
        tech_row.addWidget(self.shared_box)
        tech_row.addStretch(1)
        form.addRow(_("Technologies"), tech_row)

        coords = QHBoxLayout()
        self.lat_edit = QLineEdit()
        self.lat_edit.setPlaceholderText(_("latitude, e.g. 21.3256"))
        self.lon_edit = QLineEdit()
        self.lon_edit.setPlaceholderText(_("longitude, e.g. 103.9187"))
        coords.addWidget(self.lat_edit)
        coords.addWidget(self.lon_edit)
        form.addRow(_("Map coordinates"), coords)
        self.coord_hint = QLabel(
            _("Decimal degrees, latitude first, as a map application shows them.")
        )
        self.lat_edit.setToolTip(_("You may paste both numbers here, e.g. 21.3256, 103.9187"))
        self.coord_hint.setStyleSheet("color: #555;")
        self.coord_warning = QLabel()
        self.coord_warning.setWordWrap(True)
        self.coord_warning.setStyleSheet(WARNING_STYLE)
        self.coord_warning.hide()
        notes = QVBoxLayout()
        notes.setSpacing(2)
        notes.addWidget(self.coord_hint)
        notes.addWidget(self.coord_warning)
        form.addRow("", notes)

        self.status_box = QComboBox()
        for code in STATUSES:
            self.status_box.addItem(status_label(code), code)
        form.addRow(_("Status"), self.status_box)

        dates = QHBoxLayout()
        self.start_edit = self._date_edit()
        self.end_edit = self._date_edit()
        dates.addWidget(QLabel(_("In service from")))
        dates.addWidget(self.start_edit)
        dates.addSpacing(12)
        dates.addWidget(QLabel(_("until")))
        dates.addWidget(self.end_edit)
        dates.addStretch(1)
        form.addRow(_("Dates"), dates)

        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setFixedHeight(64)
        form.addRow(_("Notes"), self.notes_edit)

        self.type_box.currentIndexChanged.connect(self._on_type_changed)
        self.commune_box.currentIndexChanged.connect(self._on_commune_changed)
        self.lat_edit.editingFinished.connect(self._on_latitude_finished)
        self.lat_edit.textChanged.connect(self._on_coordinates_changed)
        self.lon_edit.textChanged.connect(self._on_coordinates_changed)
        self._fill(site)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(_("(no date)"))
        edit.setDate(_NO_DATE)
        if self.ctx.language == "vi":
            edit.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
        return edit

    # --- filling and reading the fields ---

    def _fill(self, site: Site | None) -> None:
        if site is None:
            self._on_commune_changed()
            self._on_type_changed()
            return
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(site.site_type)))
        self.commune_box.setCurrentIndex(max(0, self.commune_box.findData(site.commune_id)))
        self._on_commune_changed()
        self.village_box.setCurrentIndex(max(0, self.village_box.findData(site.village_id or "")))
        self.name_edit.setText(site.name)
        self.operator_box.setCurrentIndex(max(0, self.operator_box.findData(site.operator)))
        for code, box in self.tech_boxes.items():
            box.setChecked(code in site.technologies)
        self.shared_box.setChecked(site.shared)
        self.lat_edit.setText("" if site.lat is None else f"{site.lat:g}")
        self.lon_edit.setText("" if site.lon is None else f"{site.lon:g}")
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(site.status)))
        for edit, iso in ((self.start_edit, site.start_date), (self.end_edit, site.end_date)):
            edit.setDate(QDate.fromString(iso, "yyyy-MM-dd") if iso else _NO_DATE)
        self.notes_edit.setPlainText(site.notes)
        self._on_type_changed()

    @staticmethod
    def _iso(edit: QDateEdit) -> str | None:
        date = edit.date()
        return None if date <= _NO_DATE else date.toString("yyyy-MM-dd")

    def _coordinates(self) -> tuple[float | None, float | None]:
        self._on_latitude_finished()
        try:
            lat = parse_degrees(self.lat_edit.text())
            lon = parse_degrees(self.lon_edit.text())
        except ValueError as exc:
            raise FormInvalid(
                _("Coordinates are numbers in decimal degrees, e.g. 21.3256 and 103.9187.")
            ) from exc
        if (lat is None) != (lon is None):
            raise FormInvalid(_("Give both the latitude and the longitude, or neither."))
        if lat is not None and not -90 <= lat <= 90:
            raise FormInvalid(_("The latitude must lie between -90 and 90."))
        if lon is not None and not -180 <= lon <= 180:
            raise FormInvalid(_("The longitude must lie between -180 and 180."))
        return lat, lon

    def collect(self) -> Site:
        """The site the fields describe (the original's id when editing)."""
        name = " ".join(self.name_edit.text().split())
        if not name:
            raise FormInvalid(_("Give the site a name."))
        site_type = str(self.type_box.currentData())
        operator = str(self.operator_box.currentData() or "")
        if site_type == "bts" and not operator:
            raise FormInvalid(_("Choose the operator of the BTS site."))
        lat, lon = self._coordinates()
        start, end = self._iso(self.start_edit), self._iso(self.end_edit)
        if start and end and end < start:
            raise FormInvalid(_("The end date is before the start date."))
        is_bts = site_type == "bts"
        techs = tuple(c for c, b in self.tech_boxes.items() if b.isChecked()) if is_bts else ()
        village = str(self.village_box.currentData() or "") or None
        site = Site(
            id=self.original.id if self.original else "",
            site_type=site_type,
            commune_id=str(self.commune_box.currentData()),
            village_id=village,
            name=name,
            operator=operator,
            technologies=techs,
            shared=is_bts and self.shared_box.isChecked(),
            lat=lat,
            lon=lon,
            status=str(self.status_box.currentData()),
            start_date=start,
            end_date=end,
            notes=self.notes_edit.toPlainText().strip(),
        )
        if self.original is not None:
            site = replace(site, deleted=self.original.deleted, site_code=self.original.site_code)
        return site

    # --- slots ---

    def _on_type_changed(self) -> None:
        is_bts = self.type_box.currentData() == "bts"
        for box in self.tech_boxes.values():
            box.setEnabled(is_bts)
        self.shared_box.setEnabled(is_bts)

    def _on_commune_changed(self) -> None:
        commune_id = self.commune_box.currentData()
        self.village_box.clear()
        self.village_box.addItem(_("(the commune as a whole)"), "")
        if not commune_id:
            return
        keep = self.original.village_id if self.original else None
        villages = self.ctx.store.villages.for_commune(str(commune_id), include_inactive=True)
        for village in villages:
            # an inactive village stays only on the site already placed there
            if village.active or village.id == keep:
                self.village_box.addItem(village.name, village.id)

    def _on_latitude_finished(self) -> None:
        match = _PAIR.match(self.lat_edit.text())
        if match:  # "21.3256, 103.9187" pasted from a map application
            self.lat_edit.setText(match.group(1))
            self.lon_edit.setText(match.group(2))

    def _on_coordinates_changed(self) -> None:
        self.coord_warning.setText(self.coordinate_warning())
        self.coord_warning.setVisible(bool(self.coord_warning.text()))
        # a warning of two lines must push the notes and the buttons down, not cover them
        layout = self.layout()
        if layout is not None:
            layout.activate()
        needed = self.sizeHint().height()
        if self.isVisible() and self.height() < needed:
            self.resize(self.width(), needed)

    def _province_name(self, province_id: str) -> str:
        name = self.ctx.store.reference.unit(province_id).name
        # mid-sentence, Vietnamese writes the kind in lower case: "ngoài tỉnh Sơn La"
        return name[:1].lower() + name[1:] if self.ctx.language == "vi" else name

    def coordinate_warning(self) -> str:
        """A warning (never a refusal) when the point lies outside the office's province."""
        try:
            lat = parse_degrees(self.lat_edit.text())
            lon = parse_degrees(self.lon_edit.text())
        except ValueError:
            return ""
        province_id = self.ctx.store.reference.meta("province_id") or ""
        box = PROVINCE_BOXES.get(province_id)
        if lat is None or lon is None or box is None:
            return ""
        lat_min, lat_max, lon_min, lon_max = box
        if lat_min <= lat <= lat_max and lon_min <= lon <= lon_max:
            return ""
        return _(
            "This point lies outside {province} (about {lat_min}–{lat_max} N, "
            "{lon_min}–{lon_max} E). Check the digits, and that latitude and longitude "
            "are not swapped."
        ).format(
            province=self._province_name(province_id),
            lat_min=lat_min,
            lat_max=lat_max,
            lon_min=lon_min,
            lon_max=lon_max,
        )

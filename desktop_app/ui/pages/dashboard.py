"""The dashboard: the office's key ratios over every quarter held, the latest quarter's
completeness, the coverage holes still open and how the year's plan stands."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.i18n import _
from desktop_app.reports.dashboard import Dashboard, build_dashboard
from desktop_app.ui.context import AppContext
from desktop_app.ui.tasks import runner_of
from desktop_app.ui.widgets.trend_chart import TrendChart

STATES = ("approved", "submitted", "returned", "draft")


def _tile(title: str, parent: QWidget) -> tuple[QFrame, QLabel]:
    frame = QFrame(parent)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(frame)
    head = QLabel(title, frame)
    font = head.font()
    font.setBold(True)
    head.setFont(font)
    body = QLabel(frame)
    body.setWordWrap(True)
    body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    layout.addWidget(head)
    layout.addWidget(body, 1)
    return frame, body


class DashboardPage(QWidget):
    """Chart above three tiles; figures computed on the task runner."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.chart = TrendChart(self)
        self.chart.empty_text = _(
            "No quarter holds figures yet: they arrive with the communes' data."
        )
        tiles = QGridLayout()
        frame, self.completeness = _tile(_("Latest quarter"), self)
        tiles.addWidget(frame, 0, 0)
        frame, self.holes = _tile(_("Villages without mobile signal"), self)
        tiles.addWidget(frame, 0, 1)
        frame, self.plan = _tile(_("Plan"), self)
        tiles.addWidget(frame, 0, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.chart, 1)
        layout.addLayout(tiles)
        self.data: Dashboard | None = None
        self.refresh()

    def refresh(self) -> None:
        """Compute the figures again (on the task runner) and show them."""
        office = self.context.office_id
        store = self.context.store
        self.title.setText(_("Overview: computing…"))
        runner_of(self.context).start(
            lambda _progress, _cancel: build_dashboard(store, office),
            self._on_built,
            self._on_failed,
        )

    def _on_failed(self, exc: object) -> None:
        self.title.setText(_("The overview could not be computed: {error}").format(error=exc))

    def _series_name(self, code: str, name_vi: str) -> str:
        """A trend's name in the window's language (the dashboard data holds Vietnamese)."""
        indicator = self.context.store.catalogue.derived.get(code)
        if indicator is None or self.context.language == "vi":
            return name_vi
        return indicator.name_en

    def _on_built(self, data: object) -> None:
        assert isinstance(data, Dashboard)
        self.data = data
        lang = self.context.language
        self.title.setText(_("Overview of {unit}").format(unit=data.unit_name))
        self.chart.set_data(
            [p.label(lang) for p in data.periods],
            [(self._series_name(code, name), v) for code, name, v in data.series],
        )
        if data.periods:
            names = {
                "approved": _("approved"),
                "submitted": _("submitted"),
                "returned": _("returned"),
                "draft": _("not sent"),
            }
            parts = [f"{names[s]}: {data.completeness.get(s, 0)}" for s in STATES if s in names]
            head = _("{period}, {n} communes").format(
                period=data.periods[-1].label(lang), n=data.communes
            )
            self.completeness.setText("\n".join([head, *parts]))
        else:
            self.completeness.setText(_("No data yet."))
        if data.year is None:
            self.holes.setText(_("No data yet."))
            self.plan.setText(_("No data yet."))
            return
        self.holes.setText(
            _("{year}: {closed} closed, {open} still open, of which {overdue} overdue.").format(
                year=data.year, closed=data.holes_closed, open=data.holes_open,
                overdue=data.holes_overdue,
            )
        )  # fmt: skip
        p = data.plan
        total = sum(p.values())
        if total == 0:
            self.plan.setText(_("No target set for {year}.").format(year=data.year))
        else:
            self.plan.setText(
                _("{year}: {n} targets: {met} met, {exceeded} exceeded, {not_met} not met, "
                  "{missing} without figures.").format(
                    year=data.year, n=total, met=p["met"], exceeded=p["exceeded"],
                    not_met=p["not_met"], missing=p["missing"],
                )
            )  # fmt: skip

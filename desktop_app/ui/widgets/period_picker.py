"""The period picker: quarters from 2019Q1 to the current one, newest first, plus years."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from desktop_app.domain.periods import Period, period_range
from desktop_app.i18n import _, current_language

FIRST_QUARTER = Period(2019, 1)


def periods_until(today: date) -> list[Period]:
    """Every quarter from 2019Q1 to the quarter of ``today`` and each year, newest first.

    A year comes right after its own quarters, so 2020Q1 … 2020Q4, 2020, 2019Q4 …
    """
    last = max(Period.containing(today), FIRST_QUARTER)
    out: list[Period] = []
    for quarter in reversed(period_range(FIRST_QUARTER, last)):
        out.append(quarter)
        if quarter.quarter == 1:
            out.append(quarter.annual())
    return out


def period_text(period: Period) -> str:
    """How a period reads in the picker: "Quý 3/2019" or "Năm 2019 (chỉ tiêu năm)"."""
    label = period.label(current_language())
    if period.kind == "annual":
        return _("{period} (yearly indicators)").format(period=period.label(current_language()))
    return label


class PeriodPicker(QComboBox):
    """A combo box of periods; emits ``period_changed(Period)``."""

    period_changed = Signal(object)

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = today or datetime.now(UTC).date()
        self.setMaxVisibleItems(20)
        for period in periods_until(today):
            self.addItem(period_text(period), period)
        self.setToolTip(_("Reporting period"))
        self.currentIndexChanged.connect(self._on_index_changed)

    def period(self) -> Period:
        """The chosen period."""
        value = self.currentData()
        assert isinstance(value, Period)
        return value

    def set_period(self, period: Period) -> None:
        """Select ``period`` (added at the end only if it is outside the list).

        Compared by value: ``findData`` compares Python objects by identity, so an equal
        period from elsewhere was added a second time ("Quý 4/2020" twice).
        """
        index = next((i for i in range(self.count()) if self.itemData(i) == period), -1)
        if index < 0:
            self.addItem(period_text(period), period)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def _on_index_changed(self, _index: int) -> None:
        self.period_changed.emit(self.period())

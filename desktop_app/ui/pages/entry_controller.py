"""The data entry page's behaviour: load, validate, save, undo, paste, copy last period.

Every write goes through ``store.values`` (one cell: ``set_value``; many restored or
copied cells: ``set_many``). Values are parsed with ``domain.values.parse_input`` and
pre-checked with ``store.validation.violations_for_write``: errors refuse with the
rule's sentence, warnings save and mark the cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoStack

from desktop_app.domain import values as typed
from desktop_app.domain.periods import Period, periods_for_frequency
from desktop_app.i18n import _, current_language
from desktop_app.store.changes import Actor
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.validation import violations_for_write
from desktop_app.sync.status import due_periods, reviewed_by_province, view_status
from desktop_app.ui.context import AppContext
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.error_text import user_text
from desktop_app.ui.pages.entry_bulk import BulkEntry
from desktop_app.ui.pages.entry_commands import CellChange, WriteCells
from desktop_app.ui.pages.entry_data import (
    Cell,
    Snapshot,
    derived_figures,
    load_snapshot,
    refresh_flags,
    sentence,
)
from desktop_app.ui.pages.entry_delegates import CellDelegate
from desktop_app.ui.pages.entry_models import CELL_ROLE, EntryGridModel, indicator_title
from desktop_app.ui.pages.entry_submit import SubmitCheckDialog, state_line, submission_problems
from desktop_app.ui.pages.entry_view import EntryPage


def store_today(context: AppContext) -> date:
    """Today by the store's clock (tests move it by hand)."""
    return datetime.fromtimestamp(context.store.clock(), UTC).date()


def default_period(context: AppContext) -> Period:
    """The newest quarter holding data, else the current quarter.

    Reads the small ``period`` table (a row per period ever written), not the values.
    """
    db: Any = context.store.db  # peewee leaves execute_sql untyped
    row = db.execute_sql("SELECT max(code) FROM period WHERE kind = 'quarterly'").fetchone()
    if row and row[0]:
        return Period.parse(str(row[0]))
    return Period.containing(store_today(context))


def _escape(text: str) -> str:
    """``text`` safe inside rich text, as ``html.escape`` makes it (the ``html`` package
    is not imported at start for this alone: its entity tables cost the window's start
    about 8 M instructions)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


class EntryController(BulkEntry, QObject):
    """Slots of the data entry page."""

    def __init__(self, context: AppContext, view: EntryPage) -> None:
        super().__init__(view)
        self.context = context
        self.store = context.store
        self.view = view
        self.undo = QUndoStack(self)
        self.snapshot: Snapshot | None = None
        catalogue = self.store.catalogue
        self.village_model = EntryGridModel(catalogue, "village")
        self.commune_model = EntryGridModel(catalogue, "commune")
        # One delegate per grid: a view refuses to commit an editor it did not open.
        self.delegates = [CellDelegate(catalogue, self), CellDelegate(catalogue, self)]
        for model, table, delegate in zip(
            (self.village_model, self.commune_model), view.tables(), self.delegates, strict=True
        ):
            model.commit = self.write_text
            table.setModel(model)
            table.setItemDelegate(delegate)
            delegate.advance.connect(self._on_advance)
            table.paste_requested.connect(self._on_paste_requested)
            table.clear_requested.connect(self._on_clear_requested)
            table.history_requested.connect(self._on_history_requested)
        # Own actions (not createUndoAction): a short, fixed button text; the tooltip says what.
        undo_action = QAction(_("Undo"), view)
        undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        undo_action.setEnabled(False)
        undo_action.triggered.connect(self.undo.undo)
        self.undo.canUndoChanged.connect(undo_action.setEnabled)
        self.undo.undoTextChanged.connect(undo_action.setToolTip)
        redo_action = QAction(_("Redo"), view)
        redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        redo_action.setEnabled(False)
        redo_action.triggered.connect(self.undo.redo)
        self.undo.canRedoChanged.connect(redo_action.setEnabled)
        self.undo.redoTextChanged.connect(redo_action.setToolTip)
        view.addAction(undo_action)
        view.addAction(redo_action)
        view.undo_button.setDefaultAction(undo_action)
        view.redo_button.setDefaultAction(redo_action)
        view.units.commune_chosen.connect(self._on_commune_chosen)
        view.period.period_changed.connect(self._on_period_changed)
        view.copy_button.clicked.connect(self._on_copy_last_period_clicked)
        view.history_button.clicked.connect(self._on_history_requested)
        view.submit_button.clicked.connect(self.submit)
        context.bus.submissions_changed.connect(self._on_submissions_changed)
        context.bus.values_changed.connect(self._on_values_changed_elsewhere)
        self.commune_id = ""
        self._announcing = False
        view.period.blockSignals(True)
        view.period.set_period(default_period(context))
        view.period.blockSignals(False)
        communes = view.units.communes()
        if communes:
            view.units.select_commune(communes[0])

    # --- loading ---

    def open(self, commune_id: str, period: Period) -> None:
        """Show ``commune_id`` in ``period`` (a few queries, no per-cell query)."""
        self.commune_id = commune_id
        self.snapshot = load_snapshot(self.store, commune_id, period, self.context.office_id)
        self.undo.clear()
        self.village_model.set_snapshot(self.snapshot)
        self.commune_model.set_snapshot(self.snapshot)
        self.view.apply_filters()
        self._show_state()
        self._show_derived()

    def reload(self) -> None:
        """Read the current commune and period again, keeping the current cell."""
        if self.snapshot is None:
            return
        table = self.view.current_table()
        where = table.currentIndex()
        self.snapshot = load_snapshot(
            self.store, self.commune_id, self.snapshot.period, self.context.office_id
        )
        self.village_model.set_snapshot(self.snapshot)
        self.commune_model.set_snapshot(self.snapshot)
        self.view.apply_filters()
        if where.isValid():
            table.setCurrentIndex(table.model().index(where.row(), where.column()))
        self._show_derived()
        self._show_period_state()

    def _show_state(self) -> None:
        snap = self.snapshot
        assert snap is not None
        self.view.title.setText(snap.commune_name)
        self.view.title.setToolTip(snap.commune_name)
        label = snap.period.label(current_language())
        if not snap.scope_ok:
            text = _(
                "You see the data of {commune} read-only: only the commune's office enters it."
            ).format(commune=snap.commune_name)
        elif snap.period.code in snap.locked_codes and snap.period.kind == "quarterly":
            text = _(
                "{period} of {commune} is approved: its quarterly figures are read-only."
            ).format(period=label, commune=snap.commune_name)
            if snap.period.quarter != 4:
                text += " " + _("Yearly figures stay open until Q4 is approved.")
        elif snap.period.code in snap.locked_codes:
            text = _("{period} of {commune} is approved: its data is read-only.").format(
                period=label, commune=snap.commune_name
            )
        elif snap.locked_codes:
            text = _("The year's Q4 is approved: the yearly indicators are read-only.")
        else:
            text = ""
        self.view.banner.setText(text)
        self.view.banner.setVisible(bool(text))
        writable = snap.scope_ok and snap.period.code not in snap.locked_codes
        self.view.copy_button.setEnabled(writable)
        self._show_period_state()
        self.say("")
        if not snap.villages:
            self.say(_("This commune has no villages in its register yet."))

    def _show_period_state(self) -> None:
        """The period's state line: sent or not, returned and why (red when it needs the clerk)."""
        snap = self.snapshot
        assert snap is not None
        year = [str(snap.period.year)] if snap.period.kind == "quarterly" else []
        status = view_status(self.store, snap.commune_id, snap.period.code, *year)
        text, urgent = state_line(status)
        if snap.scope_ok and snap.period.kind == "quarterly":
            due = {
                d.period: d
                for d in due_periods(self.store, snap.commune_id, store_today(self.context))
            }
            found = due.get(snap.period.code)
            if found is not None and found.late:
                text += " " + _("Late: it was due on {deadline}.").format(
                    deadline=found.deadline.strftime("%d/%m/%Y")
                )
                urgent = True
            elif found is not None:
                text += " " + _("Due by {deadline}.").format(
                    deadline=found.deadline.strftime("%d/%m/%Y")
                )
        self.view.state_line.setText(text)
        self.view.state_line.setStyleSheet(
            "background: #ffe0e0; border: 1px solid #d08080; padding: 6px; color: #7a0000;"
            " font-weight: bold;"
            if urgent
            else "padding: 2px 0; color: #1a1a1a;"
        )
        self.view.submit_button.setVisible(snap.scope_ok)
        self.view.submit_button.setEnabled(
            snap.scope_ok and status.submission in ("draft", "returned")
        )

    def _actor(self) -> Actor:
        return replace(self.store.local_actor(), user=self.context.user.username)

    def submit(self) -> bool:
        """Check the period, list what is wrong, ask, then mark it for sending; True if sent."""
        snap = self.snapshot
        if snap is None or not snap.scope_ok:
            return False
        period = snap.period.label(current_language())
        title = _("Send the report")
        problems = submission_problems(self.store, snap)
        if problems:
            dialog = SubmitCheckDialog(title, problems, self.view)
            dialog.exec()
            if dialog.chosen is not None:
                self.go_to(dialog.chosen.key)
                return False
            if not dialog.send_chosen:
                return False
        elif not confirm.ask(
            self.view,
            title,
            (
                _(
                    "Every rule is met. Send the figures of {commune} for {period} to the "
                    "province? Once approved, they are locked."
                )
                if reviewed_by_province(snap.commune_id)
                else _(
                    "Every rule is met. Send the figures of {commune} for {period} to the "
                    "district? Once approved, they are locked."
                )
            ).format(commune=snap.commune_name, period=period),
            yes_text=_("Send"),
        ):
            return False
        try:
            self.store.submissions.move(
                snap.commune_id, snap.period.code, "submitted", actor=self._actor()
            )
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return False
        self._after_submission_moved()
        self.say(
            _(
                "The report of {period} is ready to send. It leaves this computer when you "
                "export a bundle or sync with the province server (Sync page)."
            ).format(period=period)
        )
        return True

    def submit_period(self, commune_id: str, period: Period) -> bool:
        """Open ``commune_id`` in ``period`` and send it (the review page asks for this)."""
        self.view.units.select_commune(commune_id)
        if commune_id != self.commune_id or self.snapshot is None:
            self.open(commune_id, period)
        if self.snapshot is not None and self.snapshot.period != period:
            self.view.period.set_period(period)
        return self.submit()

    def may_edit(self) -> bool:
        """Before a write: a submitted period goes back to draft, if the clerk agrees."""
        snap = self.snapshot
        if snap is None or not snap.scope_ok:
            return True
        if self.store.submissions.get(snap.commune_id, snap.period.code).state != "submitted":
            return True
        period = snap.period.label(current_language())
        if not confirm.ask(
            self.view,
            _("Edit a submitted report"),
            _(
                "The report of {period} was already submitted. Changing it takes it back to "
                "draft: you will have to send it again. Change it?"
            ).format(period=period),
            yes_text=_("Change and take back"),
        ):
            self.say(
                _("Nothing changed: the report of {period} stays submitted.").format(period=period)
            )
            return False
        try:
            self.store.submissions.move(
                snap.commune_id, snap.period.code, "draft", actor=self._actor()
            )
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return False
        self._after_submission_moved()
        return True

    def _after_submission_moved(self) -> None:
        assert self.snapshot is not None
        self._show_period_state()
        self.context.bus.submissions_changed.emit(self.snapshot.period.code)
        self.context.bus.status_changed.emit()

    def _on_submissions_changed(self, period: str) -> None:
        if self.snapshot is not None and period == self.snapshot.period.code:
            self._show_period_state()

    def go_to(self, key: tuple[str, str, str]) -> None:
        """Show the cell ``key`` (org, indicator, cell) and give it the keyboard focus."""
        for tab, (model, table) in enumerate(
            zip((self.village_model, self.commune_model), self.view.tables(), strict=True)
        ):
            index = model.index_of(*key)
            if index.isValid():
                self.view.tabs.setCurrentIndex(tab)
                table.setCurrentIndex(index)
                table.scrollTo(index)
                table.setFocus()
                return

    def completeness(self) -> tuple[int, int]:
        """(cells with a value, cells to fill) of the period, both grids."""
        snap = self.snapshot
        if snap is None:
            return 0, 0
        cells = self.village_model.input_cells() + self.commune_model.input_cells()
        filled = sum(snap.text(c.key) is not None for c in cells)
        return filled, len(cells)

    def _show_completeness(self) -> None:
        filled, total = self.completeness()
        percent = round(100 * filled / total) if total else 0
        self.view.completeness.setText(
            _("entered {filled}/{total} cells ({percent}%)").format(
                filled=filled, total=total, percent=percent
            )
        )

    def _show_derived(self) -> None:
        assert self.snapshot is not None
        self._show_completeness()
        figures = derived_figures(self.snapshot, self.store.catalogue)
        rows = "".join(
            f"<tr><td style='padding: 3px 6px 3px 0'>{_escape(name)}</td>"
            f"<td align='right' style='padding: 3px 0'><b>{_escape(value)}</b></td></tr>"
            for name, value in figures
        )
        self.view.derived.setHtml(f"<table width='100%'>{rows}</table>")

    def say(self, text: str, error: bool = False) -> None:
        """Show a line under the grid (red for a refusal)."""
        self.view.message.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")
        self.view.message.setText(text)

    # --- writing ---

    def _write_of(self, cell: Cell, value: typed.Value | None, comment: str) -> ValueWrite:
        assert self.snapshot is not None
        return ValueWrite(
            cell.commune_id,
            cell.village_id,
            self.snapshot.period.code,
            cell.indicator.code,
            value,
            cell.disagg,
            comment,
        )

    def refusal(self, cell: Cell, text: str) -> tuple[typed.Value | None, str]:
        """Parse and pre-check ``text`` for ``cell``: (value, "") or (None, reason)."""
        assert self.snapshot is not None
        if not text.strip():
            return None, ""
        try:
            value = typed.parse_input(cell.indicator, text, self.store.catalogue)
        except typed.ValueInputError as exc:
            return None, exc.message_vi if current_language() == "vi" else exc.message_en
        write = self._write_of(cell, value, self.snapshot.comment(cell.key))
        period = periods_for_frequency(cell.indicator.frequency, self.snapshot.period)
        found = violations_for_write(self.store, cell.indicator, write, period, cell.org_id)
        errors = [sentence(v) for v in found if v.severity == "error"]
        return value, " ".join(errors)

    def write_text(self, cell: Cell, text: str) -> bool:
        """Validate and save what was typed into ``cell``; False (and the reason) if refused."""
        if not self.may_edit():
            return False
        value, reason = self.refusal(cell, text)
        if reason:
            self.say(_("Not saved: {reason}").format(reason=reason), error=True)
            return False
        change = self._save(cell, value)
        if change is None:
            return False
        self.undo.push(WriteCells(self.restore, [change], _("Enter a value")))
        self._after_write([cell])
        return True

    def _save(self, cell: Cell, value: typed.Value | None) -> CellChange | None:
        assert self.snapshot is not None
        old_text = self.snapshot.text(cell.key)
        comment = self.snapshot.comment(cell.key)
        try:
            self.store.values.set_value(self._write_of(cell, value, comment))
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return None
        stored = self.store.values.get(
            cell.org_id, self.snapshot.holds(cell.indicator), cell.indicator.code, cell.disagg
        )
        self.snapshot.put(cell.key, stored, self.store.catalogue)
        new_text = None if stored is None else stored.value
        return CellChange(cell, old_text, comment, new_text, comment)

    def _after_write(self, cells: Sequence[Cell]) -> None:
        assert self.snapshot is not None
        catalogue = self.store.catalogue
        orgs = {c.org_id for c in cells}
        for org in orgs:
            refresh_flags(self.snapshot, catalogue, org)
            self.village_model.refresh_org(org)
            self.commune_model.refresh_org(org)
        warned = [
            sentence(v)
            for c in cells
            for v in self.snapshot.flags.get(c.key, [])
            if v.severity == "warning"
        ]
        if warned:
            self.say(_("Saved, with a warning: {text}").format(text=warned[0]))
        else:
            self.say(_("Saved."))
        self._show_derived()
        self._show_period_state()
        self._announce()

    def restore(self, items: Sequence[tuple[Cell, str | None, str]]) -> None:
        """Write cells back to recorded states (undo and redo)."""
        assert self.snapshot is not None
        if not self.may_edit():
            return
        writes = []
        for cell, text, comment in items:
            value = None if text is None else typed.decode(cell.indicator, text)
            writes.append(self._write_of(cell, value, comment))
        try:
            if len(writes) == 1:
                self.store.values.set_value(writes[0], check_rules=False)
            else:
                self.store.values.set_many(writes)
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return
        self.reload()
        self.say(_("Undone or redone: {count} cells.").format(count=len(writes)))
        self._announce()

    # --- slots ---

    def _on_commune_chosen(self, commune_id: str, village_id: str) -> None:
        if commune_id != self.commune_id:
            self.open(commune_id, self.view.period.period())
        if village_id:
            self.view.tabs.setCurrentIndex(0)
            for row, village in enumerate(self.snapshot.villages if self.snapshot else []):
                if village.id == village_id:
                    index = self.village_model.index(row, 0)
                    self.view.village_table.setCurrentIndex(index)
                    self.view.village_table.scrollTo(index)

    def _on_period_changed(self, period: Period) -> None:
        if self.commune_id:
            self.open(self.commune_id, period)

    def _on_values_changed_elsewhere(self, commune_id: str, _period: str) -> None:
        if not self._announcing and commune_id == self.commune_id:
            self.reload()

    def _announce(self) -> None:
        """Tell the other pages (and the status bar) that this commune's data changed."""
        assert self.snapshot is not None
        self._announcing = True
        try:
            self.context.bus.values_changed.emit(self.commune_id, self.snapshot.period.code)
        finally:
            self._announcing = False
        self.context.bus.status_changed.emit()

    def _on_advance(self, direction: str) -> None:
        self.view.current_table().move(direction)

    def _on_history_requested(self) -> None:
        from desktop_app.ui.pages.entry_history import CellHistoryDialog

        table = self.view.current_table()
        cell = table.currentIndex().data(CELL_ROLE)
        if not isinstance(cell, Cell) or self.snapshot is None:
            self.say(_("Choose a cell first."))
            return
        history = self.store.values.history(
            cell.org_id, self.snapshot.holds(cell.indicator), cell.indicator.code, cell.disagg
        )
        model = table.model()
        assert isinstance(model, EntryGridModel)
        title = model.row_titles[table.currentIndex().row()]
        if model.level == "village":
            title += " — " + indicator_title(cell.indicator, cell.disagg, self.store.catalogue)
        old_comment = self.snapshot.comment(cell.key)
        dialog = CellHistoryDialog(
            self.store.catalogue,
            cell,
            title,
            history,
            old_comment,
            model.is_editable(cell),
            self.view,
        )
        if dialog.exec() and dialog.comment() != old_comment:
            self.set_comment(cell, dialog.comment())

    def set_comment(self, cell: Cell, comment: str) -> None:
        """Save a new comment for ``cell`` (its value unchanged)."""
        assert self.snapshot is not None
        if not self.may_edit():
            return
        text = self.snapshot.text(cell.key)
        value = None if text is None else typed.decode(cell.indicator, text)
        old_comment = self.snapshot.comment(cell.key)
        try:
            self.store.values.set_value(self._write_of(cell, value, comment), check_rules=False)
        except StoreError as exc:
            self.say(user_text(exc), error=True)
            return
        self.undo.push(
            WriteCells(
                self.restore, [CellChange(cell, text, old_comment, text, comment)], _("Comment")
            )
        )
        self.reload()
        self.say(_("Comment saved."))

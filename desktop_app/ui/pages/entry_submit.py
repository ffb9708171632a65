"""Sending the report from where the clerk works: the period's state line, the checks
run before sending (every rule, the site register against the typed BTS counts),
the list of what is wrong (a click goes to the cell), and the question before a
submitted period is edited again.

:func:`submission_problems` and :func:`state_line` hold no Qt; the dialog lists the
problems and says which one the clerk chose.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.i18n import _, current_language
from desktop_app.store.store import Store
from desktop_app.sync.status import (
    ACKNOWLEDGED,
    EXPORTED,
    NOTHING,
    RECEIVED,
    REJECTED,
    PeriodStatus,
    reviewed_by_province,
)
from desktop_app.ui.pages.entry_data import Key, Snapshot, sentence
from desktop_app.ui.pages.entry_models import indicator_title

BTS = "bts_vi_tri"


class Problem(Frozen):
    """Something wrong in the period: where (a cell key), in words, and how bad."""

    __slots__ = ("error", "key", "text", "where")
    key: Key
    where: str
    text: str
    error: bool

    def __init__(self, key: Key, where: str, text: str, error: bool) -> None:
        set_field(self, "key", key)
        set_field(self, "where", where)
        set_field(self, "text", text)
        set_field(self, "error", error)

    def line(self) -> str:
        """ "Bản Nà Sản / Số hộ gia đình: sentence"."""
        return f"{self.where}: {self.text}"


def submission_problems(store: Store, snapshot: Snapshot) -> list[Problem]:
    """Every broken rule of the period (errors first) and the site-register mismatches."""
    catalogue = store.catalogue
    names = {v.id: v.name for v in snapshot.villages}
    names[snapshot.commune_id] = snapshot.commune_name
    found: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for key in sorted(snapshot.flags, key=lambda k: (k[0] != snapshot.commune_id, k)):
        org, code, disagg = key
        indicator = catalogue.indicators.get(code)
        if indicator is None:
            continue
        for violation in snapshot.flags[key]:
            mark = (org, violation.rule.source, violation.disaggregation_key)
            if mark in seen:
                continue
            seen.add(mark)
            where = names.get(org, org) + " / " + indicator_title(indicator, disagg, catalogue)
            found.append(Problem(key, where, sentence(violation), violation.severity == "error"))
    if snapshot.period.kind == "quarterly" and BTS in catalogue.indicators:
        found.extend(_register_problems(store, snapshot))
    found.sort(key=lambda p: not p.error)  # stable: errors first, each in grid order
    return found


def _register_problems(store: Store, snapshot: Snapshot) -> list[Problem]:
    indicator = store.catalogue.indicators[BTS]
    register = {
        op: n
        for (kind, op), n in store.sites.register_counts(snapshot.commune_id).items()
        if kind == "bts"
    }
    typed: dict[str, int] = {}
    for (org, code, disagg), stored in snapshot.stored.items():
        if org == snapshot.commune_id and code == BTS and stored.value is not None:
            try:
                typed[disagg] = int(float(stored.value))
            except ValueError:
                continue
    if not typed and not register:
        return []
    out = []
    for operator in sorted(set(register) | set(typed)):
        in_register, entered = register.get(operator, 0), typed.get(operator, 0)
        if in_register == entered:
            continue
        title = indicator_title(indicator, operator, store.catalogue)
        out.append(
            Problem(
                (snapshot.commune_id, BTS, operator),
                snapshot.commune_name + " / " + title,
                _(
                    "the site register has {register} active BTS sites of this operator, "
                    "the form gives {typed}."
                ).format(register=in_register, typed=entered),
                False,
            )
        )
    return out


def state_line(status: PeriodStatus) -> tuple[str, bool]:
    """What the entry page says about the period, and whether it needs the clerk (red).

    "Sent" only once the data left this computer: a bundle written or the server's answer.
    """
    sync = status.sync.state
    direct = reviewed_by_province(status.commune_id)  # a 2025 commune: no district above
    if status.returned:
        text = (
            _("Returned by the province: {reason}. Correct it, then send the report again.")
            if direct
            else _("Returned by the district: {reason}. Correct it, then send the report again.")
        )
        return text.format(reason=status.return_reason.strip().rstrip(".。 ")), True
    if sync == REJECTED:
        return _("Refused by the province: {reason}").format(reason=status.sync.reason), True
    if status.submission == "accepted":
        return _("Accepted by the province."), False
    if status.submission == "approved":
        return (_("Approved by the province.") if direct else _("Approved by the district.")), False
    if status.submission == "submitted":
        if sync == ACKNOWLEDGED:
            return _("Sent; the province has acknowledged it."), False
        if sync == RECEIVED:
            return _("Sent; the district has received it and will review it."), False
        if sync == EXPORTED:
            return (
                _("Sent: the bundle is written. Take it to the province.")
                if direct
                else _("Sent: the bundle is written. Take it to the district.")
            ), False
        return _(
            "Ready to send, but it has not left this computer yet: export a bundle or sync "
            "with the province server (Sync page)."
        ), False
    if sync == NOTHING:
        return _("Nothing entered yet."), False
    return _("Not sent yet: when the figures are complete, press Send the report."), False


class SubmitCheckDialog(QDialog):
    """What is wrong before sending. Errors block; with warnings only, the clerk may send.

    Activating a line (double click or Enter) closes the dialog with ``chosen`` set to
    the problem, so the page can go to its cell.
    """

    def __init__(self, title: str, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problems = problems
        self.chosen: Problem | None = None
        self.send_chosen = False
        errors = sum(p.error for p in problems)
        layout = QVBoxLayout(self)
        if errors:
            head = _(
                "The report cannot be sent yet: {errors} errors must be corrected first. "
                "Double-click a line to go to its cell."
            ).format(errors=errors)
        else:
            head = _(
                "The figures break {count} warning rules. Check them (double-click a line to "
                "go to its cell), or send the report with the warnings."
            ).format(count=len(problems))
        self.head = QLabel(head, self)
        self.head.setWordWrap(True)
        layout.addWidget(self.head)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)  # a long rule sentence wraps instead of running off
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setSpacing(2)
        for problem in problems:
            mark = _("Error") if problem.error else _("Warning")
            item = QListWidgetItem(f"{mark} — {problem.line()}", self.list)
            item.setForeground(Qt.GlobalColor.darkRed if problem.error else Qt.GlobalColor.black)
        self.list.itemActivated.connect(self._on_activated)
        layout.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox(self)
        self.go_button: QPushButton = self.buttons.addButton(
            _("Go to the cell"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.go_button.clicked.connect(self._on_go)
        self.send_button: QPushButton = self.buttons.addButton(
            _("Send with the warnings"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send_button.setVisible(not errors)
        self.send_button.clicked.connect(self._on_send)
        self.close_button: QPushButton = self.buttons.addButton(
            _("Close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.list.setCurrentRow(0)
        self.list.setFocus()
        self.resize(720, 360)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.chosen = self.problems[self.list.row(item)]
        self.accept()

    def _on_go(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._on_activated(item)

    def _on_send(self) -> None:
        self.send_chosen = True
        self.accept()


def period_label_of(snapshot: Snapshot) -> str:
    """The snapshot's period in words."""
    return snapshot.period.label(current_language())

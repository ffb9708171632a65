"""What every screen of the window is handed: the open store, who is logged in, the task
runner, and a bus of signals that tells screens when data changed elsewhere.

Screens never open databases or create threads themselves: the main window builds one
``AppContext`` and passes it to each page's constructor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from desktop_app.store.repositories.users import User
    from desktop_app.store.store import Store
    from desktop_app.ui.tasks import Runner


class Bus(QObject):
    """Application-wide notifications (emitted on the GUI thread only)."""

    values_changed = Signal(str, str)  # commune id, period code
    villages_changed = Signal(str)  # commune id
    sites_changed = Signal(str)  # commune id
    submissions_changed = Signal(str)  # period code
    status_changed = Signal()  # unsent changes, last sync, review queue may differ
    submit_requested = Signal(str, str)  # commune id, period code: send it from the entry page


@dataclass
class AppContext:
    """Handed to every page: the store, the user, the language, the bus and the task runner."""

    store: Store
    user: User
    language: str = "vi"
    bus: Bus = field(default_factory=Bus)
    runner: Runner | None = None

    @property
    def office_id(self) -> str:
        """The unit this installation serves."""
        return self.store.node.office_id

    def can(self, role: str) -> bool:
        """True when the user's role is at least ``role`` (clerk < reviewer < admin)."""
        order = ("clerk", "reviewer", "admin")
        return order.index(self.user.role) >= order.index(role)

"""The data entry page: view + controller, built for the main window."""

from __future__ import annotations

from desktop_app.ui.context import AppContext
from desktop_app.ui.pages.entry_controller import EntryController, store_today
from desktop_app.ui.pages.entry_view import EntryPage


def make_entry_page(context: AppContext) -> EntryPage:
    """Build the data entry page for ``context`` (the controller lives as long as the view)."""
    view = EntryPage(context.store, context.office_id, store_today(context))
    view.controller = EntryController(context, view)
    return view

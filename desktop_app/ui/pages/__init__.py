"""The pages of the main window, in navigation order.

Each entry is ``(key, title, factory, min_role)``: ``title()`` gives the translated
name, ``factory(context)`` builds the page widget, and only users whose role is at
least ``min_role`` see it. Pages not built yet are simply not listed (no placeholder
screens); the other engineers add theirs here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop_app.i18n import _
from desktop_app.ui.context import AppContext

PageFactory = Callable[[AppContext], QWidget]
Page = tuple[str, Callable[[], str], PageFactory, str]


def _dashboard(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.dashboard import DashboardPage

    return DashboardPage(context)


def _entry(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.entry import make_entry_page

    return make_entry_page(context)


def _sites(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.sites import SitesPage

    return SitesPage(context)


def _review(context: AppContext) -> QWidget:
    # a commune clerk submits from here; approving needs the reviewer role (checked inside)
    from desktop_app.ui.pages.review import ReviewPage

    return ReviewPage(context)


def _reports(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.reports import ReportsPage

    return ReportsPage(context)


def _plan(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.plan import PlanPage

    return PlanPage(context)


def _areas(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.areas import AreasPage

    return AreasPage(context)


def _map(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.map import MapPage

    return MapPage(context)


def _sync(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.sync import SyncPage

    return SyncPage(context)


def _conflicts(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.conflicts import ConflictsPage

    return ConflictsPage(context)


def _certificates(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.certificates import CertificatesPage

    return CertificatesPage(context)


def _admin(context: AppContext) -> QWidget:
    from desktop_app.ui.pages.admin import AdminPage

    return AdminPage(context)


PAGES: list[Page] = [
    ("entry", lambda: _("Data entry"), _entry, "clerk"),
    ("sites", lambda: _("Sites"), _sites, "clerk"),
    ("review", lambda: _("Review"), _review, "clerk"),
    ("reports", lambda: _("Reports"), _reports, "clerk"),
    ("dashboard", lambda: _("Overview"), _dashboard, "clerk"),
    ("plan", lambda: _("Plan"), _plan, "clerk"),
    ("areas", lambda: _("Areas"), _areas, "clerk"),
    ("map", lambda: _("Map"), _map, "clerk"),
    ("sync", lambda: _("Sync"), _sync, "clerk"),
    ("conflicts", lambda: _("Conflicts"), _conflicts, "reviewer"),
    ("certificates", lambda: _("Certificates"), _certificates, "admin"),
    ("admin", lambda: _("Administration"), _admin, "admin"),
]
PROVINCE_ONLY = {"certificates"}  # the province issues and revokes certificates


def pages_for(context: AppContext) -> list[Page]:
    """The pages this user may open, in navigation order."""
    # the office's level read directly (sync.certificates.is_province's question): that
    # module loads the Ed25519 machinery, which the first page does not need
    province = context.store.reference.unit(context.office_id).level == 1
    return [
        page
        for page in PAGES
        if context.can(page[3]) and (province or page[0] not in PROVINCE_ONLY)
    ]

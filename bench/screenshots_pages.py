"""Render the site register, review and administration pages (and their dialogs) at
1366×768, offscreen, in Vietnamese and English, into /tmp/screens/pages-*.png.

    .venv/bin/python bench/screenshots_pages.py [out_dir]

Uses the demo district office (Huyện Mai Sơn) and a demo commune office (Xã Chiềng
Sung) built by ``desktop_app.demo.build_demo``; when the demo cannot be built, a small
hand-filled commune office is used instead. Look at every PNG: clipped text, boxes
instead of diacritics and cramped layouts show up here first.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import i18n
from desktop_app.store import backup
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext

DISTRICT = "pre2025:125"
COMMUNE = "pre2025:04108"
SIZE = (1366, 768)


def _hand_filled(path: Path, office_id: str) -> Store:
    """A small office when the demo generator is not available."""
    from desktop_app.store.office import create_office
    from desktop_app.store.repositories.sites import Site
    from desktop_app.store.repositories.values import ValueWrite

    store = create_office(path, office_id, user="admin")
    store.users.add("admin", "Quản trị viên", "admin", "matkhau1")
    commune = store.reference.communes_under(office_id)[0].id
    if office_id == commune:
        for name in ("Bản Nà Sản", "Bản Hua Tát", "Bản Co Muồng", "Tiểu khu 1"):
            store.villages.add(commune, name)
        for name, op in (("Trạm UBND xã", "viettel"), ("Trạm Hua Tát", "viettel")):
            store.sites.save(
                Site(
                    "",
                    "bts",
                    commune,
                    None,
                    name,
                    op,
                    ("4g",),
                    False,
                    21.1,
                    104.0,
                    "active",
                    "2018-05-01",
                    None,
                    "",
                )
            )
        store.values.set_value(ValueWrite(commune, None, "2020Q4", "bts_vi_tri", 1, "viettel"))
        store.submissions.move(commune, "2020Q4", "submitted")
    return store


def _open_office(folder: Path, office_id: str) -> Store:
    path = folder / f"{office_id.replace(':', '-')}.db"
    try:
        from desktop_app.demo import build_demo

        build_demo(path, office_id)
        return Store.open(path, user="admin")
    except Exception as exc:  # the demo is still being finished by another engineer
        print(f"demo not available for {office_id} ({exc}); using a hand-filled office")
        path.unlink(missing_ok=True)
        return _hand_filled(path, office_id)


def _admin(store: Store) -> object:
    users = [u for u in store.users.all() if u.role == "admin"]
    return users[0] if users else store.users.add("admin", "Quản trị viên", "admin", "matkhau1")


def _grab(widget: QWidget, out: Path, size: tuple[int, int] | None = SIZE) -> None:
    if size is not None:
        widget.resize(*size)
    else:
        widget.adjustSize()
    widget.show()
    app = QApplication.instance()
    assert app is not None
    for _round in range(3):
        app.processEvents()
    widget.grab().save(str(out))
    print(out)
    widget.close()


def _pages(out_dir: Path, district: Store, commune: Store, lang: str) -> None:
    from desktop_app.ui.dialogs.reason import ReasonDialog
    from desktop_app.ui.dialogs.site_form import SiteFormDialog
    from desktop_app.ui.dialogs.user_form import UserFormDialog
    from desktop_app.ui.pages.admin import AdminPage
    from desktop_app.ui.pages.review import ReviewPage
    from desktop_app.ui.pages.sites import SitesPage

    def ctx(store: Store) -> AppContext:
        return AppContext(store=store, user=_admin(store), language=lang)  # type: ignore[arg-type]

    def shot(name: str, build: Callable[[], QWidget], size: tuple[int, int] | None = SIZE) -> None:
        _grab(build(), out_dir / f"pages-{name}-{lang}.png", size)

    shot("sites-district", lambda: SitesPage(ctx(district)))
    shot("sites-commune", lambda: SitesPage(ctx(commune)))

    def review_district() -> QWidget:
        page = ReviewPage(ctx(district))
        period = f"{page.year_box.value()}Q4"
        returned = [
            c for c, s in district.submissions.for_period(period).items() if s.state == "returned"
        ]
        if returned:
            page.select(returned[0], period)
        return page

    shot("review-district", review_district)
    shot("review-commune", lambda: ReviewPage(ctx(commune)))
    for index, tab in enumerate(("users", "villages", "settings", "backups")):

        def admin(store: Store = commune, index: int = index) -> QWidget:
            page = AdminPage(ctx(store))
            page.tabs.setCurrentIndex(index)
            return page

        shot(f"admin-{tab}", admin)

    def site_form() -> QWidget:
        sites = commune.sites.find(COMMUNE, site_type="bts")
        context = ctx(commune)
        dialog = SiteFormDialog(
            context, commune.reference.communes_under(COMMUNE), lambda _s: None, sites[0]
        )
        dialog.lat_edit.setText("21.0285")
        dialog.lon_edit.setText("105.8542")  # Hà Nội: outside Sơn La, the warning shows
        return dialog

    shot("dialog-site", site_form, None)
    shot(
        "dialog-return",
        lambda: ReasonDialog("Xã Chiềng Sung, Quý 4/2020", lambda _r: None),
        None,
    )
    shot("dialog-user", lambda: UserFormDialog(lambda _u: None), None)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path("/tmp/screens")
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        district = _open_office(Path(tmp), DISTRICT)
        commune = _open_office(Path(tmp), COMMUNE)
        assert commune.path is not None
        for reason in ("before-migration", "before-restore"):  # fill the backups list
            backup.auto_backup(commune.path, reason=reason)
        try:
            for lang in ("vi", "en"):
                i18n.setup(lang)
                _pages(out_dir, district, commune, lang)
        finally:
            district.close()
            commune.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

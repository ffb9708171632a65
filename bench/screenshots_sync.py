"""Render the sync and conflicts pages at 1366×768, offscreen, in Vietnamese and English,
inside the main window, into /tmp/screens/sync-*.png.

    .venv/bin/python -m bench.screenshots_sync [out_dir]

Builds a small province under a temporary folder (the province, Huyện Mai Sơn, Xã
Chiềng Sung and a second computer of that commune), moves bundles between them, and
shoots: the commune after an export, the district after an import, a refused file,
an office not enrolled yet, and the district's conflicts page. Then the second computer's
certificate is revoked after a stick of it reached the district, and the commune's
computer forges a village of another commune: the district imports the province's list
(taking that stick back) and shows what it holds apart.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import i18n
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

PROVINCE, DISTRICT, COMMUNE = "pre2025:14", "pre2025:125", "pre2025:04108"
SIZE = (1366, 768)


def save(widget: QWidget, out: Path, name: str) -> None:
    widget.resize(*SIZE)
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    target = out / f"sync-{name}.png"
    widget.grab().save(str(target))
    print(target)


def build(tmp: Path) -> dict[str, Store]:
    """Enrolled offices with a few values, a commune bundle at the district, a conflict."""
    from desktop_app.store.office import create_office
    from desktop_app.sync.certificates import enroll_demo, init_province
    from desktop_app.sync.exchange import export_bundle, import_bundle
    from desktop_app.units_resource import load_unit_directory

    directory = load_unit_directory()
    rng = random.Random(5)
    stores = {"P": init_province(tmp / "p.db", PROVINCE, directory=directory, rng=rng, user="so")}
    for key, unit, user in (("D", DISTRICT, "hung"), ("C", COMMUNE, "hoa"), ("B", COMMUNE, "lan")):
        stores[key] = create_office(
            tmp / f"{key}.db", unit, directory=directory, rng=rng, user=user
        )
        enroll_demo(stores[key], stores["P"])
    stores["N"] = create_office(
        tmp / "new.db", "pre2025:04105", directory=directory, rng=rng, user="moi"
    )
    c = stores["C"]
    villages = [c.villages.add(COMMUNE, name).id for name in ("Bản Nà Sản", "Bản Áng", "Bản Khóa")]
    for n, village in enumerate(villages):
        for period in ("2024", "2025"):
            c.values.set_value(
                ValueWrite(COMMUNE, village, period, "so_ho", 100 + 10 * n), check_rules=False
            )

    def send(src: str, dst: str) -> None:
        path = tmp / f"{src}-{dst}-{rng.random():.6f}.cdsync"
        export_bundle(stores[src], path)
        import_bundle(stores[dst], path, backup=False)

    send("C", "B")
    c.values.set_value(ValueWrite(COMMUNE, villages[0], "2025", "so_ho", 120), check_rules=False)
    stores["B"].values.set_value(
        ValueWrite(COMMUNE, villages[0], "2025", "so_ho", 150), check_rules=False
    )
    send("C", "D")
    send("B", "D")
    send("D", "P")
    send("P", "D")
    c.values.set_value(ValueWrite(COMMUNE, villages[1], "2025", "so_ho", 95), check_rules=False)
    return stores


def shoot(out: Path, lang: str, stores: dict[str, Store], tmp: Path) -> None:
    from desktop_app.ui import pages
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.pages.conflicts import ConflictsPage
    from desktop_app.ui.pages.sync import SyncPage
    from desktop_app.ui.tasks import SyncTaskRunner

    i18n.setup(lang)
    make_application()
    keys = [p[0] for p in pages.PAGES]
    if "sync" not in keys:  # until the lead registers them
        pages.PAGES.append(("sync", lambda: i18n._("Sync"), SyncPage, "clerk"))
    if "conflicts" not in keys:
        pages.PAGES.append(("conflicts", lambda: i18n._("Conflicts"), ConflictsPage, "reviewer"))

    def window(store: Store, role: str, key: str) -> tuple[MainWindow, QWidget]:
        username = f"{role}.{lang}"
        user = {u.username: u for u in store.users.all()}.get(username)
        if user is None:
            user = store.users.add(username, "Lò Thị Hoa", role, "matkhau1")
        context = AppContext(store=store, user=user, language=lang, runner=SyncTaskRunner())
        win = MainWindow(context)
        keys = [p[0] for p in win.pages]
        win.nav.setCurrentRow(keys.index(key))
        page = win.page(key)
        assert page is not None
        return win, page

    usb = tmp / f"usb-{lang}"
    usb.mkdir(exist_ok=True)
    win, page = window(stores["C"], "clerk", "sync")
    assert isinstance(page, SyncPage)
    page.choose_export_folder = lambda: usb  # type: ignore[method-assign]
    page.export_button.click()
    save(win, out, f"{lang}-commune-exported")
    (bundle,) = usb.glob("*.cdsync")

    win, page = window(stores["D"], "reviewer", "sync")
    assert isinstance(page, SyncPage)
    page.choose_bundle_file = lambda: bundle  # type: ignore[method-assign]
    page.import_button.click()
    save(win, out, f"{lang}-district-imported")
    broken = tmp / f"broken-{lang}.cdsync"
    data = bytearray(bundle.read_bytes())
    data[60] ^= 0xFF
    broken.write_bytes(bytes(data))
    page.choose_bundle_file = lambda: broken  # type: ignore[method-assign]
    page.import_button.click()
    save(win, out, f"{lang}-district-refused")

    win, page = window(stores["N"], "admin", "sync")
    save(win, out, f"{lang}-not-enrolled")

    win, page = window(stores["D"], "reviewer", "conflicts")
    save(win, out, f"{lang}-conflicts")


def hold_apart(stores: dict[str, Store], tmp: Path) -> Path:
    """The second computer's stick reaches the district past what the province holds,
    then the province revokes it; the commune's computer forges a village of another
    commune, refused at the district. Returns the province's bundle with the list."""
    from desktop_app.store.changes import Entry
    from desktop_app.sync.certificates import my_certificate, revoke
    from desktop_app.sync.exchange import export_bundle, import_bundle

    b, c = stores["B"], stores["C"]
    village = str(b.db.execute_sql("SELECT id FROM village ORDER BY id LIMIT 1").fetchone()[0])
    for period, value in (("2024", 111), ("2025", 131)):
        b.values.set_value(ValueWrite(COMMUNE, village, period, "so_ho", value), check_rules=False)
    path = tmp / "b-to-d.cdsync"
    export_bundle(b, path)
    import_bundle(stores["D"], path, backup=False)
    revoke(stores["P"], int(my_certificate(b)[0]["body"]["serial"]), "Máy bị mất trộm")
    other = "pre2025:04105"
    state = {"id": "forged", "commune_id": other, "name": "Bản Giả", "sort_order": 9,
             "active": True, "demo": False}  # fmt: skip
    with c.write() as ctx:
        ctx.log(Entry("village", {"id": "forged"}, other, None, state, None, None, "create"))
    path = tmp / "c-to-d.cdsync"
    export_bundle(c, path)
    import_bundle(stores["D"], path, backup=False)
    down = tmp / "p-to-d.cdsync"
    export_bundle(stores["P"], down)
    return down


def shoot_held(out: Path, lang: str, stores: dict[str, Store], down: Path) -> None:
    """The district's Sync page after importing the province's list (vi) or later (en)."""
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.pages.sync import SyncPage
    from desktop_app.ui.tasks import SyncTaskRunner

    i18n.setup(lang)
    make_application()
    store = stores["D"]
    user = {u.username: u for u in store.users.all()}[f"reviewer.{lang}"]
    win = MainWindow(AppContext(store=store, user=user, language=lang, runner=SyncTaskRunner()))
    win.nav.setCurrentRow([p[0] for p in win.pages].index("sync"))
    page = win.page("sync")
    assert isinstance(page, SyncPage)
    if lang == "vi":
        page.choose_bundle_file = lambda: down  # type: ignore[method-assign]
        page.import_button.click()
    save(win, out, f"{lang}-district-held-apart")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        stores = build(tmp)
        try:
            for lang in ("vi", "en"):
                shoot(out, lang, stores, tmp)
            down = hold_apart(stores, tmp)
            for lang in ("vi", "en"):
                shoot_held(out, lang, stores, down)
        finally:
            for store in stores.values():
                store.close()


if __name__ == "__main__":
    main()

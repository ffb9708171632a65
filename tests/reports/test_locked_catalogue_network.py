"""The same over the network: the province publishes a catalogue on its server's
database, the district pulls it (``sync``), archives it, and its locked report is
unchanged while the catalogue in force is the new one."""

from __future__ import annotations

from pathlib import Path

from desktop_app.netsync.client import sync_office
from desktop_app.reports import build_report, write_model
from desktop_app.store.repositories.reference import archived_versions
from desktop_app.store.store import Store
from tests.reports.test_locked_catalogue import DAY, LOCKED, NEW_NAME, OLD_NAME, _new_catalogue
from tests.reports.test_locked_catalogue import _type as type_period
from tests.server import conftest as server
from tests.server.conftest import C1, DISTRICT, Province, ServerThread

# the server tests' fixtures: an enrolled province, and its server on loopback
province = server.province
sqlite_server = server.sqlite_server


def test_a_catalogue_pulled_from_the_server_leaves_the_locked_report_alone(
    province: Province, sqlite_server: ServerThread, tmp_path: Path
) -> None:
    commune, district = province[C1], province[DISTRICT]
    type_period(commune, C1, LOCKED, 40)
    commune.submissions.move(C1, LOCKED, "submitted")
    sync_office(commune, sqlite_server.url)
    sqlite_server.wait_applied()
    sync_office(district, sqlite_server.url)
    assert district.submissions.get(C1, LOCKED).state == "submitted"
    district.submissions.move(C1, LOCKED, "approved")
    sync_office(district, sqlite_server.url)
    sqlite_server.wait_applied()

    def locked_pdf(name: str) -> bytes:
        model = build_report(district, "commune", C1, LOCKED, report_date=DAY)
        return write_model(model, tmp_path / name).read_bytes()

    before = locked_pdf("before.pdf")
    with Store.open(province.path) as prov:  # the province's window, on the server's file
        assert prov.publishing.publish_catalogue(_new_catalogue(tmp_path, "2026.1")) > 0
    sync_office(district, sqlite_server.url)
    assert district.catalogue.version == "2026.1"
    assert archived_versions(district.db) == ["2025.1", "2026.1"]
    assert district.catalogue.indicator("so_ho").name_vi == NEW_NAME
    assert locked_pdf("after.pdf") == before
    model = build_report(district, "commune", C1, LOCKED, report_date=DAY)
    assert OLD_NAME in {r.label for r in model.rows}

"""Reference data the province publishes travels down; data typed against it travels up."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from desktop_app.paths import resources_dir
from desktop_app.store.changes import Actor
from desktop_app.store.repositories.values import ValueWrite
from tests.store.test_publishing import NEW_INDICATOR
from tests.sync.conftest import PROVINCE, Net, add_village, values_of

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


def _new_catalogue(tmp: Path) -> Path:
    folder = tmp / "catalog-2025.2"
    shutil.copytree(resources_dir() / "catalog", folder)
    (folder / "VERSION").write_text("2025.2\n", encoding="utf-8")
    with open(folder / "indicators.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(NEW_INDICATOR)).writerow(NEW_INDICATOR)
    return folder


def test_a_published_catalogue_reaches_the_commune_and_its_data_comes_back(
    net: Net, tmp_path: Path
):
    province, district, commune = net[PROVINCE], net[DISTRICT], net[COMMUNE]
    assert province.publishing.publish_catalogue(_new_catalogue(tmp_path)) == 2

    net.send(PROVINCE, DISTRICT)
    assert "thon_wifi_cc" in district.catalogue.indicators
    assert district.catalogue.version == "2025.2"
    net.send(DISTRICT, COMMUNE)  # the district relays the province's segments down
    assert "thon_wifi_cc" in commune.catalogue.indicators

    village = add_village(commune, "Bản Nà Sản")
    commune.values.set_value(ValueWrite(COMMUNE, village, "2021", "thon_wifi_cc", True))
    net.send(COMMUNE, DISTRICT)
    net.send(DISTRICT, PROVINCE)
    key = (village, "2021", "thon_wifi_cc", "")
    assert values_of(province, COMMUNE)[key] == "1"
    assert values_of(district, COMMUNE)[key] == "1"


def test_a_value_on_an_unknown_indicator_comes_with_the_catalogue(net: Net, tmp_path: Path):
    """The commune's bundle carries the province's catalogue the district lacks: it applies."""
    province, district, commune = net[PROVINCE], net[DISTRICT], net[COMMUNE]
    province.publishing.publish_catalogue(_new_catalogue(tmp_path))
    # the commune got the catalogue straight from the province (say, by the network)
    net.send(PROVINCE, COMMUNE)
    village = add_village(commune, "Bản Hua Tát")
    commune.values.set_value(ValueWrite(COMMUNE, village, "2021", "thon_wifi_cc", False))
    result = net.send(COMMUNE, DISTRICT)
    assert result.report.backlog == 0 and result.report.quarantined == 0
    assert values_of(district, COMMUNE)[(village, "2021", "thon_wifi_cc", "")] == "0"


def test_only_the_province_may_publish(net: Net):
    """A district's change to the catalogue is quarantined at the province, not applied."""
    district, province = net[DISTRICT], net[PROVINCE]
    forged = Actor(district.node.node_id, district.node.epoch, DISTRICT, "x")
    with district.write(forged) as ctx:
        from desktop_app.store.changes import Entry

        state = {"key": "catalogue_version", "value": "9999.1"}
        ctx.log(Entry("meta", {"key": "catalogue_version"}, PROVINCE, None, state, None, None, "x"))
    result = net.send(DISTRICT, PROVINCE)
    assert result.report.quarantined == 1
    assert province.reference.meta("catalogue_version") == "2025.1"

"""The province publishes newer reference data as changes; nothing is ever removed."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest

from desktop_app.paths import resources_dir
from desktop_app.store.errors import OutOfScopeError
from desktop_app.store.office import create_office
from desktop_app.store.repositories.publishing import PublishError, version_key

NEW_INDICATOR = {
    "code": "thon_wifi_cc",
    "section": "fixed",
    "level": "village",
    "type": "boolean",
    "disaggregation": "",
    "frequency": "annual",
    "unit_vi": "",
    "unit_en": "",
    "name_vi": "Thôn có điểm Wi-Fi công cộng",
    "name_en": "Village with a public Wi-Fi point",
    "rules": "",
    "note": "",
}


def _catalogue(tmp_path: Path, version: str, extra: dict[str, str] | None = None) -> Path:
    folder = tmp_path / f"catalog-{version}"
    shutil.copytree(resources_dir() / "catalog", folder)
    (folder / "VERSION").write_text(version + "\n", encoding="utf-8")
    if extra is not None:
        with open(folder / "indicators.csv", "a", encoding="utf-8", newline="") as fh:
            csv.DictWriter(fh, fieldnames=list(NEW_INDICATOR)).writerow(extra)
    return folder


@pytest.fixture
def province(tmp_path: Path, clock, unit_directory):  # type: ignore[no-untyped-def]
    store = create_office(
        tmp_path / "prov.db", "pre2025:14", directory=unit_directory, clock=clock,
        rng=random.Random(3), user="so.tttt",
    )  # fmt: skip
    yield store
    store.close()


def test_a_newer_catalogue_is_published_as_changes(province, tmp_path: Path):
    folder = _catalogue(tmp_path, "2025.2", NEW_INDICATOR)
    before = province.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    written = province.publishing.publish_catalogue(folder)
    assert written == 2  # the new indicator and the version; nothing else changed
    assert "thon_wifi_cc" in province.catalogue.indicators
    assert province.catalogue.version == "2025.2"
    entities = [
        r[0]
        for r in province.db.execute_sql(
            "SELECT entity FROM change WHERE id > ? ORDER BY seq", (before,)
        )
    ]
    assert entities == ["indicator", "meta"]
    # publishing the same version again is refused, and so is an older one
    with pytest.raises(PublishError, match="not newer"):
        province.publishing.publish_catalogue(folder)


def test_nothing_is_removed_and_a_bad_rule_is_refused(province, tmp_path: Path):
    folder = _catalogue(tmp_path, "2026.1")
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[1:])  # so_ho dropped
    with pytest.raises(PublishError, match="so_ho"):
        province.publishing.publish_catalogue(folder)
    bad = _catalogue(tmp_path, "2026.2", dict(NEW_INDICATOR, rules="no_such_thing >= 1"))
    with pytest.raises(PublishError):
        province.publishing.publish_catalogue(bad)
    assert province.catalogue.version == "2025.1"
    assert "thon_wifi_cc" not in province.catalogue.indicators


def test_only_the_province_publishes(district_store, tmp_path: Path):
    with pytest.raises(OutOfScopeError):
        district_store.publishing.publish_catalogue(_catalogue(tmp_path, "2030.1"))


def test_versions_compare_by_number():
    assert version_key("2025.10") > version_key("2025.9")
    assert version_key("2026-09-20") > version_key("2026-01-31")


def _retire(folder: Path, code: str, version: str) -> None:
    with open(folder / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["code"] == code:
            row["retired"] = version
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0].keys(), "retired"])
        writer.writeheader()
        writer.writerows({**r, "retired": r.get("retired") or ""} for r in rows)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("vi", "Không thể ngừng thu thập chỉ tiêu song_di_dong"),
        ("en", "The indicator song_di_dong cannot be retired"),
    ],
)
def test_retiring_a_used_indicator_is_refused_in_the_users_language(
    province, tmp_path: Path, lang: str, sentence: str
):
    """The refusal names every rule and derived figure still using the indicator,
    in the user's language, not the expression parser's English ("unknown name")."""
    from desktop_app import i18n

    folder = _catalogue(tmp_path, "2026.1")
    _retire(folder, "song_di_dong", "2026.1")
    i18n.setup(lang)
    try:
        with pytest.raises(PublishError) as caught:
            province.publishing.publish_catalogue(folder)
        message = caught.value.user_message()
    finally:
        i18n.setup("en")
    assert sentence in message
    assert "unknown name" not in message
    for user in ("phu_4g", "nha_mang", "so_thon_lom_song", "ty_le_thon_co_song"):
        assert user in message
    assert province.catalogue.version == "2025.1"
    assert "song_di_dong" in province.catalogue.indicators


def test_retiring_an_unused_indicator_is_published(province, tmp_path: Path):
    folder = _catalogue(tmp_path, "2026.1", NEW_INDICATOR)
    _retire(folder, "thon_wifi_cc", "2026.1")
    province.publishing.publish_catalogue(folder)
    assert province.catalogue.version == "2026.1"
    assert "thon_wifi_cc" in province.catalogue.retired

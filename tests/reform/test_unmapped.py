"""The pre-2025 communes the shipped lineage gives no successor (five of Sơn La's, dissolved
by the late-2024 merger) stay on the province's to-do list until it maps them: a line on
its review page and a warning on stderr with every 2025 province report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import cli, i18n
from desktop_app.store.reform import unmapped_communes
from desktop_app.store.store import Store
from desktop_app.ui.pages.review import ReviewPage
from tests.reform.conftest import PERIOD, PROVINCE_DECIDES, PROVINCE_NEW
from tests.reform.test_history import villages_of
from tests.ui.pages_fixtures import make_context

NAMES = ("Huy Bắc", "Tân Hợp", "Qui Hướng", "Tà Lai", "Thị trấn Yên Châu")


def report_warning(db: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    argv = ["--lang", "vi", "report", "province", "--db", str(db), "--unit", PROVINCE_NEW]
    assert cli.main([*argv, "--period", PERIOD, "--out", str(out)]) == 0
    return capsys.readouterr().err


def test_the_province_is_warned_until_it_maps_them(
    province_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(province_copy) as store:
        found = unmapped_communes(store)
    assert [cid for cid, _name in found] == sorted(PROVINCE_DECIDES)
    err = report_warning(province_copy, tmp_path / "a.pdf", capsys)
    assert err.count("\n") == 1 and err.startswith("coverage-desk: cảnh báo: 5 xã trước sắp xếp")
    for cid, name in found:
        assert f"{name} ({cid})" in err
    assert all(n in err for n in NAMES)
    # a pre-2025 report says nothing of the reform
    argv = ["--lang", "vi", "report", "province", "--db", str(province_copy)]
    argv += ["--unit", "pre2025:14", "--period", PERIOD, "--out", str(tmp_path / "b.pdf")]
    assert cli.main(argv) == 0
    assert "xã trước sắp xếp" not in capsys.readouterr().err

    with Store.open(province_copy) as store:
        first, *rest = sorted(PROVINCE_DECIDES)
        part = {v: PROVINCE_DECIDES[c] for v, c in villages_of(store, *rest).items()}
        store.publishing.publish_village_mapping(part, "2026.1")
        assert [cid for cid, _name in unmapped_communes(store)] == [first]
        everyone = {v: PROVINCE_DECIDES[c] for v, c in villages_of(store, first).items()}
        store.publishing.publish_village_mapping({**part, **everyone}, "2026.2")
        assert unmapped_communes(store) == []
    assert "xã trước sắp xếp" not in report_warning(province_copy, tmp_path / "c.pdf", capsys)


def test_the_review_page_lists_them_as_a_to_do(
    qtbot: QtBot, demo: tuple[Path, Path], tmp_path: Path
) -> None:
    province = tmp_path / "province.db"
    shutil.copy(demo[1], province)
    i18n.setup("vi")
    with Store.open(province) as store:
        # the demo province holds none of their villages yet: still to map
        assert [cid for cid, _name in unmapped_communes(store)] == sorted(PROVINCE_DECIDES)
        page = ReviewPage(make_context(store, "reviewer"))
        qtbot.addWidget(page)
        text = page.todo_label.text()
        assert page.todo_label.isVisibleTo(page)
        assert text.startswith("Việc cần làm: 5 xã trước sắp xếp năm 2025 chưa được xếp")
        assert all(n in text for n in NAMES) and "reform plan" in text
        # an office of a 2025 commune maps nothing: no such line
    shutil.copy(demo[0], tmp_path / "office.db")
    with Store.open(tmp_path / "office.db") as office:
        page = ReviewPage(make_context(office, "reviewer"))
        qtbot.addWidget(page)
        assert not page.todo_label.isVisibleTo(page)

"""``coverage-desk status`` says what the office holds apart: the changes a revocation took
back and those refused as out of their sender's scope, per sender office and reason, in
the language asked for (whatever language the refusal was written in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import i18n
from desktop_app.cli import main
from desktop_app.sync.certificates import day_text
from desktop_app.sync.status import (
    HELD_OUT_OF_SCOPE,
    HELD_REVOKED,
    held_apart,
    quarantine_lines,
)
from tests.helpers.net import Net
from tests.helpers.quarantine import DISTRICT, FORGER, REVOKED, WHY, take_back_and_refuse


def status_of(path: Path, lang: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["--lang", lang, "status", "--db", str(path)]) == 0
    return capsys.readouterr().out.splitlines()


def test_status_lists_what_a_take_back_and_a_scope_refusal_hold_apart(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    i18n.setup("vi")  # the refusals are written in Vietnamese, read back in both languages
    made = take_back_and_refuse(net)
    district = net[DISTRICT]
    stored = dict(
        district.db.execute_sql("SELECT signer, count(*) FROM sync_quarantine GROUP BY signer")
    )
    assert stored == {REVOKED: made.taken_back, FORGER: made.out_of_scope}
    assert (made.taken_back, made.out_of_scope) == (4, 1)
    assert [(h.office_id, h.kind, h.changes, h.why) for h in held_apart(district)] == [
        (FORGER, HELD_OUT_OF_SCOPE, 1, ""),
        (REVOKED, HELD_REVOKED, 4, WHY),
    ]
    path = district.path
    assert path is not None
    district.close()
    day = day_text(made.revoked_at)

    vi = status_of(path, "vi", capsys)
    assert vi[-2:] == [
        "Đang giữ riêng 1 thay đổi của Thị trấn Hát Lót (04105): ngoài phạm vi của đơn vị gửi",
        f"Đang giữ riêng 4 thay đổi của Xã Chiềng Sung (04108): chứng thư bị thu hồi ngày {day}"
        f" ({WHY})",
    ]
    assert vi[:-2] and all(" — " in line for line in vi[:-2])  # the period lines come first
    en = status_of(path, "en", capsys)
    assert en[-2:] == [
        "1 change from Thị trấn Hát Lót (04105) held apart: outside the sending office's scope",
        f"4 changes from Xã Chiềng Sung (04108) held apart: certificate revoked on {day} ({WHY})",
    ]
    assert len(en) == len(vi)


def test_an_office_holding_nothing_apart_says_nothing_of_it(
    net: Net, capsys: pytest.CaptureFixture[str]
) -> None:
    take_back_and_refuse(net)
    province = net["pre2025:14"]  # it never received the commune's changes past the position
    assert quarantine_lines(province) == []
    path = province.path
    assert path is not None
    province.close()
    lines = status_of(path, "en", capsys)
    assert lines == ["Xã Chiềng Sung — 2019: draft; acknowledged by the province"]

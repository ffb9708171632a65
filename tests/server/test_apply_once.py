"""SQLite mode: a pushed segment is verified once, when the push is taken; the apply
decodes it without verifying it again and checks only what may have changed since (a
revocation); see :meth:`desktop_app.server.sqlite_backend.SqliteBackend._apply_chunk`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.netsync.client import sync_office
from desktop_app.server import sqlite_apply
from desktop_app.server.app import create_app
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.server.timings import TIMINGS_ENV
from desktop_app.store.store import Store
from desktop_app.sync import segments
from desktop_app.sync.certificates import my_certificate, revoke
from tests.server.conftest import C1, PROVINCE, Province, ServerThread, count_changes, fill_period


def _province_rows(path: Path, origin: str) -> tuple[int, int, int]:
    """(values of C1, change-log rows of ``origin``, quarantined changes of ``origin``)."""
    with Store.open(path) as prov:
        values = prov.db.execute_sql(
            "SELECT count(*) FROM data_value WHERE commune_id = ?", (C1,)
        ).fetchone()[0]
        quarantined = prov.db.execute_sql(
            "SELECT count(*) FROM sync_quarantine WHERE origin = ?", (origin,)
        ).fetchone()[0]
        return int(values), count_changes(prov, origin), int(quarantined)


def count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the segments the apply decodes from the feed."""
    real = sqlite_apply.held_segment
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_apply, "held_segment", counted)
    return calls


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the segment checks (certificate, signature, hash) made anywhere."""
    real = segments._check
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(segments, "_check", counted)
    return calls


def test_the_apply_decodes_each_segment_once_and_does_not_verify_it_again(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = province[C1]
    changes = fill_period(commune, 120, per_village=4)  # 600 changes: two segments
    province.offices[PROVINCE].close()
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    checks = count_signature_checks(monkeypatch)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        assert sync_office(commune, server.url).accepted == changes
        assert len(checks) == 2  # each segment verified by its push
        decodes = count_decodes(monkeypatch)
        backend.quiet = 0.0
        assert backend.wait_applied(60)
    assert len(decodes) == 2 and len(checks) == 2  # decoded at the apply, not verified again
    assert _province_rows(province.path, commune.node.node_id) == (480, changes, 0)


def test_a_certificate_revoked_between_push_and_apply_keeps_what_the_province_held(
    province: Province,
) -> None:
    """The feed took the push before the revocation: the revocation's position covers it,
    so the apply that comes after applies it (every office pulling the feed does the
    same); before the position rule it was quarantined here and applied elsewhere."""
    commune = province[C1]
    changes = fill_period(commune, 25)
    province.offices[PROVINCE].close()
    cert, _key = my_certificate(commune)
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        assert sync_office(commune, server.url).accepted == changes  # held, not applied
        with Store.open(province.path) as prov:
            revoke(prov, int(cert["body"]["serial"]), "máy bị mất")
            held = prov.db.execute_sql("SELECT held FROM revocation").fetchone()[0]
        assert json.loads(held) == [[commune.node.epoch, changes]]  # the feed's cursor
        backend.quiet = 0.0
        assert backend.wait_applied(60)
    assert _province_rows(province.path, commune.node.node_id) == (25, changes, 0)


def test_a_segment_past_the_revocation_s_position_is_quarantined_by_the_apply(
    province: Province,
) -> None:
    """A feed row of a revoked certificate past its position (taken after the
    revocation, e.g. verified just before it) is quarantined by the province's apply,
    with the revocation's words."""
    from desktop_app.sync.certificates import held_text

    commune = province[C1]
    changes = fill_period(commune, 25)
    province.offices[PROVINCE].close()
    cert, _key = my_certificate(commune)
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        assert sync_office(commune, server.url).accepted == changes  # held, not applied
        with Store.open(province.path) as prov:
            revoke(prov, int(cert["body"]["serial"]), "máy bị mất")
            with prov.transaction():  # as if the feed took the push just after revoking
                prov.db.execute_sql(
                    "UPDATE revocation SET held = ?", (held_text({commune.node.epoch: 20}),)
                )
        backend.quiet = 0.0
        assert backend.wait_applied(60)
    values, _logged, quarantined = _province_rows(province.path, commune.node.node_id)
    assert (values, quarantined) == (0, changes - 20)  # 25 villages, then their values
    with Store.open(province.path) as prov:
        reasons = {
            str(r[0])
            for r in prov.db.execute_sql(
                "SELECT reason FROM sync_quarantine WHERE origin = ?", (commune.node.node_id,)
            )
        }
        seqs = [
            int(r[0])
            for r in prov.db.execute_sql(
                "SELECT seq FROM sync_quarantine WHERE origin = ? ORDER BY seq",
                (commune.node.node_id,),
            )
        ]
    assert seqs == list(range(21, changes + 1))
    assert len(reasons) == 1 and "máy bị mất" in reasons.pop()


def test_a_stopping_server_writes_its_phase_times_when_asked(
    province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = province[C1]
    fill_period(commune, 10)
    province.offices[PROVINCE].close()
    out = tmp_path / "timings.json"
    monkeypatch.setenv(TIMINGS_ENV, str(out))
    backend = SqliteBackend(province.path, quiet=0.0)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        sync_office(commune, server.url)
        assert backend.wait_applied(60)
        assert not out.exists()  # written when the server stops
    times = json.loads(out.read_text(encoding="utf-8"))
    assert times["push.verify"]["count"] == 1 and times["push.take"]["count"] >= 1
    assert times["apply.changes"]["count"] == 20
    assert times["apply.applier"]["seconds"] > 0
    assert times["feed.read"]["count"] >= 1


def test_a_feed_row_that_no_longer_reads_is_refused_in_words_not_raised(
    province: Province,
) -> None:
    from desktop_app.netsync.adapter import held_segment
    from desktop_app.netsync.client import plan_batches

    commune = province[C1]
    fill_period(commune, 3)
    ((header, body),) = plan_batches(commune, {}, 500)[0]
    _cert, key = my_certificate(commune)
    good = held_segment(header, body, key, set(), 0.0)
    assert good.refused is None and good.batch is not None and len(good.batch.changes) == 6
    garbled = held_segment(b"{not json", body, key, set(), 0.0)
    assert (garbled.batch, garbled.refused) == (None, "unreadable header")
    broken = held_segment(header, b"\x00garbage", key, set(), 0.0)
    assert broken.batch is None and broken.refused is not None
    assert broken.refused.startswith("segment cannot be read")
    short = json.loads(header)
    short["n"] = 7
    assert held_segment(json.dumps(short).encode(), body, key, set(), 0.0).refused == (
        "segment length differs"
    )

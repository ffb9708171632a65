"""Property: any interleaving of edits and exchanges (lost, repeated, out of order) converges."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.store.office import create_office
from desktop_app.sync.certificates import enroll_demo, init_province
from tests.helpers.clock import FakeClock
from tests.sync.conftest import Net, set_households, values_of
from tests.sync.randomnet import run_seed

P, D, CS = "pre2025:14", "pre2025:125", ("pre2025:04108", "pre2025:04105")


def _net(tmp: Path, directory) -> tuple[Net, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    net = Net(tmp, clock)
    rng = random.Random(1)
    net.offices[P] = init_province(tmp / "p.db", P, directory=directory, clock=clock, rng=rng)
    villages: dict[str, list[str]] = {}
    for unit in (D, *CS):
        store = create_office(
            tmp / f"{unit[-5:]}.db", unit, directory=directory, clock=clock, rng=rng
        )
        enroll_demo(store, net.offices[P])
        net.offices[unit] = store
        if unit in CS:
            villages[unit] = [store.villages.add(unit, f"Bản {i}").id for i in range(3)]
    return net, villages


# the quick size in `make test`; COVERAGE_DESK_PROPERTY_FULL=1 (or `python -m bench.bench_sync
# --property`) runs the full one: 25 seeds of 400 operations, 10,000 in all
FULL = os.environ.get("COVERAGE_DESK_PROPERTY_FULL") == "1"
SEEDS = range(1, 26) if FULL else range(1, 3)
OPS = 400 if FULL else 60


@pytest.mark.parametrize("seed", SEEDS)
def test_random_operations_converge_everywhere(tmp_path: Path, unit_directory, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Any mix of edits, reviews, decisions, lost/repeated/direct bundles and a restore:
    after a full exchange every office holding a commune holds the same data of it."""
    done = run_seed(tmp_path, unit_directory, seed, OPS)
    assert sum(done.values()) == OPS
    assert done.get("import", 0) > OPS // 10 and done.get("value", 0) > OPS // 10, done


@pytest.mark.parametrize(
    ("name", "seed", "ops", "mix"),
    [
        # a district's decision about a sibling commune reached a commune (FOREIGN KEY)
        ("decision_about_sibling_commune", 4, 400, "default"),
        # a decision arrived before the late edit it decided: a second conflict opened; and
        # approved, edited, returned: the late-edit conflict stayed open where the edit
        # arrived before the return
        ("decision_before_late_edit", 3, 400, "default"),
        ("late_edit_then_return", 6, 400, "default"),
        # a restore's lost edit and a later one: merged at one office, an open clash left
        # at another that saw them in the other order
        ("clash_later_merged", 8, 400, "default"),
        # a decision closed the commune's later late edits too, where they arrived first
        ("decision_closes_only_what_it_decided", 23, 400, "default"),
        # a restored commune's lost version clashed with its new line, the district
        # decided: which conflict rows stayed open depended on arrival order (open
        # conflicts are now reconciled from each row's resolution)
        ("restore_then_decision_conflicts", 3, 400, "reviews"),
        # a commune typed the same value before and after a restore (two agreeing heads,
        # no conflict row), then edited it: the province took the edit on the fast path
        # and opened no conflict; the commune and district opened the clash (_note_heads)
        ("edit_over_agreeing_heads", 49, 400, "default"),
        # a clerk typed over a district's decision, settling her office's late clash with
        # it: the district withdrew the conflict, her office kept it open (a local write
        # reconciled no conflict: reconcile_local_writes)
        ("local_edit_settles_a_clash", 78, 400, "reviews"),
        # a district returned a submission its commune had made twice (before and after a
        # restore), a merged row: the district kept 'returned', every receiver merged the
        # restored submission in ('submitted'); a local write now settles its rows as the
        # receivers do (reconcile_local_writes)
        ("return_over_a_merged_submission", 1003, 1200, "default"),
        # a decision chose between two versions of a row a third head also wrote: the
        # deciding office kept the chosen state, every receiver merged the third head's
        # field in (decide_conflict now settles the row as they do)
        ("decision_beside_a_third_head", 1039, 1200, "default"),
        ("decision_beside_a_third_head_reviews", 1002, 1200, "reviews"),
        # a change arrived before its base: the base, arriving last, made it the one head,
        # but was 'superseded' and left the row at the other head (RowMerger._merge)
        ("base_after_its_descendant", 1019, 1200, "reviews"),
        # a decision kept no value (a late edit of a locked period that never had one); a
        # restored commune's new value of that row then took the fast path at the district
        # (no row there) and a decision's None state never removed a row: the province had
        # no value, the district 59, the commune 28
        ("first_value_after_a_decision_kept_none", 1046, 1200, "reviews"),
    ],
)
def test_seed_that_once_failed(  # type: ignore[no-untyped-def]
    tmp_path: Path, unit_directory, name: str, seed: int, ops: int, mix: str
) -> None:
    """Seeds that found a bug, kept as regression tests."""
    assert run_seed(tmp_path, unit_directory, seed, ops, mix=mix)


@pytest.fixture(scope="module")
def fuzz_net(tmp_path_factory, unit_directory):  # type: ignore[no-untyped-def]
    """A small net and one good bundle, shared by the fuzz examples (closed at the end;
    the folder is pytest's own temporary folder)."""
    net, villages = _net(tmp_path_factory.mktemp("fuzz"), unit_directory)
    set_households(net[CS[0]], villages[CS[0]][0], 7)
    yield net, net.export(CS[0]).read_bytes()
    for s in net.offices.values():
        s.close()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_bundle_reader_only_ever_says_no_clearly(fuzz_net, data) -> None:  # type: ignore[no-untyped-def]
    """Fuzz: flipped bytes, cuts and garbage give a StoreError (or a clean import), nothing else."""
    from desktop_app.store.errors import StoreError

    net, good = fuzz_net
    blob = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    path = net.tmp / "fuzz.cdsync"
    path.write_bytes(bytes(blob[:cut]))
    before = net[D].db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    try:
        net.load(D, path)
    except StoreError as exc:
        assert exc.user_message()
        assert net[D].db.execute_sql("SELECT count(*) FROM change").fetchone()[0] == before


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c2", "up", "prov"]), st.integers(0, 5), st.integers(0, 3)
        ),
        min_size=3,
        max_size=30,
    )
)
def test_two_pcs_of_one_commune_conflict_the_same_way_everywhere(unit_directory, steps) -> None:  # type: ignore[no-untyped-def]
    """Two installations of one commune type the same cells; district and province agree."""
    with tempfile.TemporaryDirectory() as folder:
        net, villages = _net(Path(folder), unit_directory)
        try:
            second = create_office(
                net.tmp / "c1b.db",
                CS[0],
                directory=unit_directory,
                clock=net.clock,
                rng=random.Random(2),
            )
            enroll_demo(second, net[P])
            net.offices["b"] = second
            net.load("b", net.export(CS[0]))
            names = {"a": CS[0], "b": "b", "c2": CS[1]}
            pool: list[Path] = []
            for who, pick, value in steps:
                net.clock.advance(7)
                if who in names:
                    unit = names[who]
                    commune = CS[1] if who == "c2" else CS[0]
                    set_households(net[unit], villages[commune][pick % 3], value)
                    pool.append(net.export(unit))
                elif who == "up" and pool:
                    net.load(D, pool[pick % len(pool)])
                elif who == "prov" and pool:
                    net.load(P, pool[pick % len(pool)])  # a commune sends straight up too
            for unit in names.values():
                net.send(unit, D)
            net.send(D, P)
            for c in CS:
                assert values_of(net[P], c) == values_of(net[D], c)
            assert values_of(net[D], CS[1]) == values_of(net[CS[1]], CS[1])
        finally:
            for s in net.offices.values():
                s.close()


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["a", "c2", "submit", "approve", "return", "up", "prov", "dp"]),
            st.integers(0, 5),
            st.integers(0, 3),
        ),
        min_size=3,
        max_size=20,
    )
)
def test_reviews_and_late_edits_end_the_same_at_district_and_province(  # type: ignore[no-untyped-def]
    unit_directory, steps
) -> None:
    """Submit, approve, return and edits in any order: district and province agree."""
    from desktop_app.store.errors import StoreError

    with tempfile.TemporaryDirectory() as folder:
        net, villages = _net(Path(folder), unit_directory)
        try:
            names = {"a": CS[0], "c2": CS[1]}
            up: list[Path] = []
            down: list[Path] = []
            for who, pick, value in steps:
                net.clock.advance((0, 7, 60)[pick % 3])
                try:
                    if who in names:
                        c = names[who]
                        set_households(net[c], villages[c][pick % 3], value)
                        up.append(net.export(c))
                    elif who == "submit":
                        c = CS[pick % 2]
                        net[c].submissions.move(c, "2019Q4", "submitted")
                        up.append(net.export(c))
                    elif who in ("approve", "return"):
                        c = CS[pick % 2]
                        target = "approved" if who == "approve" else "returned"
                        net[D].submissions.move(c, "2019Q4", target, reason="xem lại")
                        down.append(net.export(D))
                    elif who == "up" and up:
                        net.load(D, up[pick % len(up)])
                    elif who == "prov" and up:
                        net.load(P, up[pick % len(up)])
                    elif who == "dp" and down:
                        net.load(P, down[pick % len(down)])
                except StoreError:
                    pass  # a move the state machine refuses
            for c in CS:
                net.send(c, D)
            net.send(D, P)
            for c in CS:
                assert values_of(net[P], c) == values_of(net[D], c)
        finally:
            for s in net.offices.values():
                s.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_random_operations_with_many_reviews_converge(  # type: ignore[no-untyped-def]
    tmp_path: Path, unit_directory, seed: int
) -> None:
    """The same property with reviews that mostly succeed and more conflict decisions."""
    assert run_seed(tmp_path, unit_directory, seed, OPS, mix="reviews")


def test_a_certificate_signature_that_is_not_base64_is_refused_clearly(fuzz_net) -> None:  # type: ignore[no-untyped-def]
    """Found by the fuzz above: one byte of the sender certificate's signature turned into
    ':' made base64 raise binascii.Error through the reader instead of a clear refusal."""
    from desktop_app.sync.errors import UnknownCertificateError

    net, good = fuzz_net
    marks = [i for i in range(len(good)) if good.startswith(b'"sig"', i)]
    assert marks, "the bundle carries signatures in its plain header"
    broken = bytearray(good)
    for mark in marks:  # every signature's first character
        start = good.index(b'"', good.index(b":", mark) + 1) + 1
        broken[start] = ord(":")
    path = net.tmp / "bad-signature.cdsync"
    path.write_bytes(bytes(broken))
    before = net[D].db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    with pytest.raises(UnknownCertificateError) as err:
        net.load(D, path)
    assert err.value.user_message()
    assert net[D].db.execute_sql("SELECT count(*) FROM change").fetchone()[0] == before

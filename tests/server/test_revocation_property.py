"""Property (seeded): a revocation gives every replica the province's own state.

One province with its server on loopback (SQLite mode, the apply held back and run
at chosen moments), one district installation pulling over HTTP with a random page
size at random moments, one importing the province's USB bundles at random moments,
and in each case a fresh commune installation that writes (new villages and values,
and new versions of earlier ones), pushes (or hands its bundle to a relaying district
installation, which pushes it on or carries its own bundle to the province) in random
rounds, revoked at a random point among
them, sometimes between a push and its apply; the commune's other (not revoked)
installation receives its bundles and types in its villages, by stick to the relaying
district or pushed. Every case ends with that commune's values (both installations'),
villages and quarantined changes the same at the province and at all three districts,
and the other installation's backlog (its values in a village the province quarantined)
the same at the province and the relaying district (``COVERAGE_DESK_PROPERTY_FULL=1``: more cases;
``COVERAGE_DESK_REVOKE_CASES=N``: N cases). The relaying district applies a commune's
bundle before it hears of the revocation: what it applied past the province's
position is taken back when the list reaches it (``desktop_app.sync.takeback``), so
it is compared like the others.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.server.app import create_app
from desktop_app.server.backend import MAX_PAGE_LIMIT
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.store.office import create_office
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, my_certificate, revoke
from desktop_app.sync.errors import RevokedCertificateError
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.server.conftest import C1, DISTRICT, PROVINCE, ServerThread, make_province

CASES = int(os.environ.get("COVERAGE_DESK_REVOKE_CASES", "0")) or (
    800 if os.environ.get("COVERAGE_DESK_PROPERTY_FULL") else 200
)
SEEDS = range(8)  # each seed: one province and server, CASES // len(SEEDS) communes


@dataclass
class World:
    tmp: Path
    prov_path: Path
    server: ServerThread
    backend: SqliteBackend
    http: Store  # the district pulling over HTTP
    usb: Store  # the district importing the province's bundles
    relay: Store  # the district carrying communes' bundles up
    directory: UnitDirectory
    province_node: str
    counter: int = 0
    # what the cases went through (so the test shows the interleavings happened)
    seen: set[str] = field(default_factory=set)

    def path(self, name: str) -> Path:
        self.counter += 1
        return self.tmp / f"{self.counter:04d}-{name}"

    def apply(self) -> None:
        """The server applies everything its feed took (held back otherwise)."""
        self.backend.quiet = 0.0
        assert self.backend.wait_applied(60)
        self.backend.quiet = 3600.0

    def pull(self, rng: random.Random, head: int) -> None:
        size = rng.randint(1, min(head, MAX_PAGE_LIMIT))  # the server refuses more (422)
        self.seen.add("page size 1" if size == 1 else "page size > 1")
        sync_office(self.http, self.server.url, backup=False, page_size=size)

    def relay_stick(self, revoked: bool) -> None:
        """The relaying district's bundle carried to the province and imported there: a
        segment of the revoked commune on it (straddling the position, or wholly past
        it) is quarantined there and must still go on in the province's bundles and feed."""
        out = self.path("r.cdsync")
        export_bundle(self.relay, out, to=self.province_node)
        with Store.open(self.prov_path) as prov:
            result = import_bundle(prov, out, backup=False)
        if revoked and result.report.quarantined:
            self.seen.add("a relayed stick quarantined at the province")

    def usb_round(self) -> None:
        """The province's bundle to the USB district; its answer back (its vector)."""
        with Store.open(self.prov_path) as prov:
            out = self.path("p.cdsync")
            export_bundle(prov, out, to=self.usb.node.node_id)
        import_bundle(self.usb, out, backup=False)
        back = self.path("u.cdsync")
        export_bundle(self.usb, back, to=None)
        with Store.open(self.prov_path) as prov:
            import_bundle(prov, back, backup=False)


@pytest.fixture(params=SEEDS)
def world(tmp_path: Path, unit_directory: UnitDirectory) -> Iterator[World]:
    prov = make_province(tmp_path, unit_directory, units=(DISTRICT,))
    for name in ("usb", "relay"):
        store = create_office(
            tmp_path / f"{name}.db", DISTRICT, directory=unit_directory, user=name
        )
        enroll_demo(store, prov[PROVINCE])
        prov.offices[name] = store
    province_node = prov[PROVINCE].node.node_id
    prov[PROVINCE].close()
    backend = SqliteBackend(prov.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(prov.path, backend=backend)) as server:
        yield World(tmp_path, prov.path, server, backend, prov[DISTRICT], prov["usb"],
                    prov["relay"], unit_directory, province_node)  # fmt: skip
    for unit, store in prov.offices.items():
        if unit != PROVINCE:
            store.close()


State = tuple[list[tuple[object, ...]], list[object], list[int]]


def backlog(store: Store, origin: str) -> list[int]:
    """The seqs of ``origin``'s changes waiting in ``store``'s backlog."""
    return [
        int(r[0])
        for r in store.db.execute_sql(
            "SELECT seq FROM sync_backlog WHERE origin = ? ORDER BY seq", (origin,)
        )
    ]


def state(store: Store, origin: str) -> State:
    """One commune installation's villages, values and quarantined seqs at ``store``: every
    village it wrote, whether its change stands here or was quarantined (a village row
    left behind by a change taken back counts), and every value in them (the other
    installation's too)."""
    villages = [
        tuple(r)
        for r in store.db.execute_sql(
            "SELECT v.id, v.name FROM village v WHERE v.id IN"
            " (SELECT json_extract(state, '$.id') FROM change WHERE origin = ?"
            " AND entity = 'village' UNION SELECT json_extract(entity_key, '$.id')"
            " FROM sync_quarantine WHERE origin = ? AND entity = 'village') ORDER BY v.id",
            (origin, origin),
        )
    ]
    ids = [v[0] for v in villages]
    values = [
        tuple(r)
        for r in store.db.execute_sql(
            f"SELECT village_id, indicator, value FROM data_value WHERE village_id IN"
            f" ({', '.join('?' * len(ids))}) ORDER BY 1, 2",
            ids,
        )
    ]
    quarantined = [
        int(r[0])
        for r in store.db.execute_sql(
            "SELECT seq FROM sync_quarantine WHERE origin = ? ORDER BY seq", (origin,)
        )
    ]
    return villages, values, quarantined


def other_types(world: World, rng: random.Random, commune: Store, other: Store) -> None:
    """The commune's other (not revoked) installation receives its bundle and types a cell
    of some of its villages; its own bundle goes to the relaying district, or its changes
    are pushed (or both). A village the province quarantines holds its value back there
    (the backlog): the relaying district, which applied the village first, must hold it
    back alike once the village is taken back."""
    out = world.path("c.cdsync")
    export_bundle(commune, out, to=other.node.node_id)
    with contextlib.suppress(RevokedCertificateError):  # once the other installation knows
        import_bundle(other, out, backup=False)
    held = [
        str(r[0])
        for r in other.db.execute_sql("SELECT id FROM village WHERE commune_id = ?", (C1,))
    ]
    if not held:
        return
    chosen = rng.sample(sorted(held), rng.randint(1, min(2, len(held))))
    other.values.set_many(
        [ValueWrite(C1, v, "2024", "so_ho_ngheo", rng.randint(1, 40)) for v in chosen]
    )
    if rng.random() < 0.6:
        out = world.path("o.cdsync")
        export_bundle(other, out, to=world.relay.node.node_id)
        import_bundle(world.relay, out, backup=False)
    if rng.random() < 0.5:
        sync_office(other, world.server.url, backup=False)


def run_case(world: World, rng: random.Random) -> None:
    commune = create_office(world.path("c.db"), C1, directory=world.directory, user="xa")
    other = create_office(world.path("o.db"), C1, directory=world.directory, user="xa2")
    try:
        with Store.open(world.prov_path) as prov:
            enroll_demo(commune, prov)
            enroll_demo(other, prov)
        serial = int(my_certificate(commune)[0]["body"]["serial"])
        origin = commune.node.node_id
        rounds = rng.randint(1, 5)
        revoke_at = rng.randint(0, rounds)  # before round revoke_at (rounds: after all)
        revoked = False
        earlier: list[str] = []  # the villages of this case so far
        for r in range(rounds + 1):
            if r == revoke_at:
                if world.backend.pending_apply():
                    world.seen.add("revoked between a push and its apply")
                if world.http.db.execute_sql(
                    "SELECT 1 FROM change WHERE origin = ?", (origin,)
                ).fetchone():
                    world.seen.add("revoked after the HTTP district pulled some")
                with Store.open(world.prov_path) as prov:
                    revoke(prov, serial, "Máy bị mất")
                revoked = True
            if r == rounds:
                break
            villages = [
                commune.villages.add(C1, f"Bản {world.counter}.{r}.{i}").id
                for i in range(rng.randint(1, 3))
            ]
            if earlier and rng.random() < 0.5:
                # a new version of an older row: a take-back puts back the one before it
                again = rng.choice(earlier)
                commune.villages.rename(again, f"Bản {world.counter}.{r} đổi tên")
                villages.append(again)
                world.seen.add("a row written again")
            commune.values.set_many(
                [ValueWrite(C1, v, "2024", "so_ho", rng.randint(1, 400)) for v in villages]
            )
            earlier += villages
            if not revoked and rng.random() < 0.7:
                sync_office(commune, world.server.url, backup=False)  # held, maybe not applied
            else:  # by stick to the relaying district, which sends it on (or not yet)
                out = world.path("c.cdsync")
                export_bundle(commune, out, to=world.relay.node.node_id)
                with contextlib.suppress(RevokedCertificateError):  # once the relay knows
                    import_bundle(world.relay, out, backup=False)
                onward = rng.random()
                if onward < 0.4:
                    sync_office(world.relay, world.server.url, backup=False)
                elif onward < 0.7:  # on the district's own stick to the province
                    world.relay_stick(revoked)
            if rng.random() < 0.4:
                # and a stick straight to the province, at any moment (before, with or
                # after the network, pending apply or not): its server's feed carries what
                # the province received by stick, as its bundles carry what the feed took
                out = world.path("c.cdsync")
                export_bundle(commune, out, to=world.province_node)
                with Store.open(world.prov_path) as prov:
                    with contextlib.suppress(RevokedCertificateError):
                        import_bundle(prov, out, backup=False)
                if world.backend.pending_apply():
                    world.seen.add("a stick to the province while pushes wait to be applied")
            if rng.random() < 0.5:
                other_types(world, rng, commune, other)
            for _ in range(rng.randint(0, 2)):
                step = rng.choice(["apply", "pull", "usb"])
                if step == "apply":
                    world.apply()
                elif step == "pull":
                    world.pull(rng, max(2, world.backend.feed_head() // 2))
                else:
                    world.usb_round()
        # the other installation's changes reach the province and the relaying district
        sync_office(other, world.server.url, backup=False)
        out = world.path("o.cdsync")
        export_bundle(other, out, to=world.relay.node.node_id)
        import_bundle(world.relay, out, backup=False)
        sync_office(world.relay, world.server.url, backup=False)
        world.apply()
        world.pull(rng, max(2, world.backend.feed_head() // 2))
        world.usb_round()
        with Store.open(world.prov_path) as prov:
            want = state(prov, origin)
            waiting = backlog(prov, other.node.node_id)
        assert state(world.http, origin) == want, "HTTP district differs from the province"
        assert state(world.usb, origin) == want, "USB district differs from the province"
        assert state(world.relay, origin) == want, "relaying district differs from the province"
        assert backlog(world.relay, other.node.node_id) == waiting, (
            "the relaying district's backlog of the other installation differs from the province's"
        )
        if waiting:
            world.seen.add("the other installation's values held back for a taken-back village")
    finally:
        commune.close()
        other.close()


def test_every_district_ends_with_the_province_s_state_of_a_revoked_commune(
    world: World, request: pytest.FixtureRequest
) -> None:
    seed = int(request.node.callspec.params["world"])
    for case in range(CASES // len(SEEDS)):
        rng = random.Random(seed * 100_000 + case)
        try:
            run_case(world, rng)
        except AssertionError as exc:
            raise AssertionError(f"case {case} of seed {seed}: {exc}") from exc
    assert world.seen == {
        "revoked between a push and its apply",
        "revoked after the HTTP district pulled some",
        "page size 1",
        "page size > 1",
        "a stick to the province while pushes wait to be applied",
        "a row written again",
        "a relayed stick quarantined at the province",
        "the other installation's values held back for a taken-back village",
    }

"""Moving a pre-2025 commune office into its 2025 commune (``coverage-desk reform move``).

The province publishes its village mapping (``reform apply``); a pre-2025 commune office
that has received it moves, in one transaction, each of its villages that goes to the new
commune (by the mapping, else by the lineage) and the sites of those villages: ordinary
changes, logged under the old commune so that every office holding them may receive
them, signed later by the same installation under its new certificate. The old commune
of each village is kept (``village_origin``), so periods before the reform stay reported
under the old unit and, by the lineage, under the new one; nothing is copied, so nothing
is counted twice. The office's own unit becomes the 2025 commune.

:func:`allowed_units` is what an office of a 2025 commune may write: its own unit and
the pre-2025 communes whose villages it took over (their history: late corrections,
submitting a period left open before the reform).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.domain.reform import successor_of, successors
from desktop_app.i18n import _
from desktop_app.store.apply.rows import read_row, write_site, write_village
from desktop_app.store.changes import Entry
from desktop_app.store.errors import StoreError
from desktop_app.store.lineage import lineage_sources, village_mapping
from desktop_app.store.store import Store


class ReformError(StoreError):
    """The office cannot be moved into the 2025 commune it was asked to."""

    def template(self) -> str:
        return _("The office was not moved: {reason}")


@dataclass(frozen=True)
class MoveSummary:
    """What a move did: from which unit to which, villages and sites moved, left behind."""

    old_office: str
    new_office: str
    villages: int
    sites: int
    left: int


def taken_over(store: Store) -> dict[str, set[str]]:
    """2025 commune → the pre-2025 communes it took villages (or its lineage) from."""
    out: dict[str, set[str]] = {n: set(olds) for n, olds in lineage_sources(store).items()}
    for new, old in store.db.execute_sql(
        "SELECT DISTINCT m.commune_id, COALESCE(o.commune_id, v.commune_id)"
        " FROM village_mapping m JOIN village v ON v.id = m.village_id"
        " LEFT JOIN village_origin o ON o.village_id = v.id"
    ):
        out.setdefault(str(new), set()).add(str(old))
    return out


def allowed_units(store: Store, office_id: str) -> set[str]:
    """The units whose data an office writes: its own and those it took over."""
    return {office_id, *taken_over(store).get(office_id, set())}


def move_office(store: Store, new_office: str) -> MoveSummary:
    """Move this pre-2025 commune office's villages and sites into ``new_office``.

    Run again once moved, it also takes over the villages (and sites) of the other
    pre-2025 communes of ``new_office`` received since (two old offices merging, or an
    old commune without an office of its own).
    """
    actor = store.local_actor()
    old_office = actor.office_id
    row = store.db.execute_sql(
        "SELECT structure, level FROM unit WHERE id = ?", (new_office,)
    ).fetchone()
    if row is None or (str(row[0]), int(row[1])) != ("2025", 3):
        raise ReformError(reason=_("{unit} is not a 2025 commune").format(unit=new_office))
    following = successors(lineage_sources(store))
    if old_office == new_office:
        olds = sorted(taken_over(store).get(new_office, set()))
    else:
        old = store.db.execute_sql(
            "SELECT structure, level FROM unit WHERE id = ?", (old_office,)
        ).fetchone()
        if old is None or (str(old[0]), int(old[1])) != ("pre2025", 3):
            raise ReformError(
                reason=_("this office ({unit}) is not a pre-2025 commune").format(unit=old_office)
            )
        olds = [old_office]
    mapping = village_mapping(store)
    marks = ",".join("?" for _ in olds) or "''"
    villages = [
        (str(v), str(c))
        for v, c in store.db.execute_sql(
            f"SELECT id, commune_id FROM village WHERE commune_id IN ({marks})"
            " ORDER BY commune_id, sort_order, id",
            tuple(olds),
        )
    ]
    going = [(v, c) for v, c in villages if successor_of(v, c, following, mapping) == new_office]
    if old_office != new_office and not going and new_office not in following.get(old_office, ()):
        raise ReformError(
            reason=_("{new} was not formed from {old}").format(new=new_office, old=old_office)
        )
    moved_sites = 0
    with store.write(actor) as ctx:
        for vid, commune in going:
            current = read_row(store.db, "village", {"id": vid})
            assert current is not None and current.state is not None
            state = {**current.state, "commune_id": new_office}
            ref = ctx.log(
                Entry(
                    "village", {"id": vid}, commune, None, state, current.state,
                    current.version, "reform",
                )
            )  # fmt: skip
            write_village(store.db, state, ref.version, ref.hlc)
        for commune in olds:
            ids = [v for v, c in going if c == commune]
            whole = len(ids) == sum(1 for _v, c in villages if c == commune)
            vmarks = ",".join("?" for _ in ids) or "''"
            for (sid,) in store.db.execute_sql(
                f"SELECT id FROM site WHERE commune_id = ? AND (village_id IN ({vmarks})"
                " OR (village_id IS NULL AND ?))",
                (commune, *ids, int(whole and bool(ids))),
            ).fetchall():
                site = read_row(store.db, "site", {"id": sid})
                assert site is not None and site.state is not None
                state = {**site.state, "commune_id": new_office}
                ref = ctx.log(
                    Entry(
                        "site", {"id": sid}, commune, None, state, site.state, site.version,
                        "reform",
                    )
                )  # fmt: skip
                write_site(store.db, state, ref.version, ref.hlc)
                moved_sites += 1
        store.db.execute_sql("UPDATE node SET office_id = ?", (new_office,))
        store.db.execute_sql("UPDATE meta SET value = ? WHERE key = 'office_id'", (new_office,))
    return MoveSummary(old_office, new_office, len(going), moved_sites, len(villages) - len(going))


@dataclass(frozen=True)
class PlanRow:
    """One row of the province's mapping template: a village of a pre-2025 commune."""

    village_id: str
    village: str
    commune_id: str
    commune: str
    district: str
    new_id: str | None  # where it goes by the published mapping or the lineage; None: decide
    new: str


def plan_rows(store: Store) -> list[PlanRow]:
    """Every active village of a pre-2025 commune and the 2025 commune it goes to."""
    following = successors(lineage_sources(store))
    mapping = village_mapping(store)
    names = {str(i): str(n) for i, n in store.db.execute_sql("SELECT id, name FROM unit")}
    parents = {
        str(i): str(p or "") for i, p in store.db.execute_sql("SELECT id, parent_id FROM unit")
    }
    out: list[PlanRow] = []
    for v, n, c in store.db.execute_sql(
        "SELECT v.id, v.name, v.commune_id FROM village v JOIN unit u ON u.id = v.commune_id"
        " WHERE u.structure = 'pre2025' AND v.active = 1 ORDER BY v.commune_id, v.sort_order"
    ):
        vid, commune = str(v), str(c)
        new = successor_of(vid, commune, following, mapping)
        out.append(
            PlanRow(
                vid, str(n), commune, names.get(commune, ""), names.get(parents[commune], ""),
                new, names.get(new or "", ""),
            )
        )  # fmt: skip
    return out


def new_communes(store: Store) -> list[tuple[str, str]]:
    """The 2025 communes of this database (id, name), in code order."""
    return [
        (str(i), str(n))
        for i, n in store.db.execute_sql(
            "SELECT id, name FROM unit WHERE structure = '2025' AND level = 3 ORDER BY id"
        )
    ]


def enrolled_communes(store: Store) -> list[dict[str, object]]:
    """The latest unrevoked certificate of each installation the province enrolled."""
    revoked = {int(r[0]) for r in store.db.execute_sql("SELECT serial FROM revocation")}
    latest: dict[str, dict[str, object]] = {}
    for serial, node, doc in store.db.execute_sql(
        "SELECT serial, node_id, certificate FROM issued_certificate ORDER BY serial"
    ):
        if int(serial) not in revoked:
            latest[str(node)] = json.loads(doc)
    return list(latest.values())


def unmapped_communes(store: Store) -> list[tuple[str, str]]:
    """The pre-2025 communes (id, name) the province still has to map, in code order:
    one with a village this database holds that goes to no 2025 commune (no successor in
    the lineage, or several, and no row of the province's mapping), or with no successor
    at all and no village here yet to map."""
    following = successors(lineage_sources(store))
    if not following:
        return []  # this database holds no 2025 structure
    mapping = village_mapping(store)
    held: dict[str, list[str]] = {}
    for v, c in store.db.execute_sql(
        "SELECT v.id, COALESCE(o.commune_id, v.commune_id) FROM village v"
        " LEFT JOIN village_origin o ON o.village_id = v.id WHERE v.active = 1"
    ):
        held.setdefault(str(c), []).append(str(v))
    out: list[tuple[str, str]] = []
    for cid, name in store.db.execute_sql(
        "SELECT id, name FROM unit WHERE structure = 'pre2025' AND level = 3 ORDER BY id"
    ):
        villages = held.get(str(cid), [])
        if not villages:
            if not following.get(str(cid)):
                out.append((str(cid), str(name)))
        elif any(successor_of(v, str(cid), following, mapping) is None for v in villages):
            out.append((str(cid), str(name)))
    return out


def unmapped_line(store: Store) -> str:
    """One line naming the communes still to map (empty when there are none)."""
    found = unmapped_communes(store)
    if not found:
        return ""
    names = ", ".join(f"{name} ({cid})" for cid, name in found)
    return _(
        "{n} pre-2025 communes are not yet mapped to a 2025 commune, so their villages are"
        " counted nowhere: {names}. Map them: coverage-desk reform plan, then reform apply."
    ).format(n=len(found), names=names)

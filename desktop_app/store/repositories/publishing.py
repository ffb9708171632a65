"""The province publishes newer reference data (catalogue, units) as changes.

Every office starts from the reference data shipped with the app; when the
province adopts a newer catalogue (a new indicator, a corrected rule) or a
newer unit list, it publishes it here: each row that differs becomes a change
signed by the province, travels down in bundles like any other, and only a
province's certificate may write it (``sync/scope.py``). Nothing is ever
removed: data already typed against an indicator or a unit must stay readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from desktop_app.domain.expressions import Name, Node, parse, parse_formula, walk
from desktop_app.domain.rules import rule_parts
from desktop_app.domain.units import UnitDirectory
from desktop_app.i18n import _
from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import OutOfScopeError, StoreError
from desktop_app.store.reference_rows import REFERENCE_TABLES, read_reference, write_reference
from desktop_app.store.repositories.base import Repository
from desktop_app.store.repositories.reference import (
    _read_csv,
    archive_catalogue,
    province_units,
    version_key,
)

__all__ = ["PublishError", "PublishingRepository", "version_key"]


class PublishError(StoreError):
    """The new reference data is not valid, not newer, or would remove something."""

    def template(self) -> str:
        return _("The reference data was not published: {reason}")


def _catalogue_rows(folder: Path) -> dict[str, list[dict[str, Any]]]:
    files = {
        "indicator": "indicators.csv",
        "dimension_member": "dimensions.csv",
        "derived_indicator": "derived.csv",
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for entity, name in files.items():
        table = REFERENCE_TABLES[entity]
        rows = []
        for position, row in enumerate(_read_csv(folder / name)):
            state: dict[str, Any] = {c: row.get(c, "") for c in table.columns}
            state["position"] = position
            if entity == "dimension_member":
                state["dimension"] = row["dimension"]
            rows.append(state)
        out[entity] = rows
    return out


def _names(node: Node) -> set[str]:
    return {n.ident for n in walk(node) if isinstance(n, Name)}


def _users_of(catalogue: Catalogue, code: str) -> list[str]:
    """The in-force rules and derived figures whose expression names ``code``.

    Parsed, not grepped, so a code inside another one (``so_ho`` in ``so_ho_ngheo``)
    does not count; an expression that does not parse is left to compile_rules."""
    users: list[str] = []
    for ind in catalogue.indicators.values():
        for _severity, text, _source in rule_parts(ind.rules):
            try:
                if code in _names(parse(text, ind.code)):
                    users.append(_("the rule of {code}").format(code=ind.code))
                    break
            except CatalogueError:
                continue
    for der in catalogue.derived.values():
        try:
            formula = parse_formula(der.formula)
        except CatalogueError:
            continue
        nodes = [formula.expr, *(node for _name, node in formula.definitions)]
        if any(code in _names(node) for node in nodes):
            users.append(_("the derived figure {code}").format(code=der.code))
    return users


def _refuse_retiring_used(catalogue: Catalogue) -> None:
    """Refuse a catalogue retiring an indicator a rule or derived figure still uses.

    Left to compile_rules, the refusal was the parser's English ("unknown name
    'song_di_dong'") even in Vietnamese; this says which indicator and who uses it."""
    for code in catalogue.retired:
        users = _users_of(catalogue, code)
        if users:
            raise PublishError(
                reason=_(
                    "The indicator {code} cannot be retired: {users} still use it."
                    " Change or retire those first."
                ).format(code=code, users=", ".join(users))
            )


class PublishingRepository(Repository):
    """Publishes catalogue and unit versions from the province's office."""

    def _province_actor(self, actor: Actor | None) -> tuple[Actor, str]:
        actor = actor or self.store.local_actor()
        name, level, _parent = self.unit_row(actor.office_id)
        if level != 1:
            raise OutOfScopeError(unit=name)
        return actor, actor.office_id

    def _check_newer(self, meta_key: str, version: str) -> None:
        current = self.store.reference.meta(meta_key) or ""
        if version_key(version) <= version_key(current):
            raise PublishError(
                reason=_("version {new} is not newer than {current}").format(
                    new=version, current=current
                )
            )

    def _publish(
        self,
        actor: Actor,
        province_id: str,
        rows: Iterable[tuple[str, dict[str, Any]]],
        meta: tuple[str, str],
    ) -> int:
        written = 0
        with self.store.write(actor) as ctx:
            for entity, state in [*rows, ("meta", {"key": meta[0], "value": meta[1]})]:
                table = REFERENCE_TABLES[entity]
                key = table.key_of(state)
                old = read_reference(self.db, entity, key)
                if old == state:
                    continue
                ref = ctx.log(Entry(entity, key, province_id, None, state, old, None, "publish"))
                write_reference(self.db, entity, state, ref.version)
                written += 1
            if meta[0] == "catalogue_version":  # the new version joins the archive
                archive_catalogue(self.db, "publish", ctx.at)
        self.store.reload_catalogue()
        return written

    def publish_catalogue(self, folder: Path, *, actor: Actor | None = None) -> int:
        """Publish the catalogue in ``folder`` (CSV files + VERSION); the rows that changed."""
        from desktop_app.domain.derived import compile_derived
        from desktop_app.domain.rules import compile_rules

        actor, province_id = self._province_actor(actor)
        try:
            catalogue = load_catalogue(Path(folder))
            _refuse_retiring_used(catalogue)
            compile_rules(catalogue)
            compile_derived(catalogue)
        except (CatalogueError, OSError, KeyError) as exc:
            raise PublishError(reason=str(exc)) from exc
        self._check_newer("catalogue_version", catalogue.version)
        rows = _catalogue_rows(Path(folder))
        for entity in ("indicator", "derived_indicator"):
            new_codes = {r["code"] for r in rows[entity]}
            table = REFERENCE_TABLES[entity].table
            for (code,) in self.db.execute_sql(f"SELECT code FROM {table}"):
                if code not in new_codes:
                    raise PublishError(
                        reason=_("{code} would be removed; a catalogue only grows").format(
                            code=code
                        )
                    )
        ordered = [(e, s) for e in ("dimension_member", "indicator", "derived_indicator")
                   for s in rows[e]]  # fmt: skip
        return self._publish(actor, province_id, ordered, ("catalogue_version", catalogue.version))

    def publish_units(self, directory: UnitDirectory, *, actor: Actor | None = None) -> int:
        """Publish a newer unit list for the province (names, kinds, new units)."""
        actor, province_id = self._province_actor(actor)
        self._check_newer("units_version", directory.version)
        if province_id not in directory:
            raise PublishError(reason=province_id)
        states = []
        for unit in province_units(directory, province_id):
            old = read_reference(self.db, "unit", {"id": unit.id}) or {}
            states.append(
                (
                    "unit",
                    {
                        "id": unit.id,
                        "structure": unit.structure,
                        "code": unit.code,
                        "name": unit.name,
                        "kind": unit.kind,
                        "level": unit.level,
                        "parent_id": unit.parent_id,
                        "valid_from": old.get("valid_from"),
                        "valid_to": old.get("valid_to"),
                        "border": old.get("border", 0),
                        "remote": old.get("remote", 0),
                    },
                )
            )
        # parents before children, so a new commune's district is already there
        states.sort(key=lambda pair: int(pair[1]["level"]))
        return self._publish(actor, province_id, states, ("units_version", directory.version))

    def publish_village_mapping(
        self, mapping: dict[str, str], version: str, *, actor: Actor | None = None
    ) -> int:
        """Publish the province's village → 2025 commune mapping (``store.lineage``)."""
        actor, province_id = self._province_actor(actor)
        self._check_newer("village_mapping_version", version)
        villages = {str(v) for (v,) in self.db.execute_sql("SELECT id FROM village")}
        communes = {
            str(u)
            for (u,) in self.db.execute_sql(
                "SELECT id FROM unit WHERE structure = '2025' AND level = 3"
            )
        }
        for village_id, commune_id in sorted(mapping.items()):
            if village_id not in villages:
                raise PublishError(reason=_("unknown village {id}").format(id=village_id))
            if commune_id not in communes:
                raise PublishError(
                    reason=_("{id} is not a 2025 commune of the province").format(id=commune_id)
                )
        rows = [
            ("village_mapping", {"village_id": v, "commune_id": c})
            for v, c in sorted(mapping.items())
        ]
        return self._publish(actor, province_id, rows, ("village_mapping_version", version))

"""Reference data the province owns: units, the indicator catalogue, office settings.

A new office database starts from the reference data shipped in ``resources/``
(every office gets the same), so installing it writes rows and one audit entry
but no change entries; later reference changes from the province arrive as
changes like any other.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import SqliteDatabase

from desktop_app.domain.catalogue import Catalogue
from desktop_app.domain.units import Unit, UnitDirectory, parse_unit_id
from desktop_app.store.changes import audit_only
from desktop_app.store.errors import DatabaseExistsError, UnknownUnitError
from desktop_app.store.repositories.base import Repository

if TYPE_CHECKING:
    from desktop_app.store.store import Store

_INDICATOR_COLUMNS = (
    "code",
    "section",
    "level",
    "type",
    "disaggregation",
    "frequency",
    "unit_vi",
    "unit_en",
    "name_vi",
    "name_en",
    "rules",
    "note",
    "retired",
)
_DIMENSION_COLUMNS = ("dimension", "code", "name_vi", "name_en", "aggregation")
_DERIVED_COLUMNS = ("code", "level", "unit", "name_vi", "name_en", "formula", "note")


# The live catalogue tables, read as CSV-named rows: (table, SQL columns, row names).
_INDICATOR_SQL = ", ".join(
    "COALESCE(retired, '')" if c == "retired" else c for c in _INDICATOR_COLUMNS
)
_DIMENSION_SQL = "dimension, code, name_vi, name_en, COALESCE(aggregation, 'sum')"
_PARTS = (
    ("indicators", f"SELECT {_INDICATOR_SQL} FROM indicator ORDER BY position",
     _INDICATOR_COLUMNS),
    ("dimensions", f"SELECT {_DIMENSION_SQL} FROM dimension_member ORDER BY position",
     _DIMENSION_COLUMNS),
    ("derived", f"SELECT {', '.join(_DERIVED_COLUMNS)} FROM derived_indicator ORDER BY position",
     _DERIVED_COLUMNS),
)  # fmt: skip


def version_key(version: str) -> tuple[int, ...]:
    """``"2025.10"`` → ``(2025, 10)``: catalogue and unit versions compare by their numbers."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _catalogue_rows(db: SqliteDatabase) -> dict[str, list[dict[str, str]]]:
    return {
        part: [dict(zip(columns, map(str, r), strict=True)) for r in db.execute_sql(sql)]
        for part, sql, columns in _PARTS
    }


def _catalogue_version(db: SqliteDatabase) -> str | None:
    row = db.execute_sql("SELECT value FROM meta WHERE key = 'catalogue_version'").fetchone()
    return None if row is None else str(row[0])


def load_catalogue_from_db(db: SqliteDatabase) -> Catalogue:
    """Rebuild the catalogue in force from the database's reference tables."""
    rows = _catalogue_rows(db)
    version = _catalogue_version(db) or ""
    return Catalogue.from_rows(rows["indicators"], rows["dimensions"], rows["derived"], version)


# --- the archive of catalogue versions (m0010, local) ---


def archive_catalogue(db: SqliteDatabase, source: str, at: str) -> str | None:
    """Keep the catalogue in force under its version; the version archived, or None.

    Called whenever the catalogue in force may have changed (install, publishing,
    received reference data), inside the transaction that changed it. The first
    snapshot of a version is kept: a publication arriving in pages (rows first, its
    ``catalogue_version`` last) never overwrites the version the office held before.
    """
    version = _catalogue_version(db)
    if version is None:
        return None
    rows = _catalogue_rows(db)
    db.execute_sql(
        "INSERT OR IGNORE INTO catalogue_archive (version, indicators, dimensions, derived,"
        " archived_at, source) VALUES (?, ?, ?, ?, ?, ?)",
        (
            version,
            *(json.dumps(rows[part], ensure_ascii=False) for part, _sql, _c in _PARTS),
            at,
            source,
        ),
    )
    return version


def archived_versions(db: SqliteDatabase) -> list[str]:
    """Every catalogue version this database has held, oldest first."""
    found = [str(v) for (v,) in db.execute_sql("SELECT version FROM catalogue_archive")]
    return sorted(found, key=version_key)


def load_archived_catalogue(db: SqliteDatabase, version: str) -> Catalogue | None:
    """The catalogue of ``version`` as this database held it, or None if it never did."""
    row = db.execute_sql(
        "SELECT indicators, dimensions, derived FROM catalogue_archive WHERE version = ?",
        (version,),
    ).fetchone()
    if row is None:
        return None
    parts = []
    for text, (_part, _sql, columns) in zip(row, _PARTS, strict=True):
        items = json.loads(text)
        # the migration's snapshot (SQL json_object) carries positions, ours the order
        if items and "position" in items[0]:
            items.sort(key=lambda r: int(r["position"]))
        parts.append([{c: "" if r.get(c) is None else str(r[c]) for c in columns} for r in items])
    for r in parts[1]:
        r["aggregation"] = r["aggregation"] or "sum"
    return Catalogue.from_rows(parts[0], parts[1], parts[2], version)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def province_units(directory: UnitDirectory, office_id: str) -> list[Unit]:
    """The office's province in both structures (the one it is in, and its 2025 or
    pre-2025 counterpart found through the commune lineage)."""
    province = directory.province_of(office_id)
    units = list(directory.units_of_province(province.id))
    other: set[str] = set()
    for unit in units:
        if unit.level == 3:
            related = (
                directory.successors_of(unit.id)
                if unit.structure == "pre2025"
                else directory.sources_of(unit.id)
            )
            other.update(directory.province_of(u.id).id for u in related)
    for province_id in sorted(other):
        units.extend(directory.units_of_province(province_id))
    return units


class ReferenceRepository(Repository):
    """Installs and reads reference data and office settings."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)

    def install_office(
        self,
        directory: UnitDirectory,
        catalogue_dir: Path,
        office_id: str,
        *,
        node_id: str | None = None,
        epoch: int | None = None,
    ) -> None:
        """Fill a new database: units of the office's province, catalogue, installation row."""
        from desktop_app.store.backup import new_epoch

        parse_unit_id(office_id)
        if office_id not in directory:
            raise UnknownUnitError(unit=office_id)
        if self.db.execute_sql("SELECT count(*) FROM node").fetchone()[0]:
            raise DatabaseExistsError(path=str(self.store.path))
        units = province_units(directory, office_id)
        unit_ids = {u.id for u in units}
        at = self.store.now_iso()
        with self.store.transaction():
            cur = self.db.cursor()
            cur.executemany(
                "INSERT INTO unit (id, structure, code, name, kind, level, parent_id, valid_from,"
                " valid_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        u.id,
                        u.structure,
                        u.code,
                        u.name,
                        u.kind,
                        u.level,
                        u.parent_id,
                        "2025-07-01" if u.structure == "2025" else None,
                        "2025-06-30" if u.structure == "pre2025" else None,
                    )
                    for u in units
                ],
            )
            cur.executemany(
                "INSERT INTO unit_source (unit_id, source_id) VALUES (?, ?)",
                [
                    (u.id, s.id)
                    for u in units
                    if u.structure == "2025" and u.level == 3
                    for s in directory.sources_of(u.id)
                    if s.id in unit_ids
                ],
            )
            self._install_catalogue(catalogue_dir)
            self._set_meta(
                {
                    "units_version": directory.version,
                    "office_id": office_id,
                    "province_id": directory.province_of(office_id).id,
                }
            )
            archive_catalogue(self.db, "install", at)
            chosen_epoch = epoch if epoch is not None else new_epoch(set())
            self.db.execute_sql(
                "INSERT INTO node (id, node_id, epoch, office_id, created_at)"
                " VALUES (1, ?, ?, ?, ?)",
                (node_id or self.store.new_id(), chosen_epoch, office_id, at),
            )
            self.db.execute_sql(
                "INSERT INTO epoch_history (epoch, started_at, reason) VALUES (?, ?, 'created')",
                (chosen_epoch, at),
            )
            audit_only(
                self.db,
                self.store.user,
                "install_reference",
                "reference",
                {"office_id": office_id},
                at,
                {"units": len(units), "units_version": directory.version},
            )
        self.store.reload_catalogue()

    def _install_catalogue(self, folder: Path) -> None:
        from desktop_app.domain.catalogue import load_catalogue

        catalogue = load_catalogue(folder)  # validates before anything is written
        cur = self.db.cursor()
        cur.executemany(
            f"INSERT INTO indicator (position, {', '.join(_INDICATOR_COLUMNS)})"
            f" VALUES (?, {', '.join('?' for _ in _INDICATOR_COLUMNS)})",
            [
                (i, *(row.get(c) or "" for c in _INDICATOR_COLUMNS))
                for i, row in enumerate(_read_csv(folder / "indicators.csv"))
            ],
        )
        cur.executemany(
            "INSERT INTO dimension_member (position, dimension, code, name_vi, name_en,"
            " aggregation) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    r["dimension"],
                    r["code"],
                    r["name_vi"],
                    r["name_en"],
                    r.get("aggregation") or "sum",
                )
                for i, r in enumerate(_read_csv(folder / "dimensions.csv"))
            ],
        )
        cur.executemany(
            f"INSERT INTO derived_indicator (position, {', '.join(_DERIVED_COLUMNS)})"
            f" VALUES (?, {', '.join('?' for _ in _DERIVED_COLUMNS)})",
            [
                (i, *(row[c] for c in _DERIVED_COLUMNS))
                for i, row in enumerate(_read_csv(folder / "derived.csv"))
            ],
        )
        self._set_meta({"catalogue_version": catalogue.version})

    def _set_meta(self, values: dict[str, str]) -> None:
        self.db.cursor().executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
        )

    def meta(self, key: str) -> str | None:
        """A value of the meta table (units_version, catalogue_version, office_id, ...)."""
        row = self.db.execute_sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # --- units ---

    def unit(self, unit_id: str) -> Unit:
        """One unit of this database."""
        r = self.db.execute_sql(
            "SELECT id, structure, code, name, kind, level, parent_id FROM unit WHERE id = ?",
            (unit_id,),
        ).fetchone()
        if r is None:
            raise UnknownUnitError(unit=unit_id)
        return Unit(*r)

    def children(self, unit_id: str) -> list[Unit]:
        """Direct children of a unit, in code order."""
        rows = self.db.execute_sql(
            "SELECT id, structure, code, name, kind, level, parent_id FROM unit"
            " WHERE parent_id = ? ORDER BY code",
            (unit_id,),
        ).fetchall()
        return [Unit(*r) for r in rows]

    def communes_under(self, unit_id: str) -> list[Unit]:
        """The communes of a unit (itself if it is one), in code order."""
        unit = self.unit(unit_id)
        if unit.level == 3:
            return [unit]
        out: list[Unit] = []
        for child in self.children(unit_id):
            out.extend(self.communes_under(child.id))
        return out

    def count_units(self) -> int:
        """How many units the database holds (both structures)."""
        return int(self.db.execute_sql("SELECT count(*) FROM unit").fetchone()[0])

    # --- office settings (local; used by reports) ---

    def settings(self) -> dict[str, str]:
        """All office settings."""
        return {str(k): str(v) for k, v in self.db.execute_sql("SELECT key, value FROM setting")}

    def set_settings(self, values: dict[str, str]) -> None:
        """Save office settings (agency names, report number, signer, recipients)."""
        with self.store.transaction():
            self.db.cursor().executemany(
                "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                list(values.items()),
            )
            audit_only(
                self.db,
                self.store.user,
                "settings",
                "setting",
                {},
                self.store.now_iso(),
                dict(values),
            )

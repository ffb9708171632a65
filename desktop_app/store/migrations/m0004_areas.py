"""Schema version 4: the province's area classifications and its coverage-hole programme.

Plain SQL, never derived from the models. All four tables are province-owned
reference data (``store/reference_rows.py``): the province writes them and they travel
down with bundles and syncs like the catalogue; nothing is deleted, a row is marked
``removed`` instead, so a removal travels too.

* ``area_decision``: a decision that classifies places (e.g. "861/QĐ-TTg"), its
  title, date signed and the years it is in force (``valid_to`` NULL: still in force).
* ``area_member``: one place of a decision with its kind of area (``border``,
  ``region3``, ``difficult_village``, ``highland``, ``ethnic``); ``place_id`` is a
  commune's unit id, or a village id for ``difficult_village``.
* ``coverage_hole``: a village lacking mobile signal, 4G or broadband since a period,
  its planned fix (a site of the register, operator, target year, funding source) and
  its status (``open``, ``planned``, ``closed`` in ``closed_period``, ``dropped``).
* ``unit_boundary``: a commune's boundary from the GeoJSON the province imported
  (the feature's geometry as JSON), drawn on the map page.
"""

VERSION = 4
DESCRIPTION = "areas: classifications, the coverage-hole programme, commune boundaries"

STATEMENTS = [
    """CREATE TABLE area_decision (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        signed TEXT NOT NULL DEFAULT '',
        valid_from INTEGER NOT NULL,
        valid_to INTEGER,
        removed INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE area_member (
        decision_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        place_id TEXT NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (decision_id, kind, place_id))""",
    "CREATE INDEX area_member_place ON area_member(place_id)",
    """CREATE TABLE coverage_hole (
        id TEXT PRIMARY KEY,
        commune_id TEXT NOT NULL,
        village_id TEXT NOT NULL,
        lack TEXT NOT NULL,
        since TEXT NOT NULL,
        site_id TEXT,
        operator TEXT NOT NULL DEFAULT '',
        target_year INTEGER,
        funding TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        closed_period TEXT,
        notes TEXT NOT NULL DEFAULT '',
        removed INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX coverage_hole_commune ON coverage_hole(commune_id)",
    """CREATE TABLE unit_boundary (
        unit_id TEXT PRIMARY KEY,
        geometry TEXT NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0)""",
]

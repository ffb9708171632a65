"""Schema version 7: the 2025 reform (history under the new communes).

* ``village_mapping``: the province's published village → 2025 commune mapping, for
  pre-2025 communes split between new communes or dissolved without a successor in the
  shipped lineage (a village not listed follows its commune's only successor). Reference
  data: only the province writes it, it travels down like the unit list.
* ``village_origin``: the pre-2025 commune of a village moved into its 2025 commune by
  ``reform apply``, so old periods stay reported under the old unit.
* The lineage fixes of the late-2024 mergers found in public sources (see
  ``build/make_resources.py``) for databases created before them.
"""

VERSION = 7
DESCRIPTION = "reform: village mapping, village origin, lineage fixes"

STATEMENTS = [
    """CREATE TABLE village_mapping (
        village_id TEXT PRIMARY KEY,
        commune_id TEXT NOT NULL)""",
    """CREATE TABLE village_origin (
        village_id TEXT PRIMARY KEY,
        commune_id TEXT NOT NULL)""",
    *(
        f"""INSERT OR IGNORE INTO unit_source (unit_id, source_id)
        SELECT '{new}', '{old}' WHERE EXISTS (SELECT 1 FROM unit WHERE id = '{new}')
        AND EXISTS (SELECT 1 FROM unit WHERE id = '{old}')"""
        for new, old in (("2025:03721", "pre2025:03751"), ("2025:03910", "pre2025:03898"))
    ),
]

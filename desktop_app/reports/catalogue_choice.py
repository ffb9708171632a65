"""Which catalogue a report is drawn with: a locked period keeps the one it was locked under.

The province may publish a new catalogue at any time (labels, units, sections, order,
indicators added or retired, how a dimension adds up). A period an office locked
(approved) must still print exactly as it did (issue #12), so a report of a locked
period reads the catalogue archived under the version its approval recorded
(``submission.catalogue_version``, ``store.repositories.reference.load_archived_catalogue``);
an open period uses the catalogue in force.

The rule, for the communes a report counts (those whose state it counts, see
``reports.OFFICIAL_STATES``; every commune with ``--include-drafts``):

- nothing counted, or any counted commune open (not approved or accepted): the
  catalogue in force (the report shows data that can still change);
- every counted commune locked: the NEWEST of their lock versions. A catalogue only
  grows (``publishing``: no code is ever removed), so the newest one knows every
  indicator, dimension member and formula any of those communes was locked with;
  the older one would drop what a later-locked commune reported. When the communes
  were locked under different versions (a mixed district), page 1 says so and names
  the communes locked under an older one: their figures are read with the newer
  version's labels and aggregation kinds. The report stays the same as long as the
  set of locked communes does (reopening a commune changes it, as it changes the data);
- a lock that recorded no version (made before schema 10) counts as the oldest
  version archived, which for a migrated database is the catalogue it had then;
- a lock's version this office never held (its publication has not arrived yet): the
  catalogue in force, and page 1 says which version is awaited.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from desktop_app.domain.catalogue import Catalogue
from desktop_app.domain.periods import Period
from desktop_app.reports.fonts import nfc
from desktop_app.reports.texts import Lang, label
from desktop_app.store.repositories.base import LOCKED_STATES
from desktop_app.store.repositories.reference import archived_versions, version_key
from desktop_app.store.store import Store

__all__ = ["ReportCatalogue", "report_catalogue"]


@dataclass(frozen=True)
class ReportCatalogue:
    """The catalogue a report uses, and what page 1 must say about it."""

    catalogue: Catalogue
    #: True when every counted commune is locked (the archived catalogue is used)
    locked: bool
    #: communes locked under an older version than the one used (a mixed report)
    older: tuple[str, ...] = ()
    #: a lock's version this office does not hold yet ("" when none)
    missing: str = ""

    def notices(self, lang: Lang) -> tuple[str, ...]:
        """The page-1 notices this choice needs (none for an ordinary report)."""
        out = []
        if self.older:
            out.append(
                label(
                    "catalogue_mixed",
                    lang,
                    version=self.catalogue.version,
                    n=len(self.older),
                    names=_names(self.older, lang),
                )
            )
        if self.missing:
            out.append(
                label(
                    "catalogue_missing",
                    lang,
                    version=self.missing,
                    current=self.catalogue.version,
                )
            )
        return tuple(nfc(t) for t in out)


def _names(names: tuple[str, ...], lang: Lang, limit: int = 12) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return label("more_names", lang, names=", ".join(names[:limit]), n=len(names) - limit)


def report_catalogue(
    store: Store, unit_id: str, period: Period, counted_states: Collection[str] | None
) -> ReportCatalogue:
    """The catalogue a report of ``unit_id`` for ``period`` is drawn with (module rule);
    ``counted_states``: the submission states the report counts (None: all)."""
    from desktop_app.store.aggregation import collected, data_periods

    in_force = store.catalogue_in_force
    communes = collected(store, unit_id, period).communes
    subs = store.submissions.for_period(data_periods(period)[0].code)
    counted = [
        (c, subs.get(c.id))
        for c in communes
        if counted_states is None or (c.id in subs and subs[c.id].state in counted_states)
    ]
    if not counted or any(s is None or s.state not in LOCKED_STATES for _c, s in counted):
        return ReportCatalogue(in_force, locked=False)
    held = archived_versions(store.db)
    default = held[0] if held else in_force.version
    versions = [(c, s.catalogue_version if s and s.catalogue_version else default)
                for c, s in counted]  # fmt: skip
    newest = max((v for _c, v in versions), key=version_key)
    older = tuple(c.name for c, v in versions if v != newest)
    archived = store.archived_catalogue(newest)
    if archived is None:
        return ReportCatalogue(in_force, locked=False, missing=newest)
    return ReportCatalogue(archived, locked=True, older=older)

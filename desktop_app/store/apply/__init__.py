"""The store-layer writer of received changes (sync import): the public names.

It is a repository-level writer like the others: for every received change it
writes the data row, the change-log row with the change's ORIGINAL
``(origin, epoch, seq)``, an audit row and the cursor advance, all inside the
caller's ONE transaction (:meth:`Store.transaction` joins an open one).

Rules (DESIGN §4), per change, in seq order per (origin, epoch):

* at or below the cursor → skipped (importing twice does nothing);
* after a gap → ``sync_backlog`` and a ``gap`` event; applied as soon as the
  gap fills (later in the same import, or in a later one); a value or site
  naming a village not here yet waits the same way, its stream behind it;
* refused by ``authorise`` (scope of its signer's certificate) →
  ``sync_quarantine`` (reported back), cursor moves on; a value typed against
  an indicator not known here yet waits like one naming a missing village;
* reference data the province published (catalogue rows, units, their
  versions: ``store/reference_rows.py``) → written as it comes;
* otherwise, on the row's natural key: no row, or the change descends from
  the current version (same base, or a later change of the same writer) on a
  row that never conflicted → applied (the fast path of bulk imports);
* else the row is recomputed from EVERY version of it known here (change log,
  decisions, this import), so the result does not depend on arrival order:
  heads are the versions nothing else descends from; the highest-ranked head
  wins (office authority, then HLC, then node id); another head's changes
  relative to its latest common ancestor with the winner are merged when they
  touch other fields (logged ``merged``); the same field to different values,
  or delete against edit, is a hard conflict (both kept in ``conflict``,
  provisional winner as ranked, review queue of the office above);
* any value of an approved (commune, period) → hard conflict, the approved
  value stays;
* a reviewer's choice (:func:`decide_conflict`) is a new change of entity
  ``decision`` that descends from both versions it decided between.

Modules of this package (each re-exported here, so ``desktop_app.store.apply`` stays the one
import for callers):

``types``            :class:`Change`, :class:`Signer`, :class:`Batch`,
                     :class:`ApplyReport`, the change-log SQL.
``rows``             reading and writing the data row a change names.
``store.merge``      the merge/conflict rules as a pure function of known versions.
``rules``            :class:`RowMerger`: those rules applied row by row to the database
                     (the versions a chunk's rows need read in a few queries).
``conflicts``        :class:`ConflictBook`: an import's conflict rows, in memory until
                     the flush.
``applier``          :class:`ChangeApplier`: streams, cursors, backlog, quarantine, flush.
``decisions``        :func:`decide_conflict`.
``takeback``         :func:`take_back`: a revoked author's changes applied here past the
                     province's position leave the log for the quarantine, their rows
                     rebuilt from what remains (``desktop_app.sync.takeback`` calls it).
``clock``            :func:`report_hlc`.
"""

from __future__ import annotations

from desktop_app.store.apply.applier import ChangeApplier
from desktop_app.store.apply.clock import report_hlc
from desktop_app.store.apply.decisions import decide_conflict
from desktop_app.store.apply.rules import RowMerger
from desktop_app.store.apply.takeback import Retraction, TakeBackReport, take_back
from desktop_app.store.apply.types import (
    LOCKED,
    ApplyReport,
    Authorise,
    Batch,
    Change,
    Signer,
)
from desktop_app.store.changes import CHANGE_COLUMNS, INSERT_CHANGE_SQL

__all__ = [
    "CHANGE_COLUMNS",
    "INSERT_CHANGE_SQL",
    "LOCKED",
    "ApplyReport",
    "Authorise",
    "Batch",
    "Change",
    "ChangeApplier",
    "Retraction",
    "RowMerger",
    "Signer",
    "TakeBackReport",
    "decide_conflict",
    "report_hlc",
    "take_back",
]

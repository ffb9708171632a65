"""Export and import of bundles: what goes in, the checks in order, the one transaction.

Relay design (segments). Signing each change would cost 64 bytes a change,
three times the 20-byte budget, so the author signs SEGMENTS: a run of its own
consecutive changes ``(origin, epoch, seq_from..seq_to)``, the SHA-256 of the
segment's canonical body (:mod:`desktop_app.sync.codec`) and the schema,
signed with the author's key; the header carries the author's certificate.

* An office exports ONE fresh segment of its own changes per epoch, from the
  position its receiver last reported (so each bundle contains the ones before
  it and order stops mattering), plus every held segment the receiver is
  entitled to and lacks (:mod:`desktop_app.sync.sending`).
* A receiver verifies each segment on its own (certificate against the
  province key and revocations, signature, body hash) and checks every change
  against THAT certificate's scope and the row's real owner, not the sender's:
  a district relays but cannot forge.
* Every office keeps the verified segments it is entitled to (``sync_segment``:
  header with signature and certificate, compressed body) and forwards them
  unchanged. The province's vector travels down inside every bundle.

The bundle itself is signed by its sender (manifest, and the payload through
its hash); the sender's applied vector in the manifest is its acknowledgement.

Modules: :mod:`desktop_app.sync.bundle_export` (``export_bundle``) and
:mod:`desktop_app.sync.bundle_import` (``verify_bundle``, ``import_bundle``);
the names are re-exported here.
"""

from __future__ import annotations

from desktop_app.sync.bundle_export import ExportResult, export_bundle
from desktop_app.sync.bundle_import import ImportResult, import_bundle, verify_bundle
from desktop_app.sync.summary import inspect_bundle
from desktop_app.sync.vectors import Vector, my_level, province_vector, vector_from_json

__all__ = [
    "ExportResult",
    "ImportResult",
    "Vector",
    "export_bundle",
    "import_bundle",
    "inspect_bundle",
    "my_level",
    "province_vector",
    "vector_from_json",
    "verify_bundle",
]

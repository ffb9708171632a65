"""Sync by signed bundles (DESIGN §4): identity, certificates, bundle file, relay, merge.

Modules
-------
``identity``      Ed25519 keys of an installation (kept in the ``node`` row).
``certificates``  province root key, certificates, revocations, enrolment by file.
``codec``         columnar encoding of a segment's changes (≤ 20 bytes a value).
``segments``      signed segments: the unit of provenance a relay forwards.
``bundle``        the one-file format: magic, version, manifest, signature, zstd.
``vectors``       applied vectors (acknowledgements), the province's vector.
``scope``         authorisation of each change against its author's certificate.
``exchange``      export and import, the checks in order, the one transaction
                  (``bundle_export`` and ``bundle_import``, re-exported there).
``summary``       ``bundle inspect``.
``status``        a period's sync state, warnings, the review queue.
``progress``      progress reports and cancellation of export and import.
``takeback``      a list installed here takes back what its positions refuse and this
                  office had applied before it came (``apply.takeback`` does it).
The store-side writer is :mod:`desktop_app.store.apply` (rows, change log with
the ORIGINAL ids, audit, cursors, backlog, quarantine, conflicts), split into
``apply.types`` (what travels), ``apply.rows`` (row reads and writes),
``merge`` (the pure merge/conflict rules), ``apply.rules`` (those rules row by
row), ``apply.applier`` (streams, cursors, backlog, one transaction),
``apply.decisions``, ``apply.takeback`` and ``apply.clock``; the ``apply`` package
re-exports the public names.

Design in brief
---------------
Trust. The province's installation key is the root: its own certificate is
self-signed, and it signs each office's certificate (serial, node, office,
level/role, the units it may write, public key, issued/expires). Every office
holds the province public key; a signed revocation list travels down in every
bundle. Each revocation carries the province's position at revoking (per epoch
the last seq of that installation it held): changes up to it stand, later ones
are quarantined, at every office and by whatever path or page they arrive
(``certificates.stands_to``; ARCHITECTURE.md, "Certificates and revocation"), and
those an office applied before the list reached it are taken back (``takeback``).

File. ``CVDKSYNC`` + format version + manifest length + canonical-JSON
manifest (bundle id, from, to, the sender's certificate, schema, minimum app
version, seq ranges per (origin, epoch), payload length/SHA-256/size, the
sender's applied vector = its acknowledgement) + Ed25519 signature of all of
that + zstd payload. Import checks, in order, each with its own message:
magic/version, certificate and signature, addressee, length and hash, capped
decompression, schema; then segments one by one; then ONE transaction.

Provenance. Changes travel in segments: one author's consecutive changes of
one epoch, with the SHA-256 of their canonical columnar body, signed by the
author (one 64-byte signature per author and bundle, not per change) and
carrying the author's certificate. A district keeps the segments it received
and forwards them byte for byte: up, its communes' segments the province has
not acknowledged; down, the province's. A receiver verifies each segment's
own author and checks each change against THAT author's scope, so a relay
cannot forge. A segment that does not verify is dropped without moving any
cursor; a genuine but out-of-scope change is quarantined, its cursor moves on,
and the refusal is reported back in the next bundle going the other way.

Resending. Each export re-sends the sender's changes from just above what the
province acknowledged (learnt from the province's vector, which every bundle
going down carries), so each bundle contains the ones before it: duplicates
are skipped by the per-(origin, epoch) cursors, a lost bundle is covered by
the next, and a gap waits in the backlog (with a warning) until it fills.

Conflicts (natural key of the row). Same base, or a later change of the same
writer: apply. Already seen, superseded or same value: nothing. Different
fields changed on both sides: merged (and logged). Same field to different
values, delete against edit, or a value of an approved (commune, period):
hard conflict, both states kept in ``conflict``; provisional winner by office
authority, then HLC, then node id (the approved value always stays for a
locked period); the office above decides with
:func:`desktop_app.store.apply.decide_conflict`, which writes a NEW change
(entity ``decision``) that travels like any other.

Order inside a bundle. Streams are applied per (origin, epoch) in seq order;
a value or site naming a village another stream creates (two computers of
one commune relayed together) waits and is retried after the rest of the
bundle, then in the backlog, so the result does not depend on the order of
segments (``tests/sync/test_relay_order.py`` tries every order).

Progress and cancel. ``export_bundle`` and ``import_bundle`` take
``progress(fraction, message)`` and ``cancel`` (a flag with ``is_set()`` or a
callable), checked between segments and just before the import commits: a
stopped import leaves the database as it was, a stopped export leaves no file.

Clocks. Received HLC times merge into the local clock with
:func:`desktop_app.domain.hlc.receive`; an author more than 24 h ahead does
not drag it and is recorded as a ``clock_skew`` event.
"""

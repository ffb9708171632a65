"""``coverage-desk reform``: the 2025 reform at the province and at a commune office.

* ``reform plan --db P --out mapping.xlsx`` (province): the village mapping template, one
  row per village of a pre-2025 commune with the 2025 commune it goes to filled in where
  the lineage says (one successor) or the province already published, empty where the
  province must decide (a commune split between new communes, or dissolved before the
  shipped lineage was drawn).
* ``reform apply --db P --mapping mapping.xlsx [--certificates DIR]`` (province):
  publishes the mapping (the rows that differ from the lineage; they travel down in the
  next bundles) and writes, for every enrolled pre-2025 commune office, the certificate
  of its new 2025 office.
* ``reform move --db C --certificate F`` (commune office, after importing the province's
  bundle): moves the office's villages and sites into its 2025 commune and installs the
  new certificate; the history stays, reported under the old and the new unit.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.commands.common import CommandError, add_db_argument, db_path, out
from desktop_app.i18n import _

if TYPE_CHECKING:
    from desktop_app.store.store import Store

SHEET = "mapping"
COLUMNS = 7  # village id, village, old commune id, old commune, district, new id, new name


def _open(args: argparse.Namespace) -> Store:
    from desktop_app.store.store import Store

    return Store.open(db_path(args))


def cmd_plan(args: argparse.Namespace) -> int:
    """Write the province's village mapping template."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from desktop_app.reports.output import safe_output
    from desktop_app.store.reform import new_communes, plan_rows

    target = Path(args.out)
    if target.suffix.lower() != ".xlsx":
        raise CommandError(_("The mapping template is a workbook: name it *.xlsx"))
    with _open(args) as store:
        if store.reference.unit(store.node.office_id).level != 1:
            raise CommandError(_("Only the province office plans the reform."))
        rows = plan_rows(store)
        news = new_communes(store)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(
        [
            _("Village id"),
            _("Village"),
            _("Pre-2025 commune id"),
            _("Pre-2025 commune"),
            _("District"),
            _("2025 commune id"),
            _("2025 commune"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    todo = PatternFill("solid", fgColor="FFE699")
    for r in rows:
        ws.append([r.village_id, r.village, r.commune_id, r.commune, r.district, r.new_id or "",
                   r.new])  # fmt: skip
        if r.new_id is None:
            for cell in ws[ws.max_row]:
                cell.fill = todo
    for col, width in zip("ABCDEFG", (38, 24, 16, 26, 22, 16, 26), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C2"
    ref = wb.create_sheet("2025")
    ref.append([_("2025 commune id"), _("2025 commune")])
    for row in news:
        ref.append(list(row))
    ref.column_dimensions["A"].width, ref.column_dimensions["B"].width = 16, 30
    with safe_output(target) as tmp:
        wb.save(tmp)
    missing = sum(1 for r in rows if r.new_id is None)
    out(
        _("Mapping template written to {path}: {villages} villages, {missing} to decide").format(
            path=target, villages=len(rows), missing=missing
        )
    )
    return 0


def read_mapping(store: Store, path: Path) -> dict[str, str]:
    """The villages whose 2025 commune the workbook sets apart from the lineage default.

    Raises :class:`CommandError` with the first bad row (nothing is published)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as exc:
        raise CommandError(
            _("Cannot read the mapping {path}: {reason}").format(path=path, reason=exc)
        ) from None
    if SHEET not in wb.sheetnames:
        raise CommandError(
            _("The mapping {path} has no sheet {sheet}").format(path=path, sheet=SHEET)
        )
    from desktop_app.store.lineage import village_mapping
    from desktop_app.store.reform import new_communes, plan_rows

    rows = plan_rows(store)
    chosen = {r.village_id: r.new_id for r in rows}
    news = {i for i, _name in new_communes(store)}
    published = village_mapping(store)
    mapping: dict[str, str] = {}
    for number, row in enumerate(wb[SHEET].iter_rows(min_row=2, values_only=True), start=2):
        cells = [("" if c is None else str(c).strip()) for c in (*row, *[None] * COLUMNS)]
        vid, new = cells[0], cells[5]
        if not vid:
            continue
        if vid not in chosen:
            raise CommandError(
                _("Row {row}: {village} is not a village of a pre-2025 commune here").format(
                    row=number, village=vid
                )
            )
        if not new:
            raise CommandError(
                _("Row {row}: village {village} has no 2025 commune: fill in column F").format(
                    row=number, village=cells[1] or vid
                )
            )
        if re.fullmatch(r"\d{5}", new):
            new = f"2025:{new}"
        if new not in news:
            raise CommandError(
                _("Row {row}: {unit} is not a 2025 commune of the province").format(
                    row=number, unit=new
                )
            )
        if new != chosen[vid] or vid in published:
            mapping[vid] = new
    return mapping


def cmd_apply(args: argparse.Namespace) -> int:
    """Publish the mapping and write the new certificates of the moving offices."""
    from desktop_app.store.reform import enrolled_communes, plan_rows
    from desktop_app.sync.certificates import reissue_for, write_atomic

    with _open(args) as store:
        if store.reference.unit(store.node.office_id).level != 1:
            raise CommandError(_("Only the province office applies the reform."))
        mapping = read_mapping(store, Path(args.mapping))
        version = args.version or re.sub(r"\D", "", store.now_iso())[:14]
        store.publishing.publish_village_mapping(mapping, version)
        out(_("Village mapping {version} published: {rows} rows").format(
            version=version, rows=len(mapping)))  # fmt: skip
        if args.certificates is None:
            return 0
        folder = Path(args.certificates)
        folder.mkdir(parents=True, exist_ok=True)
        by_commune: dict[str, Counter[str]] = {}
        for r in plan_rows(store):
            if r.new_id is not None:
                by_commune.setdefault(r.commune_id, Counter())[r.new_id] += 1
        for cert in enrolled_communes(store):
            body: dict[str, Any] = cert["body"]  # type: ignore[assignment]
            office = str(body["office_id"])
            targets = by_commune.get(office)
            if not office.startswith("pre2025:") or int(body["level"]) != 3 or not targets:
                continue
            new = targets.most_common(1)[0][0]
            doc = reissue_for(store, cert, new)
            name = f"reform-{office.split(':')[1]}-{str(body['node_id'])[:8]}.json"
            write_atomic(folder / name, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
            out(
                _("{old} → {new}: certificate {path}").format(
                    old=office, new=new, path=folder / name
                )
            )
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    """Move this pre-2025 commune office into its 2025 commune with its new certificate."""
    from desktop_app.store.reform import move_office
    from desktop_app.sync.certificates import (
        accept_certificate_file,
        read_json_file,
        take_back_by_file,
        verify_certificate,
    )
    from desktop_app.sync.errors import CertificateNodeError, EnrolmentError
    from desktop_app.sync.identity import unb64
    from desktop_app.sync.takeback import taken_back_lines

    doc = read_json_file(Path(args.certificate))
    with _open(args) as store:
        try:
            province_key = unb64(str(doc["province_key"]))
            info = verify_certificate(dict(doc["certificate"]), province_key, now=store.clock())
        except (KeyError, TypeError, ValueError) as exc:
            raise EnrolmentError(detail=str(exc)) from exc
        if info.node_id != store.node.node_id:
            raise CertificateNodeError(node=info.node_id)
        # what the file's revocation list takes back goes before the move, which would
        # otherwise carry a revoked installation's villages into the new commune
        taken = take_back_by_file(store, doc, province_key)
        summary = move_office(store, info.office_id)
        taken += accept_certificate_file(store, doc).taken_back
    out(
        _(
            "Moved from {old} to {new}: {villages} villages, {sites} sites"
            " ({left} villages stay for another commune)"
        ).format(
            old=summary.old_office,
            new=summary.new_office,
            villages=summary.villages,
            sites=summary.sites,
            left=summary.left,
        )
    )
    for line in taken_back_lines(taken):  # said as enroll accept says it
        out(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the reform subcommands to the parser."""
    p = sub.add_parser("reform", help=_("the 2025 reform: map villages, move offices"))
    rsub = p.add_subparsers(dest="reform_command", metavar="ACTION", required=True)
    q = rsub.add_parser("plan", help=_("write the village mapping template (province)"))
    add_db_argument(q)
    q.add_argument("--out", type=Path, required=True, help=_("workbook to write (.xlsx)"))
    q.set_defaults(func=cmd_plan)
    q = rsub.add_parser("apply", help=_("publish the village mapping (province)"))
    add_db_argument(q)
    q.add_argument("--mapping", type=Path, required=True, help=_("the filled-in workbook"))
    q.add_argument("--version", default=None, help=_("version of the mapping (default: now)"))
    q.add_argument(
        "--certificates", type=Path, default=None,
        help=_("folder for the new certificates of the moving offices"),
    )  # fmt: skip
    q.set_defaults(func=cmd_apply)
    q = rsub.add_parser("move", help=_("move this commune office into its 2025 commune"))
    add_db_argument(q)
    q.add_argument("--certificate", type=Path, required=True, help=_("the new certificate file"))
    q.set_defaults(func=cmd_move)

"""Add the messages used in ``desktop_app/`` to the Vietnamese catalogue.

Usage::

    .venv/bin/python build/update_po.py            # update the .po in place
    .venv/bin/python build/update_po.py --check    # exit 1 if the .po is out of date

Scans the package with ``desktop_app.i18n.extract`` (``_("...")``, ``N_("...")``,
``ngettext("...", "...", n)``), adds missing message ids with an empty translation,
refreshes the ``#: file:line`` references, keeps every existing translation (also of
messages no longer, or not yet, in the source), and writes the entries sorted.
Translators then fill in the empty ``msgstr`` lines; tests/test_i18n.py fails until
every message used in the source is translated.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from desktop_app.i18n import DOMAIN  # noqa: E402
from desktop_app.i18n.catalog import Catalog, Entry, PoError, format_po, parse_po  # noqa: E402
from desktop_app.i18n.extract import Extraction, extract_messages  # noqa: E402

DEFAULT_PO = ROOT / "resources" / "locale" / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"

NEW_HEADER = (
    "Project-Id-Version: Coverage Desk\n"
    "Language: vi\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=1; plural=0;\n"
)

_BRACE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
_PERCENT = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_FORMAT_FLAGS = ("python-brace-format", "python-format")


def _format_flags(entry: Entry) -> list[str]:
    texts = [entry.msgid, entry.msgid_plural or ""]
    flags = [f for f in entry.flags if f not in _FORMAT_FLAGS]
    if any(_BRACE.search(t) for t in texts):
        flags.append("python-brace-format")
    if any(_PERCENT.search(t) for t in texts):
        flags.append("python-format")
    return flags


def _line_key(reference: str) -> tuple[str, int]:
    path, _colon, line = reference.rpartition(":")
    return (path, int(line)) if line.isdigit() else (reference, 0)


def merge(catalog: Catalog, extraction: Extraction) -> tuple[Catalog, list[str]]:
    """The catalogue with the extracted messages merged in, and the msgids added."""
    entries: dict[tuple[str, str], Entry] = {e.key: e for e in catalog.messages()}
    header = catalog.header or Entry(msgid="", msgstr=NEW_HEADER)
    added: list[str] = []
    for existing in entries.values():
        existing.references = []
    for message in extraction.messages.values():
        found = entries.get(("", message.msgid))
        if found is None:
            entry = Entry(msgid=message.msgid, msgid_plural=message.msgid_plural)
            if message.msgid_plural is not None:
                entry.msgstr_plural = {0: ""}
            entries[entry.key] = entry
            added.append(message.msgid)
        else:
            entry = found
        if entry.msgid_plural != message.msgid_plural:
            # The plural changed (or appeared): the old translation is only a hint.
            old = entry.translations()
            entry.msgid_plural = message.msgid_plural
            if message.msgid_plural is None:
                entry.msgstr, entry.msgstr_plural = old[0] if old else "", {}
            else:
                entry.msgstr, entry.msgstr_plural = "", {0: old[0] if old else ""}
            if "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
        entry.references = sorted(message.references, key=_line_key)
    for existing in entries.values():
        existing.flags = _format_flags(existing)
    ordered = sorted(entries.values(), key=lambda e: e.key)
    return Catalog(entries=[header, *ordered], obsolete=catalog.obsolete), added


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Add source messages to the .po catalogue.")
    parser.add_argument("--po", type=Path, default=DEFAULT_PO, help="catalogue to update")
    parser.add_argument("--source", type=Path, default=ROOT / "desktop_app", help="package")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if stale")
    args = parser.parse_args(argv)

    try:
        old_text = args.po.read_text(encoding="utf-8") if args.po.exists() else ""
        catalog = parse_po(old_text, origin=str(args.po))
    except (OSError, UnicodeDecodeError, PoError) as exc:
        print(f"update_po: {exc}", file=sys.stderr)
        return 1
    extraction = extract_messages(args.source, relative_to=ROOT)
    for problem in extraction.problems:
        print(f"{problem.reference}: {problem.text}", file=sys.stderr)
    merged, added = merge(catalog, extraction)
    new_text = format_po(merged)
    untranslated = [e.msgid for e in merged.messages() if not e.translated]

    if args.check:
        stale = new_text != old_text
        if stale:
            print(f"{args.po} is out of date; run build/update_po.py", file=sys.stderr)
        for msgid in added:
            print(f"missing: {msgid!r}", file=sys.stderr)
        return 1 if stale or extraction.problems else 0

    if new_text != old_text:
        args.po.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.po.with_name(args.po.name + ".tmp")
        tmp.write_text(new_text, encoding="utf-8", newline="\n")
        tmp.replace(args.po)
    print(
        f"{args.po}: {len(extraction.messages)} messages in the source, {len(added)} added, "
        f"{len(untranslated)} untranslated or fuzzy"
    )
    for msgid in untranslated:
        print(f"  untranslated: {msgid!r}")
    return 1 if extraction.problems else 0


if __name__ == "__main__":
    sys.exit(main())

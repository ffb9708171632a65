"""Add the messages used in ``desktop_app/`` to the Vietnamese catalogue (Babel).

Usage::

    .venv/bin/python build/update_po.py            # update the .po in place
    .venv/bin/python build/update_po.py --check    # exit 1 if the .po is out of date
    .venv/bin/python build/update_po.py --compile  # also write the .mo beside it

Babel extracts ``_("...")``, ``N_("...")`` and ``ngettext("...", "...", n)`` from the
package (``babel.messages.extract``), adds missing message ids with an empty
translation, refreshes the ``#: file:line`` references and the format flags, keeps
every existing translation (also of messages no longer, or not yet, in the source:
several people add messages at once), and writes the entries sorted
(``babel.messages.pofile.write_po``), lines unwrapped and one reference per ``#:``
line, under the file's own header, so that a new message changes only its own lines.
Translators then fill in the empty ``msgstr`` lines; tests/test_i18n.py fails until
every message used in the source is translated. ``--compile`` writes the ``.mo`` the
frozen build ships (``build/build.py`` runs it).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import PoFileError, read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "coverage_desk"
DEFAULT_PO = ROOT / "resources" / "locale" / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Wider than any line: Babel wraps nothing (0 would mean its default, 76).
NO_WRAP = 100_000

NEW_HEADER = (
    "# Vietnamese translation of Coverage Desk.\n"
    "# Message ids are English; build/update_po.py adds new ones from the source.\n"
    'msgid ""\n'
    'msgstr ""\n'
    '"Project-Id-Version: Coverage Desk\\n"\n'
    '"Language: vi\\n"\n'
    '"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n'
    '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
)

Extracted = dict[str, tuple[str | tuple[str, str], list[tuple[str, int]]]]


def extract(source: Path = ROOT / "desktop_app") -> Extracted:
    """msgid -> (id, references) of every message in the package's ``.py`` files."""
    found: Extracted = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(source), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        key = message if isinstance(message, str) else message[0]
        path = (source / filename).resolve().relative_to(ROOT).as_posix()
        if key not in found:
            found[key] = (message, [])
        found[key][1].append((path, lineno))
    return found


def header_of(text: str) -> str:
    """The comments and header entry at the top of a ``.po`` (up to the first blank line)."""
    head, _blank, _rest = text.partition("\n\n")
    return head + "\n" if head.lstrip().startswith(("#", "msgid")) and 'msgid ""' in head else ""


def read_catalog(text: str, origin: str) -> Catalog:
    """The catalogue of a ``.po`` text; ``ValueError`` when it is not well formed."""
    try:
        return read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as exc:
        raise ValueError(f"{origin}:{exc.lineno + 1}: {exc}") from exc


def merge(catalog: Catalog, extracted: Extracted) -> list[str]:
    """Merge the extracted messages into ``catalog``; returns the msgids added."""
    added: list[str] = []
    for message in catalog:
        if message.id:
            message.locations = []
    for key, (msgid, references) in extracted.items():
        entry = catalog.get(key)
        if entry is None:
            string: str | tuple[str, ...] = "" if isinstance(msgid, str) else ("",)
            catalog.add(msgid, string)
            entry = catalog.get(key)
            added.append(key)
        elif entry.id != msgid:
            # The plural changed (or appeared): the old translation is only a hint.
            old = entry.string if isinstance(entry.string, str) else entry.string[0]
            entry.id = msgid
            entry.string = old if isinstance(msgid, str) else (old,)
            entry.flags.add("fuzzy")
        assert entry is not None
        entry.locations = sorted(references)
    for message in catalog:
        if message.id:  # python-format / python-brace-format, recomputed from the id
            message.flags = {f for f in message.flags if not f.startswith("python-")}
            message.flags |= Message(message.id).flags
    return added


def format_catalog(catalog: Catalog, header: str) -> str:
    """The ``.po`` text: ``header`` verbatim, then the entries as Babel writes them,
    sorted, unwrapped, one ``#:`` reference per line."""
    out = io.BytesIO()
    write_po(out, catalog, width=NO_WRAP, sort_output=True, omit_header=True)
    lines = []
    for line in out.getvalue().decode("utf-8").splitlines():
        if line.startswith("#: "):
            lines += [f"#: {reference}" for reference in line[3:].split()]
        else:
            lines.append(line)
    body = "\n".join(lines).strip("\n")
    return f"{header}\n{body}\n" if body else header


def compile_mo(po: Path) -> Path:
    """Write the ``.mo`` of ``po`` beside it (what the frozen build ships)."""
    sys.path.insert(0, str(ROOT))
    from desktop_app.i18n import compile_catalogue

    mo = po.with_suffix(".mo")
    tmp = mo.with_name(mo.name + ".tmp")
    tmp.write_bytes(compile_catalogue(po.read_text(encoding="utf-8"), origin=str(po)))
    tmp.replace(mo)
    return mo


def untranslated(catalog: Catalog) -> Iterable[str]:
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else message.string
        if message.fuzzy or not all(strings):
            yield message.id if isinstance(message.id, str) else message.id[0]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Add source messages to the .po catalogue.")
    parser.add_argument("--po", type=Path, default=DEFAULT_PO, help="catalogue to update")
    parser.add_argument("--source", type=Path, default=ROOT / "desktop_app", help="package")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if stale")
    parser.add_argument("--compile", action="store_true", help="also write the .mo")
    args = parser.parse_args(argv)

    try:
        old_text = args.po.read_text(encoding="utf-8") if args.po.exists() else ""
        catalog = read_catalog(old_text or NEW_HEADER, origin=str(args.po))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"update_po: {exc}", file=sys.stderr)
        return 1
    extracted = extract(args.source.resolve())
    added = merge(catalog, extracted)
    new_text = format_catalog(catalog, header_of(old_text) or NEW_HEADER)
    missing = list(untranslated(catalog))

    if args.check:
        stale = new_text != old_text
        if stale:
            print(f"{args.po} is out of date; run build/update_po.py", file=sys.stderr)
        for msgid in added:
            print(f"missing: {msgid!r}", file=sys.stderr)
        return 1 if stale else 0

    if new_text != old_text:
        args.po.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.po.with_name(args.po.name + ".tmp")
        tmp.write_text(new_text, encoding="utf-8", newline="\n")
        tmp.replace(args.po)
    print(
        f"{args.po}: {len(extracted)} messages in the source, {len(added)} added, "
        f"{len(missing)} untranslated or fuzzy"
    )
    for msgid in missing:
        print(f"  untranslated: {msgid!r}")
    if args.compile:
        try:
            print(f"compiled {compile_mo(args.po)}")
        except ValueError as exc:
            print(f"update_po: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

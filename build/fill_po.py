"""Add Vietnamese translations to the .po from a JSON file {"English id": "Vietnamese"}.

Use it after ``build/update_po.py`` has added the new message ids. Several
people may work at once, so take the lock:

    flock /tmp/coverage-desk-po.lock sh -c \
        '.venv/bin/python build/update_po.py && .venv/bin/python build/fill_po.py my.json'
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "resources/locale/vi/LC_MESSAGES/coverage_desk.po"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def fill(po_path: Path, translations: dict[str, str]) -> list[str]:
    """Fill empty msgstr of single-line msgids; return the ids that were not found empty."""
    text = po_path.read_text(encoding="utf-8")
    missing = []
    for msgid, msgstr in translations.items():
        pattern = f'msgid "{_quote(msgid)}"\nmsgstr ""\n'
        if pattern not in text:
            missing.append(msgid)
            continue
        msgstr = unicodedata.normalize("NFC", msgstr)
        text = text.replace(pattern, f'msgid "{_quote(msgid)}"\nmsgstr "{_quote(msgstr)}"\n')
    po_path.write_text(text, encoding="utf-8")
    return missing


def main() -> int:
    translations = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    missing = fill(PO, translations)
    for msgid in missing:
        print(f"not filled (absent, already translated, or multi-line): {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

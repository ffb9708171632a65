"""The names bundle files get: the office and the time, ASCII only (USB sticks are
often FAT-formatted and read on other PCs), never overwriting a file already there."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from desktop_app.domain.text import fold_diacritics
from desktop_app.store.store import Store

BUNDLE_SUFFIX = ".cdsync"


def bundle_file_name(store: Store) -> str:
    """ "xa-chieng-sung-20190410-0900.cdsync": the office and the time, ASCII only."""
    name = store.reference.unit(store.node.office_id).name
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(name)).strip("-") or "office"
    stamp = datetime.fromtimestamp(store.clock()).strftime("%Y%m%d-%H%M")
    return f"{slug}-{stamp}{BUNDLE_SUFFIX}"


def free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``… when a file of that name is there."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target

"""Start-up with the Vietnamese catalogue: Babel's catalogues against the hand-written ones.

    PYTHONPATH=. .venv/bin/python -m bench.bench_startup [OLD_COMMIT]

Whole processes, alternated, in the same run: ``python -m desktop_app --help`` (the
CLI sets up Vietnamese and prints its help), from this checkout and from a snapshot
(``git archive``) of OLD_COMMIT (default 7dc127a: the hand-written .po parser and .mo
compiler) into a temporary folder. Three cases:

- a later start: the compiled catalogue is in the per-user cache (both versions);
- a first start: no cache (``COVERAGE_DESK_NO_CACHE=1``): the old parser against Babel;
- the frozen build's way: only the compiled ``.mo`` is shipped (this checkout only).

Prints medians and ratios to the old version; never passes or fails on time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 15
OLD_COMMIT = "7dc127a"


def _snapshot(commit: str, target: Path) -> Path:
    """The package and resources of ``commit``, extracted into ``target``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "desktop_app", "resources"],
        capture_output=True,
        check=True,
    ).stdout
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _start(checkout: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", "vi", "--help"],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    old_commit = sys.argv[1] if len(sys.argv) > 1 else OLD_COMMIT
    with tempfile.TemporaryDirectory(prefix="cd-bench-startup-") as tmp:
        old = _snapshot(old_commit, Path(tmp) / "old")
        new = _snapshot("HEAD", Path(tmp) / "new")
        frozen = Path(tmp) / "frozen"
        shutil.copytree(new, frozen)
        po = frozen / "resources/locale/vi/LC_MESSAGES/coverage_desk.po"
        sys.path.insert(0, str(ROOT))
        from desktop_app.i18n import compile_catalogue

        po.with_suffix(".mo").write_bytes(compile_catalogue(po.read_text("utf-8"), str(po)))
        po.unlink()

        cache_env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        cache_env.pop("COVERAGE_DESK_NO_CACHE", None)
        no_cache = {**cache_env, "COVERAGE_DESK_NO_CACHE": "1"}
        cases = {
            "later start, old (cached .mo)": (old, cache_env),
            "later start, Babel (cached .mo)": (new, cache_env),
            "first start, old parser": (old, no_cache),
            "first start, Babel compiles": (new, no_cache),
            "frozen way, .mo only": (frozen, no_cache),
        }
        for checkout, env in cases.values():  # fill the caches, warm the disk
            _start(checkout, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (checkout, env) in cases.items():
                times[name].append(_start(checkout, env))
    medians = {name: statistics.median(samples) * 1000 for name, samples in times.items()}
    print(f"`python -m desktop_app --lang vi --help`, median of {ROUNDS} processes:")
    base_later = medians["later start, old (cached .mo)"]
    base_first = medians["first start, old parser"]
    for name, ms in medians.items():
        base = base_first if name.startswith("first") else base_later
        print(f"  {name:34s} {ms:6.0f} ms  {ms / base:5.2f} x old")


if __name__ == "__main__":
    main()

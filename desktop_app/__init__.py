"""Coverage Desk: coverage survey of a Vietnamese province's villages, offline first."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the installed package's metadata on first use only:
    # importlib.metadata costs ~45 ms, which every start of the window would pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("coverage-desk")
        except PackageNotFoundError:  # running from a source tree without installation
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Coverage Desk: coverage survey of a Vietnamese province's villages, offline first."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coverage-desk")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

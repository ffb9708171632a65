"""The sync tests' small province is :mod:`tests.helpers.net` (its ``net`` fixture is
registered for the whole suite by ``tests/conftest.py``); its names are re-exported here
for the modules that import them from this file."""

from tests.helpers.net import (
    DISTRICTS,
    PARENT,
    PROVINCE,
    Net,
    add_village,
    make_net,
    set_households,
    values_of,
)

__all__ = [
    "DISTRICTS",
    "PARENT",
    "PROVINCE",
    "Net",
    "add_village",
    "make_net",
    "set_households",
    "values_of",
]

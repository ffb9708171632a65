"""The Frozen base behaves as the frozen dataclasses it replaces on the start path."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from decimal import Decimal

import pytest

from desktop_app.domain.expressions import Binary, Call, Name, Num, Ref, Sub, parse
from desktop_app.domain.frozen import Frozen, set_field


class Pair(Frozen):
    __slots__ = ("left", "note", "right")
    left: int
    right: int
    note: str

    _defaults = {"note": ""}  # noqa: RUF012 - read only
    _uncompared = frozenset({"note"})
    _unshown = frozenset({"note"})


def test_equal_by_fields_hashable_and_shown_like_a_dataclass() -> None:
    tree = parse("a + b[x] * 2")
    assert tree == parse("a + b[x] * 2")
    assert hash(tree) == hash(parse("a + b[x] * 2"))
    assert tree != parse("a + b[x] * 3")
    assert Name("a") != Ref("a")  # another class is never equal
    assert repr(Num(Decimal(2))) == "Num(value=Decimal('2'))"
    assert repr(Name("b", ("x",))) == "Name(ident='b', subscripts=('x',), all_cells=False)"
    assert isinstance(tree, Binary) and {tree: 1}[parse("a + b[x] * 2")] == 1


def test_frozen_as_a_dataclass_is() -> None:
    node = Call("sum", (Name("a"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.func = "count"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del node.func  # type: ignore[misc]
    with pytest.raises(AttributeError):
        node.other = 1  # type: ignore[attr-defined]
    assert node.replace(func="count") == Call("count", (Name("a"),))
    assert node.func == "sum"


def test_copied_and_pickled_whole() -> None:
    node = Ref("a", (Sub("_0", "gioi", True),))
    assert pickle.loads(pickle.dumps(node)) == node
    assert copy.deepcopy(node) == node and copy.copy(node) == node


def test_keywords_defaults_and_left_out_fields() -> None:
    pair = Pair(left=1, right=2)
    assert (pair.left, pair.right, pair.note) == (1, 2, "")
    assert Pair(left=1, right=2, note="x") == pair  # note is not compared
    assert hash(Pair(left=1, right=2, note="x")) == hash(pair)
    assert repr(pair) == "Pair(left=1, right=2)"
    with pytest.raises(TypeError, match="needs 'right'"):
        Pair(left=1)
    with pytest.raises(TypeError, match="takes no 'up'"):
        Pair(left=1, right=2, up=3)
    assert set_field is object.__setattr__

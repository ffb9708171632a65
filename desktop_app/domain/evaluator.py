"""Evaluating a resolved expression tree over entered values (see :mod:`.expressions`).

A value that is not entered raises :class:`Missing`, a division by zero
:class:`Undefined`; rules skip what they cannot evaluate and derived indicators
show "—".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation

from desktop_app.domain.catalogue import Catalogue, CatalogueError
from desktop_app.domain.expressions import (
    Binary,
    Call,
    Code,
    Compare,
    Const,
    EvalValue,
    Local,
    Logic,
    Lookup,
    Node,
    Not,
    Num,
    Ref,
    Unary,
)
from desktop_app.domain.values import Value

__all__ = ["Evaluator", "Missing", "Undefined", "as_eval", "compare"]


class Missing(Exception):
    """A value the expression needs has not been entered."""


class Undefined(Exception):
    """The expression has no value (division by zero, square root of a negative)."""


def as_eval(value: Value) -> EvalValue:
    """The evaluation form of a stored value (numbers become :class:`Decimal`)."""
    if isinstance(value, bool | Decimal | str | frozenset):
        return value
    return Decimal(value)


def compare(op: str, left: EvalValue, right: EvalValue) -> bool:
    """Apply comparison ``op`` to two evaluated values."""
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    assert isinstance(left, Decimal) and isinstance(right, Decimal)
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


class Evaluator:
    """Evaluate resolved nodes over ``lookup(code, key)`` under a variable ``binding``."""

    def __init__(
        self,
        catalogue: Catalogue,
        lookup: Lookup,
        binding: Mapping[str, str] | None = None,
        locals_: Mapping[str, EvalValue] | None = None,
    ) -> None:
        """Prepare to evaluate; ``binding`` maps subscript variables to dimension codes."""
        self.catalogue = catalogue
        self.lookup = lookup
        self.binding = dict(binding or {})
        self.locals = dict(locals_ or {})

    def key(self, ref: Ref) -> str:
        """The disaggregation key ``ref`` points at under the current binding."""
        return ".".join(self.binding[s.name] if s.variable else s.name for s in ref.subs)

    def ref(self, ref: Ref) -> EvalValue:
        """The value of one cell; :class:`Missing` when it is not entered."""
        value = self.lookup(ref.code, self.key(ref))
        if value is None:
            raise Missing(ref.code)
        return as_eval(value)

    def sum(self, ref: Ref) -> Decimal:
        """The sum of every entered cell of ``ref``; :class:`Missing` when none is entered."""
        keys = self.catalogue.total_keys(ref.code) if not ref.subs else (self.key(ref),)
        found = [v for k in keys if (v := self.lookup(ref.code, k)) is not None]
        if not found:
            raise Missing(ref.code)
        return sum((self.number_of(as_eval(v)) for v in found), Decimal(0))

    def count(self, call: Call) -> Decimal:
        """``count(...)`` has no meaning here; derived indicators override it."""
        raise CatalogueError("count() is only allowed in derived indicators")

    @staticmethod
    def number_of(value: EvalValue) -> Decimal:
        """``value`` as a number (the resolver guarantees the type)."""
        assert isinstance(value, Decimal)
        return value

    def number(self, node: Node) -> Decimal:
        """Evaluate a numeric node."""
        return self.number_of(self.eval(node))

    def truth(self, node: Node) -> bool:
        """Evaluate a boolean node."""
        value = self.eval(node)
        assert isinstance(value, bool)
        return value

    def eval(self, node: Node) -> EvalValue:
        """Evaluate ``node``; raises :class:`Missing` or :class:`Undefined`."""
        if isinstance(node, Ref):
            return self.ref(node)
        if isinstance(node, Num | Const):
            return node.value
        if isinstance(node, Code):
            return node.code
        if isinstance(node, Local):
            return self.locals[node.name]
        if isinstance(node, Unary):
            return -self.number(node.operand)
        if isinstance(node, Binary):
            left, right = self.number(node.left), self.number(node.right)
            if node.op == "/":
                if right == 0:
                    raise Undefined("division by zero")
                return left / right
            return {"+": left + right, "-": left - right, "*": left * right}[node.op]
        if isinstance(node, Not):
            return not self.truth(node.operand)
        if isinstance(node, Logic):
            first = self.truth(node.left)
            if node.op == "=>":
                return (not first) or self.truth(node.right)
            if node.op == "and":
                return first and self.truth(node.right)
            if node.op == "or":
                return first or self.truth(node.right)
            return first == self.truth(node.right)
        if isinstance(node, Compare):
            values = [self.eval(op) for op in node.operands]
            return all(
                compare(op, a, b) for op, a, b in zip(node.ops, values, values[1:], strict=False)
            )
        if isinstance(node, Call):
            return self.call(node)
        raise CatalogueError(f"cannot evaluate {node!r}")

    def call(self, node: Call) -> EvalValue:
        """Evaluate a function call."""
        arg = node.args[0]
        if node.func == "sum":
            assert isinstance(arg, Ref)
            return self.sum(arg)
        if node.func == "count":
            return self.count(node)
        if node.func == "empty":
            assert isinstance(arg, Ref)
            value = self.ref(arg)
            return isinstance(value, frozenset) and not value
        number = self.number(arg)
        if node.func == "abs":
            return abs(number)
        try:
            return number.sqrt()
        except (InvalidOperation, DivisionByZero):
            raise Undefined("square root of a negative number") from None

"""The small expression language shared by validation rules and derived indicators.

Grammar, loosest binding first::

    expr    := implies ('<=>' implies)*
    implies := or ('=>' implies)?                      (right associative)
    or      := and ('or' and)*        and := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)*   (chained: a <= b <= c)
    sum     := term (('+'|'-') term)*   term := unary (('*'|'/') unary)*
    unary   := '-' unary | NUMBER | '(' expr ')' | NAME '(' expr ['where' expr] ')'
             | NAME ('[' NAME ']')*
    formula := expr ['where' NAME '=' expr (',' NAME '=' expr)*]

:func:`parse` builds a syntax tree of names; :func:`resolve` binds the names against a
catalogue (indicators, subscripts that are dimension codes or variables, choice codes,
``pi``, local definitions, ``villages``/``communes``) and checks types, so that a bad
rule fails when the catalogue is loaded, not when a clerk types a value. Evaluating a
resolved tree is :mod:`desktop_app.domain.evaluator`'s job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from desktop_app.domain.catalogue import Catalogue, CatalogueError
from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.domain.values import Value

__all__ = [
    "Binary", "Call", "Code", "Collection", "Compare", "Const", "EvalValue", "Formula",
    "Local", "Logic", "Lookup", "Name", "Node", "Not", "Num", "Ref", "Sub", "Unary",
    "children", "parse", "parse_formula", "resolve", "type_of", "variables",
]  # fmt: skip

COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_]\w*)|(<=>|=>|<=|>=|==|!=|[-+*/()<>\[\],=]))")
_KEYWORDS = frozenset({"not", "and", "or", "where"})
EvalValue = Decimal | bool | str | frozenset[str]
Lookup = Callable[[str, str], Value | None]


# The syntax tree's nodes: immutable values compared by their fields (plain classes, not
# dataclasses, which the window's start would compile: desktop_app.domain.frozen).


class Num(Frozen):
    __slots__ = ("value",)
    value: Decimal

    def __init__(self, value: Decimal) -> None:
        set_field(self, "value", value)


class Name(Frozen):
    __slots__ = ("all_cells", "ident", "subscripts")
    ident: str
    subscripts: tuple[str, ...]
    all_cells: bool  # the implicit subject of a bare comparison like ">= 0"

    def __init__(self, ident: str, subscripts: tuple[str, ...] = (), all_cells: bool = False):
        set_field(self, "ident", ident)
        set_field(self, "subscripts", subscripts)
        set_field(self, "all_cells", all_cells)


class Call(Frozen):
    __slots__ = ("args", "func", "where")
    func: str
    args: tuple[Node, ...]
    where: Node | None

    def __init__(self, func: str, args: tuple[Node, ...], where: Node | None = None) -> None:
        set_field(self, "func", func)
        set_field(self, "args", args)
        set_field(self, "where", where)


class Unary(Frozen):
    __slots__ = ("op", "operand")
    op: str
    operand: Node

    def __init__(self, op: str, operand: Node) -> None:
        set_field(self, "op", op)
        set_field(self, "operand", operand)


class Binary(Frozen):
    __slots__ = ("left", "op", "right")
    op: str
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node) -> None:
        set_field(self, "op", op)
        set_field(self, "left", left)
        set_field(self, "right", right)


class Compare(Frozen):
    __slots__ = ("operands", "ops")
    operands: tuple[Node, ...]
    ops: tuple[str, ...]

    def __init__(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> None:
        set_field(self, "operands", operands)
        set_field(self, "ops", ops)


class Not(Frozen):
    __slots__ = ("operand",)
    operand: Node

    def __init__(self, operand: Node) -> None:
        set_field(self, "operand", operand)


class Logic(Frozen):
    __slots__ = ("left", "op", "right")
    op: str  # "=>", "<=>", "and", "or"
    left: Node
    right: Node

    def __init__(self, op: str, left: Node, right: Node) -> None:
        set_field(self, "op", op)
        set_field(self, "left", left)
        set_field(self, "right", right)


class Sub(Frozen):
    """One subscript of a reference: a dimension code, or a variable over the dimension."""

    __slots__ = ("dimension", "name", "variable")
    name: str
    dimension: str
    variable: bool

    def __init__(self, name: str, dimension: str, variable: bool) -> None:
        set_field(self, "name", name)
        set_field(self, "dimension", dimension)
        set_field(self, "variable", variable)


class Ref(Frozen):
    """A resolved indicator reference; ``subs == ()`` on a disaggregated one means all cells."""

    __slots__ = ("code", "subs")
    code: str
    subs: tuple[Sub, ...]

    def __init__(self, code: str, subs: tuple[Sub, ...] = ()) -> None:
        set_field(self, "code", code)
        set_field(self, "subs", subs)


class Code(Frozen):
    __slots__ = ("code",)
    code: str

    def __init__(self, code: str) -> None:
        set_field(self, "code", code)


class Const(Frozen):
    __slots__ = ("name", "value")
    name: str
    value: Decimal

    def __init__(self, name: str, value: Decimal) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)


class Local(Frozen):
    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        set_field(self, "name", name)


class Collection(Frozen):
    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        set_field(self, "name", name)


Node = (
    Num | Name | Call | Unary | Binary | Compare | Not | Logic
    | Ref | Code | Const | Local | Collection
)  # fmt: skip


class Formula(Frozen):
    """A parsed formula: an expression and its trailing ``where N = ...`` definitions."""

    __slots__ = ("definitions", "expr")
    expr: Node
    definitions: tuple[tuple[str, Node], ...]

    def __init__(self, expr: Node, definitions: tuple[tuple[str, Node], ...] = ()) -> None:
        set_field(self, "expr", expr)
        set_field(self, "definitions", definitions)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                if text[pos:].strip():
                    raise CatalogueError(f"cannot read {text[pos:].strip()!r} in {text!r}")
                break
            num, ident, op = m.groups()
            if num is not None:
                self.tokens.append(("num", num))
            elif ident is not None:
                self.tokens.append(("kw" if ident in _KEYWORDS else "name", ident))
            else:
                self.tokens.append(("op", op))
            pos = m.end()
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise CatalogueError(f"unexpected end of {self.text!r}")
        tok = self.tokens[self.i]
        if expected is not None and tok[1] != expected:
            raise CatalogueError(f"expected {expected!r} but found {tok[1]!r} in {self.text!r}")
        self.i += 1
        return tok

    def name(self) -> str:
        kind, text = self.take()
        if kind != "name":
            raise CatalogueError(f"expected a name but found {text!r} in {self.text!r}")
        return text

    def expr(self) -> Node:
        node = self.implies()
        while self.peek() == "<=>":
            self.take()
            node = Logic("<=>", node, self.implies())
        return node

    def implies(self) -> Node:
        node = self.logic("or", self.logic_and)
        if self.peek() == "=>":
            self.take()
            return Logic("=>", node, self.implies())
        return node

    def logic_and(self) -> Node:
        return self.logic("and", self.negation)

    def logic(self, op: str, inner: Callable[[], Node]) -> Node:
        node = inner()
        while self.peek() == op:
            self.take()
            node = Logic(op, node, inner())
        return node

    def negation(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.negation())
        return self.compare()

    def compare(self, first: Node | None = None) -> Node:
        operands = [first if first is not None else self.additive()]
        ops: list[str] = []
        while self.peek() in COMPARISONS:
            ops.append(self.take()[1])
            operands.append(self.additive())
        return Compare(tuple(operands), tuple(ops)) if ops else operands[0]

    def additive(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            node = Binary(self.take()[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            node = Binary(self.take()[1], node, self.unary())
        return node

    def unary(self) -> Node:
        kind, text = self.take()
        if text == "-":
            return Unary("-", self.unary())
        if kind == "num":
            return Num(Decimal(text))
        if text == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind != "name":
            raise CatalogueError(f"unexpected {text!r} in {self.text!r}")
        if self.peek() == "(":
            self.take()
            args = [self.expr()]
            while self.peek() == ",":
                self.take()
                args.append(self.expr())
            where = None
            if self.peek() == "where":
                self.take()
                where = self.expr()
            self.take(")")
            return Call(text, tuple(args), where)
        subs: list[str] = []
        while self.peek() == "[":
            self.take()
            subs.append(self.name())
            self.take("]")
        return Name(text, tuple(subs))

    def end(self) -> None:
        if self.i < len(self.tokens):
            raise CatalogueError(f"unexpected {self.peek()!r} in {self.text!r}")


def parse(text: str, subject: str | None = None) -> Node:
    """Parse an expression; one starting with a comparison (``">= 0"``) compares ``subject``."""
    p = _Parser(text)
    if p.peek() in COMPARISONS:
        if subject is None:
            raise CatalogueError(f"{text!r} compares nothing")
        node = p.compare(Name(subject, all_cells=True))
    else:
        node = p.expr()
    p.end()
    return node


def parse_formula(text: str) -> Formula:
    """Parse a derived-indicator formula with optional ``where NAME = expr, ...``."""
    p = _Parser(text)
    expr = p.expr()
    definitions: list[tuple[str, Node]] = []
    if p.peek() == "where":
        p.take()
        while True:
            name = p.name()
            p.take("=")
            definitions.append((name, p.expr()))
            if p.peek() != ",":
                break
            p.take()
    p.end()
    return Formula(expr, tuple(definitions))


# -- resolution and type checking -------------------------------------------------------


class _Resolver:
    def __init__(self, catalogue: Catalogue, locals_: frozenset[str]) -> None:
        self.cat = catalogue
        self.locals = locals_

    def ref(self, name: Name, whole_ok: bool) -> Ref:
        ind = self.cat.indicator(name.ident)
        dims = ind.disaggregation
        if name.all_cells:
            return Ref(ind.code, tuple(Sub(f"_{i}", d, True) for i, d in enumerate(dims)))
        if not name.subscripts and dims and not whole_ok:
            raise CatalogueError(f"{ind.code} is disaggregated: subscript it or use sum()")
        if name.subscripts and len(name.subscripts) != len(dims):
            raise CatalogueError(f"{ind.code} takes {len(dims)} subscript(s)")
        subs = []
        for s, dim in zip(name.subscripts, dims, strict=False):
            codes = {m.code for m in self.cat.dimensions[dim]}
            subs.append(Sub(s, dim, s not in codes))
        return Ref(ind.code, tuple(subs))

    def name(self, node: Name) -> Node:
        if node.ident in self.cat.indicators:
            return self.ref(node, whole_ok=False)
        if node.ident in self.locals:
            return Local(node.ident)
        if node.ident == "pi":
            return Const("pi", Decimal(repr(math.pi)))
        if node.ident in ("villages", "communes"):
            return Collection(node.ident)
        raise CatalogueError(f"unknown name {node.ident!r}")

    def node(self, node: Node) -> Node:
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary):
            return Unary(node.op, self.node(node.operand))
        if isinstance(node, Binary):
            return Binary(node.op, self.node(node.left), self.node(node.right))
        if isinstance(node, Not):
            return Not(self.node(node.operand))
        if isinstance(node, Logic):
            return Logic(node.op, self.node(node.left), self.node(node.right))
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Call):
            return self.call(node)
        return node

    def compare(self, node: Compare) -> Compare:
        resolved: list[Node | None] = []
        choice_sets: set[str] = set()
        for op in node.operands:
            if isinstance(op, Name) and not op.subscripts and op.ident not in self.cat.indicators:
                resolved.append(None)
                continue
            r = self.node(op)
            resolved.append(r)
            if isinstance(r, Ref) and self.cat.indicators[r.code].kind == "choice":
                choice_sets.update(self.cat.indicators[r.code].choices)
        out: list[Node] = []
        for raw, done in zip(node.operands, resolved, strict=True):
            if done is None:
                assert isinstance(raw, Name)
                done = Code(raw.ident) if raw.ident in choice_sets else self.name(raw)
            out.append(done)
        return Compare(tuple(out), node.ops)

    def call(self, node: Call) -> Node:
        arity = {"sum": 1, "count": 1, "empty": 1, "sqrt": 1, "abs": 1}
        if node.func not in arity or len(node.args) != arity[node.func]:
            raise CatalogueError(f"unknown function {node.func}() or wrong number of arguments")
        (arg,) = node.args
        if node.func in ("sum", "empty"):
            if not isinstance(arg, Name) or arg.ident not in self.cat.indicators:
                raise CatalogueError(f"{node.func}() takes an indicator")
            return Call(node.func, (self.ref(arg, whole_ok=True),))
        if node.func == "count":
            if not isinstance(arg, Name) or arg.ident not in ("villages", "communes"):
                raise CatalogueError("count() takes villages or communes")
            where = None if node.where is None else self.node(node.where)
            return Call("count", (Collection(arg.ident),), where)
        if node.where is not None:
            raise CatalogueError(f"{node.func}() takes no where")
        return Call(node.func, (self.node(arg),))


def type_of(node: Node, catalogue: Catalogue) -> str:
    """The static type of a resolved node: number, boolean, choice, set or collection."""
    if isinstance(node, Ref):
        kind = catalogue.indicators[node.code].kind
        return {"integer": "number", "decimal": "number", "multichoice": "set"}.get(kind, kind)
    if isinstance(node, Num | Const | Local):
        return "number"
    if isinstance(node, Code):
        return "choice"
    if isinstance(node, Collection):
        return "collection"
    if isinstance(node, Unary | Binary):
        parts = [node.operand] if isinstance(node, Unary) else [node.left, node.right]
        _expect(parts, "number", catalogue)
        return "number"
    if isinstance(node, Not | Logic):
        _expect([node.operand] if isinstance(node, Not) else [node.left, node.right], "boolean",
                catalogue)  # fmt: skip
        return "boolean"
    if isinstance(node, Compare):
        types = [type_of(op, catalogue) for op in node.operands]
        for op, left, right in zip(node.ops, types, types[1:], strict=False):
            ordered = op not in ("==", "!=")
            if left != right or (ordered and left != "number"):
                raise CatalogueError(f"cannot compare {left} {op} {right}")
        return "boolean"
    assert isinstance(node, Call)
    if node.func == "empty":
        _expect(node.args, "set", catalogue)
        return "boolean"
    if node.func == "sum":
        _expect(node.args, "number", catalogue)
    elif node.func == "count" and node.where is not None:
        _expect([node.where], "boolean", catalogue)
    elif node.func in ("sqrt", "abs"):
        _expect(node.args, "number", catalogue)
    return "number"


def _expect(nodes: tuple[Node, ...] | list[Node], wanted: str, catalogue: Catalogue) -> None:
    for n in nodes:
        got = type_of(n, catalogue)
        if got != wanted:
            raise CatalogueError(f"expected a {wanted} but found a {got}")


def resolve(
    node: Node, catalogue: Catalogue, locals_: frozenset[str] = frozenset(), want: str = ""
) -> Node:
    """Bind names against ``catalogue`` and check types (``want``: expected result type)."""
    resolved = _Resolver(catalogue, locals_).node(node)
    got = type_of(resolved, catalogue)
    if want and got != want:
        raise CatalogueError(f"expected a {want} expression but found a {got}")
    return resolved


def variables(node: Node) -> dict[str, str]:
    """Subscript variables of a resolved node and their dimensions, in order of appearance."""
    found: dict[str, str] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            for s in n.subs:
                if s.variable and found.setdefault(s.name, s.dimension) != s.dimension:
                    raise CatalogueError(f"variable {s.name!r} ranges over two dimensions")
        for child in children(n):
            walk(child)

    walk(node)
    return found


def children(node: Node) -> list[Node]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, Unary | Not):
        return [node.operand]
    if isinstance(node, Binary | Logic):
        return [node.left, node.right]
    if isinstance(node, Compare):
        return list(node.operands)
    if isinstance(node, Call):
        return [*node.args, *([node.where] if node.where is not None else [])]
    return []


def walk(node: Node) -> list[Node]:
    """``node`` and every sub-expression under it, parents before their children."""
    out = [node]
    for child in children(node):
        out.extend(walk(child))
    return out


# -- evaluation ------------------------------------------------------------------------

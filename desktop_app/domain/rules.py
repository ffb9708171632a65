"""Validation rules of the indicator catalogue (column ``rules`` of ``indicators.csv``).

Rules are separated by ``;``; ``warn:`` marks a warning (informs), anything else is an
error (blocks saving). A rule, or one binding of its subscript variables, whose values
are not all entered is not evaluated. Violations explain themselves in Vietnamese and
English, naming the indicators, the cells and the numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from desktop_app.domain.catalogue import Catalogue, CatalogueError, Lang, Level
from desktop_app.domain.evaluator import Evaluator, Missing, Undefined, compare
from desktop_app.domain.expressions import (
    Binary,
    Call,
    Code,
    Compare,
    Const,
    EvalValue,
    Logic,
    Lookup,
    Node,
    Not,
    Num,
    Ref,
    parse,
    resolve,
    variables,
    walk,
)  # fmt: skip
from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.domain.values import Value, format_number

__all__ = ["Rule", "RuleSet", "Severity", "Violation", "compile_rules", "evaluate"]

Severity = Literal["error", "warning"]
Mode = Literal["fact", "must", "should"]

# (op, mode) -> (vi, en) verb phrases for numbers; choices and booleans use _IS.
_VERBS: dict[tuple[str, Mode], tuple[str, str]] = {
    ("<=", "fact"): ("không lớn hơn", "is at most"),
    ("<", "fact"): ("nhỏ hơn", "is less than"),
    (">=", "fact"): ("không nhỏ hơn", "is at least"),
    (">", "fact"): ("lớn hơn", "is greater than"),
    ("==", "fact"): ("bằng", "equals"),
    ("!=", "fact"): ("khác", "differs from"),
    ("<=", "must"): ("không được lớn hơn", "must not exceed"),
    ("<", "must"): ("phải nhỏ hơn", "must be less than"),
    (">=", "must"): ("không được nhỏ hơn", "must not be less than"),
    (">", "must"): ("phải lớn hơn", "must be greater than"),
    ("==", "must"): ("phải bằng", "must equal"),
    ("!=", "must"): ("phải khác", "must differ from"),
    ("<=", "should"): ("thường không vượt quá", "should not exceed"),
    ("<", "should"): ("thường nhỏ hơn", "should be less than"),
    (">=", "should"): ("thường không nhỏ hơn", "should not be less than"),
    (">", "should"): ("thường lớn hơn", "should be greater than"),
    ("==", "should"): ("nên bằng", "should equal"),
    ("!=", "should"): ("nên khác", "should differ from"),
}
_IS: dict[tuple[str, Mode], tuple[str, str]] = {
    ("==", "fact"): ("là", "is"),
    ("!=", "fact"): ("không phải là", "is not"),
    ("==", "must"): ("phải là", "must be"),
    ("!=", "must"): ("không được là", "must not be"),
    ("==", "should"): ("nên là", "should be"),
    ("!=", "should"): ("không nên là", "should not be"),
}
_EMPTY: dict[tuple[bool, Mode], tuple[str, str]] = {
    (True, "fact"): ("để trống", "is empty"),
    (True, "must"): ("phải để trống", "must be empty"),
    (True, "should"): ("nên để trống", "should be empty"),
    (False, "fact"): ("có ít nhất một lựa chọn", "lists at least one"),
    (False, "must"): ("phải có ít nhất một lựa chọn", "must list at least one"),
    (False, "should"): ("nên có ít nhất một lựa chọn", "should list at least one"),
}
_FLIP = {"<=": ">", "<": ">=", ">=": "<", ">": "<=", "==": "!=", "!=": "=="}
_YES_NO = {True: ("Có", "Yes"), False: ("Không", "No")}


# Plain immutable classes, not dataclasses, which the window's start would compile
# (desktop_app.domain.frozen).


class Rule(Frozen):
    """One compiled rule, owned by the indicator in whose ``rules`` column it is written."""

    __slots__ = (
        "catalogue",
        "expr",
        "indicator",
        "level",
        "references",
        "severity",
        "source",
        "variables",
    )
    _uncompared = frozenset({"catalogue"})
    _unshown = frozenset({"expr", "catalogue"})
    indicator: str
    severity: Severity
    source: str
    level: Level
    references: frozenset[str]
    expr: Node
    variables: tuple[tuple[str, str], ...]  # (variable, dimension)
    catalogue: Catalogue

    def __init__(
        self,
        indicator: str,
        severity: Severity,
        source: str,
        level: Level,
        references: frozenset[str],
        expr: Node,
        variables: tuple[tuple[str, str], ...] = (),
        catalogue: Catalogue = None,  # type: ignore[assignment]
    ) -> None:
        set_field(self, "indicator", indicator)
        set_field(self, "severity", severity)
        set_field(self, "source", source)
        set_field(self, "level", level)
        set_field(self, "references", references)
        set_field(self, "expr", expr)
        set_field(self, "variables", variables)
        set_field(self, "catalogue", catalogue)


class Violation(Frozen):
    """One failed rule (or one failed binding of it) with messages for a clerk."""

    __slots__ = (
        "disaggregation_key",
        "indicator",
        "message_en",
        "message_vi",
        "rule",
        "severity",
        "values",
    )
    _unhashed = frozenset({"values"})
    rule: Rule
    severity: Severity
    indicator: str
    disaggregation_key: str
    message_vi: str
    message_en: str
    values: Mapping[tuple[str, str], Value]  # the cells the rule read

    def __init__(
        self,
        rule: Rule,
        severity: Severity,
        indicator: str,
        disaggregation_key: str,
        message_vi: str,
        message_en: str,
        values: Mapping[tuple[str, str], Value],
    ) -> None:
        set_field(self, "rule", rule)
        set_field(self, "severity", severity)
        set_field(self, "indicator", indicator)
        set_field(self, "disaggregation_key", disaggregation_key)
        set_field(self, "message_vi", message_vi)
        set_field(self, "message_en", message_en)
        set_field(self, "values", values)


class RuleSet:
    """Every rule of a catalogue, indexed by the indicators they read."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        """Index ``rules``."""
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._by_ref: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for code in rule.references:
                self._by_ref.setdefault(code, []).append(rule)

    def __len__(self) -> int:
        return len(self.rules)

    def for_indicator(self, code: str) -> tuple[Rule, ...]:
        """Rules that read ``code`` (to re-check when a value of it is typed)."""
        return tuple(self._by_ref.get(code, ()))

    def for_level(self, level: Level) -> tuple[Rule, ...]:
        """Rules owned by indicators of ``level``."""
        return tuple(r for r in self.rules if r.level == level)

    def check(self, lookup: Lookup, level: Level) -> list[Violation]:
        """Run every rule of ``level`` over one village's or one commune's values."""
        return [v for rule in self.for_level(level) for v in evaluate(rule, lookup)]


def rule_parts(rules: str) -> list[tuple[Severity, str, str]]:
    """An indicator's rules column as (severity, expression text, the rule as written),
    one per non-empty ``;``-separated rule (``warn:`` makes a warning)."""
    parts: list[tuple[Severity, str, str]] = []
    for part in rules.split(";"):
        source = part.strip()
        if not source:
            continue
        if source.startswith("warn:"):
            parts.append(("warning", source.removeprefix("warn:").strip(), source))
        else:
            parts.append(("error", source, source))
    return parts


def compile_rules(catalogue: Catalogue) -> RuleSet:
    """Parse and check every rule of ``catalogue``; :class:`CatalogueError` names a bad one."""
    rules: list[Rule] = []
    for ind in catalogue.indicators.values():
        for severity, text, source in rule_parts(ind.rules):
            try:
                expr = resolve(parse(text, ind.code), catalogue, want="boolean")
                var_dims = tuple(variables(expr).items())
                if any(isinstance(n, Call) and n.func == "count" for n in walk(expr)):
                    raise CatalogueError("count() belongs in derived indicators")
            except CatalogueError as exc:
                raise CatalogueError(f"indicator {ind.code!r}, rule {source!r}: {exc}") from None
            refs = frozenset(n.code for n in walk(expr) if isinstance(n, Ref))
            rules.append(Rule(ind.code, severity, text, ind.level, refs, expr, var_dims, catalogue))
    return RuleSet(rules)


class _Recorder(Evaluator):
    """An evaluator that remembers every cell it read."""

    def __init__(self, catalogue: Catalogue, lookup: Lookup, binding: Mapping[str, str]) -> None:
        super().__init__(catalogue, lookup, binding)
        self.seen: dict[tuple[str, str], Value] = {}

        def recording(code: str, key: str) -> Value | None:
            value = lookup(code, key)
            if value is not None:
                self.seen[(code, key)] = value
            return value

        self.lookup = recording


def _chain_parts(rule: Rule, lookup: Lookup, binding: Mapping[str, str]) -> Node | None:
    """For a chained comparison, the adjacent pairs whose values are all entered.

    ``a <= b <= c`` means ``a <= b`` and ``b <= c``; a clerk who has typed b and c
    but not yet a must still hear that b exceeds c. Returns the full chain when
    every pair can be checked, a shorter chain or one pair otherwise, and None
    when no pair can.
    """
    expr = rule.expr
    assert isinstance(expr, Compare)
    usable: list[int] = []
    for i, op in enumerate(expr.ops):
        pair = Compare((expr.operands[i], expr.operands[i + 1]), (op,))
        try:
            _Recorder(rule.catalogue, lookup, binding).truth(pair)
        except (Missing, Undefined):
            continue
        usable.append(i)
    if not usable:
        return None
    if usable == list(range(usable[0], usable[-1] + 1)):
        first, last = usable[0], usable[-1]
        return Compare(expr.operands[first : last + 2], expr.ops[first : last + 1])
    failing = [Compare((expr.operands[i], expr.operands[i + 1]), (expr.ops[i],)) for i in usable]
    for pair in failing:
        if not _Recorder(rule.catalogue, lookup, binding).truth(pair):
            return pair
    return failing[0]


def evaluate(rule: Rule, lookup: Lookup) -> list[Violation]:
    """Check ``rule`` over ``lookup(code, key)``: one violation per failing binding.

    A chained comparison checks every adjacent pair whose values are entered.
    """
    if isinstance(rule.expr, Compare) and len(rule.expr.ops) > 1 and not rule.variables:
        part = _chain_parts(rule, lookup, {})
        if part is None:
            return []
        if part != rule.expr:
            return evaluate(rule.replace(expr=part), lookup)
    cat = rule.catalogue
    names = [name for name, _ in rule.variables]
    members = [[m.code for m in cat.dimensions[dim]] for _, dim in rule.variables]
    out: list[Violation] = []
    for combo in itertools.product(*members):
        ev = _Recorder(cat, lookup, dict(zip(names, combo, strict=True)))
        try:
            if ev.truth(rule.expr):
                continue
            vi, en = _Speaker(ev, "vi").sentence(rule), _Speaker(ev, "en").sentence(rule)
        except (Missing, Undefined):
            continue
        owner = next(
            (n for n in walk(rule.expr) if isinstance(n, Ref) and n.code == rule.indicator), None
        )
        key = ev.key(owner) if owner is not None else ""
        out.append(Violation(rule, rule.severity, rule.indicator, key, vi, en, dict(ev.seen)))
    return out


class _Speaker:
    """Turns a failed rule into a sentence in one language."""

    def __init__(self, ev: Evaluator, lang: Lang) -> None:
        self.ev, self.lang, self.cat = ev, lang, ev.catalogue

    def pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "vi" else pair[1]

    def num(self, value: EvalValue) -> str:
        assert isinstance(value, Decimal)
        return format_number(value.quantize(Decimal("0.01")) if value % 1 else value, self.lang)

    def title(self, ref: Ref) -> str:
        ind = self.cat.indicators[ref.code]
        key = self.ev.key(ref) if ref.subs else ""
        cell = f" ({self.cat.disaggregation_label(ref.code, key, self.lang)})" if key else ""
        return ind.name(self.lang) + cell

    def phrase(self, node: Node) -> str:
        """A node without its value: a name, a number or an arithmetic expression."""
        if isinstance(node, Ref):
            return self.title(node)
        if isinstance(node, Num):
            return self.num(node.value)
        if isinstance(node, Const):
            return "π"
        if isinstance(node, Call) and node.func == "sum":
            assert isinstance(node.args[0], Ref)
            return self.pick(("tổng ", "total ")) + self.title(node.args[0])
        if isinstance(node, Binary):
            terms = _plus_terms(node)
            if terms and len(terms) > 1 and all(isinstance(t, Ref) for t in terms):
                names = [self.phrase(t) for t in terms]
                joined = ", ".join(names[:-1]) + self.pick((" và ", " and ")) + names[-1]
                return self.pick(("tổng ", "the sum of ")) + joined
            sym = {"*": "×", "/": ":" if self.lang == "vi" else "/"}.get(node.op, node.op)
            return f"{self.phrase(node.left)} {sym} {self.phrase(node.right)}"
        return "…"

    def operand(self, node: Node) -> str:
        """A node with its value in brackets unless it is a plain number."""
        if isinstance(node, Num):
            return self.phrase(node)
        return f"{self.phrase(node)} ({self.num(self.ev.eval(node))})"

    def pair(self, left: Node, op: str, right: Node, mode: Mode) -> str:
        kinds = {self.cat.indicators[n.code].kind for n in (left, right) if isinstance(n, Ref)}
        if "choice" in kinds:
            ref, code = (left, right) if isinstance(left, Ref) else (right, left)
            assert isinstance(ref, Ref) and isinstance(code, Code)
            label = self.cat.choice_label(ref.code, code.code, self.lang)
            return f"{self.title(ref)} {self.pick(_IS[(op, mode)])} «{label}»"
        return f"{self.operand(left)} {self.pick(_VERBS[(op, mode)])} {self.operand(right)}"

    def condition(self, node: Node, mode: Mode, positive: bool = True) -> str:
        """``node`` as a statement (``fact``) or a requirement (``must``/``should``)."""
        if isinstance(node, Not):
            return self.condition(node.operand, mode, not positive)
        if isinstance(node, Ref):  # a boolean indicator
            yes_no = self.pick(_YES_NO[positive])
            return f"{self.title(node)} {self.pick(_IS[('==', mode)])} «{yes_no}»"
        if isinstance(node, Call) and node.func == "empty":
            assert isinstance(node.args[0], Ref)
            return f"{self.title(node.args[0])} {self.pick(_EMPTY[(positive, mode)])}"
        if isinstance(node, Compare):
            parts = []
            for i, op in enumerate(node.ops):
                a, b = node.operands[i], node.operands[i + 1]
                if mode == "fact" or not compare(op, self.ev.eval(a), self.ev.eval(b)):
                    parts.append(self.pair(a, op if positive else _FLIP[op], b, mode))
            return self.pick((" và ", " and ")).join(parts)
        if isinstance(node, Logic) and node.op in ("and", "or") and positive:
            word = self.pick({"and": (" và ", " and "), "or": (" hoặc ", " or ")}[node.op])
            return word.join(self.condition(n, mode) for n in (node.left, node.right))
        quoted = f"«{_source(node)}»"
        if self.lang == "vi":
            return f"điều kiện {quoted} " + ("đúng" if positive else "sai")
        return f"the condition {quoted} " + ("holds" if positive else "does not hold")

    def sentence(self, rule: Rule) -> str:
        mode: Mode = "must" if rule.severity == "error" else "should"
        expr = rule.expr
        if isinstance(expr, Logic) and expr.op in ("=>", "<=>"):
            premise, conclusion = expr.left, expr.right
            if expr.op == "<=>" and not self.ev.truth(premise):
                premise, conclusion = conclusion, premise
            text = self.pick(("Nếu {} thì {}.", "If {}, {}.")).format(
                self.condition(premise, "fact"), self.condition(conclusion, mode)
            )
        else:
            text = self.condition(expr, mode) + "."
        if rule.severity == "warning":
            text += self.pick((" Hãy kiểm tra lại.", " Please check."))
        return text[:1].upper() + text[1:]


def _plus_terms(node: Node) -> list[Node] | None:
    if isinstance(node, Binary) and node.op == "+":
        left, right = _plus_terms(node.left), _plus_terms(node.right)
        return [*(left or [node.left]), *(right or [node.right])]
    return None


def _source(node: Node) -> str:
    if isinstance(node, Ref):
        return node.code + "".join(f"[{s.name}]" for s in node.subs)
    if isinstance(node, Num | Const | Code):
        return str(getattr(node, "value", getattr(node, "code", "")))
    if isinstance(node, Not):
        return f"not {_source(node.operand)}"
    if isinstance(node, Binary | Logic):
        return f"{_source(node.left)} {node.op} {_source(node.right)}"
    if isinstance(node, Compare):
        parts = [_source(node.operands[0])]
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            parts += [op, _source(operand)]
        return " ".join(parts)
    if isinstance(node, Call):
        return f"{node.func}({', '.join(_source(a) for a in node.args)})"
    return "?"

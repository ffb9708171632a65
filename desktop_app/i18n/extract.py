"""Find the translatable messages in the source, the way ``xgettext`` would.

Recognised calls (plain, or on the module: ``i18n._(...)``):

- ``_("literal")`` and ``N_("literal")`` (a marker: translated later, where it is shown)
- ``ngettext("singular", "plural", n)``

A call whose message is not a string literal (a variable, an f-string, ``"a" + b``)
cannot be extracted; it is reported as a problem so the message is not silently left
untranslated.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SINGULAR_FUNCTIONS = frozenset({"_", "N_"})
PLURAL_FUNCTIONS = frozenset({"ngettext"})


@dataclass(frozen=True)
class Problem:
    """A call that looks translatable but cannot be extracted."""

    reference: str
    text: str


@dataclass
class Message:
    """One message id found in the source, with every place it occurs."""

    msgid: str
    msgid_plural: str | None = None
    references: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    """The messages found (in first-seen order) and the calls that could not be read."""

    messages: dict[str, Message] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, msgid: str, msgid_plural: str | None, reference: str) -> None:
        """Record ``msgid`` at ``reference`` (``path:line``)."""
        message = self.messages.get(msgid)
        if message is None:
            self.messages[msgid] = Message(msgid, msgid_plural, [reference])
            return
        if message.msgid_plural != msgid_plural:
            self.problems.append(
                Problem(
                    reference,
                    f"{msgid!r} is used both with plural {message.msgid_plural!r} "
                    f"and with {msgid_plural!r}",
                )
            )
        if reference not in message.references:
            message.references.append(reference)


def _function_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    # ``i18n._(...)``; not any ``obj.ngettext(...)``, which is gettext's own API.
    if (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "i18n"
    ):
        return call.func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_from_source(
    source: str, filename: str, extraction: Extraction | None = None
) -> Extraction:
    """Add the messages of one module's ``source`` to ``extraction`` (a new one if None).

    ``filename`` is used in the ``filename:line`` references.
    """
    extraction = Extraction() if extraction is None else extraction
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        extraction.problems.append(Problem(f"{filename}:{exc.lineno}", f"syntax error: {exc.msg}"))
        return extraction
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _function_name(node)
        if name not in SINGULAR_FUNCTIONS and name not in PLURAL_FUNCTIONS:
            continue
        reference = f"{filename}:{node.lineno}"
        wanted = 1 if name in SINGULAR_FUNCTIONS else 2
        texts = [_literal(arg) for arg in node.args[:wanted]]
        expected_args = wanted if name in SINGULAR_FUNCTIONS else 3
        if len(node.args) != expected_args or node.keywords or None in texts:
            extraction.problems.append(
                Problem(reference, f"{name}() needs string literal message(s): {ast.unparse(node)}")
            )
            continue
        msgid = texts[0]
        assert msgid is not None
        if not msgid:
            extraction.problems.append(Problem(reference, f"{name}() with an empty message"))
            continue
        extraction.add(msgid, texts[1] if wanted == 2 else None, reference)
    return extraction


def python_files(package_dir: Path) -> list[Path]:
    """The ``.py`` files under ``package_dir``, in a stable order."""
    return sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts)


def extract_messages(package_dir: Path, relative_to: Path | None = None) -> Extraction:
    """Scan every module under ``package_dir`` for translatable messages.

    References are written relative to ``relative_to`` (default: the folder that holds
    ``package_dir``), with forward slashes, e.g. ``desktop_app/cli.py:42``.
    """
    base = package_dir.parent if relative_to is None else relative_to
    return extract_from_files(python_files(package_dir), base)


def extract_from_files(paths: Iterable[Path], base: Path) -> Extraction:
    """Scan the given modules; references relative to ``base``."""
    extraction = Extraction()
    for path in paths:
        try:
            name = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            name = path.as_posix()
        extract_from_source(path.read_text(encoding="utf-8"), name, extraction)
    return extraction

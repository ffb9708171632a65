"""Read and write gettext ``.po`` catalogues and compile them to ``.mo`` bytes.

Just enough of GNU gettext for our own catalogue, with no external tool: comments
(translator ``#``, extracted ``#.``, references ``#:``, flags ``#,``, previous ``#|``),
``msgctxt``, plurals, multi-line strings and C escapes. Obsolete entries (``#~``)
are kept as text and written back unchanged. The ``.mo`` layout is the one
``gettext.GNUTranslations`` reads (no hash table, which it does not use).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

MO_MAGIC = 0x950412DE
CONTEXT_SEPARATOR = "\x04"

_SIMPLE_ESCAPES = {
    "n": b"\n",
    "t": b"\t",
    "r": b"\r",
    "a": b"\a",
    "b": b"\b",
    "f": b"\f",
    "v": b"\v",
    "\\": b"\\",
    '"': b'"',
    "'": b"'",
    "?": b"?",
}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*)$")
_CHARSET = re.compile(r"charset\s*=\s*([\w.:-]+)", re.IGNORECASE)


class PoError(ValueError):
    """A ``.po`` file that cannot be read, with the file and line in the message."""


@dataclass
class Entry:
    """One message of a catalogue: its English id and its translation(s)."""

    msgid: str
    msgstr: str = ""
    msgid_plural: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """``(msgctxt or "", msgid)``: what makes an entry unique in a catalogue."""
        return (self.msgctxt or "", self.msgid)

    @property
    def is_header(self) -> bool:
        """True for the header entry (empty msgid, no context)."""
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        """True if a translator marked the translation as needing review."""
        return "fuzzy" in self.flags

    def translations(self) -> list[str]:
        """The translated strings: one, or one per plural form in index order."""
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]

    @property
    def translated(self) -> bool:
        """True if every translated string is non-empty and the entry is not fuzzy."""
        texts = self.translations()
        return bool(texts) and all(texts) and not self.fuzzy


@dataclass
class Catalog:
    """A whole ``.po`` file: the header entry first, then the messages."""

    entries: list[Entry] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)

    @property
    def header(self) -> Entry | None:
        """The header entry, if the file has one."""
        return next((e for e in self.entries if e.is_header), None)

    def header_fields(self) -> dict[str, str]:
        """The ``Name: value`` lines of the header (``Content-Type``, ``Plural-Forms``...)."""
        header = self.header
        fields: dict[str, str] = {}
        if header is not None:
            for line in header.msgstr.splitlines():
                name, colon, value = line.partition(":")
                if colon:
                    fields[name.strip()] = value.strip()
        return fields

    def messages(self) -> Iterator[Entry]:
        """Every entry except the header."""
        return (e for e in self.entries if not e.is_header)

    def find(self, msgid: str, msgctxt: str | None = None) -> Entry | None:
        """The entry for ``msgid`` (in ``msgctxt``), or None."""
        key = (msgctxt or "", msgid)
        return next((e for e in self.entries if e.key == key and not e.is_header), None)


# -- reading ----------------------------------------------------------------------------


def _unquote(token: str, where: str) -> str:
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise PoError(f"{where}: expected a string in double quotes, found {token!r}")
    body = token[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char == '"':
            raise PoError(f"{where}: unescaped double quote inside a string")
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(body):
            raise PoError(f"{where}: a string ends with a lone backslash")
        escape = body[i + 1]
        if escape in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[escape]
            i += 2
        elif escape in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[i + 1 :])
            assert digits is not None
            out.append(int(digits.group(), 8) & 0xFF)
            i += 1 + len(digits.group())
        elif escape == "x":
            digits = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2 :])
            if digits is None:
                raise PoError(f"{where}: \\x without hex digits")
            out.append(int(digits.group(), 16))
            i += 2 + len(digits.group())
        else:
            raise PoError(f"{where}: unknown escape \\{escape}")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoError(f"{where}: escapes do not form UTF-8 text ({exc})") from exc


class _Parser:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.catalog = Catalog()
        self.seen: set[tuple[str, str]] = set()
        self.entry: Entry | None = None
        self.has_msgid = False
        self.has_msgstr = False
        self.field: tuple[str, int | None] | None = None
        self.keywords: set[tuple[str, int | None]] = set()
        self.start_line = 0

    def where(self, lineno: int) -> str:
        return f"{self.origin}:{lineno}"

    def finish(self, lineno: int) -> None:
        entry = self.entry
        if entry is not None:
            if not self.has_msgid:
                if self.has_msgstr or entry.msgctxt is not None:
                    raise PoError(f"{self.where(self.start_line)}: an entry without msgid")
                # Comments followed by nothing: dropped, like gettext does.
            else:
                if not self.has_msgstr:
                    raise PoError(f"{self.where(self.start_line)}: msgid without msgstr")
                if entry.msgid_plural is not None and entry.msgstr:
                    raise PoError(f"{self.where(self.start_line)}: plural entry needs msgstr[N]")
                if entry.msgid_plural is None and entry.msgstr_plural:
                    raise PoError(f"{self.where(self.start_line)}: msgstr[N] without msgid_plural")
                if entry.msgid_plural is not None and sorted(entry.msgstr_plural) != list(
                    range(len(entry.msgstr_plural))
                ):
                    raise PoError(f"{self.where(self.start_line)}: msgstr[N] indexes have gaps")
                if entry.key in self.seen:
                    raise PoError(f"{self.where(self.start_line)}: duplicate msgid {entry.msgid!r}")
                self.seen.add(entry.key)
                self.catalog.entries.append(entry)
        self.entry = None
        self.has_msgid = self.has_msgstr = False
        self.field = None
        self.keywords = set()
        self.start_line = lineno

    def current(self, lineno: int) -> Entry:
        if self.entry is None:
            self.entry = Entry(msgid="")
            self.start_line = lineno
        return self.entry

    def append(self, name: str, index: int | None, text: str, lineno: int) -> None:
        entry = self.current(lineno)
        if name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        elif name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif index is None:
            entry.msgstr += text
        else:
            entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + text

    def line(self, lineno: int, raw: str) -> None:
        line = raw.strip()
        where = self.where(lineno)
        if not line:
            self.finish(lineno)
            return
        if line.startswith("#~"):
            self.finish(lineno)
            self.catalog.obsolete.append(raw.rstrip("\n"))
            return
        if line.startswith("#"):
            if self.has_msgstr:
                self.finish(lineno)
            elif self.has_msgid:
                raise PoError(f"{where}: a comment inside an entry")
            entry = self.current(lineno)
            kind, rest = line[:2], line[2:].strip()
            if kind == "#:":
                entry.references.extend(rest.split())
            elif kind == "#,":
                entry.flags.extend(f.strip() for f in rest.split(",") if f.strip())
            elif kind == "#.":
                entry.extracted_comments.append(rest)
            elif kind == "#|":
                entry.previous.append(rest)
            else:
                text = line[1:]
                entry.translator_comments.append(text[1:] if text.startswith(" ") else text)
            return
        match = _KEYWORD.match(line)
        if match is not None:
            keyword, index_text, quoted = match.groups()
            name = "msgstr" if keyword.startswith("msgstr") else keyword
            index = int(index_text) if index_text is not None else None
            if name in ("msgctxt", "msgid") and self.has_msgstr:
                self.finish(lineno)
            if (name, index) in self.keywords:
                raise PoError(f"{where}: {keyword} twice in one entry")
            if name == "msgctxt" and self.has_msgid:
                raise PoError(f"{where}: msgctxt must come before msgid")
            if name == "msgid":
                self.has_msgid = True
            elif name == "msgid_plural" and (not self.has_msgid or self.has_msgstr):
                raise PoError(f"{where}: msgid_plural must follow msgid")
            elif name == "msgstr":
                if not self.has_msgid:
                    raise PoError(f"{where}: msgstr without msgid")
                self.has_msgstr = True
            self.keywords.add((name, index))
            self.field = (name, index)
            self.append(name, index, _unquote(quoted, where), lineno)
            return
        if line.startswith('"'):
            if self.field is None:
                raise PoError(f"{where}: a string that belongs to no keyword")
            name, index = self.field
            self.append(name, index, _unquote(line, where), lineno)
            return
        raise PoError(f"{where}: cannot read {line[:40]!r}")


def parse_po(text: str, origin: str = "<po>") -> Catalog:
    """Parse the text of a ``.po`` file; ``PoError`` names the file and line of a problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser(origin)
    lineno = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parser.line(lineno, raw)
    parser.finish(lineno + 1)
    return parser.catalog


# -- writing ----------------------------------------------------------------------------


def _quote(text: str) -> str:
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _field(keyword: str, text: str) -> list[str]:
    pieces = text.splitlines(keepends=True)
    if len(pieces) <= 1:
        return [f"{keyword} {_quote(text)}"]
    return [f'{keyword} ""', *(_quote(piece) for piece in pieces)]


def format_entry(entry: Entry) -> str:
    """One entry as ``.po`` text (comments, then fields), without the blank line after it."""
    lines = [f"# {c}".rstrip() for c in entry.translator_comments]
    lines += [f"#. {c}".rstrip() for c in entry.extracted_comments]
    lines += [f"#: {r}" for r in entry.references]
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    lines += [f"#| {p}" for p in entry.previous]
    if entry.msgctxt is not None:
        lines += _field("msgctxt", entry.msgctxt)
    lines += _field("msgid", entry.msgid)
    if entry.msgid_plural is None:
        lines += _field("msgstr", entry.msgstr)
    else:
        lines += _field("msgid_plural", entry.msgid_plural)
        for index in sorted(entry.msgstr_plural) or [0]:
            lines += _field(f"msgstr[{index}]", entry.msgstr_plural.get(index, ""))
    return "\n".join(lines)


def format_po(catalog: Catalog) -> str:
    """The whole catalogue as ``.po`` text, entries in their list order."""
    blocks = [format_entry(entry) for entry in catalog.entries]
    if catalog.obsolete:
        blocks.append("\n".join(catalog.obsolete))
    return "\n\n".join(blocks) + "\n"


# -- compiling --------------------------------------------------------------------------


def compile_mo(catalog: Catalog, *, use_fuzzy: bool = False) -> bytes:
    """The catalogue as ``.mo`` bytes for ``gettext.GNUTranslations``.

    Like ``msgfmt``: untranslated entries are left out, and fuzzy ones too unless
    ``use_fuzzy``. The header must declare UTF-8, the only encoding written.
    """
    charset = _CHARSET.search(catalog.header_fields().get("Content-Type", ""))
    if catalog.header is not None and (
        charset is None or charset.group(1).lower().replace("_", "-") != "utf-8"
    ):
        raise PoError("the catalogue header must declare Content-Type: ...; charset=UTF-8")
    pairs: dict[bytes, bytes] = {}
    for entry in catalog.entries:
        if not entry.is_header:
            texts = entry.translations()
            if not texts or not all(texts) or (entry.fuzzy and not use_fuzzy):
                continue
        msgid = entry.msgid
        if entry.msgctxt is not None:
            msgid = entry.msgctxt + CONTEXT_SEPARATOR + msgid
        if entry.msgid_plural is not None:
            msgid += "\0" + entry.msgid_plural
        pairs[msgid.encode("utf-8")] = "\0".join(entry.translations()).encode("utf-8")

    keys = sorted(pairs)
    count = len(keys)
    originals_offset = 7 * 4
    translations_offset = originals_offset + count * 8
    data_offset = translations_offset + count * 8
    data = bytearray()
    originals: list[tuple[int, int]] = []
    translations: list[tuple[int, int]] = []
    for key in keys:
        originals.append((len(key), data_offset + len(data)))
        data += key + b"\0"
    for key in keys:
        value = pairs[key]
        translations.append((len(value), data_offset + len(data)))
        data += value + b"\0"
    out = bytearray(
        struct.pack(
            "<7I", MO_MAGIC, 0, count, originals_offset, translations_offset, 0, data_offset
        )
    )
    for length, offset in originals + translations:
        out += struct.pack("<2I", length, offset)
    out += data
    return bytes(out)

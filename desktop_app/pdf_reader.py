"""A small PDF reader with no dependencies: page count, embedded TrueType fonts, shown text.

The frozen build's self-test uses it to read back the PDF it made (pypdf is a
development tool only and is not in the bundle). It understands what reportlab
writes: uncompressed or Flate object streams, subset TrueType fonts with a
``/ToUnicode`` map, and text shown with ``Tj``/``TJ``.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass

__all__ = ["PdfSummary", "read_pdf"]


@dataclass(frozen=True)
class PdfSummary:
    """What :func:`read_pdf` found: pages, embedded TrueType font names, the text shown."""

    pages: int
    embedded_fonts: list[str]
    text: str


_OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_REF = re.compile(rb"/([^\s/<>\[\]()]+)\s+(\d+)\s+0\s+R")
_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every ``N 0 obj``: (dictionary text, decoded stream or None)."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        start = re.search(rb"\bstream\r?\n", body)
        if start is None:
            objects[int(match.group(1))] = (body, None)
            continue
        head = body[: start.start()]
        raw = body[start.end() :]
        length = re.search(rb"/Length\s+(\d+)(?!\s+0\s+R)", head)
        if length is not None:
            raw = raw[: int(length.group(1))]
        else:
            raw = raw[: raw.rfind(b"endstream")].rstrip(b"\r\n")
        objects[int(match.group(1))] = (head, _decode_stream(head, raw))
    return objects


def _decode_stream(head: bytes, raw: bytes) -> bytes:
    """Apply the stream's filters (ASCII85Decode, FlateDecode) in order."""
    filters = re.search(rb"/Filter\s*(\[[^\]]*\]|/\w+)", head)
    names = re.findall(rb"/(\w+)", filters.group(1)) if filters else []
    for name in names:
        if name == b"ASCII85Decode":
            text = re.sub(rb"\s", b"", raw).removeprefix(b"<~").removesuffix(b"~>")
            raw = base64.a85decode(text)
        elif name == b"FlateDecode":
            raw = zlib.decompressobj().decompress(raw)
        else:
            raise ValueError(f"unsupported PDF filter {name.decode()}")
    return raw


def _parse_cmap(data: bytes) -> dict[bytes, str]:
    """A ``/ToUnicode`` CMap: character code (bytes) → text."""
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _HEX_PAIR.findall(block):
            mapping[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, first in _HEX_RANGE.findall(block):
            width = len(low) // 2
            start = int(low, 16)
            base = int(first, 16)
            for offset in range(int(high, 16) - start + 1):
                code = (start + offset).to_bytes(width, "big")
                mapping[code] = chr(base + offset)
    return mapping


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal_string(data: bytes, pos: int) -> tuple[bytes, int]:
    """The literal string starting after ``(`` at ``pos``; (bytes, position after ``)``)."""
    out = bytearray()
    depth = 1
    while pos < len(data):
        ch = data[pos : pos + 1]
        if ch == b"\\":
            nxt = data[pos + 1 : pos + 2]
            octal = re.match(rb"[0-7]{1,3}", data[pos + 1 : pos + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                pos += 1 + len(octal.group(0))
                continue
            if nxt in (b"\n", b"\r"):
                pos += 2
                continue
            out += _ESCAPES.get(nxt, nxt)
            pos += 2
            continue
        if ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), pos + 1
        out += ch
        pos += 1
    raise ValueError("unterminated PDF string")


def _shown_strings(content: bytes) -> list[tuple[str, bytes]]:
    """(font resource name, string bytes) for each string a content stream shows."""
    shown: list[tuple[str, bytes]] = []
    operands: list[bytes | str | list[bytes]] = []
    array: list[bytes] | None = None
    font = ""
    pos = 0
    token = re.compile(rb"\s*(/[^\s/<>\[\]()]+|<[0-9A-Fa-f\s]*>|\(|\[|\]|[^\s/<>\[\]()]+)")
    while pos < len(content):
        match = token.match(content, pos)
        if match is None:
            break
        item, pos = match.group(1), match.end()
        value: bytes | str
        if item == b"(":
            value, pos = _literal_string(content, pos)
        elif item.startswith(b"<"):
            value = bytes.fromhex(re.sub(rb"\s", b"", item[1:-1]).decode())
        elif item == b"[":
            array = []
            continue
        elif item == b"]":
            operands.append(array or [])
            array = None
            continue
        elif item.startswith(b"/"):
            value = item[1:].decode("latin-1")
        elif re.fullmatch(rb"[-+.\d]+", item):
            value = item.decode()
        else:  # an operator
            if item == b"Tf" and len(operands) >= 2 and isinstance(operands[-2], str):
                font = operands[-2]
            elif item in (b"Tj", b"'", b'"') and operands and isinstance(operands[-1], bytes):
                shown.append((font, operands[-1]))
            elif item == b"TJ" and operands and isinstance(operands[-1], list):
                shown += [(font, part) for part in operands[-1]]
            operands = []
            continue
        if array is not None:
            if isinstance(value, bytes):
                array.append(value)
        else:
            operands.append(value)
    return shown


def read_pdf(data: bytes) -> PdfSummary:
    """Read back a simple (reportlab-made) PDF without reportlab or pypdf.

    Finds the page count, the embedded TrueType fonts (``/FontFile2``) and the text
    of every page's content streams, decoded through each font's ``/ToUnicode`` map.
    """
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF file")
    objects = _pdf_objects(data)
    cmaps: dict[int, dict[bytes, str]] = {}
    descriptors_with_file: dict[int, str] = {}
    for number, (head, _stream) in objects.items():
        if b"/FontFile2" in head:
            name = re.search(rb"/FontName\s*/([^\s/<>\[\]()]+)", head)
            descriptors_with_file[number] = name.group(1).decode() if name else "?"
        to_unicode = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", head)
        if to_unicode is not None:
            stream = objects.get(int(to_unicode.group(1)), (b"", None))[1]
            cmaps[number] = _parse_cmap(stream or b"")
    font_names: dict[str, int] = {}
    for head, _stream in objects.values():
        for name, number in _REF.findall(head):
            if int(number) in cmaps:
                font_names[name.decode("latin-1")] = int(number)
    pages = [head for head, _stream in objects.values() if re.search(rb"/Type\s*/Page\b", head)]
    text: list[str] = []
    for head in pages:
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", head)
        stream = objects.get(int(contents.group(1)), (b"", None))[1] if contents else None
        for font, raw in _shown_strings(stream or b""):
            cmap = cmaps.get(font_names.get(font, -1))
            if cmap is None:
                text.append(raw.decode("latin-1"))
            else:
                text.append("".join(cmap.get(raw[i : i + 1], "\ufffd") for i in range(len(raw))))
        text.append("\n")
    return PdfSummary(len(pages), sorted(descriptors_with_file.values()), "".join(text))

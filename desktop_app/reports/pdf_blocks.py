"""The fixed blocks of the Decree 30 form: the header and the signature.

The header's left column holds the parent agency (capitals, regular) over the issuing
office (capitals, bold) with a rule under it 40 % as long as the office's name (the
decree asks for a third to a half), then the number; the right column the national
title (capitals, bold, 12 pt) over the motto (bold, 13 pt) ruled exactly its own
length, then the italic place and date on the number's line.
"""

from __future__ import annotations

from html import escape
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from desktop_app.reports.fonts import ReportFonts, nfc
from desktop_app.reports.model import ReportModel
from desktop_app.reports.texts import NBSP, bind, label

HEADER_SIZE = 13


def para_text(text: str) -> str:
    """NFC and XML-escaped text for a Paragraph."""
    return escape(nfc(text), quote=False)  # &, <, > as xml.sax.saxutils, without urllib (45 ms)


def split_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` at ordinary spaces only (a
    non-breaking space keeps a name whole), shown with ordinary spaces."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if not current or stringWidth(candidate.replace(NBSP, " "), font, size) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return [line.replace(NBSP, " ") for line in lines]


def letterhead_names(model: ReportModel) -> list[str]:
    """The names a letterhead must keep on one line: the agency word group and the
    names of the issuing office's unit, the report's unit and its parent, in capitals."""
    agg = getattr(model, "aggregate", None)  # the plan and holes reports carry no aggregate
    unit = agg.unit if agg is not None else getattr(model, "unit", None)
    names = ["ỦY BAN NHÂN DÂN"]
    # the issuing office's unit, which is not the report's when a district prints the
    # province's report ("ỦY BAN NHÂN DÂN HUYỆN MAI / SƠN" was split there)
    head = getattr(model, "header", None)
    if getattr(head, "issuer", ""):
        names.append(f"{head.issuer_kind} {head.issuer}".strip().upper())  # type: ignore[union-attr]
    if unit is None:
        return names
    names.append(unit.name.upper())
    parent = agg.parents.get(unit.id) if agg is not None else None
    if parent is not None:
        names.append(parent.name.upper())
    return names


class SubjectRule(Flowable):  # type: ignore[misc]
    """The subject paragraph with the decree's rule under it: a solid line a third of
    the subject's longest line, centred."""

    def __init__(self, paragraph: Paragraph, gap: float = 3.0) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.gap = gap
        self._para_height = 0.0
        self.rule_width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        _w, self._para_height = self.paragraph.wrap(avail_width, avail_height)
        style = self.paragraph.style
        inner = avail_width - style.leftIndent - style.rightIndent
        widths = []
        for line in self.paragraph.blPara.lines:
            extra = line[0] if isinstance(line, tuple) else getattr(line, "extraSpace", 0)
            widths.append(inner - extra)
        self.rule_width = max(widths, default=inner) / 3
        return avail_width, self._para_height + self.gap + 1

    def draw(self) -> None:
        self.paragraph.drawOn(self.canv, 0, self.gap + 1)
        self.canv.setLineWidth(0.6)
        x = self.width / 2
        self.canv.line(x - self.rule_width / 2, 1, x + self.rule_width / 2, 1)


class HeaderBlock(Flowable):  # type: ignore[misc]
    """The two header columns of the form: agency and number left, nation, motto and date
    right; rules drawn to the lengths the decree asks for."""

    def __init__(self, model: ReportModel, fonts: ReportFonts, left_width: float = 72 * mm):
        super().__init__()
        self.model = model
        self.fonts = fonts
        self.left_width = left_width
        self.leading = HEADER_SIZE * 1.2
        self._height = 0.0

    def _fit_columns(self, avail_width: float) -> None:
        """Give the agency column what its longest line needs, leaving the right column
        the width of its own longest line (title, motto or date)."""
        h, f = self.model.header, self.fonts
        lang = self.model.lang
        nation = 1 * mm + max(
            stringWidth(nfc(label("nation", lang)), f.bold, 12),
            stringWidth(nfc(label("motto", lang)), f.bold, HEADER_SIZE),
            stringWidth(nfc(h.date_line), f.italic, HEADER_SIZE),
        )
        need = max(
            stringWidth(nfc(h.office_name.upper()), f.bold, 12),
            stringWidth(nfc(h.parent_agency.upper()), f.regular, 12),
        )
        self.left_width = max(55 * mm, min(need + 2 * mm, avail_width - nation))

    def _left_lines(self) -> tuple[list[str], list[str]]:
        h = self.model.header
        width = self.left_width - 1
        names = letterhead_names(self.model)
        parent_text = bind(nfc(h.parent_agency.upper()), names)
        office_text = bind(nfc(h.office_name.upper()), names)
        parent = split_lines(parent_text, self.fonts.regular, 12, width)
        office = split_lines(office_text, self.fonts.bold, 12, width)
        return parent, office

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._fit_columns(avail_width)
        parent, office = self._left_lines()
        left = (len(parent) + len(office)) * self.leading + 8 + self.leading
        right = 3 * self.leading + 8
        self._height = max(left, right) + 4
        return avail_width, self._height

    def _centred(self, text: str, x: float, y: float, font: str, size: float) -> float:
        self.canv.setFont(font, size)
        self.canv.drawCentredString(x, y, text)
        return float(stringWidth(text, font, size))

    def draw(self) -> None:
        h, f = self.model.header, self.fonts
        lang = self.model.lang
        top = self._height - HEADER_SIZE
        cx = self.left_width / 2
        parent, office = self._left_lines()
        y = top
        for line in parent:
            self._centred(line, cx, y, f.regular, 12)
            y -= self.leading
        widest = 0.0
        for line in office:
            widest = max(widest, self._centred(line, cx, y, f.bold, 12))
            y -= self.leading
        rule_y = y + self.leading - 5.5
        self.canv.setLineWidth(0.6)
        rule = widest * 0.4
        self.canv.line(cx - rule / 2, rule_y, cx + rule / 2, rule_y)
        left_number_y = y - 8
        # right column
        rx = self.left_width + (self.width - self.left_width) / 2
        y = top
        self._centred(nfc(label("nation", lang)), rx, y, f.bold, 12)
        y -= self.leading
        motto_w = self._centred(nfc(label("motto", lang)), rx, y, f.bold, HEADER_SIZE)
        rule_y = y - 5.5
        self.canv.line(rx - motto_w / 2, rule_y, rx + motto_w / 2, rule_y)
        date_y = min(left_number_y, y - self.leading - 8)
        self._centred(nfc(label("number", lang, number=h.number)), cx, date_y, f.regular, 13)
        self._centred(nfc(h.date_line), rx, date_y, f.italic, 13)


def signature_block(model: ReportModel, s: dict[str, ParagraphStyle], width: float) -> Table:
    """ "Nơi nhận:" with one recipient a line, left; the signature block, right."""
    h = model.header
    left: list[Any] = [Paragraph(para_text(label("recipients", model.lang)), s["recipients_title"])]
    left += [Paragraph(para_text(r), s["recipients"]) for r in h.recipients]
    right: list[Any] = []
    if h.signer_on_behalf:
        right.append(Paragraph(para_text(h.signer_on_behalf.upper()), s["sign"]))
    right.append(Paragraph(para_text(h.signer_title.upper()), s["sign"]))
    right.append(Spacer(1, 26 * mm))
    if h.signer_name:
        right.append(Paragraph(para_text(bind(h.signer_name, [h.signer_name])), s["sign"]))
    table = Table([[left, right]], colWidths=[width * 0.48, width * 0.52])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), s["recipients"].fontName),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table

"""Official reports from local data: commune detail, district summary, province overview.

Each report is built once as a :class:`~desktop_app.reports.model.ReportModel` from the
store's aggregation (:mod:`desktop_app.store.aggregation`) and written as PDF
(reportlab, Decree 30/2020/NĐ-CP appendix I), XLSX (openpyxl) or CSV (UTF-8 with
BOM); :mod:`desktop_app.reports.dhis2` exports a unit's raw values as a
DHIS2-compatible dataValueSet.

Language decision (``lang="en"``): the English report is a translation for partners,
not the official document. Its fixed wording is English throughout, including the
national title and motto ("SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom -
Happiness"), the title ("REPORT"), the number label ("No.:"), the recipients label and
the date ("Mai Sơn, 5 February 2021"); indicator names, units and choice labels come
from the catalogue's English columns. What comes from the office settings (agency
and office names, number, signer's title and name, recipients) and unit names are
printed as entered, because they are the names of Vietnamese bodies and people. The
official Vietnamese report is the one with ``lang="vi"``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from desktop_app.domain.periods import Period, PeriodError
from desktop_app.reports.errors import BadPeriodError, UnknownFormatError, WrongUnitLevelError
from desktop_app.reports.model import ReportModel, build_model
from desktop_app.reports.texts import Lang
from desktop_app.store.store import Store

__all__ = [
    "FORMATS",
    "OFFICIAL_STATES",
    "ReportKind",
    "ReportModel",
    "build_report",
    "parse_period",
    "write_model",
    "write_report",
]

ReportKind = Literal["commune", "district", "province"]
FORMATS = (".pdf", ".xlsx", ".csv")
_LEVEL = {"province": 1, "district": 2, "commune": 3}
#: The submission states a signed report counts by default.
OFFICIAL_STATES: dict[str, frozenset[str]] = {
    "commune": frozenset({"submitted", "approved", "accepted"}),
    "district": frozenset({"approved", "accepted"}),
    "province": frozenset({"approved", "accepted"}),
}
_KIND_VI = {"province": "tỉnh", "district": "huyện", "commune": "xã"}


def parse_period(text: str) -> Period:
    """A period code (``2020`` or ``2020Q4``); :class:`BadPeriodError` otherwise."""
    try:
        return Period.parse(text.strip())
    except PeriodError:
        raise BadPeriodError(period=text) from None


def build_report(
    store: Store,
    kind: ReportKind,
    unit_id: str,
    period: Period | str,
    *,
    lang: Lang = "vi",
    report_date: date | None = None,
    include_drafts: bool = False,
    annex_by_area: bool = False,
) -> ReportModel:
    """The report of ``kind`` for ``unit_id`` and ``period`` (aggregated now).

    An official report counts only the communes whose period is submitted (commune
    report) or approved (district and province, :data:`OFFICIAL_STATES`);
    ``include_drafts`` counts the rest too, and the report then names them and marks
    every page "SỐ LIỆU CHƯA DUYỆT".

    ``annex_by_area``: a district's or province's annex lists its communes grouped by
    area (border, region III, other) instead of one row per commune or district.
    """
    from desktop_app.i18n import _
    from desktop_app.store.aggregation import aggregate
    from desktop_app.store.area_reader import Loader

    if isinstance(period, str):
        period = parse_period(period)
    unit = store.reference.unit(unit_id)
    if unit.level != _LEVEL[kind]:
        names = {"province": _("province"), "district": _("district"), "commune": _("commune")}
        raise WrongUnitLevelError(unit=unit.name, kind=names[kind])
    from dataclasses import replace

    from desktop_app.reports.area_section import annex_by_area as grouped
    from desktop_app.reports.area_section import area_section, commune_figures
    from desktop_app.reports.catalogue_choice import report_catalogue
    from desktop_app.reports.holding import holding
    from desktop_app.reports.map_annex import map_annex
    from desktop_app.reports.trend_section import trend_section

    official = OFFICIAL_STATES[kind]
    counted = None if include_drafts else official
    # a locked period is drawn with the catalogue it was locked under (catalogue_choice)
    chosen = report_catalogue(store, unit_id, period, counted)
    with store.reporting_with(chosen.catalogue):
        # a province's communes in the same pass: the by-area section and annex read them;
        # the trend reads through the same loader (the change log's village history once)
        loader = Loader(store)
        agg = aggregate(
            store,
            unit_id,
            period,
            per_commune=kind == "province",
            counted_states=counted,
            loader=loader,
        )
        # what this office holds: a province report printed at a district counts one
        # district's communes, and says so (reports/holding.py)
        held = holding(store, agg)
        agg = held.restrict(agg)
        provisional = [c.commune for c in agg.completeness if c.state not in official]
        model = build_model(
            store,
            agg,
            lang=lang,
            report_date=report_date,
            provisional=provisional if include_drafts else (),
            holding=held,
        )
        communes = (
            commune_figures(store, agg, counted_states=counted) if agg.level != "commune" else []
        )
        model = replace(
            model,
            areas=area_section(store, agg, lang, communes, held),
            map=map_annex(store, agg, lang, held),
            trend=trend_section(store, agg, lang, counted_states=counted, loader=loader, held=held),
            notices=model.notices + chosen.notices(lang),
        )
        return grouped(store, model, communes, lang) if annex_by_area else model


def write_model(model: ReportModel, out: Path, *, csv_sep: str = ",") -> Path:
    """Write ``model`` in the format named by ``out``'s extension (a CSV separated by
    ``csv_sep``: "," with decimal points or ";" with decimal commas)."""
    from desktop_app.reports.output import safe_output

    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UnknownFormatError(path=str(out), formats=", ".join(FORMATS))
    with safe_output(out) as tmp:
        if suffix == ".pdf":
            from desktop_app.reports.pdf import write_pdf

            write_pdf(model, tmp)
        elif suffix == ".xlsx":
            from desktop_app.reports.tabular import write_xlsx

            write_xlsx(model, tmp)
        else:
            from desktop_app.reports.tabular import write_csv

            write_csv(model, tmp, csv_sep)
    return out


def write_report(
    store: Store,
    kind: ReportKind,
    unit_id: str,
    period: Period | str,
    out: Path,
    *,
    lang: Lang = "vi",
    report_date: date | None = None,
    include_drafts: bool = False,
    annex_by_area: bool = False,
) -> Path:
    """Build the report and write it to ``out`` (.pdf, .xlsx or .csv)."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise UnknownFormatError(path=str(out), formats=", ".join(FORMATS))
    model = build_report(
        store,
        kind,
        unit_id,
        period,
        lang=lang,
        report_date=report_date,
        include_drafts=include_drafts,
        annex_by_area=annex_by_area,
    )
    return write_model(model, out)

"""What the reports page offers an office, and the work it hands to the task runner.

An office reports on what it serves: a commune office on its commune; a district
office on its district and each of its communes; a province on itself, each district
and each commune. The tasks read the store from a worker thread (peewee keeps one
connection per thread; the worker closes its own when done) and touch no widget.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from desktop_app.domain.periods import Period
from desktop_app.domain.text import fold_diacritics
from desktop_app.domain.units import Unit
from desktop_app.i18n import _
from desktop_app.reports import FORMATS, ReportKind, ReportModel, build_report, write_model
from desktop_app.reports.texts import Lang
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.ui.pdf_preview import PREVIEW_DPI, RenderedPage, render_pages
from desktop_app.ui.tasks import CancelFlag, Cancelled, Progress, Task

SEARCH_BACK_QUARTERS = 40  # how far back the page looks for the latest quarter with data
DHIS2_FORMATS = (".json", ".csv")

#: the page's reports: the official ones of a period, and the year's plan and holes reports
PageKind = Literal["commune", "district", "province", "plan", "holes"]
YEAR_KINDS = ("plan", "holes")


@dataclass(frozen=True)
class ReportChoice:
    """Everything that decides what a report says."""

    kind: PageKind
    unit_id: str
    period: Period  # plan and holes: the year of this period
    lang: Lang
    report_date: date
    include_drafts: bool = False
    annex_by_area: bool = False  # district and province: the annex grouped by area

    def file_stem(self, unit_name: str) -> str:
        """A file name without accents: ``bao-cao-huyen-mai-son-2020Q4``, ``ke-hoach-…-2020``."""
        words = fold_diacritics(unit_name).split()
        if self.kind in YEAR_KINDS:
            prefix = "ke-hoach" if self.kind == "plan" else "xoa-thon-lom-song"
            return "-".join([prefix, *words, str(self.period.year)])
        return "-".join(["bao-cao", *words, self.period.code])

    @property
    def year(self) -> int:
        """The year of a plan or holes report."""
        return self.period.year


@dataclass(frozen=True)
class Preview:
    """A report built, written as PDF and rendered, for the choice it was built from."""

    choice: ReportChoice
    model: ReportModel | None  # None: the plan and holes reports (PDF only)
    pdf: Path
    pages: list[RenderedPage]


def kind_label(kind: PageKind) -> str:
    """The report's name in the list."""
    return {
        "commune": _("Commune detail"),
        "district": _("District summary"),
        "province": _("Province overview"),
        "plan": _("Plan follow-up (year)"),
        "holes": _("Coverage holes (year)"),
    }[kind]


def kinds_for(store: Store, office_id: str) -> list[PageKind]:
    """The reports that fit the office, widest first; then a district's or province's
    plan follow-up and coverage-hole reports."""
    office = store.reference.unit(office_id)
    if office.level >= 3:
        return ["commune"]
    if office.level == 2:
        return ["district", "commune", "plan", "holes"]
    has_districts = any(u.level == 2 for u in store.reference.children(office_id))
    kinds: list[PageKind] = ["province", "district", "commune"]
    return [*(kinds if has_districts else ["province", "commune"]), "plan", "holes"]


def units_for(store: Store, office_id: str, kind: PageKind) -> list[tuple[str, str]]:
    """``(unit id, label)`` of the units the office may report on as ``kind``.

    At a province a commune's label names its district, since commune names repeat.
    The plan and holes reports are of the office's district, or of the province and
    each of its districts.
    """
    office = store.reference.unit(office_id)
    if kind in YEAR_KINDS:
        if office.level == 2:
            return [(office.id, office.name)]
        if office.level != 1:
            return []
        return units_for(store, office_id, "province") + units_for(store, office_id, "district")
    if kind == "province":
        if office.level != 1:
            return []
        # the province of today's structure first, then the one its history was kept in
        return [
            (u.id, _("{unit} ({structure})").format(unit=u.name, structure=_structure(u)))
            for u in _provinces(store, office_id)
        ]
    if kind == "district":
        if office.level == 2:
            return [(office.id, office.name)]
        if office.level == 1:
            children = store.reference.children(office_id)
            return [(u.id, u.name) for u in children if u.level == 2]
        return []
    if office.level != 1:
        return [(u.id, u.name) for u in store.reference.communes_under(office_id)]
    out: list[tuple[str, str]] = []
    for province in _provinces(store, office_id):
        children = store.reference.children(province.id)
        districts = {u.id: u.name for u in children if u.level == 2}
        communes = store.reference.communes_under(province.id)
        out += [(u.id, _label_in(u, districts)) for u in communes]
    return out


def _provinces(store: Store, office_id: str) -> list[Unit]:
    """A province office's province in both structures (the 2025 one first), as held."""
    code = office_id.partition(":")[2]
    found = []
    for structure in ("2025", "pre2025"):
        try:
            found.append(store.reference.unit(f"{structure}:{code}"))
        except StoreError:
            continue
    return found


def _structure(unit: Unit) -> str:
    return _("since 1 July 2025") if unit.structure == "2025" else _("before the 2025 reform")


def _label_in(commune: Unit, districts: dict[str, str]) -> str:
    district = districts.get(commune.parent_id or "")
    return f"{commune.name} — {district}" if district else commune.name


def latest_period_with_data(store: Store, office_id: str, today: date) -> Period | None:
    """The newest quarter (up to ``today``'s) in which any of the office's communes has values."""
    office = store.reference.unit(office_id)
    roots = _provinces(store, office_id) if office.level == 1 else [office]
    communes = [u.id for r in roots for u in store.reference.communes_under(r.id)]
    period = Period.containing(today)
    for _step in range(SEARCH_BACK_QUARTERS):
        if any(store.values.commune_values(c, period.code) for c in communes):
            return period
        period = period.previous()
    return None


def with_suffix_of_filter(path: str, selected_filter: str, formats: tuple[str, ...]) -> Path:
    """The chosen path, given the extension of the chosen filter when it has none we write."""
    out = Path(path)
    if out.suffix.lower() in formats:
        return out
    wanted = next((f for f in formats if f"*{f}" in selected_filter), formats[0])
    return out.with_name(out.name + wanted)


def _release_connection(store: Store) -> None:
    # peewee opened a connection for this worker thread; the GUI thread keeps its own
    if threading.current_thread() is not threading.main_thread():
        store.db.close()


def preview_task(store: Store, choice: ReportChoice, folder: Path) -> Task:
    """Build the report, write it as PDF in ``folder`` and render its pages."""

    def task(progress: Progress, cancel: CancelFlag) -> Preview:
        out = folder / f"preview-{uuid.uuid4().hex[:12]}.pdf"
        model: ReportModel | None = None
        try:
            progress(None, _("Adding up the figures…"))
            if choice.kind in YEAR_KINDS:
                pdf = _write_year_report(store, choice, out)
            else:
                model = _build(store, choice)
        finally:
            _release_connection(store)
        cancel.raise_if_set()
        if model is not None:
            progress(None, _("Laying out the pages…"))
            pdf = write_model(model, out)
        cancel.raise_if_set()

        def on_page(done: int, total: int) -> None:
            cancel.raise_if_set()
            message = _("Preparing page {n} of {total}…").format(n=done, total=total)
            progress(done / total, message)

        try:
            pages = render_pages(pdf, PREVIEW_DPI, on_page)
        except Cancelled:
            pdf.unlink(missing_ok=True)
            raise
        return Preview(choice, model, pdf, pages)

    return task


def _build(store: Store, choice: ReportChoice) -> ReportModel:
    kind: ReportKind = "province" if choice.kind == "province" else "district"
    return build_report(
        store,
        "commune" if choice.kind == "commune" else kind,
        choice.unit_id,
        choice.period,
        lang=choice.lang,
        report_date=choice.report_date,
        include_drafts=choice.include_drafts,
        annex_by_area=choice.annex_by_area,
    )


def _write_year_report(store: Store, choice: ReportChoice, out: Path) -> Path:
    """The plan follow-up or coverage-hole report of the choice's year, as PDF at ``out``."""
    from desktop_app.reports.holes import write_holes_report
    from desktop_app.reports.plan import write_plan_report

    write = write_plan_report if choice.kind == "plan" else write_holes_report
    return write(
        store, choice.unit_id, choice.year, out, lang=choice.lang, report_date=choice.report_date
    )


def save_task(
    store: Store, choice: ReportChoice, preview: Preview | None, out: Path, csv_sep: str = ","
) -> Task:
    """Write the report to ``out`` (.pdf, .xlsx, .csv separated by ``csv_sep``); reuse a
    current preview's work."""

    def task(progress: Progress, cancel: CancelFlag) -> Path:
        progress(None, _("Saving {name}…").format(name=out.name))
        if preview is not None and preview.choice == choice:
            if out.suffix.lower() == ".pdf":
                from desktop_app.reports.output import safe_output

                with safe_output(out) as tmp:
                    shutil.copyfile(preview.pdf, tmp)
                return out
            if preview.model is not None:
                return write_model(preview.model, out, csv_sep=csv_sep)
        try:
            if choice.kind in YEAR_KINDS:
                return _write_year_report(store, choice, out)
            model = _build(store, choice)
        finally:
            _release_connection(store)
        cancel.raise_if_set()
        return write_model(model, out, csv_sep=csv_sep)

    return task


def dhis2_task(
    store: Store, unit_id: str, period: Period, out: Path, *, include_drafts: bool = False
) -> Task:
    """Write the unit's values for ``period`` as a DHIS2 dataValueSet; the number written
    (approved communes' values only unless ``include_drafts``)."""

    def task(progress: Progress, cancel: CancelFlag) -> int:
        from desktop_app.reports.dhis2 import write_dhis2

        progress(None, _("Saving {name}…").format(name=out.name))
        try:
            return write_dhis2(store, unit_id, period, out, include_drafts=include_drafts)
        finally:
            _release_connection(store)

    return task


def form_task(store: Store, commune_id: str, period: Period, out: Path, lang: Lang) -> Task:
    """Write the commune's blank collection form for ``period``; the pages printed."""

    def task(progress: Progress, cancel: CancelFlag) -> int:
        from desktop_app.reports.form import write_form

        progress(None, _("Saving {name}…").format(name=out.name))
        try:
            return write_form(store, commune_id, period, out, lang)
        finally:
            _release_connection(store)

    return task


def report_filters(kind: PageKind = "district") -> list[tuple[str, str]]:
    """``(filter, extension)`` of the report formats, PDF first (only PDF: plan, holes);
    CSV twice: with commas and decimal points, then for an Excel set to Vietnamese
    (semicolons, decimal commas)."""
    names = {
        ".pdf": _("PDF document (*.pdf)"),
        ".xlsx": _("Excel workbook (*.xlsx)"),
        ".csv": _("CSV table (*.csv)"),
    }
    if kind in YEAR_KINDS:
        return [(names[f], f) for f in FORMATS[:1]]
    return [(names[f], f) for f in FORMATS] + [(semicolon_csv_filter(), ".csv")]


def semicolon_csv_filter() -> str:
    """The save dialog's filter for a CSV separated by semicolons with decimal commas."""
    return _("CSV for Excel in Vietnamese: semicolons, decimal comma (*.csv)")


def csv_sep_of_filter(selected_filter: str) -> str:
    """The CSV separator the chosen filter of the save dialog stands for."""
    return ";" if selected_filter == semicolon_csv_filter() else ","


def dhis2_filters() -> list[tuple[str, str]]:
    """``(filter, extension)`` of the DHIS2 formats."""
    names = {".json": _("DHIS2 JSON (*.json)"), ".csv": _("DHIS2 CSV (*.csv)")}
    return [(names[f], f) for f in DHIS2_FORMATS]

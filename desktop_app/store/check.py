"""``coverage-desk check``: integrity, schema version, counts and every broken rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.i18n import _, current_language
from desktop_app.store.db import integrity_check, schema_version
from desktop_app.store.store import Store
from desktop_app.store.validation import Finding, check_database


@dataclass
class CheckReport:
    """What ``check`` found; ``ok`` when the file is intact and no error-level rule is broken."""

    integrity: list[str]
    schema_version: int
    units: int
    villages: int
    values: int
    sites: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that break an error-level rule."""
        return [f for f in self.findings if f.violation.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings that break a warning-level rule."""
        return [f for f in self.findings if f.violation.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the database is intact and holds no error-level violation."""
        return self.integrity == ["ok"] and not self.errors

    def lines(self) -> list[str]:
        """The report as lines of text in the current language."""
        vi = current_language() == "vi"
        out = [
            _("Integrity check: {result}").format(
                result=_("ok") if self.integrity == ["ok"] else "; ".join(self.integrity[:5])
            ),
            _("Schema version: {version}").format(version=self.schema_version),
            _("Units: {count}").format(count=self.units),
            _("Villages: {count}").format(count=self.villages),
            _("Values: {count}").format(count=self.values),
            _("Sites: {count}").format(count=self.sites),
            _("Rule violations: {errors} errors, {warnings} warnings").format(
                errors=len(self.errors), warnings=len(self.warnings)
            ),
        ]
        if not self.findings:
            out.append(_("No rule is broken."))
        for finding in self.errors + self.warnings:
            v = finding.violation
            label = _("error") if v.severity == "error" else _("warning")
            message = v.message_vi if vi else v.message_en
            out.append(f"  [{label}] {finding.org_name} · {finding.period}: {message}")
        return out


def run_check(path: Path) -> CheckReport:
    """Open the database at ``path`` (which must exist) and check it."""
    with Store.open(Path(path)) as store:
        return CheckReport(
            integrity=integrity_check(store.db),
            schema_version=schema_version(store.db),
            units=store.reference.count_units(),
            villages=store.villages.count(),
            values=store.values.count(),
            sites=store.sites.count(),
            findings=list(check_database(store)),
        )

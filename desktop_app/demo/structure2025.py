"""The 2025-structure demo (``coverage-desk demo --structure 2025``).

Sơn La as a province deploying Coverage Desk today works in the new structure while its
history lives in the old one. The demo is built the way it happens, through the real
reform commands' services and signed bundles:

1. the district demo of Huyện Mai Sơn (``build_demo``) for 2024Q1–2025Q2, pre-enrolled
   under the demo province, hands its communes' history to the province (a bundle);
2. the province publishes its village mapping and reissues, for each new office, the
   certificate of its 2025 commune;
3. each new commune office (``2025:04108`` Xã Chiềng Sung, formed from Chiềng Sung and
   Chiềng Chăn, is the demo office kept at ``path``; ``2025:04105`` Xã Mai Sơn is a second
   one) starts as the office of one of its old communes, receives its history, moves into
   the new commune (``store.reform.move_office``), receives the history of its other old
   communes and takes their villages over;
4. it then reports 2025Q3 onwards in the new structure, carrying its villages' figures on,
   and submits to the province, which approves and accepts all but the last quarter: that
   one waits in the province's review list, approved by the province directly.

Every report of a 2025 commune before 2025Q3 is its old communes' history (remapped).
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.periods import Period
from desktop_app.i18n import _
from desktop_app.store.errors import DatabaseExistsError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

#: What the demo province decides for the villages of the five Sơn La communes dissolved
#: by the late-2024 merger whose successor the shipped lineage does not give (a province's
#: mapping, published with ``reform apply``; NOT shipped data): Huy Bắc into Xã Phù Yên,
#: Tân Hợp, Qui Hướng and Tà Lai into Xã Tân Yên, Thị trấn Yên Châu into Xã Yên Châu.
DEMO_PROVINCE_DECIDES = {
    "pre2025:03913": "2025:03910",
    "pre2025:03988": "2025:03997",
    "pre2025:03991": "2025:03997",
    "pre2025:04003": "2025:03997",
    "pre2025:04060": "2025:04075",
}

#: the new offices of the demo: (2025 commune, the old commune whose office it was)
OFFICES = (("2025:04108", "pre2025:04108"), ("2025:04105", "pre2025:04105"))
OLD_DISTRICT = "pre2025:125"
HISTORY = ("2024Q1", "2025Q2")
NEW_QUARTERS = ("2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")


@dataclass(frozen=True)
class Demo2025:
    """What the 2025 demo wrote: the office, its province, and how much it holds."""

    office_id: str
    province_path: Path
    villages: int
    values: int


def _sync(source: Store, target: Store, folder: Path, name: str, *, to: bool = False) -> None:
    from desktop_app.sync.exchange import export_bundle, import_bundle

    bundle = folder / f"{name}.cdsync"
    export_bundle(source, bundle, to=target.node.node_id if to else None)
    import_bundle(target, bundle, backup=False)


def _carry_on(store: Store, new_office: str, rng: random.Random) -> int:
    """Type the new quarters for the office's villages, carrying its last figures on."""
    db: Any = store.db  # peewee leaves execute_sql untyped
    catalogue = store.catalogue
    villages = [str(v) for (v,) in db.execute_sql(
        "SELECT id FROM village WHERE commune_id = ? AND active = 1", (new_office,))]  # fmt: skip
    marks = ",".join("?" for _ in villages) or "''"
    last: dict[tuple[str, str, str, str], str] = {}
    for org, period, code, disagg, text in db.execute_sql(
        f"SELECT org_id, period, indicator, disagg, value FROM data_value"
        f" WHERE org_id IN ({marks}) AND period IN ('2025Q2', '2024') AND value IS NOT NULL",
        tuple(villages),
    ):
        last[(str(org), str(period), str(code), str(disagg))] = str(text)
    # the new commune's own figures: its old communes' put together
    from desktop_app.store.lineage import lineage_sources

    olds = lineage_sources(store).get(new_office, [])
    omarks = ",".join("?" for _ in olds) or "''"
    joined: dict[tuple[str, str, str, str], typed.Value] = {}
    for period, code, disagg, text in db.execute_sql(
        f"SELECT period, indicator, disagg, value FROM data_value WHERE org_id IN ({omarks})"
        " AND period IN ('2025Q2', '2024') AND value IS NOT NULL ORDER BY org_id",
        tuple(olds),
    ):
        key = (new_office, str(period), str(code), str(disagg))
        value = typed.decode(catalogue.indicators[str(code)], str(text))
        seen = joined.get(key)
        if seen is None:
            joined[key] = value
        elif isinstance(value, bool) and isinstance(seen, bool):
            joined[key] = seen or value
        elif (
            isinstance(value, int | Decimal)
            and isinstance(seen, int | Decimal)
            and not catalogue.indicators[str(code)].unit_en.startswith("per ")  # a rate: kept
        ):
            joined[key] = seen + value
    last.update({k: typed.encode(catalogue.indicators[k[2]], v) for k, v in joined.items()})
    written = 0
    for code_text in NEW_QUARTERS:
        period = Period.parse(code_text)
        writes: list[ValueWrite] = []
        for (org, old_period, code, disagg), text in sorted(last.items()):
            ind = catalogue.indicators[code]
            if (ind.frequency == "annual") != (old_period == "2024"):
                continue
            if ind.frequency == "annual" and not (code_text == "2025Q3" or period.quarter == 1):
                continue  # the year's figures are typed once a year (2025 from 2025Q3 on)
            target = period.annual().code if ind.frequency == "annual" else code_text
            value = typed.decode(ind, text)
            if isinstance(value, int) and not isinstance(value, bool) and value > 20:
                value = value + rng.randint(0, max(1, value // 50))  # a little growth
            village = None if org == new_office else org
            writes.append(ValueWrite(new_office, village, target, code, value, disagg))
        written += store.values.set_many(writes)
    return written


def build_demo_2025(
    path: Path,
    seed: int = 1,
    *,
    province_path: Path,
    progress: Callable[[str], None] | None = None,
) -> Demo2025:
    """Create the 2025 demo office at ``path`` and its demo province at ``province_path``."""
    from desktop_app.demo import build_demo
    from desktop_app.demo.generator import _add_users, _settings
    from desktop_app.domain.reform import REFORM_PERIOD
    from desktop_app.reports.letterhead import letterhead
    from desktop_app.store.office import create_office
    from desktop_app.store.reform import move_office
    from desktop_app.sync.certificates import (
        accept_certificate,
        enroll_demo,
        my_certificate,
        reissue_for,
    )

    path, province_path = Path(path), Path(province_path)
    for target in (path, province_path):
        if target.exists():
            raise DatabaseExistsError(path=str(target))
    say = progress or (lambda _message: None)
    rng = random.Random(f"coverage-desk demo 2025|{seed}")
    made = [path, province_path]
    try:
        with tempfile.TemporaryDirectory(prefix="coverage-desk-demo-2025-") as tmp:
            work = Path(tmp)
            district = work / "district.db"
            say(_("Building the history of the old structure (Huyện Mai Sơn, {first}–{last})")
                .format(first=HISTORY[0], last=HISTORY[1]))  # fmt: skip
            build_demo(district, OLD_DISTRICT, seed, first_period=HISTORY[0],
                       last_period=HISTORY[1], province_path=province_path)  # fmt: skip
            with Store.open(district) as d, Store.open(province_path) as province:
                _sync(d, province, work, "history", to=True)
                # the province works in the new structure: Sở Khoa học và Công nghệ
                unit = province.reference.unit(province.node.office_id)
                head = letterhead(unit, None, unit, REFORM_PERIOD)
                province.reference.set_settings({**province.reference.settings(), **head})
                province.publishing.publish_village_mapping({}, "2025.7")
                total_values = 0
                for i, (new_office, old_office) in enumerate(OFFICES):
                    say(_("Moving the office of {old} into {new}").format(
                        old=old_office, new=new_office))  # fmt: skip
                    office_path = path if i == 0 else work / f"office-{i}.db"
                    office = create_office(office_path, old_office)
                    try:
                        users = random.Random(f"coverage-desk demo 2025 users|{seed}|{i}")
                        _add_users(office, users)
                        enroll_demo(office, province)
                        _sync(province, office, work, f"to-old-{i}")
                        cert = reissue_for(province, my_certificate(office)[0], new_office)
                        move_office(office, new_office)
                        accept_certificate(office, cert)
                        _sync(office, province, work, f"moved-{i}")
                        _sync(province, office, work, f"history-{i}")
                        move_office(office, new_office)  # the other old communes' villages
                        office.reference.set_settings(_settings(office, new_office, users))
                        total_values += _carry_on(office, new_office, rng)
                        for code in NEW_QUARTERS:
                            office.submissions.move(new_office, code, "submitted")
                        _sync(office, province, work, f"new-{i}")
                        for code in NEW_QUARTERS[:-1]:
                            province.submissions.move(new_office, code, "approved")
                            province.submissions.move(new_office, code, "accepted")
                        _sync(province, office, work, f"reviewed-{i}")
                        if i == 0:
                            villages = office.villages.count()
                    finally:
                        office.close()
    except BaseException:
        for file in made:
            for leftover in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    say(_("2025 demo ready: {office}, enrolled under {province}").format(
        office=path, province=province_path))  # fmt: skip
    return Demo2025(OFFICES[0][0], province_path, villages, total_values)

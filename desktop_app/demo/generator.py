"""Build a realistic, deterministic demo office database (``coverage-desk demo``).

:func:`build_demo` plans two years of coverage work for the communes of an office
(:mod:`desktop_app.demo.plan`), then replays it through the store in the order it
would have happened: the province sets its annual targets in January, each
commune's office registers its villages and sites and types its quarter a few days
after the quarter ends, sends it in, and the district approves or returns it. Each
commune writes with its own simulated installation (as if its data had come in by
USB stick), so the change log, audit log and peer cursors look like a real office's.

Demo accounts (documented for the README): ``admin`` / ``admin123`` (admin),
``canbo`` / ``canbo123`` (clerk), ``lanhdao`` / ``lanhdao123`` (reviewer).

Deliberate anomalies the demo holds (so that the warnings and the review flow can be
shown):

* the commune marked ``mismatch`` (a third of the way down the office's xã list)
  typed one Viettel BTS site more in the last quarter than its site register holds
  (the comment on the cell says the new site is not registered yet); the district
  returned that quarter with a reason naming it;
* one more commune is returned in the last quarter, a few stay draft (never
  submitted), a few are approved, the rest are submitted;
* one commune had its second quarter returned and then resubmitted and approved;
* the remotest villages (about 1.8 % of them, without grid power) still have no
  mobile signal in the last quarter, most with a planned Viettel site;
* the remotest communes get post only every other day (``tan_suat_phat`` 0.5: a
  warning, not an error);
* a few BTS sites and loudspeaker clusters are out of order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from desktop_app.demo.model import CommunePlan
from desktop_app.demo.names import person_name
from desktop_app.demo.plan import plan_office
from desktop_app.demo.replay import DemoClock, Replay, working_time
from desktop_app.domain.ids import uuid7
from desktop_app.domain.periods import Period, PeriodError, period_range
from desktop_app.i18n import _
from desktop_app.store.errors import DatabaseExistsError
from desktop_app.store.office import create_office
from desktop_app.store.store import Store

__all__ = ["DEMO_USERS", "DemoClock", "DemoSummary", "build_demo", "working_time"]

DEMO_USERS = (
    ("admin", "Quản trị viên", "admin", "admin123"),
    ("canbo", "", "clerk", "canbo123"),
    ("lanhdao", "", "reviewer", "lanhdao123"),
)
"""(username, full name or "" for a generated one, role, password) of the demo accounts."""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo database holds."""

    office_id: str
    communes: int
    villages: int
    values: int
    sites: int


def _quarters(first_period: str, last_period: str) -> list[Period]:
    first, last = Period.parse(first_period), Period.parse(last_period)
    if first.kind != "quarterly" or last.kind != "quarterly":
        raise PeriodError(f"the demo covers quarters, not {first.code}..{last.code}")
    quarters = period_range(first, last)
    if not quarters:
        raise PeriodError(f"{first.code} comes after {last.code}")
    return quarters


def _settings(store: Store, office_id: str, rng: random.Random) -> dict[str, str]:
    """The office settings printed on reports, in the official style."""
    unit = store.reference.unit(office_id)
    province = store.reference.unit(store.reference.meta("province_id") or office_id)
    short = unit.short_name
    from desktop_app.reports.letterhead import letterhead

    parent = store.reference.unit(unit.parent_id) if unit.parent_id else None
    settings = letterhead(unit, parent, province, None)
    settings["place"] = short
    settings["signer_name"] = person_name(rng)
    return settings


def _synchronous(store: Store, mode: str) -> None:
    db: Any = store.db  # peewee leaves execute_sql untyped
    db.execute_sql(f"PRAGMA synchronous = {mode}")


def _add_users(store: Store, rng: random.Random) -> None:
    for username, full_name, role, password in DEMO_USERS:
        store.users.add(
            username, full_name or person_name(rng), role, password, salt=rng.randbytes(16)
        )


def _demo_province(
    store: Store,
    replay: Replay,
    province_path: Path,
    seed: int,
    clock: DemoClock,
    say: Callable[[str], None],
) -> None:
    """Write the demo province beside the office and pre-enrol the office under it."""
    from desktop_app.demo.enrolment import create_demo_province, deliver, hand_over, pre_enrol

    say(_("Enrolling the office under a demo province {path}").format(path=province_path))
    province_id = replay.province
    province = create_demo_province(
        province_path, province_id, replay.actors[province_id], seed, clock
    )
    try:
        _synchronous(province, "OFF")
        prng = random.Random(f"coverage-desk demo province users|{seed}")
        province.reference.set_settings(_settings(province, province_id, prng))
        _add_users(province, prng)
        hand_over(store, province)
        pre_enrol(store, province, replay.actors, seed)
        say(_("Sending the office's data to the demo province by bundle"))
        deliver(store, province, province_path.parent)
        _synchronous(province, "FULL")
    finally:
        province.close()


def build_demo(
    path: Path,
    office_id: str = "pre2025:125",
    seed: int = 1,
    *,
    first_period: str = "2019Q1",
    last_period: str = "2020Q4",
    progress: Callable[[str], None] | None = None,
    province_path: Path | None = None,
) -> DemoSummary:
    """Create a NEW demo database at ``path`` for ``office_id`` and return what it holds.

    The office may be a province, a district or a commune. The same seed (and
    periods) always gives the same table contents, byte for byte. Nothing is left
    on disk when it fails; an existing file is refused.

    With ``province_path`` (a district or commune office) the office comes
    pre-enrolled under a demo province whose database is written there, with
    the same demo accounts; every simulated installation's changes are kept as
    segments signed by their authors, so the office can relay them and the
    province verifies them (:mod:`desktop_app.demo.enrolment`). The office's
    data tables are the same with or without it.
    """
    path = Path(path)
    quarters = _quarters(first_period, last_period)
    province_path = None if province_path is None else Path(province_path)
    made: list[Path] = [path]
    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    id_rng = random.Random(rng.getrandbits(64))  # ids: independent of how many are drawn
    clock = DemoClock(working_time(quarters[0].start - timedelta(days=20)))
    node_id = uuid7(int(clock() * 1000), id_rng)
    epoch = id_rng.randrange(1, 2**31)
    say(_("Creating the office database {path}").format(path=path))
    store = create_office(path, office_id, clock=clock, rng=id_rng, node_id=node_id, epoch=epoch)
    try:
        if store.reference.unit(office_id).level == 1:
            province_path = None  # the office is the province itself
        if province_path is not None:
            if province_path.exists():
                raise DatabaseExistsError(path=str(province_path))
            made.append(province_path)
        _synchronous(store, "OFF")  # a fresh file, deleted if the build fails
        store.reference.set_settings(_settings(store, office_id, rng))
        _add_users(store, rng)
        units = store.reference.communes_under(office_id)
        plans: list[CommunePlan] = plan_office(
            rng, [(u, u.parent_id or office_id) for u in units], quarters
        )
        replay = Replay(store, clock, rng, id_rng, plans, quarters, say)
        replay.run()
        if province_path is not None:
            _demo_province(store, replay, province_path, seed, clock, say)
        _synchronous(store, "FULL")
        summary = DemoSummary(
            office_id,
            len(plans),
            store.villages.count(),
            store.values.count(),
            store.sites.count(),
        )
    except BaseException:
        store.close()
        for file in made:
            for leftover in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    store.close()
    say(
        _(
            "Demo ready: {communes} communes, {villages} villages, {values} values, {sites} sites"
        ).format(**summary.__dict__)
    )
    return summary

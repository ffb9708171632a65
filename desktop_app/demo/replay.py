"""Replay a planned demo office through the store, in the order it would have happened.

Each quarter: the province sets the year's targets (in January), every commune's
office registers new villages and sites, types the quarter (and, with the year's
last quarter, the annual survey) and sends it in; then the district reviews. Each
office writes as its own simulated installation; the database's peer cursors are
advanced past what it "received".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from desktop_app.demo import series
from desktop_app.demo.model import CommunePlan, SitePlan
from desktop_app.demo.names import OPERATOR_LABELS, slug
from desktop_app.domain.ids import uuid7
from desktop_app.domain.periods import Period
from desktop_app.i18n import _
from desktop_app.store import cursors
from desktop_app.store.changes import Actor, next_seq
from desktop_app.store.repositories.sites import Site
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store

TARGETS = ("ty_le_thon_co_song", "ty_le_thon_4g", "so_thon_lom_song", "ty_le_ho_internet")
_RETURN_REASONS = (
    "Số hộ có kết nối Internet của một số bản tăng bất thường so với quý trước,"
    " đề nghị xã rà soát lại.",
    "Số cụm loa hỏng chưa có ghi chú giải thích, đề nghị xã bổ sung.",
    "Chưa cập nhật tình trạng sóng di động của các bản vùng cao, đề nghị kiểm tra lại.",
)


class DemoClock:
    """A settable clock for the store: simulated time, moved forward by the generator."""

    def __init__(self, start: datetime) -> None:
        """Start at ``start`` (an aware datetime)."""
        self.now = start.timestamp()

    def __call__(self) -> float:
        """Seconds since the epoch, like :func:`time.time`."""
        return self.now

    def at_least(self, moment: datetime) -> None:
        """Move forward to ``moment`` (never back)."""
        self.now = max(self.now, moment.timestamp())

    def step(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += seconds


def working_time(day: date, hour: float = 8.5) -> datetime:
    """``hour`` o'clock in Vietnam (UTC+7) on ``day``, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 7)


def _spread(start: datetime, days: float, i: int, n: int) -> datetime:
    """The ``i``-th of ``n`` moments spread over ``days`` working days from ``start``."""
    offset = days * i / max(1, n)
    day, part = int(offset), offset - int(offset)
    return start + timedelta(days=day, hours=7.5 * part)


class Replay:
    """Writes the plans of an office through the store's repositories."""

    def __init__(
        self,
        store: Store,
        clock: DemoClock,
        rng: random.Random,
        id_rng: random.Random,
        plans: list[CommunePlan],
        quarters: list[Period],
        say: Callable[[str], None],
    ) -> None:
        """Prepare the simulated installations (one per commune, district and province)."""
        self.store, self.clock, self.rng, self.plans, self.quarters = (
            store,
            clock,
            rng,
            plans,
            quarters,
        )
        self.say = say
        self.office = store.node.office_id
        self.local = store.local_actor()
        self.province = store.reference.meta("province_id") or self.office
        self.years = sorted({p.year for p in quarters})
        self.year_last_q = {p.year: q for q, p in enumerate(quarters)}
        self.village_ids: dict[str, list[str]] = {}
        self.site_ids: dict[tuple[str, int], str] = {}
        self.actors: dict[str, Actor] = {}
        self._received: set[Actor] = set()
        for unit_id, user in self._offices():
            if unit_id == self.office:
                self.actors[unit_id] = replace(self.local, user=user.partition(".")[0])
            else:
                origin = uuid7(int(clock() * 1000), id_rng)
                self.actors[unit_id] = Actor(origin, id_rng.randrange(1, 2**31), unit_id, user)
        self.last_states = self._last_quarter_states()

    def _offices(self) -> list[tuple[str, str]]:
        """Every office that writes: communes (clerks), districts (reviewers), province."""
        out: list[tuple[str, str]] = []
        for c in self.plans:
            prefix = {"thị trấn": "tt", "phường": "p"}.get(c.unit.kind, "")
            user, n = f"canbo.{prefix}{slug(c.unit.short_name)}", 1
            while any(user == taken for _, taken in out):
                n += 1
                user = f"canbo.{prefix}{slug(c.unit.short_name)}{n}"
            out.append((c.unit.id, user))
        for district in dict.fromkeys(c.district_id for c in self.plans):
            name = self.store.reference.unit(district).short_name
            out.append((district, f"lanhdao.{slug(name)}"))
        if self.province not in {unit for unit, _ in out}:
            out.append((self.province, "lanhdao.so"))
        return out

    def _last_quarter_states(self) -> dict[str, str]:
        """Where each commune's last quarter ends up: a mix, decided once, deterministically."""
        n = len(self.plans)
        states = dict.fromkeys((c.unit.id for c in self.plans), "submitted")
        others = [c.unit.id for c in self.plans if not c.mismatch]
        self.rng.shuffle(others)
        returned = [c.unit.id for c in self.plans if c.mismatch]
        returned += others[: (n >= 6) + n // 60]
        others = others[len(returned) - 1 :]
        drafts = others[: 0 if n < 4 else 2 + n // 40]
        approved = others[len(drafts) : len(drafts) + n // 6]
        for unit_ids, state in ((returned, "returned"), (drafts, "draft"), (approved, "approved")):
            for unit_id in unit_ids:
                states[unit_id] = state
        return states

    # --- the run ---

    def run(self) -> None:
        """Replay every quarter in order."""
        n_q = len(self.quarters)
        redo = self.plans[len(self.plans) // 2].unit.id if n_q >= 3 else None
        for q, period in enumerate(self.quarters):
            if q == 0 or period.quarter == 1:
                self._targets(period.year)
            self.say(
                _("{period}: {n} communes type their data").format(period=period, n=len(self.plans))
            )
            start = working_time(period.end + timedelta(days=3))
            for i, c in enumerate(self.plans):
                self.clock.at_least(_spread(start, 18, i, len(self.plans)))
                self._type_quarter(c, q, period)
            if q == 0:
                self._areas()
            self._receive()
            start = working_time(period.end + timedelta(days=24))
            for i, c in enumerate(self.plans):
                self.clock.at_least(_spread(start, 10, i, len(self.plans)))
                last = q == n_q - 1
                state = self.last_states[c.unit.id] if last else "approved"
                if c.unit.id == redo and q == 1:
                    self._return_and_fix(c, q, period)
                if state != "draft" and state != "submitted":
                    self._review(c, period, state)
            if q == n_q - 1:
                self._holes()
            self._receive()

    def _stamp(self) -> None:
        self.clock.step(self.rng.randint(20, 240))

    def _write(self, actor: Actor, writes: list[ValueWrite]) -> None:
        self._stamp()
        self.store.values.set_many(writes, actor=actor)
        self._received.add(actor)

    def _receive(self) -> None:
        """Advance the peer cursors past everything the simulated offices wrote."""
        with self.store.transaction():
            for actor in sorted(self._received, key=lambda a: a.office_id):
                if actor.origin == self.local.origin:
                    continue
                seq = next_seq(self.store.db, actor.origin, actor.epoch) - 1
                cursors.advance(self.store.db, actor.origin, actor.epoch, seq)
        self._received.clear()

    # --- a commune's quarter ---

    def _type_quarter(self, c: CommunePlan, q: int, period: Period) -> None:
        actor = self.actors[c.unit.id]
        if q == 0:
            ids = []
            for v in c.villages:
                self._stamp()
                ids.append(self.store.villages.add(c.unit.id, v.name, actor=actor, demo=True).id)
            self.village_ids[c.unit.id] = ids
        for index, site in enumerate(c.sites):
            self._site_event(c, index, site, q, actor)
        ids = self.village_ids[c.unit.id]
        code = period.code
        writes = [
            ValueWrite(c.unit.id, ids[i], code, ind, value, disagg)
            for i, v in enumerate(c.villages)
            for (ind, disagg), value in series.village_quarter(v, q, period.year).items()
        ]
        last_q = len(self.quarters) - 1
        for (ind, disagg), value in series.commune_quarter(c, q, period.year, last_q).items():
            comment = ""
            if c.mismatch and q == last_q and (ind, disagg) == ("bts_vi_tri", "viettel"):
                comment = "Có 1 trạm Viettel mới phát sóng, chưa cập nhật vào sổ theo dõi trạm."
            writes.append(ValueWrite(c.unit.id, None, code, ind, value, disagg, comment))
        if self.year_last_q[period.year] == q:
            writes += self._annual(c, q, period.year)
        self._write(actor, writes)
        if q < last_q or self.last_states[c.unit.id] != "draft":
            self._stamp()
            self.store.submissions.move(c.unit.id, code, "submitted", actor=actor)

    def _annual(self, c: CommunePlan, q: int, year: int) -> list[ValueWrite]:
        ids = self.village_ids[c.unit.id]
        y = self.years.index(year)
        speakers = series.speaker_villages(c, q)
        code = str(year)
        writes = [
            ValueWrite(c.unit.id, ids[i], code, ind, value, disagg)
            for i, v in enumerate(c.villages)
            for (ind, disagg), value in series.village_year(v, y, year, i in speakers).items()
        ]
        writes += [
            ValueWrite(c.unit.id, None, code, ind, value, disagg)
            for (ind, disagg), value in series.commune_year(c, y, year, q).items()
        ]
        return writes

    def _site_event(self, c: CommunePlan, index: int, site: SitePlan, q: int, actor: Actor) -> None:
        """Register a site when it appears, and record a status or technology change."""
        if not site.exists_at(q):
            return
        state = (site.status_at(q), site.technologies_at(q))
        if q > 0 and site.exists_at(q - 1):
            if state == (site.status_at(q - 1), site.technologies_at(q - 1)):
                return
        village = None if site.village is None else self.village_ids[c.unit.id][site.village]
        notes = site.broken_note if state[0] == "out_of_order" else site.notes
        if site.post_class:
            notes = f"Bưu cục {site.post_class.replace('cap_', 'cấp ')}"
        if site.ip:
            notes = "Cụm loa ứng dụng CNTT-VT (loa IP)"
        self._stamp()
        saved = self.store.sites.save(
            Site(
                id=self.site_ids.get((c.unit.id, index), ""),
                site_type=site.site_type,
                commune_id=c.unit.id,
                village_id=village,
                name=site.name,
                operator=site.operator,
                technologies=state[1],
                shared=site.shared,
                lat=site.lat,
                lon=site.lon,
                status=state[0],
                start_date=site.start_date,
                end_date=None,
                notes=notes,
            ),
            actor=actor,
        )
        self.site_ids[(c.unit.id, index)] = saved.id

    # --- the district's review ---

    def _review(self, c: CommunePlan, period: Period, state: str) -> None:
        reviewer = self.actors[c.district_id]
        reason = ""
        if state == "returned":
            reason = self._reason(c, period)
        self._stamp()
        self.store.submissions.move(c.unit.id, period.code, state, reason=reason, actor=reviewer)
        self._received.add(reviewer)

    def _reason(self, c: CommunePlan, period: Period) -> str:
        if c.mismatch:
            q = self.quarters.index(period)
            register = series.bts_counts(c, q)["viettel"]
            return (
                f"Số vị trí trạm BTS {OPERATOR_LABELS['viettel']} khai báo ({register + 1})"
                f" không khớp sổ theo dõi trạm ({register}). Đề nghị xã cập nhật sổ theo dõi"
                " trạm hoặc sửa lại số liệu."
            )
        return self.rng.choice(_RETURN_REASONS)

    def _return_and_fix(self, c: CommunePlan, q: int, period: Period) -> None:
        """The district returns a quarter; the commune checks it, notes why, and resends."""
        self._review(c, period, "returned")
        self.clock.step(86400 * 2)
        v = max(
            range(len(c.villages)), key=lambda i: series.ho_internet(c.villages[i], q, period.year)
        )
        value = series.ho_internet(c.villages[v], q, period.year)
        note = "Đã rà soát: bản có thêm hộ lắp Internet qua mạng di động 4G."
        write = ValueWrite(
            c.unit.id, self.village_ids[c.unit.id][v], period.code, "ho_internet", value, "", note
        )
        actor = self.actors[c.unit.id]
        self._write(actor, [write])
        self.store.submissions.move(c.unit.id, period.code, "submitted", actor=actor)
        self.clock.step(86400)

    # --- the province's coverage-hole programme ---

    def _holes(self) -> None:
        """The programme as the province keeps it at the end: every village that had no
        mobile signal at the start (closed when its signal came, with the site that
        brought it), and the villages still without 4G; fixes planned on the register's
        planned sites, some due in 2020 and still open (overdue), some with no fix yet."""
        from desktop_app.demo.model import NEVER
        from desktop_app.domain.holes import Hole
        from desktop_app.store.repositories.holes import HoleRepository

        last = len(self.quarters) - 1
        first = self.quarters[0].code
        public = "Viễn thông công ích"
        private = "Doanh nghiệp tự đầu tư"
        holes: list[Hole] = []
        still_open = 0
        for c in self.plans:
            ids = self.village_ids[c.unit.id]
            planned = [(i, s) for i, s in enumerate(c.sites) if s.site_type == "bts" and s.planned]
            for v, village in enumerate(c.villages):
                fund = public if village.remote > 0.5 else private
                if village.signal_q > 0:
                    hole = Hole(f"{ids[v]}:mobile", c.unit.id, ids[v], "mobile", first)
                    if village.signal_q <= last:
                        q = village.signal_q
                        index, site = next(
                            ((i, s) for i, s in enumerate(c.sites)
                             if s.site_type == "bts" and not s.planned and s.start_q == q),
                            (None, None),
                        )  # fmt: skip
                        hole = replace(
                            hole,
                            status="closed",
                            closed_period=self.quarters[q].code,
                            target_year=self.quarters[q].year,
                            funding=fund,
                            site_id=self.site_ids.get((c.unit.id, index))
                            if index is not None
                            else None,
                            operator=site.operator if site is not None else "",
                        )
                    else:
                        # still without signal: planned on a planned site, overdue (due
                        # in the last year, not reached) or no fix yet, in turn
                        turn = still_open % 3
                        still_open += 1
                        index, site = planned[v % len(planned)] if planned else (None, None)
                        if turn < 2:
                            hole = replace(
                                hole,
                                status="planned",
                                site_id=None
                                if index is None
                                else self.site_ids.get((c.unit.id, index)),
                                operator="" if site is None else site.operator,
                                target_year=self.quarters[last].year + 1 - turn,
                                funding=fund,
                                notes="" if turn == 0 else "Chờ bố trí vốn, chưa khởi công trạm.",
                            )
                    holes.append(hole)
                elif village.g4_q == NEVER or village.g4_q > last:
                    holes.append(
                        Hole(
                            f"{ids[v]}:4g",
                            c.unit.id,
                            ids[v],
                            "4g",
                            first,
                            target_year=self.quarters[last].year + 2,
                            funding=private,
                            status="planned",
                            notes="Nâng cấp trạm hiện có lên 4G.",
                        )
                    )
        actor = self.actors[self.province]
        self.clock.step(3600)
        HoleRepository(self.store).save_many(holes, actor=actor)
        self._received.add(actor)

    # --- the province's area classifications ---

    def _areas(self) -> None:
        """Demo classifications, named as samples (no official list ships with the app):
        the most remote communes are border communes and, with the next ones, region III;
        the most remote villages of region III communes are especially difficult."""
        from desktop_app.domain.areas import Decision
        from desktop_app.store.repositories.areas import AreaRepository, Member

        ranked = sorted(self.plans, key=lambda c: (-c.remote, c.unit.id))
        border = ranked[: max(1, len(ranked) // 8)]
        region3 = ranked[: max(1, len(ranked) * 3 // 10)]
        decisions = [
            Decision(
                "MẪU-01/QĐ-UBND",
                "(dữ liệu mẫu) Danh sách xã biên giới",
                "15/3/2016",
                2016,
                None,
            ),
            Decision(
                "MẪU-02/QĐ-TTg",
                "(dữ liệu mẫu) Danh sách xã khu vực III, thôn đặc biệt khó khăn"
                " giai đoạn 2016-2020",
                "13/4/2017",
                2016,
                2020,
            ),
        ]
        members = [Member("MẪU-01/QĐ-UBND", "border", c.unit.id) for c in border]
        members += [Member("MẪU-02/QĐ-TTg", "region3", c.unit.id) for c in region3]
        for c in region3:
            ids = self.village_ids[c.unit.id]
            far = sorted(range(len(c.villages)), key=lambda v: (-c.villages[v].remote, v))
            for v in far[: max(1, len(far) // 4)]:
                members.append(Member("MẪU-02/QĐ-TTg", "difficult_village", ids[v]))
        actor = self.actors[self.province]
        self.clock.step(3600)
        AreaRepository(self.store).publish(decisions, members, actor=actor)
        self._received.add(actor)

    # --- the province's targets ---

    def _targets(self, year: int) -> None:
        """The province's plan for ``year``: a little above what will be achieved."""
        self.clock.at_least(working_time(date(year, 1, 15)))
        groups: dict[str, list[CommunePlan]] = {c.unit.id: [c] for c in self.plans}
        office_level = self.store.reference.unit(self.office).level
        if office_level <= 2:
            for c in self.plans:
                groups.setdefault(c.district_id, []).append(c)
        if office_level == 1:
            groups[self.office] = list(self.plans)
        q = self.year_last_q[year]
        actor = self.actors[self.province]
        for unit_id in sorted(groups):
            got = series.achieved(groups[unit_id], q, year)
            for code in TARGETS:
                if code == "so_thon_lom_song":
                    value = max(0.0, got[code] - max(1, round(got[code] * 0.3)))
                else:
                    value = min(100.0, round(got[code] + self.rng.uniform(1.5, 6.0), 1))
                self._stamp()
                self.store.targets.set(unit_id, year, code, value, actor=actor)
        self._received.add(actor)

"""A district office of the small test province (:mod:`tests.helpers.net`) that holds
changes apart: a commune's stick carried straight to it, taken back when the province's
revocation of that commune arrived, and a forged village of another commune refused
as out of its sender's scope. For the status command's and the Sync page's tests."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.store.changes import Entry
from desktop_app.sync.certificates import my_certificate, revoke
from tests.helpers.net import PROVINCE, Net, add_village, set_households

DISTRICT, REVOKED, FORGER = "pre2025:125", "pre2025:04108", "pre2025:04105"
WHY = "Máy bị mất"


@dataclass(frozen=True)
class HeldAtDistrict:
    """What the district holds apart, as the scenario made it."""

    taken_back: int  # the revoked commune's changes taken back
    out_of_scope: int  # the forger's changes refused
    revoked_at: str  # the revocation's time (ISO) as the district holds it


def forge_village_of(net: Net, forger: str, victim: str, village_id: str) -> None:
    """``forger``'s log gets a village of ``victim``, as a tampered app would write it."""
    state = {
        "id": village_id,
        "commune_id": victim,
        "name": "Bản Giả",
        "sort_order": 9,
        "active": True,
        "demo": False,
    }
    with net[forger].write() as ctx:
        ctx.log(Entry("village", {"id": village_id}, victim, None, state, None, None, "create"))


def stick_past_the_position(net: Net) -> None:
    """REVOKED's stick carried straight to the district, 4 of its changes past what the
    province held when it then revoked REVOKED (the list not at the district yet)."""
    c, p = net[REVOKED], net[PROVINCE]
    kept = add_village(c, "Bản Áng")
    set_households(c, kept, 10)
    net.send(REVOKED, PROVINCE)  # the province holds these 2: they stand
    set_households(c, kept, 20)
    c.villages.rename(kept, "Bản Áng Mới")
    new = add_village(c, "Bản Mới")
    set_households(c, new, 5)
    net.send(REVOKED, DISTRICT)  # 4 past the position, applied at the district
    revoke(p, int(my_certificate(c)[0]["body"]["serial"]), WHY)


def take_back_and_refuse(net: Net) -> HeldAtDistrict:
    """The district takes back 4 changes of REVOKED (2 stand: the province held them)
    and refuses 1 of FORGER."""
    stick_past_the_position(net)
    result = net.send(PROVINCE, DISTRICT)  # the list reaches the district: taken back
    taken = sum(t.changes for t in result.taken_back)
    forge_village_of(net, FORGER, REVOKED, "forged-1")
    refused = net.send(FORGER, DISTRICT).report.quarantined
    (at,) = net[DISTRICT].db.execute_sql("SELECT revoked_at FROM revocation").fetchone()
    return HeldAtDistrict(taken, refused, str(at))

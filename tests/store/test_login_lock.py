"""Sign-in hashes the password outside the database's write lock, and still judges the
attempt by the account as it is once it writes: with real threads on a real file, the
hash held at an event (the edge) while another connection writes, unlocks, deactivates,
resets the password or signs in wrongly."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest

from desktop_app.store.repositories import users
from desktop_app.store.repositories.users import MAX_FAILURES, LoginResult
from desktop_app.store.store import Store

WAIT = 20.0  # seconds an event may take before the test gives up (never reached when green)


def actions(store: Store, username: str) -> list[str]:
    rows = store.db.execute_sql(
        "SELECT action FROM audit WHERE entity = 'user' AND entity_key = ? ORDER BY id",
        (f'{{"username":"{username}"}}',),
    )
    return [str(r[0]) for r in rows]


class SignIn(threading.Thread):
    """``store.users.login`` on a thread of its own (its own connection, closed after)."""

    def __init__(self, store: Store, username: str, password: str) -> None:
        super().__init__(daemon=True)
        self.store, self.username, self.password = store, username, password
        self.result: LoginResult | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.store.users.login(self.username, self.password)
        except BaseException as exc:  # shown by outcome()
            self.error = exc
        finally:
            self.store.db.close()

    def outcome(self) -> LoginResult:
        self.join(WAIT)
        assert not self.is_alive()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def hold_hashes(monkeypatch: pytest.MonkeyPatch, gates: dict[str, Callable[[], None]]) -> None:
    """The password hash runs ``gates[password]()`` first (once per password)."""
    real = users.verify_password

    def gated(password: str, stored: str) -> bool:
        gate = gates.pop(password, None)
        if gate is not None:
            gate()
        return real(password, stored)

    monkeypatch.setattr(users, "verify_password", gated)


def while_hashing(
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    password: str,
    meanwhile: Callable[[], Any],
) -> tuple[LoginResult, Any]:
    """Sign in as hoa on a thread; while its hash of ``password`` runs, ``meanwhile()``
    on this thread (another connection). Both results."""
    hashing, release = threading.Event(), threading.Event()

    def gate() -> None:
        hashing.set()
        assert release.wait(WAIT)

    hold_hashes(monkeypatch, {password: gate})
    sign_in = SignIn(store, "hoa", password)
    sign_in.start()
    try:
        assert hashing.wait(WAIT)
        done = meanwhile()
    finally:
        release.set()
    return sign_in.outcome(), done


@pytest.fixture
def store(district_store: Store) -> Store:
    district_store.users.add("hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    return district_store


def test_another_writer_takes_the_write_lock_while_the_password_is_hashed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect: scrypt ran inside BEGIN IMMEDIATE, so the sync, the health marker or a
    command on the same file waited for it ("database is locked" with no wait here)."""
    assert store.path is not None

    def write_elsewhere() -> str:
        other = sqlite3.connect(store.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # refused at once if the sign-in holds the lock
            other.execute("UPDATE node SET hlc_counter = hlc_counter")
            other.execute("COMMIT")
            return "written"
        finally:
            other.close()

    result, written = while_hashing(monkeypatch, store, "matkhau1", write_elsewhere)
    assert written == "written"
    assert result.user is not None and result.user.username == "hoa"
    assert actions(store, "hoa")[-1] == "login"


@pytest.mark.parametrize("second", ["sai-nua", "matkhau1"])
def test_two_racing_sign_ins_get_one_fifth_try_between_them(
    store: Store, monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    """After 4 wrong passwords, B's sign-in passed the lock check and is being hashed
    when A's 5th wrong password locks the account: B is refused as locked, whether its
    password was wrong (no 6th try counted) or right (no way in while locked)."""
    for n in range(MAX_FAILURES - 1):
        store.users.login("hoa", f"sai{n}")
    b_hashing, a_done = threading.Event(), threading.Event()

    def b_gate() -> None:
        b_hashing.set()
        assert a_done.wait(WAIT)

    def a_gate() -> None:
        assert b_hashing.wait(WAIT)

    hold_hashes(monkeypatch, {second: b_gate, "sai-cuoi": a_gate})
    b = SignIn(store, "hoa", second)
    b.start()
    assert b_hashing.wait(WAIT)
    a = SignIn(store, "hoa", "sai-cuoi")
    a.start()
    try:
        first = a.outcome()
    finally:
        a_done.set()
    assert first.user is None and first.locked_until is not None
    late = b.outcome()
    assert late.user is None and late.locked_until == first.locked_until
    assert late.attempts_left == 0
    assert actions(store, "hoa")[1:] == ["login_failed"] * MAX_FAILURES + ["locked"]


def test_an_unlock_while_the_fifth_wrong_password_is_hashed_restarts_the_count(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(MAX_FAILURES - 1):
        store.users.login("hoa", f"sai{n}")
    result, _ = while_hashing(
        monkeypatch, store, "sai-cuoi", lambda: store.users.unlock("hoa", by="admin")
    )
    assert result.user is None and result.locked_until is None
    assert result.attempts_left == MAX_FAILURES - 1
    assert actions(store, "hoa")[-2:] == ["unlock", "login_failed"]


def test_an_account_deactivated_while_its_password_is_hashed_is_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = while_hashing(
        monkeypatch, store, "matkhau1", lambda: store.users.set_active("hoa", False, by="admin")
    )
    assert result.user is None
    assert actions(store, "hoa")[-1] == "deactivate"  # and no "login"


def test_a_password_reset_while_the_old_one_is_hashed_judges_by_the_new_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = while_hashing(
        monkeypatch, store, "matkhau1", lambda: store.users.set_password("hoa", "moi12345")
    )
    assert result.user is None and result.attempts_left == MAX_FAILURES - 1
    assert actions(store, "hoa")[-2:] == ["reset_password", "login_failed"]
    assert store.users.login("hoa", "moi12345").user is not None

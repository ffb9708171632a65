"""Local user accounts (not synced): username, full name, role, scrypt password hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from desktop_app.store.changes import audit_only, canonical_json
from desktop_app.store.errors import InvalidValueError
from desktop_app.store.repositories.base import Repository

ROLES = ("clerk", "reviewer", "admin")
_N, _R, _P = 2**14, 8, 1
MAX_FAILURES = 5  # wrong passwords in a row before the account is locked
LOCK_SECONDS = 5 * 60  # how long a locked account waits (an administrator can unlock it)
# audit actions that end a run of wrong passwords
_RESETS = ("login", "unlock", "reset_password", "change_password", "locked")


@dataclass(frozen=True)
class User:
    """A local account."""

    username: str
    full_name: str
    role: str
    active: bool


@dataclass(frozen=True)
class LoginResult:
    """What a sign-in attempt gave: the user, or why not (a lock says until when)."""

    user: User | None
    locked_until: float | None = None  # clock seconds
    attempts_left: int = MAX_FAILURES


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` with the stdlib's scrypt."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time compare)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


class UserRepository(Repository):
    """Adds, checks and deactivates local users; every change is audited."""

    def all(self) -> list[User]:
        """All users, by username."""
        rows = self.db.execute_sql(
            "SELECT username, full_name, role, active FROM app_user ORDER BY username"
        ).fetchall()
        return [User(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def add(
        self,
        username: str,
        full_name: str,
        role: str,
        password: str,
        *,
        by: str | None = None,
        salt: bytes | None = None,
    ) -> User:
        """Create an account."""
        username = username.strip().lower()
        if not username or role not in ROLES:
            raise InvalidValueError(reason=f"bad username or role {role!r}")
        if len(password) < 6:
            raise InvalidValueError(reason="the password needs at least 6 characters")
        with self.store.transaction():
            if self.db.execute_sql(
                "SELECT 1 FROM app_user WHERE username = ?", (username,)
            ).fetchone():
                raise InvalidValueError(reason=f"user {username} already exists")
            self.db.execute_sql(
                "INSERT INTO app_user (username, full_name, role, password_hash, active,"
                " created_at) VALUES (?, ?, ?, ?, 1, ?)",
                (
                    username,
                    full_name.strip(),
                    role,
                    hash_password(password, salt),
                    self.store.now_iso(),
                ),
            )
            audit_only(
                self.db,
                by or self.store.user,
                "add_user",
                "user",
                {"username": username},
                self.store.now_iso(),
                {"role": role},
            )
        return User(username, full_name.strip(), role, True)

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with that password, or None (no lockout, no audit)."""
        r = self._row(username)
        if r is None or not r[3] or not verify_password(password, r[4]):
            return None
        return User(r[0], r[1], r[2], True)

    def _row(self, username: str) -> tuple[str, str, str, int, str] | None:
        row = self.db.execute_sql(
            "SELECT username, full_name, role, active, password_hash FROM app_user"
            " WHERE username = ?",
            (username.strip().lower(),),
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), str(row[1]), str(row[2]), int(row[3]), str(row[4])

    def _recent(self, username: str) -> list[tuple[str, float]]:
        """The account's sign-in events, newest first: (action, clock seconds)."""
        from datetime import datetime

        marks = ",".join("?" for _ in (*_RESETS, "login_failed"))
        rows = self.db.execute_sql(
            "SELECT action, at FROM audit WHERE entity = 'user' AND entity_key = ?"
            f" AND change_id IS NULL AND action IN ({marks}) ORDER BY id DESC LIMIT ?",
            (canonical_json({"username": username}), *_RESETS, "login_failed", MAX_FAILURES + 1),
        ).fetchall()
        return [(str(a), datetime.fromisoformat(str(t)).timestamp()) for a, t in rows]

    def locked_until(self, username: str) -> float | None:
        """While the account is locked, the clock time it opens again; else None."""
        for action, at in self._recent(username.strip().lower()):
            if action == "locked":
                until = at + LOCK_SECONDS
                return until if until > self.store.clock() else None
            if action in _RESETS:
                return None
        return None

    def login(self, username: str, password: str) -> LoginResult:
        """Sign in: every attempt is logged; 5 wrong passwords in a row lock the account
        for :data:`LOCK_SECONDS` (also logged), during which even the right one is refused.

        The password is hashed OUTSIDE the write transaction: scrypt takes ~55 ms (more
        on an old PC), and every other writer of the file (the background sync, the
        health check's marker, a command on the same file) would wait for it. The
        transaction then judges the attempt by the account as it is by then: an account
        deactivated meanwhile is refused, one locked meanwhile (a racing sign-in's 5th
        wrong password) is refused as locked without counting this attempt, an unlock
        meanwhile restarts the count, and a password changed meanwhile is hashed again.
        An unknown or deactivated name is refused at once, without a hash, as before (the
        dialog lists the office's active accounts by name: no secret to time).
        """
        username = username.strip().lower()
        while True:
            r = self._row(username)
            if r is None or not r[3]:
                return LoginResult(None)
            until = self.locked_until(username)
            if until is not None:
                return LoginResult(None, locked_until=until, attempts_left=0)
            matched = verify_password(password, r[4])
            with self.store.transaction():
                result = self._judge(username, r[4], matched)
            if result is not None:
                return result  # else the password changed while it was hashed: again

    def _judge(self, username: str, hashed: str, matched: bool) -> LoginResult | None:
        """Record a hashed attempt (in the caller's write transaction); None when the
        account's password is no longer ``hashed``."""
        r = self._row(username)
        if r is None or not r[3]:
            return LoginResult(None)
        if r[4] != hashed:
            return None
        until = self.locked_until(username)
        if until is not None:
            return LoginResult(None, locked_until=until, attempts_left=0)
        now = self.store.now_iso()
        key = {"username": username}
        if matched:
            audit_only(self.db, username, "login", "user", key, now)
            return LoginResult(User(r[0], r[1], r[2], True))
        audit_only(self.db, username, "login_failed", "user", key, now)
        failures = 0
        for action, _at in self._recent(username):
            if action != "login_failed":
                break
            failures += 1
        if failures >= MAX_FAILURES:
            audit_only(self.db, username, "locked", "user", key, now)
            return LoginResult(
                None, locked_until=self.store.clock() + LOCK_SECONDS, attempts_left=0
            )
        return LoginResult(None, attempts_left=MAX_FAILURES - failures)

    def unlock(self, username: str, *, by: str | None = None) -> None:
        """An administrator lets a locked account sign in again at once (logged)."""
        with self.store.transaction():
            audit_only(
                self.db,
                by or self.store.user,
                "unlock",
                "user",
                {"username": username},
                self.store.now_iso(),
            )

    def change_password(self, username: str, old: str, new: str) -> bool:
        """A user changes their own password; False when ``old`` is not the current one."""
        r = self._row(username)
        if r is None or not verify_password(old, r[4]):
            return False
        if len(new) < 6:
            raise InvalidValueError(reason="the password needs at least 6 characters")
        with self.store.transaction():
            self.db.execute_sql(
                "UPDATE app_user SET password_hash = ? WHERE username = ?",
                (hash_password(new), r[0]),
            )
            audit_only(
                self.db, r[0], "change_password", "user", {"username": r[0]}, self.store.now_iso()
            )
        return True

    def set_password(self, username: str, password: str, *, by: str | None = None) -> None:
        """Reset a user's password."""
        if len(password) < 6:
            raise InvalidValueError(reason="the password needs at least 6 characters")
        with self.store.transaction():
            self.db.execute_sql(
                "UPDATE app_user SET password_hash = ? WHERE username = ?",
                (hash_password(password), username),
            )
            audit_only(
                self.db,
                by or self.store.user,
                "reset_password",
                "user",
                {"username": username},
                self.store.now_iso(),
            )

    def set_active(self, username: str, active: bool, *, by: str | None = None) -> None:
        """Deactivate or re-activate an account (accounts are never deleted)."""
        with self.store.transaction():
            self.db.execute_sql(
                "UPDATE app_user SET active = ? WHERE username = ?", (int(active), username)
            )
            audit_only(
                self.db,
                by or self.store.user,
                "activate" if active else "deactivate",
                "user",
                {"username": username},
                self.store.now_iso(),
            )

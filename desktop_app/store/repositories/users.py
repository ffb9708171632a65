"""Local user accounts (not synced): username, full name, role, scrypt password hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from desktop_app.store.changes import audit_only
from desktop_app.store.errors import InvalidValueError
from desktop_app.store.repositories.base import Repository

ROLES = ("clerk", "reviewer", "admin")
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    """A local account."""

    username: str
    full_name: str
    role: str
    active: bool


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
        """The active user with that password, or None."""
        r = self.db.execute_sql(
            "SELECT username, full_name, role, active, password_hash FROM app_user"
            " WHERE username = ?",
            (username.strip().lower(),),
        ).fetchone()
        if r is None or not r[3] or not verify_password(password, r[4]):
            return None
        return User(r[0], r[1], r[2], True)

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

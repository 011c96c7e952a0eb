"""Board users, sessions, login throttling and the audit log (who saw and who followed up what).

Roles (issue 9):
- hall_manager: reads and follows up the alerts of one hall (`hall_id`), opens that hall's reports;
- supervisor: reads every hall and every report, follows nothing up;
- admin: everything, plus calibration, the scoring policy and users.

Passwords are bcrypt hashes. Sessions are random tokens kept server-side (only their SHA-256 is
stored, so a leaked database does not hand out live sessions); each carries its own CSRF token.
These tables live in their own MetaData: the aggregator's tables stay untouched.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

import bcrypt
from sqlalchemy import Boolean, Column, Engine, Float, Index, Integer, MetaData, String, Table, Text, delete, select

Role = Literal["hall_manager", "supervisor", "admin"]
ROLES: tuple[str, ...] = ("hall_manager", "supervisor", "admin")

board_metadata = MetaData()

users = Table(
    "board_users",
    board_metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("hall_id", String(64)),  # the hall a hall_manager looks after; NULL for the other roles
    Column("display_name", String(128)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "board_sessions",
    board_metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_board_sessions_user", "username"),
)

audit_log = Table(
    "board_audit",
    board_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("username", String(64), nullable=False),  # "-" for an anonymous failed login
    Column("action", String(32), nullable=False),  # login, login_failed, view_event, view_snapshot, follow_up, ...
    Column("target", String(256), nullable=False, default=""),
    Column("detail", Text),  # JSON
    Column("ip", String(64)),
    Index("ix_board_audit_at", "at"),
    Index("ix_board_audit_target", "target"),
)


class AuthError(ValueError):
    """A user-management request that cannot be carried out (the message says why)."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed logins; try again in {int(retry_after) + 1} s")
        self.retry_after = retry_after


@dataclass(slots=True, frozen=True)
class User:
    username: str
    role: str
    hall_id: str | None = None
    display_name: str | None = None

    def can_read_hall(self, hall_id: str) -> bool:
        return self.role in ("supervisor", "admin") or self.hall_id == hall_id

    def can_follow_up(self, hall_id: str) -> bool:
        return self.role == "admin" or (self.role == "hall_manager" and self.hall_id == hall_id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(slots=True, frozen=True)
class Session:
    user: User
    csrf: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginLimiter:
    """Sliding-window count of failed logins per key (the client address, and the user name).

    In memory: the board runs in one process. A restart forgets, which only helps an attacker
    once per restart.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            for key in keys:
                q = self._fails.get(key)
                if not q:
                    continue
                while q and q[0] <= now - self.window_s:
                    q.popleft()
                if len(q) >= self.max_failures:
                    raise LoginThrottled(q[0] + self.window_s - now)

    def failed(self, *keys: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            for key in keys:
                self._fails.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._fails.pop(key, None)


class Auth:
    """Users, sessions and the audit log on one SQLAlchemy engine (the aggregator's database)."""

    def __init__(
        self, engine: Engine, session_ttl_s: float = 12 * 3600, bcrypt_rounds: int = 12,
        limiter: LoginLimiter | None = None,
    ) -> None:
        self.engine = engine
        self.session_ttl_s = session_ttl_s
        self.bcrypt_rounds = bcrypt_rounds
        self.limiter = limiter or LoginLimiter()
        board_metadata.create_all(engine)
        # Compared against when the user does not exist, so a wrong name costs as long as a wrong password.
        self._dummy_hash = bcrypt.hashpw(b"-", bcrypt.gensalt(bcrypt_rounds))

    # ---- users -----------------------------------------------------------------------------------

    def _hash(self, password: str) -> str:
        if len(password) < 8:
            raise AuthError("a password needs at least 8 characters")
        if len(password.encode()) > 72:
            raise AuthError("a password may have at most 72 bytes (bcrypt's limit)")
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(self.bcrypt_rounds)).decode()

    def create_user(
        self, username: str, password: str, role: str, hall_id: str | None = None, display_name: str | None = None
    ) -> User:
        username = username.strip()
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", username):
            raise AuthError(f"user name '{username}': use 1–64 letters, digits, '.', '-' or '_'")
        _check_role(role, hall_id)
        with self.engine.begin() as c:
            if c.execute(select(users.c.username).where(users.c.username == username)).first():
                raise AuthError(f"user '{username}' already exists")
            c.execute(users.insert().values(
                username=username, password_hash=self._hash(password), role=role,
                hall_id=hall_id if role == "hall_manager" else None, display_name=display_name,
                disabled=False, created_at=time.time(),
            ))
        return User(username, role, hall_id if role == "hall_manager" else None, display_name)

    def update_user(
        self, username: str, *, password: str | None = None, role: str | None = None,
        hall_id: str | None = None, disabled: bool | None = None,
    ) -> User:
        current = self.user(username, include_disabled=True)
        if current is None:
            raise AuthError(f"no user '{username}'")
        values: dict[str, Any] = {}
        if role is not None or hall_id is not None:
            new_role = role or current.role
            new_hall = hall_id if hall_id is not None else current.hall_id
            _check_role(new_role, new_hall)
            values.update(role=new_role, hall_id=new_hall if new_role == "hall_manager" else None)
        if password is not None:
            values["password_hash"] = self._hash(password)
        if disabled is not None:
            values["disabled"] = disabled
        with self.engine.begin() as c:
            c.execute(users.update().where(users.c.username == username).values(**values))
            if password is not None or disabled:
                c.execute(delete(sessions).where(sessions.c.username == username))  # log out everywhere
        updated = self.user(username, include_disabled=True)
        assert updated is not None
        return updated

    def user(self, username: str, include_disabled: bool = False) -> User | None:
        with self.engine.connect() as c:
            row = c.execute(select(users).where(users.c.username == username)).first()
        if row is None or (row.disabled and not include_disabled):
            return None
        return User(row.username, row.role, row.hall_id, row.display_name)

    def list_users(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(select(users).order_by(users.c.username))
            return [{k: v for k, v in r._mapping.items() if k != "password_hash"} for r in rows]

    # ---- login and sessions ----------------------------------------------------------------------

    def login(self, username: str, password: str, ip: str = "-") -> Session:
        """A new session for valid credentials; LoginThrottled after too many failures, else AuthError."""
        keys = (f"ip:{ip}", f"user:{username.lower()}")
        self.limiter.check(*keys)
        with self.engine.connect() as c:
            row = c.execute(select(users).where(users.c.username == username)).first()
        stored = row.password_hash.encode() if row is not None else self._dummy_hash
        ok = bcrypt.checkpw(password.encode()[:72], stored) and row is not None and not row.disabled
        if not ok:
            self.limiter.failed(*keys)
            self.audit(username if row is not None else "-", "login_failed", username, ip=ip)
            raise AuthError("wrong user name or password")
        self.limiter.succeeded(f"user:{username.lower()}")
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(24), time.time()
        with self.engine.begin() as c:
            c.execute(delete(sessions).where(sessions.c.expires_at < now))
            c.execute(sessions.insert().values(
                token_hash=_digest(token), username=username, csrf=csrf, created_at=now,
                expires_at=now + self.session_ttl_s,
            ))
        self.audit(username, "login", username, ip=ip)
        user = User(row.username, row.role, row.hall_id, row.display_name)
        return _SessionWithToken(user=user, csrf=csrf, expires_at=now + self.session_ttl_s, token=token)

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self.engine.connect() as c:
            row = c.execute(
                select(sessions, users.c.role, users.c.hall_id, users.c.display_name, users.c.disabled)
                .join(users, users.c.username == sessions.c.username)
                .where(sessions.c.token_hash == _digest(token))
            ).first()
        if row is None or row.expires_at < time.time() or row.disabled:
            return None
        return Session(User(row.username, row.role, row.hall_id, row.display_name), row.csrf, row.expires_at)

    def logout(self, token: str | None) -> None:
        if token:
            with self.engine.begin() as c:
                c.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))

    # ---- audit -----------------------------------------------------------------------------------

    def audit(
        self, username: str, action: str, target: str = "", detail: dict[str, Any] | None = None, ip: str | None = None
    ) -> None:
        with self.engine.begin() as c:
            c.execute(audit_log.insert().values(
                at=time.time(), username=username, action=action, target=target[:256],
                detail=json.dumps(detail, ensure_ascii=False) if detail else None, ip=ip,
            ))

    def audit_entries(
        self, target: str | None = None, username: str | None = None, action: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        if username is not None:
            query = query.where(audit_log.c.username == username)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(query)]


@dataclass(slots=True, frozen=True)
class _SessionWithToken(Session):
    token: str = ""


def _check_role(role: str, hall_id: str | None) -> None:
    if role not in ROLES:
        raise AuthError(f"role '{role}' is not one of {', '.join(ROLES)}")
    if role == "hall_manager" and not hall_id:
        raise AuthError("a hall_manager needs the hall they look after (hall_id)")


def ensure_admin(engine: Engine | str, username: str = "admin", bcrypt_rounds: int = 12) -> str | None:
    """Create the first admin with a random password if the board has no admin yet.

    Returns the new password (print it once for the first login), or None when an admin exists.
    """
    if isinstance(engine, str):
        from dashboards.store import make_engine

        engine = make_engine(engine)
    auth = Auth(engine, bcrypt_rounds=bcrypt_rounds)
    with engine.connect() as c:
        if c.execute(select(users.c.username).where(users.c.role == "admin", users.c.disabled.is_(False))).first():
            return None
    password = secrets.token_urlsafe(12)
    if auth.user(username, include_disabled=True) is not None:
        auth.update_user(username, password=password, role="admin", disabled=False)
    else:
        auth.create_user(username, password, "admin", display_name="Administrator")
    return password

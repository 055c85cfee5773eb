"""Users, their bearer tokens, passwords and page sessions.

Only hashes are stored: SHA-256 of a token and of a session id (both 256-bit random, so a fast
hash is enough), argon2 of a password (``argon2-cffi``: slow and salted, as a chosen secret
needs). A session id is kept apart from the tokens, so it never works as an API token.

Known bearer tokens are answered from a cache for at most ``TOKEN_CACHE_SECONDS`` (the swap
checks' hot path skips a query); revoking or rotating in this process empties the cache at
once, and a change made by another process (``wfm users revoke``) is seen within that time.
Sessions are looked up on every page request, so signing out and revoking end them at once.
Their expiry runs on the wall clock (``utc_now``), not on the store's clock that tests move.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from api.models import Agent, User, WebSession
from api.store.unit import Unit, utc_now
from wfm.errors import InvalidInput, NotFound

ROLES = ("planner", "agent")
SESSION_SECONDS = 12 * 3600  # one working day and a bit: sign in again each shift
TOKEN_CACHE_SECONDS = 1.0
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")  # equal work for an unknown login


def hash_token(token: str) -> str:
    """The stored form of a bearer token or session id (SHA-256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> str:
    """A password one may set: ``MIN_PASSWORD_LENGTH`` characters or more."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password: must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                           f"characters, got {len(password)}")
    return password


class Users:
    """Creates, lists, revokes and rotates users; answers tokens, passwords and sessions."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self._known: dict[str, tuple[User, float]] = {}

    # ---- creating and changing ------------------------------------------------------------
    def create(self, *, role: str, agent_id: str | None = None, name: str = "",
               password: str | None = None) -> tuple[User, str]:
        """Create a user and return it with its token (shown once; only the hash is kept).

        An agent user without ``name`` takes its name from the agents table.
        """
        if role not in ROLES:
            raise InvalidInput(f"role must be planner or agent, got {role!r}")
        if role == "agent" and not agent_id:
            raise InvalidInput("an agent user needs --agent-id")
        password_hash = _hasher.hash(check_password(password)) if password is not None else None
        token = secrets.token_urlsafe(32)
        with self.unit.write() as session:
            if role == "agent" and not name:
                name = session.scalar(select(Agent.name).where(Agent.agent_id == agent_id)) or ""
            user = User(token_hash=hash_token(token), role=role, agent_id=agent_id or None,
                        created_at=self.unit.clock(), name=name.strip()[:200],
                        password_hash=password_hash)
            session.add(user)
        return user, token

    def create_agents(self, *, agents: Sequence[tuple[str, str]]
                      ) -> tuple[list[tuple[User, str]], list[str]]:
        """One agent user per ``(agent_id, name)`` in one transaction, skipping agents that
        already have an active user. Returns the users with their tokens, and the skipped ids."""
        created: list[tuple[User, str]] = []
        with self.unit.write() as session:
            active = set(session.scalars(select(User.agent_id).where(
                User.role == "agent", User.revoked_at.is_(None))))
            skipped = [a for a, _ in agents if a in active]
            now = self.unit.clock()
            for agent_id, name in agents:
                if agent_id in active:
                    continue
                active.add(agent_id)
                token = secrets.token_urlsafe(32)
                user = User(token_hash=hash_token(token), role="agent", agent_id=agent_id,
                            created_at=now, name=name.strip()[:200])
                session.add(user)
                created.append((user, token))
        return created, skipped

    def everyone(self) -> list[User]:
        """Every user, oldest first (revoked ones too, with ``revoked_at``)."""
        with self.unit.read() as session:
            return list(session.scalars(select(User).order_by(User.id)))

    def session_counts(self) -> dict[int, int]:
        """Open page sessions per user id."""
        with self.unit.read() as session:
            rows = session.execute(
                select(WebSession.user_id, func.count()).where(
                    WebSession.expires_at > utc_now()).group_by(WebSession.user_id))
            return {int(user_id): int(n) for user_id, n in rows}

    def _get(self, session: Session, user_id: int) -> User:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        return user

    def _end_sessions(self, session: Session, user_id: int) -> None:
        session.execute(delete(WebSession).where(WebSession.user_id == user_id))
        with self.unit.cache_lock:
            self._known.clear()

    def revoke(self, *, user_id: int) -> User:
        """End the user's token and every session of it at once (the user stays listed)."""
        with self.unit.write() as session:
            user = self._get(session, user_id)
            if user.revoked_at is None:
                user.revoked_at = self.unit.clock()
            self._end_sessions(session, user_id)
        return user

    def rotate(self, *, user_id: int) -> tuple[User, str]:
        """A new token for the user (shown once); the old token and its sessions end."""
        token = secrets.token_urlsafe(32)
        with self.unit.write() as session:
            user = self._get(session, user_id)
            if user.revoked_at is not None:
                raise InvalidInput(f"user {user_id} is revoked; create a new user instead")
            user.token_hash = hash_token(token)
            self._end_sessions(session, user_id)
        return user, token

    def set_password(self, *, user_id: int, password: str) -> User:
        """Set (or replace) the user's password; its open sessions end."""
        password_hash = _hasher.hash(check_password(password))
        with self.unit.write() as session:
            user = self._get(session, user_id)
            if user.revoked_at is not None:
                raise InvalidInput(f"user {user_id} is revoked")
            user.password_hash = password_hash
            self._end_sessions(session, user_id)
        return user

    def names(self, user_ids: Sequence[int]) -> dict[int, str]:
        """Display names by user id: the user's name, else its agent's name in the agents
        table, else empty (a user made before names existed)."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        with self.unit.read() as session:
            rows = session.execute(
                select(User.id, User.name, Agent.name).outerjoin(
                    Agent, Agent.agent_id == User.agent_id).where(User.id.in_(ids))).all()
        return {int(i): (own or agent or "") for i, own, agent in rows}

    # ---- answering a token, a password, a session ------------------------------------------
    def for_token(self, *, token: str) -> User | None:
        """The active user of a token (kept for ``TOKEN_CACHE_SECONDS``)."""
        token_hash = hash_token(token)
        with self.unit.read() as session:
            user = session.scalar(select(User).where(User.token_hash == token_hash,
                                                     User.revoked_at.is_(None)))
        if user is not None:
            with self.unit.cache_lock:
                if len(self._known) > 10_000:
                    self._known.clear()
                self._known[token_hash] = (user, time.monotonic() + TOKEN_CACHE_SECONDS)
        return user

    def cached(self, *, token: str) -> User | None:
        """The user of a token seen very recently, without a query (None: ask ``for_token``)."""
        found = self._known.get(hash_token(token))
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def for_password(self, *, login: str, password: str) -> User | None:
        """The active user whose login (an agent's id, a planner's name) and password match."""
        login = login.strip()
        if not login or len(password) > MAX_PASSWORD_LENGTH:
            return None
        with self.unit.read() as session:
            candidates = list(session.scalars(select(User).where(
                User.revoked_at.is_(None), User.password_hash.is_not(None),
                or_(User.agent_id == login, (User.role == "planner") & (User.name == login)))
                .order_by(User.id).limit(5)))
        if not candidates:
            _verify(_DUMMY_HASH, password)
        for user in candidates:
            if user.password_hash and _verify(user.password_hash, password):
                return user
        return None

    def start_session(self, *, user: User) -> str:
        """A new page session for ``user``: its random id (the cookie; only the hash is kept)."""
        session_id = secrets.token_urlsafe(32)
        now = utc_now()
        with self.unit.write() as session:
            session.execute(delete(WebSession).where(WebSession.expires_at <= now))
            session.add(WebSession(session_hash=hash_token(session_id), user_id=user.id,
                                   created_at=now,
                                   expires_at=now + timedelta(seconds=SESSION_SECONDS)))
        return session_id

    def for_session(self, *, session_id: str) -> User | None:
        """The active user of an unexpired session (looked up every time)."""
        with self.unit.read() as session:
            return session.scalar(
                select(User).join(WebSession, WebSession.user_id == User.id).where(
                    WebSession.session_hash == hash_token(session_id),
                    WebSession.expires_at > utc_now(), User.revoked_at.is_(None)))

    def end_session(self, *, session_id: str) -> None:
        with self.unit.write() as session:
            session.execute(delete(WebSession).where(
                WebSession.session_hash == hash_token(session_id)))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False

"""Users and bearer tokens (only the SHA-256 hash of a token is stored)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from api.models import User
from api.store.unit import Unit
from wfm.errors import InvalidInput

ROLES = ("planner", "agent")


def hash_token(token: str) -> str:
    """The stored form of a bearer token (SHA-256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    """Creates users and answers tokens, keeping the ones found (users never change)."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self._known: dict[str, User] = {}

    def create(self, *, role: str, agent_id: str | None = None) -> tuple[User, str]:
        """Create a user and return it with its token (shown once; only the hash is kept)."""
        if role not in ROLES:
            raise InvalidInput(f"role must be planner or agent, got {role!r}")
        if role == "agent" and not agent_id:
            raise InvalidInput("an agent user needs --agent-id")
        token = secrets.token_urlsafe(32)
        user = User(token_hash=hash_token(token), role=role, agent_id=agent_id or None,
                    created_at=self.unit.clock())
        with self.unit.write() as session:
            session.add(user)
        return user, token

    def for_token(self, *, token: str) -> User | None:
        """The user of a token (found ones are kept: users are never changed or deleted)."""
        token_hash = hash_token(token)
        with self.unit.read() as session:
            user = session.scalar(select(User).where(User.token_hash == token_hash))
        if user is not None:
            with self.unit.cache_lock:
                if len(self._known) > 10_000:
                    self._known.clear()
                self._known[token_hash] = user
        return user

    def cached(self, *, token: str) -> User | None:
        """The user of a token seen before, without a query (None: ask ``for_token``)."""
        return self._known.get(hash_token(token))

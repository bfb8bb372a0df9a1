"""Signed, expiring links through which a contact answers an escalation without an account.

A token carries the escalation id and its nonce, signed with the app's SECRET_KEY under a salt
of its own (so no other signed value of the app can pass for it) and stamped with the time it
was made. Resending an escalation draws a new nonce, so every earlier link stops working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

SALT = "repapp.escalation-answer.v1"
DEFAULT_MAX_AGE = timedelta(days=14)


class TokenInvalid(Exception):
    """The token was not made by this installation (tampered, truncated or foreign)."""


class TokenExpired(Exception):
    """The token is genuine but older than its lifetime."""


@dataclass(frozen=True)
class AnswerToken:
    """What a genuine token says: which escalation, with which nonce."""

    escalation_id: int
    nonce: str


class _ClockedSigner(TimestampSigner):
    """A timestamp signer whose clock can be fixed, so links can be minted and read 'at' a time."""

    def __init__(self, *args: Any, at: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = at

    def get_timestamp(self) -> int:
        """Return the fixed time if one was given, else now."""
        return int(self._at.timestamp()) if self._at is not None else super().get_timestamp()


def _serializer(secret_key: str, at: datetime | None) -> URLSafeTimedSerializer:
    """Return the serializer for answer links, with its clock at `at` (None: now)."""
    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=_ClockedSigner, signer_kwargs={"at": at})


def make_token(secret_key: str, escalation_id: int, nonce: str, *, now: datetime | None = None) -> str:
    """Sign an answer link's token for an escalation and its current nonce."""
    return _serializer(secret_key, now).dumps({"e": escalation_id, "n": nonce})


def read_token(
    secret_key: str, token: str, *, max_age: timedelta = DEFAULT_MAX_AGE, now: datetime | None = None
) -> AnswerToken:
    """Verify a token and return what it carries; raise TokenInvalid or TokenExpired."""
    try:
        data = _serializer(secret_key, now).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise TokenExpired() from None
    except BadSignature:
        raise TokenInvalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int) or not isinstance(data.get("n"), str):
        raise TokenInvalid()
    return AnswerToken(escalation_id=data["e"], nonce=data["n"])


@dataclass(frozen=True)
class AnswerLinks:
    """How answer links are made and checked: the signing key, the public address, the lifetime."""

    secret_key: str
    base_url: str
    max_age: timedelta = DEFAULT_MAX_AGE

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AnswerLinks:
        """Read SECRET_KEY, BASE_URL and ESCALATION_LINK_DAYS (default 14) from the app config."""
        days = float(config.get("ESCALATION_LINK_DAYS", DEFAULT_MAX_AGE.days))
        return cls(secret_key=config["SECRET_KEY"], base_url=config["BASE_URL"], max_age=timedelta(days=days))

    @property
    def days(self) -> int:
        """Return the lifetime in whole days, for the e-mail text."""
        return max(1, round(self.max_age.total_seconds() / 86400))

    def token(self, escalation_id: int, nonce: str, *, now: datetime | None = None) -> str:
        """Return a token for an escalation's current nonce."""
        return make_token(self.secret_key, escalation_id, nonce, now=now)

    def url(self, escalation_id: int, nonce: str, *, now: datetime | None = None) -> str:
        """Return the absolute address of the answer page."""
        return f"{self.base_url.rstrip('/')}/answer/{self.token(escalation_id, nonce, now=now)}"

    def read(self, token: str, *, now: datetime | None = None) -> AnswerToken:
        """Verify a token; raise TokenInvalid or TokenExpired."""
        return read_token(self.secret_key, token, max_age=self.max_age, now=now)

"""What the OAuth token store keeps: codes, connections, refresh and access tokens, lifetimes."""

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(seconds=3600)
REFRESH_LIFETIME = timedelta(days=101)  # 8726400 s; the docs say 100 days, answers say 101
ROTATE_AFTER = timedelta(hours=24)  # a refresh within this of issue returns the same token
HARD_CAP_YEARS = 5

# The header of Intuit's access tokens, which are JWE compact serialisations (dir, A128CBC).
_JWE_HEADER = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0"
_ALPHANUMERIC = string.ascii_letters + string.digits


class AccessStatus(Enum):
    """What the API gateway makes of a bearer token."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # unknown, revoked, or issued for another company


@dataclass(frozen=True)
class AuthCode:
    """An authorization code: single use, bound to its app, redirect URI and consent."""

    value: str
    client_id: str
    redirect_uri: str
    realm_id: str | None
    scopes: frozenset[str]
    expires_at: datetime
    nonce: str | None


@dataclass(eq=False)
class Connection:
    """One consent: an app connected to a company (or the user signed in), with its token chain.

    `refresh` names the chain's newest refresh token; `hard_expires_at` is the five-year cap.
    """

    client_id: str
    realm_id: str | None
    scopes: frozenset[str]
    connected_at: datetime
    hard_expires_at: datetime
    refresh: str = ""


@dataclass(eq=False)
class RefreshToken:
    """A refresh token: rolling expiry, and a grace period once a successor is handed out."""

    value: str
    connection: Connection
    issued_at: datetime
    expires_at: datetime
    superseded_at: datetime | None = None

    def usable(self, now: datetime, grace: timedelta) -> bool:
        """Tell whether a refresh with this token succeeds at `now`."""
        if now >= self.expires_at:
            return False
        return self.superseded_at is None or now < self.superseded_at + grace


@dataclass(frozen=True, eq=False)
class AccessToken:
    """A bearer token for the API (when it has a realm) and for userinfo (with openid)."""

    value: str
    realm_id: str | None
    scopes: frozenset[str]
    expires_at: datetime | None  # None: valid until revoked (tokens seeded by hand)
    connection: Connection | None = None

    def status(self, now: datetime) -> AccessStatus:
        """Return VALID, or EXPIRED once its hour is over."""
        if self.expires_at is not None and now >= self.expires_at:
            return AccessStatus.EXPIRED
        return AccessStatus.VALID


@dataclass(frozen=True)
class Issued:
    """What a grant hands out, and when: a new access token, the chain's newest refresh token."""

    at: datetime
    access: AccessToken
    refresh: RefreshToken
    nonce: str | None = None


def add_years(moment: datetime, years: int) -> datetime:
    """Return `moment` `years` calendar years later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def new_code(now: datetime) -> str:
    """Return a fresh authorization code shaped like Intuit's (AB1, epoch seconds, random)."""
    return f"AB1{int(now.timestamp())}{_random_text(32)}"


def new_refresh_token(expires_at: datetime) -> str:
    """Return a fresh refresh token shaped like Intuit's (AB1, expiry epoch, random)."""
    return f"AB1{int(expires_at.timestamp())}{_random_text(35)}"


def new_access_token() -> str:
    """Return a fresh access token shaped like Intuit's JWE: about 950 characters, five parts."""
    iv, ciphertext, tag = (secrets.token_urlsafe(size) for size in (16, 640, 16))
    return f"{_JWE_HEADER}..{iv}.{ciphertext}.{tag}"


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))

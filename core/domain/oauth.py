"""What Intuit's OAuth server hands out, and the lifetimes qbsync keeps track of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A consent must come back within this; a state is single use.
STATE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class TokenSet:
    """A token answer: the tokens (never shown in repr) and their lifetimes in seconds."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    refresh_expires_in: int
    hard_expires_in: int | None = None

    def access_expires_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.expires_in)

    def refresh_expires_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.refresh_expires_in)

    def hard_expires_at(self, now: datetime) -> datetime | None:
        return (
            None if self.hard_expires_in is None else now + timedelta(seconds=self.hard_expires_in)
        )

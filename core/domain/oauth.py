"""The OAuth consent's rules that qbsync keeps (token answers are core.domain.qbo.QboTokens)."""

from __future__ import annotations

from datetime import timedelta

# A consent must come back within this; a state is single use.
STATE_LIFETIME = timedelta(minutes=10)

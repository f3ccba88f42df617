"""A write to QBO recorded before it is sent, so that a retry sends exactly it again.

QBO answers a repeated request id with its first answer instead of writing again
(shared/qbo/README.md, requestid). A run that creates customers records each request first:
its request id, whether it is a batch, and what each item carries for which job. Should the
run die between sending it and storing the answer, the next run of any of those jobs sends
the same request again and reads the first answer back (design/jobs.md §7), instead of
looking each name up (a metered read) or creating it twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def new_send_id() -> str:
    """A fresh send id: 32 characters, short enough to be a batch's request id (QBO joins
    it with each bId, and refuses more than 50 characters together)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SendItem:
    """One job's part of a send: its bId in the batch and the draft of what is created."""

    job_id: str
    bid: str
    draft: dict[str, Any]


@dataclass(frozen=True)
class QboSend:
    """A request to QBO as it was (or is about to be) sent."""

    firm_id: int
    entity: str  # what is created, e.g. "customer"
    request_id: str
    batch: bool  # one batch request, or one single create (its items share one draft)
    created_at: datetime
    items: tuple[SendItem, ...]
    id: str = field(default_factory=lambda: new_send_id())

    def drafts(self) -> dict[str, dict[str, Any]]:
        """Each bId's draft, in the order the items were recorded."""
        return {item.bid: item.draft for item in self.items}

    def jobs_of(self, bid: str) -> list[str]:
        """The jobs an item's answer settles (accounts that share a name share a create)."""
        return [item.job_id for item in self.items if item.bid == bid]

"""A change in a QBO company, as webhooks (and CDC) report it."""

from dataclasses import dataclass
from datetime import datetime

OPERATIONS = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")


@dataclass(frozen=True)
class ChangeEvent:
    """One change: which entity of which realm, what happened, and when."""

    realm_id: str
    entity: str  # QBO's spelling: "Customer", "Invoice" …
    entity_id: str  # for a merge, the surviving entity
    operation: str  # one of OPERATIONS
    at: datetime
    deleted_id: str | None = None  # for a merge, the merged-away entity

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, not {self.operation!r}")

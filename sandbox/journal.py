"""The change journal: what happened to which entity of a realm, and when, in order.

Every write appends one `Change` per entity it changes: a create, an update (a deactivation
is an update, as QBO's CDC reports it), a delete, a void, and a merge. A merge is one entry
for the surviving customer with `deleted_id` naming the merged-away one, as QBO's webhooks
report it. Side effects are journaled too: applying a payment updates the invoices it pays,
and a merge updates the transactions it moves.

Derived figures (a customer's Balance, an account's CurrentBalance) change without an entry:
they bump no SyncToken either.

Deleted and merged-away objects leave a stub behind, `{"Id","status":"Deleted","domain":"QBO",
"MetaData":{"LastUpdatedTime"}}`, which is what CDC answers for them. The journal lives as long
as the sandbox; a reader (CDC, webhooks) asks `SandboxState.changes` for the entries since a
time and `SandboxState.latest` for each entity's current payload or stub.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sandbox.clock import meta_time

Operation = Literal["Create", "Update", "Delete", "Merge", "Void"]
OPERATIONS: tuple[Operation, ...] = ("Create", "Update", "Delete", "Merge", "Void")


@dataclass(frozen=True)
class Change:
    """One journal entry: an entity (QBO's spelling), its Id, what happened, and when."""

    entity: str
    entity_id: str  # for a merge, the surviving entity
    operation: Operation
    at: datetime
    deleted_id: str | None = None  # for a merge, the merged-away entity

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}, not {self.operation!r}")
        if (self.operation == "Merge") != (self.deleted_id is not None):
            raise ValueError("deleted_id is given for a Merge and only for a Merge")


def deleted_stub(entity_id: str, moment: datetime) -> dict[str, object]:
    """Return what is left of a deleted or merged-away object, as CDC shows it."""
    return {
        "Id": entity_id,
        "status": "Deleted",
        "domain": "QBO",
        "MetaData": {"LastUpdatedTime": meta_time(moment)},
    }

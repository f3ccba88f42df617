"""One QBO company (realm) in memory, and what a write to it sees."""

from dataclasses import dataclass, field
from datetime import datetime

from sandbox.entities.payload import JsonDict, Reply
from sandbox.options import SandboxOptions


@dataclass
class Realm:
    """A company: entities by name and Id, Id counters, remembered replies.

    Not thread-safe by itself: `SandboxState` holds its lock around every use.
    """

    realm_id: str
    company_name: str
    # requestid -> the answer first given to it (QBO replays it for a repeated requestid).
    replies: dict[str, Reply] = field(default_factory=dict)
    _rows: dict[str, dict[str, JsonDict]] = field(default_factory=dict)
    _last_ids: dict[str, int] = field(default_factory=dict)

    def new_id(self, entity: str, first: int = 1) -> str:
        """Return the next Id of `entity`: digit strings counting up from `first`."""
        last = self._last_ids.get(entity, first - 1) + 1
        self._last_ids[entity] = last
        return str(last)

    def rows(self, entity: str) -> list[JsonDict]:
        """Return the stored rows of `entity` in Id order (the rows themselves, not copies)."""
        return sorted(self._rows.get(entity, {}).values(), key=lambda row: int(row["Id"]))

    def get(self, entity: str, entity_id: str) -> JsonDict | None:
        """Return the stored row of `entity` with `entity_id`, or None."""
        return self._rows.get(entity, {}).get(entity_id)

    def put(self, entity: str, row: JsonDict) -> None:
        """Store `row` under its Id, replacing any earlier version."""
        self._rows.setdefault(entity, {})[row["Id"]] = row


@dataclass(frozen=True)
class WriteContext:
    """What an entity's write rules see: the realm, the time of the write, the switches."""

    realm: Realm
    now: datetime
    options: SandboxOptions

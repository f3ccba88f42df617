"""One QBO company (realm) in memory, and what a write to it sees."""

from dataclasses import dataclass, field
from datetime import datetime

from sandbox.entities.payload import JsonDict, Reply
from sandbox.journal import Change, Operation, deleted_stub
from sandbox.options import SandboxOptions


@dataclass
class Realm:
    """A company: entities by name and Id, Id counters, the journal, remembered replies.

    Not thread-safe by itself: `SandboxState` holds its lock around every use.
    """

    realm_id: str
    company_name: str
    # requestid -> the answer first given to it (QBO replays it for a repeated requestid).
    replies: dict[str, Reply] = field(default_factory=dict)
    journal: list[Change] = field(default_factory=list)
    _rows: dict[str, dict[str, JsonDict]] = field(default_factory=dict)
    _stubs: dict[str, dict[str, JsonDict]] = field(default_factory=dict)
    _last_ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Casefolded DisplayName -> (entity, Id): built on first use, kept by put and remove;
        # not a field, so snapshots leave it out and a loaded realm builds it afresh.
        self._by_display_name: dict[str, set[tuple[str, str]]] | None = None

    def new_id(self, sequence: str, first: int = 1) -> str:
        """Return the next Id of `sequence`: digit strings counting up from `first`."""
        last = self._last_ids.get(sequence, first - 1) + 1
        self._last_ids[sequence] = last
        return str(last)

    def rows(self, entity: str) -> list[JsonDict]:
        """Return the stored rows of `entity` in Id order (the rows themselves, not copies)."""
        return sorted(self._rows.get(entity, {}).values(), key=lambda row: int(row["Id"]))

    def scan(self, entity: str) -> list[JsonDict]:
        """Return the stored rows of `entity` in no particular order (cheaper than `rows`)."""
        return list(self._rows.get(entity, {}).values())

    def get(self, entity: str, entity_id: str) -> JsonDict | None:
        """Return the stored row of `entity` with `entity_id`, or None (deleted ones too)."""
        return self._rows.get(entity, {}).get(entity_id)

    def put(self, entity: str, row: JsonDict) -> None:
        """Store `row` under its Id, replacing any earlier version."""
        self._rows.setdefault(entity, {})[row["Id"]] = row
        if self._by_display_name is not None and "DisplayName" in row:
            key = str(row["DisplayName"]).casefold()
            self._by_display_name.setdefault(key, set()).add((entity, row["Id"]))

    def named(self, display_name: str) -> list[tuple[str, JsonDict]]:
        """The stored rows whose DisplayName equals `display_name` but for case, of any
        entity, with their entity: what a name rule checks, without reading every row."""
        if self._by_display_name is None:
            self._by_display_name = {}
            for entity, rows in self._rows.items():
                for row in rows.values():
                    if "DisplayName" in row:
                        key = str(row["DisplayName"]).casefold()
                        self._by_display_name.setdefault(key, set()).add((entity, row["Id"]))
        wanted = display_name.casefold()
        found = []
        # An entry may be stale (a row renamed since): each is checked against its row.
        for entity, entity_id in sorted(self._by_display_name.get(wanted, ())):
            stored = self.get(entity, entity_id)
            if stored is not None and str(stored.get("DisplayName", "")).casefold() == wanted:
                found.append((entity, stored))
        return found

    def remove(self, entity: str, entity_id: str, moment: datetime) -> JsonDict:
        """Delete a stored row, leaving its Deleted stub; return the stub."""
        del self._rows[entity][entity_id]
        stub = deleted_stub(entity_id, moment)
        self._stubs.setdefault(entity, {})[entity_id] = stub
        return stub

    def stub(self, entity: str, entity_id: str) -> JsonDict | None:
        """Return the Deleted stub of a deleted or merged-away object, or None."""
        return self._stubs.get(entity, {}).get(entity_id)

    def record(
        self,
        entity: str,
        entity_id: str,
        operation: Operation,
        at: datetime,
        deleted_id: str | None = None,
    ) -> None:
        """Append one entry to the change journal."""
        self.journal.append(Change(entity, entity_id, operation, at, deleted_id))


@dataclass(frozen=True)
class WriteContext:
    """What an entity's write rules see: the realm, the time, the switches, `?include=` flags."""

    realm: Realm
    now: datetime
    options: SandboxOptions
    include: frozenset[str] = frozenset()

    def journal(self, entity: str, entity_id: str, operation: Operation) -> None:
        """Record that this write did `operation` to one entity."""
        self.realm.record(entity, entity_id, operation, self.now)

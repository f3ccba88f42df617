"""The sandbox's state as a JSON file: every realm, the switches and the counters.

A snapshot holds what the companies are and how the sandbox behaves: each realm's dataclass
fields (rows, Id counters, remembered requestid answers), the OAuth apps and tokens, every
switch of `SandboxOptions`, and the request counters. It leaves out what describes a moment
rather than a company: the clock, the throttle's windows and calls in flight. Loading replaces
realms, switches and counters at once.

JSON has no sets, tuples, datetimes or journal entries, so they are written as {"$set": […]},
{"$tuple": […]}, {"$datetime": "…"} and {"$change": {…}}. Realm fields the snapshot does not
name keep their defaults, and names the Realm no longer has are skipped, so snapshots survive
fields being added or removed.
"""

import dataclasses
import json
import os
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox.clock import reply_time
from sandbox.control.settings import changed
from sandbox.journal import Change
from sandbox.options import SandboxOptions
from sandbox.realm import Realm
from sandbox.state import SandboxState

FORMAT = "qbo-sandbox-snapshot/1"


def save_snapshot(state: SandboxState, path: str | Path) -> int:
    """Write the state to `path` (atomically: a reader never sees half a file); return realms."""
    snapshot = take_snapshot(state)
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, target)
    return len(snapshot["realms"])


def load_snapshot(state: SandboxState, path: str | Path) -> int:
    """Replace the state with the snapshot in `path`; return how many realms it has."""
    snapshot = json.loads(Path(path).read_text(encoding="utf-8"))
    restore_snapshot(state, snapshot)
    return len(snapshot["realms"])


def take_snapshot(state: SandboxState) -> dict[str, Any]:
    """Return the state as JSON-ready data."""
    realms = state.export_realms()
    return {
        "format": FORMAT,
        "saved_at": reply_time(state.now()),
        "options": dataclasses.asdict(state.options),
        "counters": state.throttle.counters.all(),
        "oauth": state.oauth.dump(),
        "realms": {realm_id: _realm_data(realm) for realm_id, realm in realms.items()},
    }


def restore_snapshot(state: SandboxState, snapshot: dict[str, Any]) -> None:
    """Replace realms, switches and counters with those of `snapshot` (as `take_snapshot` made)."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise ValueError(f"not a sandbox snapshot (its format is not {FORMAT!r})")
    options = changed(SandboxOptions(), snapshot["options"])
    realms = {realm_id: _realm(data) for realm_id, data in snapshot["realms"].items()}
    state.import_realms(realms)
    state.oauth.load(snapshot["oauth"])
    state.options = options
    state.throttle.counters.load(snapshot["counters"])


def _realm_data(realm: Realm) -> dict[str, Any]:
    return {field.name: _encode(getattr(realm, field.name)) for field in dataclasses.fields(realm)}


def _realm(data: dict[str, Any]) -> Realm:
    realm = Realm(data["realm_id"], data["company_name"])
    for field in dataclasses.fields(realm):
        if field.name in data:
            setattr(realm, field.name, _decode(data[field.name]))
    return realm


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, set | frozenset):
        return {"$set": sorted((_encode(item) for item in value), key=repr)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, Change):
        return {"$change": {f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a snapshot cannot hold {type(value).__name__} values")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        [(tag, inner)] = value.items()
        if tag == "$tuple":
            return tuple(_decode(item) for item in inner)
        if tag == "$set":
            return {_decode(item) for item in inner}
        if tag == "$datetime":
            return datetime.fromisoformat(inner)
        if tag == "$change":
            return Change(**{key: _decode(item) for key, item in inner.items()})
    return {key: _decode(item) for key, item in value.items()}

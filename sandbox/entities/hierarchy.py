"""Name lists that nest (customers, classes, departments): parents, levels, qualified names.

A child's FullyQualifiedName is its parent's followed by ":" and its own name; renaming or
moving an entry renames everything under it, without bumping their SyncTokens.
"""

from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import referenced
from sandbox.faults import business_rule
from sandbox.realm import Realm, WriteContext


def checked_parent(ctx: WriteContext, entity: str, ref: JsonDict, own_id: str | None) -> JsonDict:
    """Return the active parent `ref` names: 2500/610 as for any ref, 6000 for a cycle."""
    parent = referenced(ctx, entity, ref, "ParentRef")
    if own_id is not None and own_id in (parent["Id"], *ancestor_ids(ctx.realm, entity, parent)):
        raise business_rule(f"A {entity} cannot be its own parent or a parent of its parent.")
    return parent


def ancestor_ids(realm: Realm, entity: str, row: JsonDict) -> list[str]:
    """Return the Ids of `row`'s parent, its parent's parent, and so on up to the top."""
    ids: list[str] = []
    while (ref := row.get("ParentRef")) is not None and (up := realm.get(entity, ref["value"])):
        ids.append(up["Id"])
        row = up
    return ids


def level(realm: Realm, entity: str, row: JsonDict) -> int:
    """Return how many levels below its top-level entry `row` sits (0 for a top one)."""
    return len(ancestor_ids(realm, entity, row))


def children(realm: Realm, entity: str, parent_id: str) -> list[JsonDict]:
    """Return the direct children of an entry, inactive ones too."""
    return [row for row in realm.scan(entity) if row.get("ParentRef", {}).get("value") == parent_id]


def depth_below(realm: Realm, entity: str, parent_id: str) -> int:
    """Return how many levels of children an entry has under it."""
    below = children(realm, entity, parent_id)
    return max((1 + depth_below(realm, entity, c["Id"]) for c in below), default=0)


def descendants(realm: Realm, entity: str, parent_id: str) -> list[JsonDict]:
    """Return every entry under an entry, at any depth, parents before children."""
    found: list[JsonDict] = []
    for child in children(realm, entity, parent_id):
        found += [child, *descendants(realm, entity, child["Id"])]
    return found


def qualified_name(parent: JsonDict | None, name: str) -> str:
    """Return the FullyQualifiedName of an entry called `name` under `parent`."""
    return name if parent is None else f"{parent['FullyQualifiedName']}:{name}"


def refresh_names(realm: Realm, entity: str, parent_id: str, name_key: str) -> None:
    """Recompute FullyQualifiedName (and Level, where stored) under a renamed or moved entry."""
    for child in descendants(realm, entity, parent_id):
        parent = realm.get(entity, child["ParentRef"]["value"])
        child["FullyQualifiedName"] = qualified_name(parent, child[name_key])
        if "Level" in child:
            child["Level"] = level(realm, entity, child)

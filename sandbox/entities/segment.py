"""Class and Department: the two lists that tag transactions, with optional nesting.

Name is required, at most 100 characters, without a colon (it separates levels: 6000), and
unique among the list's FullyQualifiedNames (6240; decision: two sub-classes of different
parents may share a name, as QuickBooks' nested lists allow). `ParentRef` makes a sub-entry
(`SubClass`/`SubDepartment` true); a ParentRef to the entry itself or below it is 6000.
"Delete" is `Active: false`.
"""

from dataclasses import dataclass
from functools import partial

from sandbox.entities.fields import REF, Schema
from sandbox.entities.hierarchy import checked_parent, qualified_name, refresh_names
from sandbox.entities.names import claim_list_name
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.writes import (
    check_lengths,
    check_operation,
    identity,
    required,
    update_target,
    with_current,
)
from sandbox.faults import business_rule
from sandbox.realm import WriteContext


@dataclass(frozen=True)
class SegmentKind:
    """Class or Department: the entity name and the flag that marks a sub-entry."""

    entity: str
    sub_flag: str


CLASS = SegmentKind("Class", "SubClass")
DEPARTMENT = SegmentKind("Department", "SubDepartment")
_SCHEMA = Schema(texts=("Name",), flags=("Active",), objects={"ParentRef": REF})


def save_segment(kind: SegmentKind, ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update a class or department from a client's payload; return the stored row."""
    check_operation(kind.entity, operation, ("create", "update"))
    sent = clean(json_object(payload))
    current = update_target(ctx, kind.entity, sent, operation)
    fields = with_current(current, _SCHEMA.read(sent), _SCHEMA.writable, sent)
    required(fields, "Name")
    check_lengths(fields, {"Name": 100})
    if ":" in fields["Name"]:
        raise business_rule("Name cannot contain a colon (:).", "Name")
    own_id = None if current is None else current["Id"]
    ref = fields.get("ParentRef")
    parent = None if ref is None else checked_parent(ctx, kind.entity, ref, own_id)
    qualified = qualified_name(parent, fields["Name"])
    claim_list_name(ctx, kind.entity, "FullyQualifiedName", qualified, own_id)
    row = {
        "Name": fields["Name"],
        kind.sub_flag: parent is not None,
        "ParentRef": None if parent is None else {"value": parent["Id"]},
        "FullyQualifiedName": qualified,
        "Active": fields.get("Active", True),
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, kind.entity, current),
    }
    stored = {key: value for key, value in row.items() if value is not None}
    ctx.realm.put(kind.entity, stored)
    refresh_names(ctx.realm, kind.entity, stored["Id"], "Name")
    ctx.journal(kind.entity, stored["Id"], "Create" if current is None else "Update")
    return stored


save_class = partial(save_segment, CLASS)
save_department = partial(save_segment, DEPARTMENT)

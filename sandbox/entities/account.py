"""Account (the chart of accounts): create, read, full and sparse update, query.

Name is required, unique among accounts (6240), at most 100 characters, and holds no double
quote or colon (6000). AccountType may be inferred from a known AccountSubType; Classification
follows from the type. "Delete" is `Active: false`, and a deactivated account is renamed
"Name (deleted)" as a 2026 test against QBO saw (made active again, it loses the suffix).
CurrentBalance is derived: the payments deposited to the account (`balances.py`).
Sub-accounts are not modelled: FullyQualifiedName is the Name.
"""

from sandbox.entities.account_types import ACCOUNT_TYPES, SUB_TYPES
from sandbox.entities.fields import Schema
from sandbox.entities.names import DELETED_SUFFIX, claim_list_name
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.writes import (
    US_DOLLAR,
    check_lengths,
    check_operation,
    identity,
    required,
    update_target,
    with_current,
)
from sandbox.faults import (
    business_rule,
    invalid_property,
    required_param_missing,
)
from sandbox.realm import WriteContext

SCHEMA = Schema(
    texts=("Name", "AccountType", "AccountSubType", "Description", "AcctNum"),
    flags=("Active",),
)
_LENGTHS = {"Name": 100, "Description": 100, "AcctNum": 7}


def save_account(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update an account from a client's payload and return the stored row."""
    check_operation("Account", operation, ("create", "update"))
    sent = clean(json_object(payload))
    current = update_target(ctx, "Account", sent, operation)
    fields = with_current(current, SCHEMA.read(sent), SCHEMA.writable, sent)
    required(fields, "Name")
    check_lengths(fields, _LENGTHS)
    if any(mark in fields["Name"] for mark in ('"', ":")):
        raise business_rule('Name cannot contain a double quote (") or a colon (:).', "Name")
    account_type, sub_type = _types(fields)
    name = _renamed(fields["Name"], fields.get("Active", True), current)
    claim_list_name(ctx, "Account", "Name", name, None if current is None else current["Id"])
    row = {
        "Name": name,
        "SubAccount": False,
        "FullyQualifiedName": name,
        "Active": fields.get("Active", True),
        "Classification": ACCOUNT_TYPES[account_type][0],
        "AccountType": account_type,
        "AccountSubType": sub_type,
        "Description": fields.get("Description"),
        "AcctNum": fields.get("AcctNum"),
        "CurrentBalance": 0 if current is None else current["CurrentBalance"],
        "CurrentBalanceWithSubAccounts": 0 if current is None else current["CurrentBalance"],
        "CurrencyRef": dict(US_DOLLAR),
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, "Account", current),
    }
    stored = {key: value for key, value in row.items() if value is not None}
    ctx.realm.put("Account", stored)
    ctx.journal("Account", stored["Id"], "Create" if current is None else "Update")
    return stored


def _types(fields: JsonDict) -> tuple[str, str]:
    """The AccountType and AccountSubType to store: sent, inferred, or defaulted."""
    account_type, sub_type = fields.get("AccountType"), fields.get("AccountSubType")
    if account_type is None:
        if sub_type not in SUB_TYPES:
            raise required_param_missing("AccountType")
        account_type = SUB_TYPES[sub_type]
    if account_type not in ACCOUNT_TYPES:
        raise invalid_property("Property Name:AccountType specified is unsupported or invalid")
    return account_type, sub_type or ACCOUNT_TYPES[account_type][1]


def _renamed(name: str, active: bool, current: JsonDict | None) -> str:
    """Add " (deleted)" as the account is made inactive; drop it as it is made active."""
    was_active = current is None or current["Active"]
    if was_active and not active:
        return name + DELETED_SUFFIX
    if active and not was_active:
        return name.removesuffix(DELETED_SUFFIX)
    return name

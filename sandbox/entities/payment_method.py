"""PaymentMethod: read and query only (decision: clients look methods up by Name to tag a
payment), so rows come only from seeding. Type is CREDIT_CARD or NON_CREDIT_CARD; an inactive
method is hidden from queries that say nothing about Active, as for the other lists.
"""

from datetime import datetime

from sandbox.clock import meta_time
from sandbox.entities.ids import new_id
from sandbox.entities.payload import JsonDict
from sandbox.realm import Realm

CREDIT_CARD = "CREDIT_CARD"
NON_CREDIT_CARD = "NON_CREDIT_CARD"


def add_payment_method(
    realm: Realm, name: str, now: datetime, kind: str = NON_CREDIT_CARD, active: bool = True
) -> JsonDict:
    """Store a new payment method in `realm` and return it as QBO's JSON."""
    if kind not in (CREDIT_CARD, NON_CREDIT_CARD):
        raise ValueError(f"a payment method's Type is {CREDIT_CARD} or {NON_CREDIT_CARD}")
    stamp = meta_time(now)
    row: JsonDict = {
        "Name": name,
        "Active": active,
        "Type": kind,
        "domain": "QBO",
        "sparse": False,
        "Id": new_id(realm, "PaymentMethod"),
        "SyncToken": "0",
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }
    realm.put("PaymentMethod", row)
    realm.record("PaymentMethod", row["Id"], "Create", now)
    return row

"""CustomerType: read-only through the API, so rows come only from seeding."""

from datetime import datetime

from sandbox.clock import meta_time
from sandbox.entities.ids import new_id
from sandbox.entities.payload import JsonDict
from sandbox.realm import Realm


def add_customer_type(realm: Realm, name: str, now: datetime, active: bool = True) -> JsonDict:
    """Store a new customer type in `realm` and return it as QBO's JSON."""
    stamp = meta_time(now)
    row: JsonDict = {
        "Name": name,
        "Active": active,
        "domain": "QBO",
        "sparse": False,
        "Id": new_id(realm, "CustomerType"),
        "SyncToken": "0",
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }
    realm.put("CustomerType", row)
    realm.record("CustomerType", row["Id"], "Create", now)
    return row

"""CustomerType: read-only through the API, so rows come only from seeding."""

from datetime import datetime

from sandbox.clock import meta_time
from sandbox.entities.payload import JsonDict
from sandbox.realm import Realm

# QBO's CustomerType Ids are long digit strings (e.g. "5000000000000018823"), unlike customers'.
FIRST_ID = 5000000000000018823


def add_customer_type(realm: Realm, name: str, now: datetime, active: bool = True) -> JsonDict:
    """Store a new customer type in `realm` and return it as QBO's JSON."""
    stamp = meta_time(now)
    row: JsonDict = {
        "Name": name,
        "Active": active,
        "domain": "QBO",
        "sparse": False,
        "Id": realm.new_id("CustomerType", first=FIRST_ID),
        "SyncToken": "0",
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }
    realm.put("CustomerType", row)
    return row

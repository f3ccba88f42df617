"""Entity Ids as QBO hands them out: which entities share a counter, and where each starts.

In QBO's companies customers, vendors and employees share one name-list counter (a sandbox
company's vendors and employees sit between its customers' Ids), and all transactions share
another (an invoice 130 is followed by a payment 131). Customer types and classes have long
Ids such as "5000000000000018823"; the other lists count from 1.
"""

from sandbox.realm import Realm

_SEQUENCES = {
    "Customer": "Name",
    "Vendor": "Name",
    "Employee": "Name",
    "Invoice": "Transaction",
    "Payment": "Transaction",
}
_FIRST = {"CustomerType": 5000000000000018823, "Class": 5000000000000007280}


def new_id(realm: Realm, entity: str) -> str:
    """Return the next Id for a new `entity` of `realm`."""
    return realm.new_id(_SEQUENCES.get(entity, entity), first=_FIRST.get(entity, 1))

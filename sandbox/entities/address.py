"""Physical addresses as QBO stores them: an Id of their own, and the geocode QBO adds.

QBO numbers each address it stores and geocodes it into `Lat`/`Long`; the sandbox does not
geocode, so it answers "INVALID", which is what QBO answers for an address it cannot place.
"""

from sandbox.entities.payload import JsonDict
from sandbox.realm import WriteContext

UNPLACED = "INVALID"


def stored_address(
    ctx: WriteContext, sent: JsonDict | None, current: JsonDict | None
) -> JsonDict | None:
    """The address to store: the fields sent, the Id it had (or a new one), and a geocode."""
    if sent is None:
        return None
    kept_id = None if current is None else current.get("Id")
    address_id = kept_id or ctx.realm.new_id("PhysicalAddress")
    fields = {key: value for key, value in sent.items() if key not in ("Id", "Lat", "Long")}
    return {"Id": address_id, **fields, "Lat": UNPLACED, "Long": UNPLACED}

"""An invoice's lines as QBO reads and stores them, and the total they make.

Sales lines (`SalesItemLineDetail`) need an Amount (2020) of at most 15 digits; with both Qty
and UnitPrice given, the Amount must be Qty x UnitPrice rounded half up to cents (6070). Qty 0
and UnitPrice 0 count as not given (python-quickbooks sends them for unset fields). A sales line
without ItemRef is documentation: its Amount does not count (QBO's reference says so).
`DescriptionOnly` lines are kept and never count. `SubTotalLineDetail` lines sent are dropped:
QBO computes the one subtotal line it appends. Other line types (discount, group) are 2010.
Lines keep their Id across updates when they send it; new lines get the next Id.
"""

from decimal import Decimal

from sandbox.entities.fields import REF, expect, read_object
from sandbox.entities.money import ZERO, amount, as_json, as_plain_json, cents, number, shown
from sandbox.entities.payload import JsonDict, clean
from sandbox.entities.writes import check_lengths, referenced
from sandbox.faults import amount_mismatch, invalid_property, required_param_missing
from sandbox.realm import WriteContext

SALES = "SalesItemLineDetail"
DESCRIPTION = "DescriptionOnly"
SUBTOTAL = "SubTotalLineDetail"
_ITEM_REF = f"Line.{SALES}.ItemRef"


def read_lines(
    ctx: WriteContext, sent: object, current: JsonDict | None
) -> tuple[list[JsonDict], Decimal]:
    """Return the lines to store (subtotal line last) and the invoice's total."""
    lines = [clean(expect(line, dict, "Line")) for line in expect(sent, list, "Line")]
    kept = [line for line in lines if line.get("DetailType") != SUBTOTAL]
    if not kept:
        raise required_param_missing("Line")
    known = {line["Id"] for line in (current or {}).get("Line", []) if "Id" in line}
    next_id = max((int(i) for i in known), default=0) + 1
    stored: list[JsonDict] = []
    total = ZERO
    for number_in_order, line in enumerate(kept, start=1):
        line_id = str(line.get("Id", ""))
        if line_id not in known or line_id in {s["Id"] for s in stored}:
            line_id, next_id = str(next_id), next_id + 1
        row, counted = _line(ctx, line)
        stored.append({"Id": line_id, "LineNum": number_in_order, **row})
        total += counted
    stored.append({"Amount": as_json(total), "DetailType": SUBTOTAL, SUBTOTAL: {}})
    return stored, total


def _line(ctx: WriteContext, line: JsonDict) -> tuple[JsonDict, Decimal]:
    """One line's stored form and the amount it adds to the total."""
    check_lengths(line, {"Description": 4000})
    kind = line.get("DetailType")
    if kind is None:
        raise required_param_missing("Line.DetailType")
    if kind == DESCRIPTION:
        row = {"Description": line.get("Description"), "DetailType": DESCRIPTION}
        if "Amount" in line:
            row["Amount"] = as_json(amount(line["Amount"], "Line.Amount"))
        return {**_present(row), "DescriptionLineDetail": {}}, ZERO
    if kind != SALES:
        raise invalid_property("Property Name:Line.DetailType specified is unsupported or invalid")
    if "Amount" not in line:
        raise required_param_missing("Line.Amount")
    value = amount(line["Amount"], "Line.Amount")
    detail, counted = _sales_detail(ctx, expect(line.get(SALES, {}), dict, SALES), value)
    row = {"Description": line.get("Description"), "Amount": as_json(value), "DetailType": SALES}
    return {**_present(row), SALES: detail}, value if counted else ZERO


def _sales_detail(ctx: WriteContext, sent: JsonDict, value: Decimal) -> tuple[JsonDict, bool]:
    """The stored SalesItemLineDetail, and whether the line counts (it names an item)."""
    qty = _given(sent, "Qty")
    price = _given(sent, "UnitPrice")
    if qty is not None and price is not None and cents(qty * price) != value:
        raise amount_mismatch(shown(value))
    detail: JsonDict = {}
    item_ref, class_ref = _ref(sent, "ItemRef"), _ref(sent, "ClassRef")
    item = None if item_ref is None else referenced(ctx, "Item", item_ref, _ITEM_REF)
    if item is not None:
        detail["ItemRef"] = {"value": item["Id"], "name": item["Name"]}
    if class_ref is not None:
        klass = referenced(ctx, "Class", class_ref, f"Line.{SALES}.ClassRef")
        detail["ClassRef"] = {"value": klass["Id"], "name": klass["FullyQualifiedName"]}
    if price is not None:
        detail["UnitPrice"] = as_plain_json(price)
    if qty is not None:
        detail["Qty"] = as_plain_json(qty)
    if item is not None:
        detail["ItemAccountRef"] = dict(item["IncomeAccountRef"])
    detail["TaxCodeRef"] = {"value": "NON"}
    return detail, item is not None


def _ref(sent: JsonDict, name: str) -> JsonDict | None:
    ref: JsonDict | None = read_object(sent, name, REF).get(name) if name in sent else None
    return ref


def _given(sent: JsonDict, name: str) -> Decimal | None:
    if name not in sent:
        return None
    value = number(sent[name], f"Line.{SALES}.{name}")
    return None if value == 0 else value


def _present(row: JsonDict) -> JsonDict:
    return {key: value for key, value in row.items() if value is not None}

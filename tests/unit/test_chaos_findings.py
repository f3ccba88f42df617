"""The chaos bench tells a stray QBO payment with what finds its cause (api.chaos_checks)."""

from __future__ import annotations

from types import SimpleNamespace

from api.chaos_checks import _stray_payment
from core.domain.status import SyncStatus


def test_a_stray_payment_names_its_invoice_and_the_payments_we_hold_of_it() -> None:
    invoice = SimpleNamespace(id=7, external_id="i-7", qbo_id="130")
    other = SimpleNamespace(id=8, external_id="i-8", qbo_id="131")
    ours = SimpleNamespace(external_id="p-3", qbo_id="4700", invoice_id=7, status=SyncStatus.SYNCED)
    elsewhere = SimpleNamespace(external_id="p-4", qbo_id="4701", invoice_id=8, status="x")
    rows = {"invoices": {"i-7": invoice, "i-8": other}, "payments": {"p-3": ours, "p-4": elsewhere}}
    copy = {
        "Id": "4769", "TotalAmt": 80.0, "MetaData": {"CreateTime": "2026-12-06T18:40:01-08:00"},
        "Line": [{"Amount": 80.0, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}],
    }  # fmt: skip

    told = _stray_payment(copy, rows)

    assert told.startswith("QBO payment 4769 of 80.0 made 2026-12-06T18:40:01-08:00")
    assert "paying QBO invoice(s) ['130'] (i-7)" in told
    assert "p-3 qbo_id=4700" in told and "p-4" not in told

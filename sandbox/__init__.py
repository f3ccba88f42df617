"""The bundled QuickBooks Online sandbox: a Flask app that speaks QBO's Accounting API v3.

It imports nothing from `core`, `api` or `worker`; only the standard library, Flask,
Werkzeug and waitress (the faster server option). Start it with `python -m sandbox`, in tests
with `SandboxServer`, or mount the app from `create_app`. The QBO facts it follows live in
`shared/qbo/README.md`.

It serves Customer (with sub-customers), CustomerType and PaymentMethod (read-only), Vendor,
Employee, Item, Account, Class, Department, Invoice and Payment, and keeps a change journal per
realm (`journal.py`) for CDC and webhooks. `SandboxState.merge_customers` and
`deactivate_customer` do what a QBO user does in the UI, for control hooks.

Where the facts leave a choice open, the sandbox decides as follows:
- Case of name uniqueness and of text matches in queries: insensitive (switch `name_case`).
- A 401 has the gateway's lower-case JSON body (switch `auth_fault="xml"` for the XML one).
- A requestid is kept for the sandbox's lifetime; a repeat replays the first answer, fault or
  not, even with another body.
- Forbidden characters (colon, tab, newline) in names give 6000, naming the field.
- `CustomerTypeRef` is writable; an unknown Id gives 2500.
- A deactivated customer, vendor or employee keeps its DisplayName (switch `inactive_suffix`
  renames it "Name (deleted)"); a deactivated account is renamed so, as a 2026 test saw.
- Deactivating a customer whose Balance is not zero gives 400 "6000" "Delete List Has Balance
  Error" (switch `deactivate_with_balance` allows it). The UI hook deactivates anyway, with
  its sub-customers, as the UI does (without the credit memo the UI books).
- Merge: `from` must have no sub-customers and sit at the same level as `into`; its
  transactions move (each a journaled Update); afterwards a read of `from` gives 610 and CDC
  its Deleted stub; the journal has one Merge entry for `into` with `deleted_id`.
- References to an unknown Id give 2500 "Invalid Reference Id" naming the field; to an
  inactive customer, item, account, class or department 610 with QBO's "inactive" Detail; a
  deleted transaction gives 610 "Another user has deleted this transaction".
- `Job: true` needs a ParentRef (2020); sub-customers may sit 4 levels deep, deeper is 6000.
  Customer, vendor and employee Ids share one counter, invoices and payments another.
- Item: IncomeAccountRef is required for NonInventory items too and must name an Income or
  Other Income account (else 6000); Inventory, Category and Group items are 6000.
- Class and Department names are unique per FullyQualifiedName; queries may filter by Name.
- Money is exact decimals rounded half up to cents; an amount with more than ten digits
  before the point gives 6000. Qty 0 and UnitPrice 0 on a sales line count as not sent; a
  sales line without ItemRef does not count towards the total; other line types give 2010.
- DocNumber: sent without one, an invoice gets one more than the highest all-digit number,
  from 1001 (switch `custom_txn_number` leaves it without one); an update keeps it.
- TxnDate defaults to the company's date (US Pacific), DueDate to TxnDate + 30 days.
- An invoice with a payment applied cannot be deleted or voided (6000), lowered below what
  is applied (6000) or moved to another customer (620). A void writes "Voided", or
  "Voided - <note>" over an existing PrivateNote, and zeroes Qty too.
- Each payment line links exactly one invoice; `?operation=void` on a payment is 500 (void is
  `operation=update&include=void`). Applying, unapplying, voiding or deleting a payment gives
  the invoices it touches a new SyncToken and a journaled Update.
- Customer Balance (invoices' balances less unapplied payments), BalanceWithJobs and accounts'
  CurrentBalance are derived whenever a write moves them, and bump no SyncToken.
- A field list (`select Id, DisplayName from Customer`) answers sparse objects: `domain`,
  `sparse: true`, `Id` and the named fields that have a value.
- The journal reader counts changes at or after `since`.
- MetaData times are in US Pacific time, as QBO's sandbox companies answer.
- QBO's limits are on by default, each with its switch, over sliding windows; over one, 429
  with QBO's XML body and no Retry-After; reads are metered apart from writes (CorePlus), with
  an optional monthly quota. Decisions in `sandbox.limits`.
- Requests never run past 120 s (`request_timeout`): past it the gateway's 504 XML, unwritten.
- Latency and fault injection (SystemFault, 429, timeout, connection dropped before or after
  the write) and every control of the sandbox itself live apart from QBO's surface, under
  /_sandbox and as `python -m sandbox` flags. Endpoints and decisions in `sandbox.control`.
- Answers are JSON whatever the Accept header; `minorversion` is ignored (all is 75).
- A query on an entity the sandbox does not serve gives 4001; a path to one gives 500
  "Unsupported Operation".
- OAuth 2.0 (authorize, token, revoke, userinfo, discovery) runs on the same host at Intuit's
  paths; its decisions (consent, codes, rolling refresh, the five-year cap, revoke, ID tokens)
  are listed in `sandbox.oauth`. Switches `consent`, `consent_realm_id`, `old_refresh_grace`.
- Time is `SandboxState.clock`: tests and controls move it with `advance` and `set`.
"""

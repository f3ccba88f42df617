"""QBO faults: one exception that carries QBO's error entries, and a constructor per code.

A `QboFault` becomes `{"Fault":{"Error":[…],"type":…},"time":…}` with its HTTP status. The
`element` key is absent when `element` is None (QBO leaves it out of 4000 and 4001).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.clock import reply_time

BUSINESS_RULE = "A business validation error has occurred while processing your request"
INACTIVE_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. Check the fields "
    "with accounts, customers, items, vendors or employees."
)
DELETED_DETAIL = "Object Not Found : Another user has deleted this transaction."


@dataclass(frozen=True)
class QboError:
    """One entry of `Fault.Error`."""

    code: str
    message: str
    detail: str
    element: str | None = ""


class QboFault(Exception):
    """A QBO fault answer: HTTP status, fault type and error entries."""

    def __init__(self, status: int, error: QboError, fault_type: str = "ValidationFault") -> None:
        super().__init__(f"{error.code} {error.message}: {error.detail}")
        self.status = status
        self.errors = [error]
        self.fault_type = fault_type

    def payload(self, moment: datetime) -> dict[str, Any]:
        """Return the fault as QBO's JSON body, stamped with `moment`."""
        entries = []
        for error in self.errors:
            entry = {"Message": error.message, "Detail": error.detail, "code": error.code}
            if error.element is not None:
                entry["element"] = error.element
            entries.append(entry)
        fault = {"Error": entries, "type": self.fault_type}
        return {"Fault": fault, "time": reply_time(moment)}


def validation(code: str, message: str, detail: str, element: str | None = "") -> QboFault:
    """Return a 400 ValidationFault with one error."""
    return QboFault(400, QboError(code, message, detail, element))


def unsupported_operation(detail: str) -> QboFault:
    """500: an operation QBO refuses for this entity (e.g. deleting a customer)."""
    return validation("500", "Unsupported Operation", detail)


def object_not_found(element: str = "") -> QboFault:
    """610: unknown Id, or an inactive object used."""
    return validation("610", "Object Not Found", INACTIVE_DETAIL, element)


def deleted_object() -> QboFault:
    """610: a transaction that was deleted (read, update or delete of it)."""
    return validation("610", "Object Not Found", DELETED_DETAIL)


def cannot_link(element: str) -> QboFault:
    """620: a payment linked to a transaction of another customer."""
    detail = (
        "TxnID Cannot Be Linked : Cannot validate linked transactions. The linked transaction "
        "belongs to another customer."
    )
    return validation("620", "TxnID Cannot Be Linked", detail, element)


def invalid_property(detail: str) -> QboFault:
    """2010: a body that is not JSON, or a field of the wrong type."""
    return validation("2010", "Request has invalid or unsupported property", detail)


def required_param_missing(element: str) -> QboFault:
    """2020: a required field is missing."""
    message = "Required param missing, need to supply the required value for the API"
    return validation("2020", message, f"Required parameter {element} is missing", element)


def string_too_long(element: str, maximum: int, supplied: int) -> QboFault:
    """2050: a string longer than the field allows."""
    text = (
        "String length specified does not match the supported length. "
        f"Min:0 Max:{maximum} supported. Supplied length:{supplied}"
    )
    return validation("2050", text, text, element)


def bad_email(element: str) -> QboFault:
    """2210: an e-mail address without `@` and `.`."""
    message = "Email Address does not conform to the syntax rules of RFC 822"
    return validation("2210", message, f"{message} : {element}", element)


def invalid_reference(element: str) -> QboFault:
    """2500: a reference to an Id that does not exist."""
    return validation("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}", element)


def query_parser_error(detail: str) -> QboFault:
    """4000: a statement that does not parse (no `element` key)."""
    return validation("4000", "Error parsing query", f"QueryParserError: {detail}", None)


def query_validation_error(detail: str) -> QboFault:
    """4001: a statement that parses but asks for something QBO refuses (no `element` key)."""
    return validation("4001", "Invalid query", f"QueryValidationError: {detail}", None)


def stale_object() -> QboFault:
    """5010: the SyncToken sent is not the current one."""
    detail = (
        "Stale Object Error : You and QuickBooks were working on this at the same time. "
        "QuickBooks finished before you did, so your work was not saved."
    )
    return validation("5010", "Stale Object Error", detail)


def business_rule(detail: str, element: str = "") -> QboFault:
    """6000: QBO's catch-all business validation error."""
    return validation("6000", BUSINESS_RULE, f"Business Validation Error: {detail}", element)


def balance_blocks_deactivation() -> QboFault:
    """6000 with its own Message: deactivating a customer whose Balance is not zero."""
    detail = (
        "Delete List Has Balance Error: The entity you are trying to delete has an open balance. "
        ": This customer cannot be deleted because it has a non-zero balance"
    )
    return validation("6000", "Delete List Has Balance Error", detail)


def amount_mismatch(supplied: str) -> QboFault:
    """6070: a sales line whose Amount is not Qty x UnitPrice (rounded half up to cents)."""
    message = "Amount is not equal to UnitPrice * Qty"
    return validation("6070", message, f"{message}. Supplied value:{supplied}")


def duplicate_doc_number(doc_number: str, txn_type: str, txn_id: str) -> QboFault:
    """6140: a DocNumber another transaction of the type already has."""
    message = "Duplicate Document Number Error"
    detail = (
        f"{message} : You must specify a different number. This number has already been used. "
        f"DocNumber={doc_number} is assigned to TxnType={txn_type} with TxnId={txn_id}"
    )
    return validation("6140", message, detail)


def no_name() -> QboFault:
    """6080: a customer with neither DisplayName nor any name part."""
    detail = "No Name Provided : Please provide a DisplayName, Title, GivenName, MiddleName, "
    return validation("6080", "No Name Provided", detail + "FamilyName or Suffix.")


def duplicate_name(used_by: str = "customer, vendor or employee") -> QboFault:
    """6240: the name is already used by another customer, vendor or employee (or item …)."""
    detail = (
        f"The name supplied already exists. : Another {used_by} is already using this name. "
        "Please use a different name."
    )
    return validation("6240", "Duplicate Name Exists Error", detail)


def system_fault() -> QboFault:
    """10000: the sandbox itself failed (a bug); QBO's answer for server trouble."""
    detail = (
        "System Failure Error: An unexpected error occurred while accessing or saving your data. "
        "Please wait a few minutes and try again. If the problem persists, contact customer "
        "support."
    )
    message = "An application error has occurred while processing your request"
    return QboFault(500, QboError("10000", message, detail, None), "SystemFault")

"""Switches that choose between QBO behaviours the evidence leaves open."""

from dataclasses import dataclass

NAME_CASES = ("insensitive", "sensitive")
AUTH_FAULTS = ("json", "xml")
_FLAGS = ("deactivate_with_balance", "custom_txn_number", "inactive_suffix")


@dataclass
class SandboxOptions:
    """Per-sandbox switches; each names the QBO fact it decides in shared/qbo/README.md.

    name_case: whether display-name uniqueness and text comparisons in queries ignore case
        ("insensitive", the default) or not ("sensitive"). Whitespace always counts.
    auth_fault: the body of a 401: the gateway's lower-case JSON ("json") or XML ("xml").
    deactivate_with_balance: let a customer whose Balance is not zero be made inactive through
        the API (True) instead of refusing it with 6000 "Delete List Has Balance Error" (False,
        the default; the code of that fault is unconfirmed).
    custom_txn_number: the company preference SalesFormsPrefs.CustomTxnNumber. False (the
        default): QBO numbers an invoice sent without DocNumber. True: it stays without one.
    inactive_suffix: rename a customer, vendor or employee made inactive to "Name (deleted)"
        (True) or keep its name (False, the default; unconfirmed for these lists).
    """

    name_case: str = "insensitive"
    auth_fault: str = "json"
    deactivate_with_balance: bool = False
    custom_txn_number: bool = False
    inactive_suffix: bool = False

    def __post_init__(self) -> None:
        # A typo in a switch would silently pick the default behaviour; refuse it instead.
        if self.name_case not in NAME_CASES:
            raise ValueError(f"name_case must be one of {NAME_CASES}, not {self.name_case!r}")
        if self.auth_fault not in AUTH_FAULTS:
            raise ValueError(f"auth_fault must be one of {AUTH_FAULTS}, not {self.auth_fault!r}")
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}")

    def fold_name(self, text: str) -> str:
        """Return the form of `text` that name comparisons use under `name_case`."""
        return text.casefold() if self.name_case == "insensitive" else text

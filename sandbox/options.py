"""Switches that choose between QBO behaviours the evidence leaves open."""

from dataclasses import dataclass

from sandbox.control.switches import ChaosSwitches
from sandbox.limits.switches import LimitSwitches

NAME_CASES = ("insensitive", "sensitive")
AUTH_FAULTS = ("json", "xml")
CONSENTS = ("allow", "deny")
DAY_SECONDS = 86400
_FLAGS = ("deactivate_with_balance", "custom_txn_number", "inactive_suffix")


@dataclass
class SandboxOptions(LimitSwitches, ChaosSwitches):
    """Per-sandbox switches; each names the QBO fact it decides in shared/qbo/README.md.

    It inherits the switches of QBO's limits (LimitSwitches: keyword only, each limit on at its
    documented number) and of fault injection (ChaosSwitches: keyword only, all off).

    name_case: whether display-name uniqueness and text comparisons in queries ignore case
        ("insensitive", the default) or not ("sensitive"). Whitespace always counts.
    auth_fault: the body of a 401: the gateway's lower-case JSON ("json") or XML ("xml").
    consent: what the user answers on Intuit's consent screen: "allow" (the default) sends the
        app a code, "deny" sends it `error=access_denied`.
    consent_realm_id: the company the user picks on the consent screen; None (the default)
        picks the sandbox's first realm.
    old_refresh_grace: seconds a refresh token stays usable after a refresh handed out its
        successor (OAuth 2.0, rolling refresh: 24 h by default; 0 kills it at once).
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
    consent: str = "allow"
    consent_realm_id: str | None = None
    old_refresh_grace: float = DAY_SECONDS
    deactivate_with_balance: bool = False
    custom_txn_number: bool = False
    inactive_suffix: bool = False

    def __post_init__(self) -> None:
        LimitSwitches.__post_init__(self)
        ChaosSwitches.__post_init__(self)
        # A typo in a switch would silently pick the default behaviour; refuse it instead.
        if self.name_case not in NAME_CASES:
            raise ValueError(f"name_case must be one of {NAME_CASES}, not {self.name_case!r}")
        if self.auth_fault not in AUTH_FAULTS:
            raise ValueError(f"auth_fault must be one of {AUTH_FAULTS}, not {self.auth_fault!r}")
        if self.consent not in CONSENTS:
            raise ValueError(f"consent must be one of {CONSENTS}, not {self.consent!r}")
        if self.old_refresh_grace < 0:
            raise ValueError(f"old_refresh_grace must be >= 0, not {self.old_refresh_grace!r}")
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}")

    def fold_name(self, text: str) -> str:
        """Return the form of `text` that name comparisons use under `name_case`."""
        return text.casefold() if self.name_case == "insensitive" else text

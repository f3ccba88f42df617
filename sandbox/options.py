"""Switches that choose between QBO behaviours the evidence leaves open."""

from dataclasses import dataclass

from sandbox.control.switches import ChaosSwitches
from sandbox.limits.switches import LimitSwitches

NAME_CASES = ("insensitive", "sensitive")
AUTH_FAULTS = ("json", "xml")


@dataclass
class SandboxOptions(LimitSwitches, ChaosSwitches):
    """Per-sandbox switches; each names the QBO fact it decides in shared/qbo/README.md.

    It inherits the switches of QBO's limits (LimitSwitches: keyword only, each limit on at its
    documented number) and of fault injection (ChaosSwitches: keyword only, all off).

    name_case: whether display-name uniqueness and text comparisons in queries ignore case
        ("insensitive", the default) or not ("sensitive"). Whitespace always counts.
    auth_fault: the body of a 401: the gateway's lower-case JSON ("json") or XML ("xml").
    """

    name_case: str = "insensitive"
    auth_fault: str = "json"

    def __post_init__(self) -> None:
        LimitSwitches.__post_init__(self)
        ChaosSwitches.__post_init__(self)
        # A typo in a switch would silently pick the default behaviour; refuse it instead.
        if self.name_case not in NAME_CASES:
            raise ValueError(f"name_case must be one of {NAME_CASES}, not {self.name_case!r}")
        if self.auth_fault not in AUTH_FAULTS:
            raise ValueError(f"auth_fault must be one of {AUTH_FAULTS}, not {self.auth_fault!r}")

    def fold_name(self, text: str) -> str:
        """Return the form of `text` that name comparisons use under `name_case`."""
        return text.casefold() if self.name_case == "insensitive" else text

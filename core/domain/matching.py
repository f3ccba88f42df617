"""Which QBO customers an account could be linked to, best first, and why (SPEC §2.4).

Only an exact match (display names equal once trimmed, SPEC §2.2) is ever linked by itself;
every other reason here is a suggestion a person confirms. Each rule forgives a little more
than the one before it: case, then white space, then punctuation. A customer is shown once,
with the first reason that fits.

`rank_candidates` weighs every customer of a list against one account. A first sync decides
thousands of accounts against one list: `CandidateIndex` works the list out once and looks up,
for each account, only the customers that share a compared form with it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.domain.qbo import QboCustomer, display_name_for


class MatchReason(StrEnum):
    """Why a customer is a candidate; the order of the members is the order of the ranking."""

    EXACT = "exact"
    CASE = "case"
    WHITESPACE = "whitespace"
    PUNCTUATION = "punctuation"
    NAME_ORDER = "name_order"
    DELETED_SUFFIX = "deleted_suffix"
    COMPANY_SUFFIX = "company_suffix"
    EMAIL = "email"


RANK = {reason: rank for rank, reason in enumerate(MatchReason)}
# The QBO interface lists inactive customers as "Name (deleted)" (shared/qbo/README.md).
DELETED_SUFFIX = " (deleted)"
# Endings that name a legal form, not the business; compared without dots or case.
COMPANY_SUFFIXES = frozenset(
    {
        "llc",
        "pllc",
        "llp",
        "lp",
        "pc",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "plc",
    }
)
# Dropped inside words ("L.L.C." is "LLC", "O'Brien" is "OBrien"); other punctuation splits.
JOINING_PUNCTUATION = frozenset(".'\u2019")


@dataclass(frozen=True)
class Candidate:
    """A customer the account could be linked to; `explanation` is for a bookkeeper."""

    customer: QboCustomer
    reason: MatchReason
    explanation: str


@dataclass(frozen=True)
class _Name:
    """One name in every form the rules compare."""

    trimmed: str
    folded: str  # case ignored
    spaceless: str  # white space ignored too
    bare: str  # punctuation ignored too
    reordered: str | None  # "Last, First" as "First Last", bare; None without one comma
    without_company_suffix: str  # bare, legal-form endings dropped

    @classmethod
    def of(cls, name: str) -> _Name:
        trimmed = display_name_for(name)
        words = _words(trimmed)
        last, comma, first = trimmed.partition(",")
        one_comma = bool(comma) and "," not in first
        return cls(
            trimmed=trimmed,
            folded=trimmed.casefold(),
            spaceless="".join(trimmed.casefold().split()),
            bare="".join(words),
            reordered="".join(_words(f"{first} {last}")) if one_comma else None,
            without_company_suffix="".join(_without_company_suffix(words)),
        )


def _words(name: str) -> list[str]:
    """The name's words, case-folded, without punctuation."""
    kept = []
    for char in name.casefold():
        if unicodedata.category(char).startswith("P"):
            kept.append("" if char in JOINING_PUNCTUATION else " ")
        else:
            kept.append(char)
    return "".join(kept).split()


def _without_company_suffix(words: list[str]) -> list[str]:
    """The words without legal-form endings ("Acme Co., Ltd." is "acme"); one word stays."""
    end = len(words)
    while end > 1 and words[end - 1] in COMPANY_SUFFIXES:
        end -= 1
    return words[:end]


def _name_reason(account: _Name, customer: _Name) -> MatchReason | None:
    """The first rule from EXACT to NAME_ORDER that the two names meet, if any."""
    if account.trimmed == customer.trimmed:
        return MatchReason.EXACT
    if not account.bare or not customer.bare:
        return None  # nothing but punctuation: the looser rules would pair unrelated names
    if account.folded == customer.folded:
        return MatchReason.CASE
    if account.spaceless == customer.spaceless:
        return MatchReason.WHITESPACE
    if account.bare == customer.bare:
        return MatchReason.PUNCTUATION
    if account.reordered == customer.bare or account.bare == customer.reordered:
        return MatchReason.NAME_ORDER
    return None


@dataclass(frozen=True)
class _Entry:
    """A customer with every form of its names and its e-mail address, worked out once."""

    customer: QboCustomer
    name: _Name
    undeleted: _Name | None  # the name without QBO's " (deleted)", when it ends so
    email: str | None  # folded

    @classmethod
    def of(cls, customer: QboCustomer) -> _Entry:
        undeleted = _undeleted(customer.display_name)
        return cls(
            customer=customer,
            name=_Name.of(customer.display_name),
            undeleted=None if undeleted is None else _Name.of(undeleted),
            email=_email(customer.email),
        )

    @property
    def suffixed(self) -> _Name:
        """The name the company-suffix rule compares: "Acme LLC (deleted)" is "Acme LLC"."""
        return self.name if self.undeleted is None else self.undeleted


def _best_reason(account: _Name, account_email: str | None, entry: _Entry) -> MatchReason | None:
    reason = _name_reason(account, entry.name)
    if reason is not None:
        return reason
    if entry.undeleted is not None and _name_reason(account, entry.undeleted) is not None:
        return MatchReason.DELETED_SUFFIX
    if account.without_company_suffix and (
        account.without_company_suffix == entry.suffixed.without_company_suffix
    ):
        return MatchReason.COMPANY_SUFFIX
    if account_email is not None and account_email == entry.email:
        return MatchReason.EMAIL
    return None


def _undeleted(display_name: str) -> str | None:
    """The name without QBO's trailing " (deleted)", or None when it has none."""
    trimmed = display_name.strip()
    if trimmed.casefold().endswith(DELETED_SUFFIX) and len(trimmed) > len(DELETED_SUFFIX):
        return trimmed[: -len(DELETED_SUFFIX)]
    return None


def _email(address: str | None) -> str | None:
    folded = (address or "").strip().casefold()
    return folded or None


# A key is a rule's form of a name (or the e-mail address) and its text. Two names one rule
# pairs share that rule's key, so the customers sharing no key with an account are the ones
# `_best_reason` would turn down. The looser forms count only for names with words in them.
_Key = tuple[str, str]


def _keys(entry: _Entry) -> list[_Key]:
    """Every key under which the customer is found."""
    keys = []
    for name in (entry.name, entry.undeleted):
        if name is None:
            continue
        keys.append(("folded", name.folded))  # EXACT too: names equal are equal folded
        if name.bare:
            keys += [("spaceless", name.spaceless), ("bare", name.bare)]
            if name.reordered:
                keys.append(("reordered", name.reordered))
    if entry.suffixed.without_company_suffix:
        keys.append(("company", entry.suffixed.without_company_suffix))
    if entry.email is not None:
        keys.append(("email", entry.email))
    return keys


def _lookups(account: _Name, email: str | None) -> list[_Key]:
    """The keys of the customers the rules could pair with the account."""
    keys = [("folded", account.folded)]
    if account.bare:
        keys += [
            ("spaceless", account.spaceless),
            ("bare", account.bare),
            ("reordered", account.bare),  # "Doe, Jane" customer, "Jane Doe" account
        ]
        if account.reordered:
            keys.append(("bare", account.reordered))  # and the other way round
    if account.without_company_suffix:
        keys.append(("company", account.without_company_suffix))
    if email is not None:
        keys.append(("email", email))
    return keys


class CandidateIndex:
    """A customer list worked out once, that ranks an account against it in a few look-ups.

    `rank` gives what `rank_candidates` gives for the same customers, in the same order: it
    applies the same rules, but only to the customers that share a name form or an e-mail
    address with the account, rather than to every one.

    `add` only appends: a customer before the keys that lead to it. So threads may rank while
    one thread adds (dict and list operations are atomic in CPython), but two must not add at
    once.
    """

    def __init__(self, customers: Iterable[QboCustomer] = ()) -> None:
        self._entries: list[_Entry] = []
        self._by_key: dict[_Key, list[int]] = {}  # positions in _entries
        self._by_display_name: dict[str, list[QboCustomer]] = {}  # casefolded
        self._by_id: dict[str, QboCustomer] = {}
        self.add(customers)

    def add(self, customers: Iterable[QboCustomer]) -> None:
        """Index more customers, after those already in (qbsync adds those it just made)."""
        for customer in customers:
            entry = _Entry.of(customer)
            position = len(self._entries)
            self._entries.append(entry)
            for key in _keys(entry):
                self._by_key.setdefault(key, []).append(position)
            folded = customer.display_name.casefold()
            self._by_display_name.setdefault(folded, []).append(customer)
            self._by_id[customer.id] = customer

    def rank(self, account_name: str, account_email: str | None) -> list[Candidate]:
        """The customers the account could be linked to, as `rank_candidates` ranks them."""
        account = _Name.of(account_name)
        email = _email(account_email)
        found: set[int] = set()
        for key in _lookups(account, email):
            found.update(self._by_key.get(key, ()))
        # In list order, as rank_candidates meets them: its sort keeps ties in that order.
        return _ranked(account, email, (self._entries[position] for position in sorted(found)))

    def get(self, customer_id: str) -> QboCustomer | None:
        """The customer with this Id, the one added last if there are several."""
        return self._by_id.get(customer_id)

    def namesakes(self, display_name: str) -> list[QboCustomer]:
        """The customers QBO counts as named `display_name` (any case), in the order added."""
        return list(self._by_display_name.get(display_name.casefold(), ()))


def rank_candidates(
    account_name: str, account_email: str | None, customers: Iterable[QboCustomer]
) -> list[Candidate]:
    """The customers the account could be linked to: by reason, active first, then by Id.

    This looks at every customer; `CandidateIndex` ranks many accounts against one list.
    """
    entries = (_Entry.of(customer) for customer in customers)
    return _ranked(_Name.of(account_name), _email(account_email), entries)


def _ranked(account: _Name, email: str | None, entries: Iterable[_Entry]) -> list[Candidate]:
    """The entries the rules pair with the account, as candidates, best first."""
    candidates = []
    for entry in entries:
        reason = _best_reason(account, email, entry)
        if reason is not None:
            explanation = _explain(reason, account.trimmed, entry.customer)
            candidates.append(Candidate(entry.customer, reason, explanation))
    candidates.sort(key=_ranking)
    return candidates


def _ranking(candidate: Candidate) -> tuple[int, bool, int, str]:
    customer = candidate.customer
    # QBO's Ids are digit strings: the shorter one is the smaller number.
    return RANK[candidate.reason], not customer.active, len(customer.id), customer.id


def _explain(reason: MatchReason, account_name: str, customer: QboCustomer) -> str:
    """Why the customer is suggested, in a sentence a bookkeeper can check."""
    ours, theirs = f'"{account_name}"', f'"{customer.display_name}"'
    sentence = {
        MatchReason.EXACT: f"The QuickBooks customer is named exactly {ours}, like the account.",
        MatchReason.CASE: f"{theirs} differs from the account name {ours} only in capitals.",
        MatchReason.WHITESPACE: (
            f"{theirs} differs from the account name {ours} only in spaces or capitals."
        ),
        MatchReason.PUNCTUATION: (
            f"{theirs} differs from the account name {ours} only in punctuation, spaces or "
            "capitals."
        ),
        MatchReason.NAME_ORDER: (
            f"{theirs} is the account name {ours} written "
            f"{'last' if ',' in customer.display_name else 'first'} name first."
        ),
        MatchReason.DELETED_SUFFIX: (
            f"{theirs} is the account name {ours} marked as deleted in QuickBooks."
        ),
        MatchReason.COMPANY_SUFFIX: (
            f"{theirs} and the account name {ours} differ only in a company ending such as "
            "LLC, Inc. or Ltd."
        ),
        MatchReason.EMAIL: (
            f"{theirs} has the account's e-mail address, {customer.email}, though the names differ."
        ),
    }[reason]
    if not customer.active:
        sentence += " It is inactive in QuickBooks: reactivate it there before linking to it."
    return sentence

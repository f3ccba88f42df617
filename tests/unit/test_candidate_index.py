"""Ranking many accounts against one customer list (core.domain.matching.CandidateIndex).

The index must rank exactly as the plain loop over every customer did; that loop is kept here,
as it was, to compare with.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest

from core.domain.matching import (
    Candidate,
    CandidateIndex,
    MatchReason,
    _email,
    _explain,
    _Name,
    _name_reason,
    _ranking,
    _undeleted,
    rank_candidates,
)
from core.domain.qbo import QboCustomer


def by_brute_force(
    account_name: str, account_email: str | None, customers: Iterable[QboCustomer]
) -> list[Candidate]:
    """rank_candidates as it was before the index: every rule against every customer."""
    account = _Name.of(account_name)
    email = _email(account_email)
    candidates = []
    for customer in customers:
        reason = _old_best_reason(account, email, customer)
        if reason is not None:
            explanation = _explain(reason, account.trimmed, customer)
            candidates.append(Candidate(customer, reason, explanation))
    candidates.sort(key=_ranking)
    return candidates


def _old_best_reason(
    account: _Name, account_email: str | None, customer: QboCustomer
) -> MatchReason | None:
    name = _Name.of(customer.display_name)
    reason = _name_reason(account, name)
    if reason is not None:
        return reason
    undeleted = _undeleted(customer.display_name)
    if undeleted is not None:
        name = _Name.of(undeleted)
        if _name_reason(account, name) is not None:
            return MatchReason.DELETED_SUFFIX
    if account.without_company_suffix and (
        account.without_company_suffix == name.without_company_suffix
    ):
        return MatchReason.COMPANY_SUFFIX
    if account_email is not None and account_email == _email(customer.email):
        return MatchReason.EMAIL
    return None


TRICKY_NAMES = [
    "Jane Doe",
    "jane doe",
    "JANE DOE",
    "  Jane Doe ",
    "Jane  Doe",
    "Jane\u00a0Doe",
    "Jane\tDoe",
    "Jane.Doe",
    "Jane-Doe",
    "JaneDoe",
    "Doe, Jane",
    "doe,jane",
    "Doe , Jane",
    "Doe, Jane, Jr.",
    "Jane Doe Jr.",
    "Jane Doe (deleted)",
    "jane doe (DELETED)",
    "Doe, Jane (deleted)",
    "Jane Doe (deleted) (deleted)",
    "Jane Doe(deleted)",
    " (deleted)",
    "(deleted)",
    "... (deleted)",
    "x (deleted)",
    "Acme",
    "acme",
    "Acme LLC",
    "Acme, L.L.C.",
    "ACME Inc.",
    "Acme Co., Ltd.",
    "Acme Corporation",
    "Acme LLC (deleted)",
    "Acme (deleted)",
    "Acme Widgets",
    "Co",
    "Company",
    "LLC",
    "Co LLC",
    "Inc, Co",
    "Smith & Co",
    "Smith",
    "Smith, Jones & Partners",
    "smith jones partners",
    "A & W Farms",
    "A&W  Farms",
    "O'Brien Tax Services",
    "OBrien Tax-Services",
    "O\u2019Brien",
    "O'Brien",
    "",
    " ",
    "...",
    "!!!",
    ",",
    ", ",
    "a,b",
    ",a",
    "a,",
    "Müller GmbH",
    "MÜLLER",
    "Mu\u0308ller",
    "Straße",
    "STRASSE",
    "strasse",
    "\u01c5emal",
    "\u01c4EMAL",
    "İstanbul",
    "i\u0307stanbul",
    "\ufb01ne",
    "FINE",
    "\uff2a\uff41\uff4e\uff45",
    "\u00bfQu\u00e9?",
    "qué",
    "李 小龙",
    "李小龙",
]
EMAILS = [None, "", "  ", "jane@doe.com", " JANE@Doe.com ", "acme@example.com", "x@y.z"]
WORDS = ["Jane", "Doe", "Acme", "Smith", "O'Brien", "Müller", "Straße", "a", "", "李", "."]
SEPARATORS = [" ", "  ", ", ", ",", ".", "-", "", "\u00a0", " & ", "'"]
ENDINGS = ["", "", "", " LLC", ", Inc.", " Co., Ltd.", " L.L.C.", " (deleted)", " (DELETED)"]


def a_random_name(rng: random.Random) -> str:
    """Words, separators, case changes and endings mixed as people type them."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 3))]
    name = ""
    for n, word in enumerate(words):
        name += (rng.choice(SEPARATORS) if n else "") + word
    name += rng.choice(ENDINGS)
    name = rng.choice([name, name.upper(), name.lower(), name.swapcase()])
    return rng.choice(["", " ", "\t"]) + name + rng.choice(["", " "])


def a_customer_list(rng: random.Random, size: int) -> list[QboCustomer]:
    names = TRICKY_NAMES + [a_random_name(rng) for _ in range(size - len(TRICKY_NAMES))]
    customers = [
        QboCustomer(
            str(rng.randint(1, 3 * size)),  # some Ids twice: ties keep the list's order
            name,
            rng.random() < 0.8,
            "0",
            email=rng.choice(EMAILS),
        )
        for name in names
    ]
    return customers + rng.sample(customers, 5)  # and some customers twice over


def accounts(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    names = TRICKY_NAMES + [a_random_name(rng) for _ in range(count)]
    return [(name, rng.choice(EMAILS)) for name in names]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_ranks_every_account_as_the_loop_over_every_customer_does(seed: int) -> None:
    rng = random.Random(seed)
    customers = a_customer_list(rng, 200)
    index = CandidateIndex(customers)

    for name, email in accounts(rng, 100):
        expected = by_brute_force(name, email, customers)
        assert index.rank(name, email) == expected, (name, email)
        assert rank_candidates(name, email, customers) == expected, (name, email)


def test_the_comparison_sees_every_reason_so_it_checks_each_rule() -> None:
    rng = random.Random(1)
    customers = a_customer_list(rng, 200)
    seen = {
        candidate.reason
        for name, email in accounts(rng, 100)
        for candidate in by_brute_force(name, email, customers)
    }
    assert seen == set(MatchReason)


def test_customers_added_later_are_ranked_as_if_they_had_been_there_from_the_start() -> None:
    rng = random.Random(4)
    customers = a_customer_list(rng, 200)
    index = CandidateIndex(customers[:120])
    index.add(customers[120:180])
    index.add(iter(customers[180:]))  # any iterable, read once

    for name, email in accounts(rng, 60):
        assert index.rank(name, email) == by_brute_force(name, email, customers), name


def test_a_customer_added_after_ranking_is_a_candidate_next_time() -> None:
    index = CandidateIndex([QboCustomer("1", "Acme LLC", True, "0")])
    before = index.rank("Acme", None)

    index.add([QboCustomer("2", "Acme", True, "0")])
    after = index.rank("Acme", None)

    assert [c.customer.id for c in before] == ["1"]
    assert [(c.customer.id, c.reason) for c in after] == [
        ("2", MatchReason.EXACT),
        ("1", MatchReason.COMPANY_SUFFIX),
    ]


def test_an_empty_index_has_no_candidates_and_no_namesakes() -> None:
    index = CandidateIndex()
    assert index.rank("Jane Doe", "jane@doe.com") == []
    assert index.rank("", None) == []
    assert index.namesakes("Jane Doe") == []


def test_namesakes_are_the_customers_named_alike_in_any_case_in_the_order_added() -> None:
    first = QboCustomer("7", "Jane Doe", True, "0")
    shouting = QboCustomer("3", "JANE DOE", False, "0")
    spaced = QboCustomer("4", "Jane  Doe", True, "0")
    deleted = QboCustomer("5", "Jane Doe (deleted)", False, "0")
    german = QboCustomer("6", "Straße", True, "0")
    index = CandidateIndex([first, spaced, shouting, deleted, german])
    later = QboCustomer("10", "jane doe", True, "0")
    index.add([later])

    found = index.namesakes("jane DOE")
    found.clear()  # the caller's copy

    assert index.namesakes("jane DOE") == [first, shouting, later]
    assert index.namesakes("Jane  Doe") == [spaced]
    assert index.namesakes("STRASSE") == [german]  # as str.casefold counts them equal
    assert index.namesakes("Jane") == []


def test_a_customer_is_found_by_its_id_and_an_unknown_id_finds_none() -> None:
    first, second = QboCustomer("1", "Jane Doe", True, "0"), QboCustomer("2", "John Roe", True, "0")
    index = CandidateIndex([first])
    index.add([second])

    assert index.get("1") == first
    assert index.get("2") == second
    assert index.get("3") is None

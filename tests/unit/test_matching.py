"""Ranking the QBO customers an account could be linked to (core.domain.matching)."""

from __future__ import annotations

import inspect

import pytest

from core.domain import matching
from core.domain.matching import Candidate, MatchReason, rank_candidates
from core.domain.qbo import QboCustomer


def a_customer(
    display_name: str, id: str = "1", *, active: bool = True, email: str | None = None
) -> QboCustomer:
    return QboCustomer(id, display_name, active, "0", email=email)


def reason_for(
    account_name: str, customer_name: str, *, email: str | None = None, theirs: str | None = None
) -> MatchReason | None:
    found = rank_candidates(account_name, email, [a_customer(customer_name, email=theirs)])
    return found[0].reason if found else None


@pytest.mark.parametrize(
    ("account_name", "customer_name", "reason"),
    [
        ("Jane Doe", "Jane Doe", MatchReason.EXACT),
        ("  Jane Doe ", "Jane Doe", MatchReason.EXACT),  # SPEC §2.2 trims surrounding space
        ("Jane Doe", "JANE doe", MatchReason.CASE),
        ("A & W Farms", "A&W  Farms", MatchReason.WHITESPACE),
        ("Jane\u00a0Doe", "jane doe", MatchReason.WHITESPACE),
        ("O'Brien Tax Services", "OBrien Tax-Services", MatchReason.PUNCTUATION),
        ("Smith, Jones & Partners", "smith jones partners", MatchReason.PUNCTUATION),
        ("Doe, Jane", "Jane Doe", MatchReason.NAME_ORDER),
        ("Jane Q. Doe", "doe, jane q", MatchReason.NAME_ORDER),
        ("Jane Doe", "Jane Doe (deleted)", MatchReason.DELETED_SUFFIX),
        ("Jane Doe", "jane  doe (deleted)", MatchReason.DELETED_SUFFIX),
        ("Doe, Jane", "Jane Doe (deleted)", MatchReason.DELETED_SUFFIX),
        ("Acme", "Acme, LLC", MatchReason.COMPANY_SUFFIX),
        ("Acme L.L.C.", "Acme", MatchReason.COMPANY_SUFFIX),
        ("Acme Inc.", "ACME Corporation", MatchReason.COMPANY_SUFFIX),
        ("Smith & Co", "Smith", MatchReason.COMPANY_SUFFIX),
        ("Acme Co., Ltd.", "Acme P.C.", MatchReason.COMPANY_SUFFIX),
        ("Müller GmbH", "Müller", MatchReason.COMPANY_SUFFIX),
        ("Acme", "Acme LLC (deleted)", MatchReason.COMPANY_SUFFIX),
    ],
)
def test_each_way_a_name_can_match_has_its_reason(
    account_name: str, customer_name: str, reason: MatchReason
) -> None:
    assert reason_for(account_name, customer_name) is reason


def test_the_same_email_address_makes_a_candidate_whatever_the_names() -> None:
    assert (
        reason_for("Jane Doe", "The Doe Household", email="jane@doe.com", theirs=" JANE@Doe.com ")
        is MatchReason.EMAIL
    )


@pytest.mark.parametrize(
    ("account_name", "customer_name"),
    [
        ("Acme", "Acme Widgets"),
        ("Acme", "Acme Widgets LLC"),
        ("Jane Doe", "Jane Does"),
        ("Jane Doe", "Doe Jane"),  # no comma: not "Last, First"
        ("Co", "Company"),  # a name that is only a legal form keeps it
        ("Jane Doe", "Jane Doe (archived)"),
        ("...", "!!!"),
        ("Jane Doe", "Jane Doe Jr."),
    ],
)
def test_unrelated_customers_are_not_candidates(account_name: str, customer_name: str) -> None:
    assert reason_for(account_name, customer_name) is None


@pytest.mark.parametrize(("ours", "theirs"), [(None, None), ("", None), (None, "a@b.co")])
def test_missing_email_addresses_match_nothing(ours: str | None, theirs: str | None) -> None:
    assert reason_for("Jane Doe", "Someone Else", email=ours, theirs=theirs) is None


def test_a_customer_appears_once_with_its_best_reason() -> None:
    customer = a_customer("jane doe", email="jane@doe.com")
    [found] = rank_candidates("Jane Doe", "jane@doe.com", [customer])
    assert (found.customer, found.reason) == (customer, MatchReason.CASE)


def test_candidates_come_by_reason_then_active_first_then_by_numeric_id() -> None:
    customers = [
        a_customer("Unrelated", "1"),
        a_customer("Someone", "2", email="jane@doe.com"),
        a_customer("Jane Doe (deleted)", "3", active=False),
        a_customer("Doe, Jane", "4"),
        a_customer("JANE DOE", "10"),
        a_customer("jane doe", "9", active=False),
        a_customer("Jane.Doe", "5"),
        a_customer("Jane Doe", "11"),
        a_customer("Jane  Doe", "6"),
        a_customer("Jane Doe Inc", "7"),
        a_customer("Jane DOE", "100"),
    ]

    found = rank_candidates("Jane Doe", "jane@doe.com", customers)

    assert [(c.customer.id, c.reason.value) for c in found] == [
        ("11", "exact"),
        ("10", "case"),
        ("100", "case"),
        ("9", "case"),
        ("6", "whitespace"),
        ("5", "punctuation"),
        ("4", "name_order"),
        ("3", "deleted_suffix"),
        ("7", "company_suffix"),
        ("2", "email"),
    ]


def test_each_candidate_says_why_in_a_sentence_naming_both_names() -> None:
    found = rank_candidates(
        "Jane Doe",
        "jane@doe.com",
        [
            a_customer("JANE DOE", "1"),
            a_customer("Household", "2", email="jane@doe.com", active=False),
        ],
    )

    case, email = (c.explanation for c in found)
    assert '"JANE DOE"' in case and '"Jane Doe"' in case and "capitals" in case
    assert "jane@doe.com" in email and "e-mail" in email
    assert "reactivate it" in email and "reactivate it" not in case
    [reordered] = rank_candidates("Doe, Jane", None, [a_customer("Jane Doe")])
    assert reordered.explanation.endswith('"Doe, Jane" written first name first.')


def test_ranking_is_pure_it_takes_names_and_customers_only() -> None:
    parameters = list(inspect.signature(rank_candidates).parameters)
    customers = [a_customer("jane doe", "2"), a_customer("Jane Doe", "1")]
    given = list(customers)

    once = rank_candidates("Jane Doe", None, iter(customers))  # any iterable, read once
    again = rank_candidates("Jane Doe", None, customers)

    assert parameters == ["account_name", "account_email", "customers"]
    assert once == again
    assert all(isinstance(c, Candidate) for c in once)
    assert customers == given
    # Nothing that reaches QBO or the database is in reach of the module.
    used = {
        getattr(value, "__module__", None) or getattr(value, "__name__", "")
        for value in vars(matching).values()
    }
    assert not [name for name in used if name.startswith(("core.adapters", "core.ports", "httpx"))]

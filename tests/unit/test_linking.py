"""plan_link: what a sync by name does, decided from what QBO holds (SPEC §2.2)."""

from __future__ import annotations

from core.domain.linking import LinkAction, LinkPlan, plan_link
from core.domain.matching import rank_candidates
from core.domain.qbo import QboCustomer


def customer(cid: str, name: str, *, active: bool = True) -> QboCustomer:
    return QboCustomer(cid, name, active, "0")


def plan(
    name: str,
    customers: list[QboCustomer],
    *,
    linked: QboCustomer | None = None,
    held_by_others: bool = False,
) -> LinkPlan:
    namesakes = [c for c in customers if c.display_name.casefold() == name.casefold()]
    return plan_link(
        name,
        linked=linked,
        namesakes=namesakes,
        candidates=rank_candidates(name, None, customers),
        held_by_others=held_by_others,
    )


def test_a_kept_link_to_an_active_customer_wins_even_over_a_name_qbo_forbids() -> None:
    kept = customer("7", "Old Name")
    result = plan("New: Name", [kept], linked=kept)
    assert (result.action, result.customer_id) == (LinkAction.LINK, "7")


def test_the_oldest_active_namesake_is_linked() -> None:
    result = plan("Acme", [customer("12", "Acme"), customer("3", "ACME"), customer("2", "x")])
    assert (result.action, result.customer_id) == (LinkAction.LINK, "3")


def test_an_inactive_namesake_only_is_left_for_a_person() -> None:
    result = plan("Acme", [customer("4", "Acme", active=False)])
    assert result.action is LinkAction.NEEDS_PERSON
    assert result.error is not None
    assert result.error["code"] == "inactive_customer"


def test_a_name_a_vendor_holds_is_left_for_a_person() -> None:
    result = plan("Paper Co", [], held_by_others=True)
    assert result.error is not None
    assert result.error["code"] == "6240"


def test_near_matches_without_an_exact_one_are_named_and_nothing_is_created() -> None:
    result = plan("Smith, John", [customer("5", "John Smith"), customer("6", "Jon Smyth")])
    assert result.action is LinkAction.NEEDS_PERSON
    assert result.error is not None
    assert result.error["code"] == "needs_choice"
    assert "'John Smith' (Id 5)" in result.error["message"]
    assert [c.customer.id for c in result.candidates] == ["5"]


def test_an_inactive_near_match_does_not_stop_a_create() -> None:
    result = plan("John Smith", [customer("5", "Smith, John", active=False)])
    assert result.action is LinkAction.CREATE


def test_a_name_nobody_has_is_created() -> None:
    assert plan("Brand New", [customer("1", "Other")]).action is LinkAction.CREATE

"""The default Bitext -> department mapping."""

import pytest

from router.classify.taxonomy import (
    BITEXT_INTENTS,
    DEPARTMENTS,
    TRIAGE,
    canonical_intent,
    department_for,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("intent", "department"),
    [
        ("cancel_order", "orders"),
        ("change_order", "orders"),
        ("place_order", "orders"),
        ("check_cancellation_fee", "orders"),
        ("track_order", "logistics"),  # filed under ORDER by Bitext, but a delivery question
        ("delivery_options", "logistics"),
        ("delivery_period", "logistics"),
        ("change_shipping_address", "logistics"),
        ("set_up_shipping_address", "logistics"),
        ("get_refund", "returns"),
        ("track_refund", "returns"),
        ("check_refund_policy", "returns"),
        ("check_invoice", "billing"),
        ("check_invoices", "billing"),  # the 20k sample's spelling
        ("get_invoice", "billing"),
        ("check_payment_methods", "billing"),
        ("payment_issue", "billing"),
        ("complaint", "complaints"),
        ("review", "customer_service"),
        ("create_account", "customer_service"),
        ("recover_password", "customer_service"),
        ("registration_problems", "customer_service"),
        ("newsletter_subscription", "customer_service"),
        ("contact_human_agent", "customer_service"),
    ],
)
def test_intents(intent: str, department: str) -> None:
    assert department_for(intent=intent) == department


def test_intent_wins_over_category() -> None:
    assert department_for(intent="track_order", category="ORDER") == "logistics"
    assert department_for(intent="complaint", category="FEEDBACK") == "complaints"


def test_categories_only_where_unambiguous() -> None:
    assert department_for(category="REFUND") == department_for(category="REFUNDS") == "returns"
    assert department_for(category="SHIPPING_ADDRESS") == "logistics"
    assert department_for(category="INVOICE") == "billing"
    assert department_for(category="ORDER") is None  # track_order would be logistics
    assert department_for(category="FEEDBACK") is None  # complaint vs review
    assert department_for(intent="no_such_intent") is None


def test_department_names_pass_through() -> None:
    assert department_for("Technical_Support") == "technical_support"
    assert TRIAGE not in DEPARTMENTS
    assert set(BITEXT_INTENTS.values()) == set(DEPARTMENTS) - {"technical_support"}


def test_canonical_intent() -> None:
    assert canonical_intent(" Check_Invoices ") == "check_invoice"
    assert canonical_intent("") is None
    assert canonical_intent(None) is None

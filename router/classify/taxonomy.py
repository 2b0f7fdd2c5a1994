"""Departments and the default mapping from Bitext categories/intents to them.

Bitext labels by *what the customer wants to do*; omniroute routes by *who handles it*. The two
mostly line up by category, with exceptions worth knowing: `track_order` is filed under ORDER
but is a logistics question, and FEEDBACK splits into complaints (to complaints) and reviews (to
customer service). The published samples also spell categories differently (INVOICE/INVOICES,
REFUND/REFUNDS, SHIPPING/SHIPPING_ADDRESS), so both spellings are listed.
"""

from __future__ import annotations

from typing import Final

CUSTOMER_SERVICE: Final = "customer_service"
TECHNICAL_SUPPORT: Final = "technical_support"
COMPLAINTS: Final = "complaints"
LOGISTICS: Final = "logistics"
RETURNS: Final = "returns"
BILLING: Final = "billing"
ORDERS: Final = "orders"
TRIAGE: Final = "triage"

DEPARTMENTS: Final[tuple[str, ...]] = (
    CUSTOMER_SERVICE,
    TECHNICAL_SUPPORT,
    COMPLAINTS,
    LOGISTICS,
    RETURNS,
    BILLING,
    ORDERS,
)
"""Departments a model may predict. `triage` is not among them: it is the router's answer when
no layer is confident, never a class the model learns."""

_BY_DEPARTMENT: Final[dict[str, tuple[str, ...]]] = {
    ORDERS: ("cancel_order", "change_order", "place_order", "check_cancellation_fee"),
    LOGISTICS: (
        "track_order",
        "delivery_options",
        "delivery_period",
        "change_shipping_address",
        "set_up_shipping_address",
    ),
    RETURNS: ("get_refund", "track_refund", "check_refund_policy"),
    BILLING: ("check_invoice", "get_invoice", "check_payment_methods", "payment_issue"),
    COMPLAINTS: ("complaint",),
    CUSTOMER_SERVICE: (
        "create_account",
        "delete_account",
        "edit_account",
        "recover_password",
        "registration_problems",
        "switch_account",
        "newsletter_subscription",
        "review",
        "contact_customer_service",
        "contact_human_agent",
    ),
}

BITEXT_INTENTS: Final[dict[str, str]] = {
    intent: department for department, intents in _BY_DEPARTMENT.items() for intent in intents
}
"""Bitext intent (canonical spelling, see `canonical_intent`) -> department."""

BITEXT_CATEGORIES: Final[dict[str, str]] = {
    "ACCOUNT": CUSTOMER_SERVICE,
    "CONTACT": CUSTOMER_SERVICE,
    "NEWSLETTER": CUSTOMER_SERVICE,
    "CANCELLATION_FEE": ORDERS,
    "DELIVERY": LOGISTICS,
    "SHIPPING": LOGISTICS,
    "SHIPPING_ADDRESS": LOGISTICS,
    "REFUND": RETURNS,
    "REFUNDS": RETURNS,
    "INVOICE": BILLING,
    "INVOICES": BILLING,
    "PAYMENT": BILLING,
}
"""Bitext category -> department, only where the category alone decides. ORDER (track_order
goes to logistics) and FEEDBACK (complaint vs review) need the intent."""


_INTENT_ALIASES: Final[dict[str, str]] = {"check_invoices": "check_invoice"}


def canonical_intent(intent: str | None) -> str | None:
    """Lower-cased intent with the samples' spelling variants merged; None for blank."""
    if intent is None or not intent.strip():
        return None
    key = intent.strip().lower()
    return _INTENT_ALIASES.get(key, key)


def department_for(intent: str | None = None, category: str | None = None) -> str | None:
    """Department for a Bitext-style label, the intent taking precedence; None if unmapped.

    A value that already is a department name is accepted as is, so our own files may label
    either way.
    """
    for label in (intent, category):
        if not label:
            continue
        key = label.strip()
        if key.lower() in DEPARTMENTS:
            return key.lower()
        found = BITEXT_INTENTS.get(canonical_intent(key) or "") or BITEXT_CATEGORIES.get(
            key.upper()
        )
        if found:
            return found
    return None

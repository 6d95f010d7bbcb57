"""The cadastre's use cases in one place for the adapters (CLI, API, web). Each function runs in
the unit of work it is given and commits once, so nothing is half-written."""

from maadan.cadastre.applications import (
    ApplicationInput,
    AreaInput,
    CheckReport,
    Receipt,
    apply,
    check,
    decide,
)
from maadan.cadastre.caches import CACHES, jurisdictions, rules_for
from maadan.cadastre.money import DueItem, due, issue_rent, record_payment
from maadan.cadastre.register import verify_audit
from maadan.cadastre.titles import (
    RESERVED_KINDS,
    add_reserved_areas,
    load_demo_cadastre,
    title_action,
)

__all__ = [
    "CACHES", "RESERVED_KINDS", "ApplicationInput", "AreaInput", "CheckReport", "DueItem", "Receipt",
    "add_reserved_areas", "apply", "check", "decide", "due", "issue_rent", "jurisdictions",
    "load_demo_cadastre", "record_payment", "rules_for", "title_action", "verify_audit",
]

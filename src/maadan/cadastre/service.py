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
from maadan.cadastre.caches import CACHES, applied_rules_for, jurisdictions, rules_for
from maadan.cadastre.competition import (
    GroupView,
    answer_remainder,
    decide_group,
    list_groups,
    parse_group_ref,
    show_group,
    submit_bid,
)
from maadan.cadastre.money import DueItem, due, issue_rent, record_payment
from maadan.cadastre.notices import mark_read, notices
from maadan.cadastre.register import verify_audit
from maadan.cadastre.reminders import send_reminders
from maadan.cadastre.titles import (
    RESERVED_KINDS,
    add_reserved_areas,
    demo_plan,
    load_demo_cadastre,
    title_action,
)

__all__ = [
    "CACHES", "RESERVED_KINDS", "applied_rules_for", "ApplicationInput", "AreaInput", "CheckReport", "DueItem",
    "GroupView", "Receipt", "add_reserved_areas", "answer_remainder", "apply", "check", "decide", "decide_group",
    "demo_plan", "due", "issue_rent", "jurisdictions", "list_groups", "load_demo_cadastre", "mark_read", "notices",
    "parse_group_ref", "record_payment", "rules_for", "send_reminders", "show_group", "submit_bid", "title_action", "verify_audit",
]

"""The portal's use cases for the adapters (CLI, API, web)."""

from maadan.portal.accounts import (
    confirm_link,
    directory,
    holders_for_filing,
    may_file,
    pending_links,
    profile,
    register,
    set_preferences,
    with_directory_ids,
)
from maadan.portal.dispatch import (
    DISPATCH_LEASE,
    DispatchReport,
    SmtpSender,
    dispatch,
    dispatch_as_leader,
    outbox,
    release_dispatch_lease,
)
from maadan.portal.proposals import decide as decide_proposal
from maadan.portal.proposals import pending as pending_proposals
from maadan.portal.outbox import enqueue, enqueue_for_organisation
from maadan.portal.reset import EXPIRED, RESET_PATH, request_reset, reset_password

__all__ = ["decide_proposal", "pending_proposals", "DISPATCH_LEASE", "DispatchReport", "dispatch_as_leader", "release_dispatch_lease", "EXPIRED", "RESET_PATH", "SmtpSender", "confirm_link", "directory", "dispatch", "enqueue",
           "enqueue_for_organisation", "holders_for_filing", "may_file", "outbox", "pending_links", "profile", "register",
           "request_reset", "reset_password", "set_preferences", "with_directory_ids"]

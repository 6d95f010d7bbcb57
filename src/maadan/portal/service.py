"""The portal's use cases for the adapters (CLI, API, web)."""

from maadan.portal.accounts import (
    check_holders,
    confirm_link,
    directory,
    may_file,
    pending_links,
    profile,
    register,
    set_preferences,
    with_directory_ids,
)
from maadan.portal.dispatch import DispatchReport, SmtpSender, dispatch, outbox
from maadan.portal.outbox import enqueue, enqueue_for_organisation
from maadan.portal.reset import EXPIRED, RESET_PATH, request_reset, reset_password

__all__ = ["DispatchReport", "EXPIRED", "RESET_PATH", "SmtpSender", "check_holders", "confirm_link", "directory", "dispatch", "enqueue",
           "enqueue_for_organisation", "may_file", "outbox", "pending_links", "profile", "register",
           "request_reset", "reset_password", "set_preferences", "with_directory_ids"]

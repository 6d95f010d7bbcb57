"""Roles, usernames and the sign-in rate-limit rule: plain Python, no database."""

import pytest

from maadan.auth.model import (
    MAX_ACCOUNT_FAILURES,
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    ROLES,
    AuthError,
    Forbidden,
    RecentFailures,
    TooManyAttempts,
    User,
    check_role,
    normalise_username,
    sign_in_blocked,
)
from maadan.errors import InvalidInput, MaadanError


def test_roles_and_admin_passes_every_check():
    assert ROLES == ("applicant", "officer", "admin")
    admin = User(1, "root", "admin", None)
    officer = User(2, "ofc", "officer", None)
    assert admin.has_role("officer") and admin.has_role("applicant")
    assert officer.has_role("officer", "admin") and not officer.has_role("applicant")
    assert officer.actor == "user:ofc"


def test_applicant_acts_for_its_own_organisation_only():
    applicant = User(3, "acme", "applicant", "acme-mining")
    assert applicant.can_act_for("acme-mining")
    assert not applicant.can_act_for("other") and not applicant.can_act_for(None)
    assert User(2, "ofc", "officer", None).can_act_for("other")


@pytest.mark.parametrize("raw, stored", [("Alice", "alice"), ("  bob.k@example.org ", "bob.k@example.org")])
def test_usernames_are_normalised(raw, stored):
    assert normalise_username(raw) == stored


@pytest.mark.parametrize("raw", ["", "ab", "-dash", "has space", "x" * 65, "semi;colon"])
def test_bad_usernames_say_what_is_allowed(raw):
    with pytest.raises(InvalidInput, match="username"):
        normalise_username(raw)


def test_role_checks():
    assert check_role(" Officer ", None) == ("officer", None)
    assert check_role("applicant", " acme ") == ("applicant", "acme")
    with pytest.raises(InvalidInput, match="applicant, officer, admin"):
        check_role("superuser", None)
    with pytest.raises(InvalidInput, match="organisation"):
        check_role("applicant", "  ")


def test_rate_limit_rule():
    def blocked(pair=0, client=0, account=0, known=False):
        return sign_in_blocked(RecentFailures(pair, client, account, known))

    assert not blocked(MAX_FAILURES - 1, MAX_CLIENT_FAILURES - 1, MAX_ACCOUNT_FAILURES - 1)
    assert blocked(pair=MAX_FAILURES) and blocked(pair=MAX_FAILURES, known=True)  # a known client guessing
    assert blocked(client=MAX_CLIENT_FAILURES)  # one client, many usernames
    # many clients, one account: new clients wait; the ones that signed in to it before do not
    assert blocked(account=MAX_ACCOUNT_FAILURES) and not blocked(account=10 * MAX_ACCOUNT_FAILURES, known=True)
    # what one attacking client alone can do never blocks the account for others
    assert MAX_FAILURES < MAX_ACCOUNT_FAILURES


def test_errors_carry_status_and_code():
    for exc, status, code in ((AuthError("x"), 401, "unauthorized"), (Forbidden("x"), 403, "forbidden"),
                              (TooManyAttempts(), 429, "too_many_requests")):
        assert isinstance(exc, MaadanError) and exc.status == status and exc.code == code
    assert TooManyAttempts().details == {"retry_after_s": 900}
    assert "15 minutes" in TooManyAttempts().message

"""Who may see which application: one rule for the REST API, the web pages and the home page.

Titles are the public register. An application is public while it is pending (received, under
review, offered: others may object to it); once refused, withdrawn or decided it is known only to
officers, admins and the applicant's own organisation. Whatever a viewer may not see does not
exist for them: it answers as a missing one would (404), so no one learns which numbers exist."""

from __future__ import annotations

from typing import Protocol

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.model import Application


class Viewer(Protocol):
    role: str
    organisation_id: str | None


def sees_all(viewer: Viewer | None) -> bool:
    """Officers and admins see every application."""
    return viewer is not None and viewer.role in ("officer", "admin")


def owns(app: Application, viewer: Viewer | None) -> bool:
    """An applicant sees everything of its own organisation's applications."""
    return (viewer is not None and viewer.role == "applicant" and app.applicant_org is not None
            and app.applicant_org == viewer.organisation_id)


def can_see(app: Application, viewer: Viewer | None) -> bool:
    """Whether the application exists for this viewer (None: the public)."""
    return sees_all(viewer) or owns(app, viewer) or app.state in lc.PENDING


def full_view(app: Application, viewer: Viewer | None) -> bool:
    """Whether the viewer sees the holders' details, the fee and the applicant organisation."""
    return sees_all(viewer) or owns(app, viewer)


def parse_ref(ref: str) -> tuple[str, int] | None:
    """("PK-BA", 12) for the reference "PK-BA/A12" (as audit events name applications), else None."""
    jurisdiction, sep, number = ref.rpartition("/A")
    if not sep or not jurisdiction or not number.isdigit() or len(number) > 10:
        return None
    return jurisdiction, int(number)

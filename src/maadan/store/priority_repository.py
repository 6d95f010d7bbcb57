"""Persistence of competition groups, sealed bids and notices, and the spatial look-ups the queue
needs inside a transaction (what the cached index cannot see: changes not yet committed)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from maadan.cadastre.queue_model import CompetitionGroup, Notice, SealedBid
from maadan.store import bbox_index, priority_tables as pt
from maadan.store import tables as t

_BBOX_TERMS = 200  # OR-ed bounding boxes per query; more are merged into their common box


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class PriorityRepository:
    def __init__(self, session: Session):
        self.s = session

    # --- competition groups --------------------------------------------------------------------
    @staticmethod
    def _group(r: Any) -> CompetitionGroup:
        return CompetitionGroup(
            id=r.id, jurisdiction=r.jurisdiction, number=r.number, local_date=r.local_date, timezone=r.timezone,
            state=r.state, members=list(r.members), formed_at=_utc(r.formed_at), changed_at=_utc(r.changed_at),
            closed_at=_utc(r.closed_at),
            merged_into=r.merged_into, method=r.method, outcome=dict(r.outcome) if r.outcome else None,
            decided_by=r.decided_by)

    def groups(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
               numbers: Iterable[int] | None = None) -> list[CompetitionGroup]:
        q = select(pt.competition_group)
        if jurisdiction:
            q = q.where(pt.competition_group.c.jurisdiction == jurisdiction)
        if states is not None:
            q = q.where(pt.competition_group.c.state.in_(list(states)))
        if numbers is not None:
            q = q.where(pt.competition_group.c.number.in_(list(numbers)))
        q = q.order_by(pt.competition_group.c.jurisdiction, pt.competition_group.c.number)
        return [self._group(r) for r in self.s.execute(q)]

    def group(self, jurisdiction: str, number: int) -> CompetitionGroup | None:
        found = self.groups(jurisdiction, numbers=[number])
        return found[0] if found else None

    def next_group_number(self, jurisdiction: str) -> int:
        n = self.s.execute(select(func.max(pt.competition_group.c.number))
                           .where(pt.competition_group.c.jurisdiction == jurisdiction)).scalar()
        return int(n or 0) + 1

    def add_group(self, g: CompetitionGroup) -> None:
        g.id = self.s.execute(insert(pt.competition_group).values(
            jurisdiction=g.jurisdiction, number=g.number, local_date=g.local_date, timezone=g.timezone,
            state=g.state, members=g.members, formed_at=g.formed_at, changed_at=g.changed_at or g.formed_at,
            closed_at=g.closed_at,
            merged_into=g.merged_into, method=g.method, outcome=g.outcome, decided_by=g.decided_by,
        ).returning(pt.competition_group.c.id)).scalar_one()

    def update_group(self, g: CompetitionGroup) -> None:
        self.s.execute(update(pt.competition_group).where(pt.competition_group.c.id == g.id).values(
            state=g.state, members=g.members, changed_at=g.changed_at or g.formed_at, closed_at=g.closed_at,
            merged_into=g.merged_into,
            method=g.method, outcome=g.outcome, decided_by=g.decided_by))

    # --- sealed bids ---------------------------------------------------------------------------
    def add_bid(self, b: SealedBid) -> None:
        b.id = self.s.execute(insert(pt.competition_bid).values(
            jurisdiction=b.jurisdiction, group_number=b.group_number, application_number=b.application_number,
            amount=b.amount, currency=b.currency, salt=b.salt, commitment=b.commitment,
            submitted_at=b.submitted_at, actor=b.actor).returning(pt.competition_bid.c.id)).scalar_one()

    def bids(self, jurisdiction: str, group_number: int) -> list[SealedBid]:
        c = pt.competition_bid.c
        q = (select(pt.competition_bid).where(c.jurisdiction == jurisdiction, c.group_number == group_number)
             .order_by(c.application_number))
        return [SealedBid(id=r.id, jurisdiction=r.jurisdiction, group_number=r.group_number,
                          application_number=r.application_number, amount=r.amount, currency=r.currency,
                          salt=r.salt, commitment=r.commitment, submitted_at=_utc(r.submitted_at), actor=r.actor)
                for r in self.s.execute(q)]

    # --- notices -------------------------------------------------------------------------------
    def add_notice(self, n: Notice) -> None:
        n.id = self.s.execute(insert(pt.notice).values(
            jurisdiction=n.jurisdiction, application_number=n.application_number, group_number=n.group_number,
            recipient_org=n.recipient_org, kind=n.kind, message=n.message, action_needed=n.action_needed,
            created_at=n.created_at, event_seq=n.event_seq, read_at=n.read_at, read_by=n.read_by,
        ).returning(pt.notice.c.id)).scalar_one()

    def notices(self, *, jurisdiction: str | None = None, recipient_org: str | None = None,
                unread_only: bool = False, notice_id: int | None = None, application_number: int | None = None,
                limit: int | None = None, offset: int = 0) -> list[Notice]:
        c = pt.notice.c
        q = select(pt.notice)
        if jurisdiction:
            q = q.where(c.jurisdiction == jurisdiction)
        if recipient_org is not None:
            q = q.where(c.recipient_org == recipient_org)
        if unread_only:
            q = q.where(c.read_at.is_(None))
        if notice_id is not None:
            q = q.where(c.id == notice_id)
        if application_number is not None:
            q = q.where(c.application_number == application_number)
        q = q.order_by(c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return [Notice(id=r.id, jurisdiction=r.jurisdiction, kind=r.kind, message=r.message,
                       created_at=_utc(r.created_at), application_number=r.application_number,
                       group_number=r.group_number, recipient_org=r.recipient_org,
                       action_needed=bool(r.action_needed), event_seq=r.event_seq, read_at=_utc(r.read_at),
                       read_by=r.read_by) for r in self.s.execute(q)]

    def mark_read(self, notice_id: int, at: datetime, actor: str) -> None:
        self.s.execute(update(pt.notice).where(pt.notice.c.id == notice_id).values(read_at=at, read_by=actor))

    # --- spatial look-ups inside the transaction -----------------------------------------------
    def pending_rows(self, jurisdiction: str, states: Iterable[str], numbers: Iterable[int] | None = None) -> list[Any]:
        """Every pending application of the jurisdiction (or those of `numbers`) with what the queue
        needs (WKB included)."""
        c = t.application.c
        q = (select(c.id, c.number, c.received_at, c.rules_version, c.title_type, c.state, c.priority,
                    c.competition_group, c.waits_on, c.converts_title, c.applicant_org, c.geometry)
             .where(c.jurisdiction == jurisdiction, c.state.in_(list(states))).order_by(c.number))
        if numbers is not None:
            q = q.where(c.number.in_(sorted(numbers)))
        return self.s.execute(q).all()

    def _unindexed(self) -> Any:
        """A column wrapper for conditions that must not choose the index. SQLite's planner prefers
        two equalities on (jurisdiction, state) to a range on a bounding-box index and so reads every
        active title or pending application of the jurisdiction; `col || ''` is not indexable, which
        leaves it the bbox index (SQLite's documented `+col` idiom). PostgreSQL plans this well and
        is left alone."""
        if self.s.get_bind().dialect.name == "sqlite":
            return lambda col: col + ""
        return lambda col: col

    def pending_shapes(self, jurisdiction: str, states: Iterable[str], *, numbers: Iterable[int] | None = None,
                       box: tuple[float, float, float, float] | None = None) -> list[tuple[int, bytes]]:
        """(number, WKB) of the jurisdiction's pending applications numbered `numbers`, or of those
        whose envelope meets `box` (found through the envelope index, store/bbox_index.py), in order
        of number: what finding a filing's overlap component needs, without the queue columns."""
        c = t.application.c
        plain = self._unindexed() if box is not None else (lambda col: col)  # ix_application_state would win
        q = (select(c.number, c.geometry).where(plain(c.jurisdiction) == jurisdiction, plain(c.state).in_(list(states)))
             .order_by(c.number))
        if numbers is not None:
            q = q.where(c.number.in_(sorted(numbers)))
        if box is not None:
            q = q.where(bbox_index.meets(self.s, t.application, box))
        return [(n, g) for n, g in self.s.execute(q)]

    def ground_rows(self, jurisdiction: str, boxes: list[tuple[float, float, float, float]]) -> list[tuple[str, str, bytes]]:
        """(kind, ref, WKB) of active titles and reserved areas whose bounding box meets any of `boxes`."""
        if not boxes:
            return []
        if len(boxes) > _BBOX_TERMS:
            boxes = [(min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))]
        out: list[tuple[str, str, bytes]] = []
        plain = self._unindexed()
        for table, kind, ref_col, extra in ((t.title, "title", t.title.c.number, [plain(t.title.c.state) == "active"]),
                                            (t.reserved_area, "reserved", t.reserved_area.c.name, [])):
            c = table.c
            # The widest item bounds how far left of a box an item meeting it may start, so the
            # bounding-box index is searched over a narrow band of minx, not half the table (a filing
            # at a million titles read them all). Its width comes from an index (ix_title_width), in
            # the same statement: a subquery both stores evaluate once, before the index is searched
            # (NULL when the table is empty: nothing found).
            widest = select(func.max(c.maxx - c.minx)).scalar_subquery()
            near = or_(*[and_(c.minx >= b[0] - widest, c.maxx >= b[0], c.minx <= b[2], c.maxy >= b[1], c.miny <= b[3])
                         for b in boxes])
            q = select(ref_col, c.geometry).where(plain(c.jurisdiction) == jurisdiction, near, *extra)
            out += [(kind, ref, wkb) for ref, wkb in self.s.execute(q)]
        return out

    def title_geometry(self, number: str) -> tuple[str, bytes] | None:
        """(state, WKB) of a title, whatever its state."""
        row = self.s.execute(select(t.title.c.state, t.title.c.geometry).where(t.title.c.number == number)).first()
        return (row[0], row[1]) if row else None

    # --- the register head at a moment (the ballot seed until signed checkpoints exist) ----------
    def last_event_before(self, cutoff: datetime) -> tuple[int, str, str] | None:
        """(seq, hash, at) of the newest event recorded before `cutoff` (UTC)."""
        iso = cutoff.astimezone(timezone.utc).isoformat(timespec="microseconds")
        row = self.s.execute(select(t.audit_event.c.seq, t.audit_event.c.hash, t.audit_event.c.at)
                             .where(t.audit_event.c.at < iso).order_by(t.audit_event.c.seq.desc()).limit(1)).first()
        return (row[0], row[1], row[2]) if row else None


REPOSITORIES = {"priority": PriorityRepository}  # collected by store/uow.py

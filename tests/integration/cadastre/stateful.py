"""A model-based test of the cadastre: Hypothesis drives random sequences of filings (conversions
included), every application move, competition decisions and remainder answers, sealed bids, title
actions, payments, rent runs and the passing of time, and checks after every step that

- no two active titles overlap (beyond the touch tolerance);
- every filing has exactly one receipt event and the numbers are gapless;
- no member of an open competition group is offered or granted;
- the queue is what rule 10 says, recomputed from scratch pair by pair (an oracle that shares no
  code with cadastre/queue.py): the same groups, the same earlier claims per application, so the
  earliest pending claim on free ground is first;
- the register's hash chain verifies, and invoices are never overpaid;
- every signed checkpoint stays consistent with the register as it grows: its root is the root of
  its first `tree_size` leaves, recomputed from the leaf hashes alone, and a consistency proof from
  it to the current tree verifies (the authority signs checkpoints as one of the random steps).

Used by tests/integration/cadastre/test_stateful.py (bounded, every backend) and bench/stateful.py
(steps per minute)."""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import delete

from maadan.audit import keys, merkle
from maadan.audit import service as audit
from maadan.cadastre import competition
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service
from maadan.cadastre.caches import CACHES, Caches, built_index, index_state
from maadan.cadastre.geometry import area_km2
from maadan.cadastre.model import Holder
from maadan.cadastre.rules import CompetitionRule
from maadan.errors import MaadanError
from maadan.store import priority_tables as pt
from maadan.store import tables as t
from maadan.store.uow import UnitOfWork

START = datetime(2025, 1, 6, 8, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Karachi")
TOLERANCE_KM2 = 1e-6
ORGS = ("org-a", "org-b", "org-c")
ACTIONS = sorted({a for moves in lc.APPLICATION_MOVES.values() for a in moves})
FORWARD = {lc.RECEIVED: "accept", lc.ACCEPTED: "review", lc.UNDER_REVIEW: "offer", lc.OFFERED: "grant"}
TITLE_ACTIONS = ("renew", "transfer", "relinquish", "surrender", "expire", "revoke")
METHODS = (("officer-decision", "refused", None), ("officer-decision", "remainder", None),
           ("ballot", "remainder", None), ("sealed-bids", "refused", 2))
SIGNER = "cadastre.example.gov.pk/register"


@functools.cache
def _signer() -> keys.Signer:
    """One signing key for the process, in a private temporary folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="maadan-stateful-"))
    atexit.register(shutil.rmtree, folder, True)
    keys.generate(folder / "register-key.pem", SIGNER)
    return keys.load(folder / "register-key.pem", SIGNER)


def square(x: float, y: float, d: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


class _Salts:
    """Stand-in for `secrets` in the model test: sealed-bid salts from a counter, not the OS."""

    def __init__(self) -> None:
        self.n = 0

    def token_hex(self, nbytes: int) -> str:
        self.n += 1
        return f"{self.n:0{2 * nbytes}x}"


def _reset(engine) -> None:
    with UnitOfWork(engine, write=True) as uow:
        for table in (pt.notice, pt.competition_bid, pt.competition_group, t.payment, t.invoice, t.obligation,
                      t.holder, t.application, t.title, t.reserved_area, t.register_checkpoint, t.register_key,
                      t.audit_node, t.audit_event, t.cadastre_counter, t.cadastre_spatial_change):
            uow.session.execute(delete(table))
        uow.commit()
    CACHES.indexes.clear()  # spatial versions restart at 0: cached indexes must not be reused


class CadastreMachine(RuleBasedStateMachine):
    """One jurisdiction (PK-BA), a 4 × 3 grid of candidate squares around Chagai so that filings
    overlap often, and a clock that only moves forward."""

    engine = None  # set by make_machine()
    steps = 0
    checkpoints = 0  # signed in all examples: the consistency invariant had something to check

    def __init__(self) -> None:
        super().__init__()
        _reset(self.engine)
        competition.secrets = _Salts()  # every event is a function of the steps, so a ballot replays exactly
        self.now = START
        self.filed = 0
        self.rules_before = CACHES.rulesets
        self.titles = self.open_groups = self.remainders = self.unpaid = 0  # what the rules can act on
        self.unsigned = 0  # events since the latest checkpoint
        self.other_process = Caches()  # a second process's index: catches up every third step

    def uow(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def teardown(self) -> None:
        CACHES.rulesets = self.rules_before
        competition.secrets = secrets

    def _step(self) -> None:
        """Count the step and note what exists to act on (preconditions read it: no wasted steps)."""
        type(self).steps += 1
        with self.uow() as u:
            self.titles = len(u.cadastre.titles("PK-BA"))
            groups = u.priority.groups("PK-BA", states=["open", "decided"])
            self.open_groups = sum(g.state == "open" for g in groups)
            self.remainders = sum(r["result"] == "remainder-offered" for g in groups if g.state == "decided"
                                  for r in (g.outcome or {}).get("results", []))
            self.unpaid = sum(i.outstanding > 0 for i in u.cadastre.invoices("PK-BA"))
            latest = u.audit.latest_checkpoint()
            self.unsigned = u.audit.size() - (latest.tree_size if latest else 0)

    # --- setup: how groups are resolved in this run -------------------------------------------
    @initialize(method=st.sampled_from(METHODS))
    def choose_method(self, method) -> None:
        name, losers, bid_days = method
        rule = CompetitionRule(method=name, losers=losers, legal_basis="model test", verified=False, bid_days=bid_days)
        CACHES.rulesets = [replace(r, competition={"*": rule}) if r.jurisdiction == "PK-BA" else r
                           for r in (self.rules_before or CACHES.rules())]

    # --- the world moves ------------------------------------------------------------------------
    # Hypothesis tries rules with fewer arguments first, then by name: every rule takes one argument
    # and filing (`apply_for`, first by name) is what the simplest examples do most.
    @rule(spec=st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from([0.02, 0.045, 0.07]),
                         st.sampled_from(ORGS), st.sampled_from(["EL", "EL", "RL", "SSPL"]),
                         st.sampled_from([0, 0, 0, 1, 26, 60])))
    def apply_for(self, spec) -> None:
        """File a square of the grid, after `hours` pass (days pass too: groups close, seeds appear)."""
        x, y, size, org, kind, hours = spec
        self.now += timedelta(hours=hours)
        self._file(square(64.0 + 0.03 * x, 28.8 + 0.03 * y, size), org, kind)

    def _file(self, geom: dict, org: str, kind: str, converts: str | None = None,
              holders: tuple[Holder, ...] | None = None) -> None:
        inp = service.ApplicationInput(
            jurisdiction="PK-BA", title_type=kind, minerals=("copper",), converts=converts, applicant_org=org,
            holders=holders or (Holder(f"{org} (Pvt) Ltd", 100.0, "PK"),), area=service.AreaInput(geojson=geom))
        self.now += timedelta(minutes=1)
        try:
            service.apply(self.uow(True), inp, "model", now=self.now)
            self.filed += 1
        except MaadanError:
            pass  # refused (ground taken, conversion rules): no number is used
        self._step()

    @precondition(lambda self: self.titles > 0)
    @rule(data=st.data())
    def convert(self, data) -> None:
        """The holder of an active title files a converted title inside it (or a stranger tries)."""
        with self.uow() as u:
            titles = [x for x in u.cadastre.titles("PK-BA", [lc.ACTIVE])]
        if not titles:
            return self._step()
        parent = data.draw(st.sampled_from(titles))
        rules = service.rules_for("PK-BA", self.now)
        children = [c for conv in rules.conversions if conv.parent == parent.title_type for c in conv.children]
        if not children:
            return self._step()
        minx, miny, maxx, maxy = parent.geometry.bounds
        d = min(maxx - minx, maxy - miny) * data.draw(st.sampled_from([0.4, 1.0]))
        stranger = data.draw(st.booleans())
        holders = (Holder("Stranger Ltd", 100.0, "PK"),) if stranger else tuple(parent.holders)
        self._file(square(minx, miny, d), "org-a", data.draw(st.sampled_from(children)), parent.number, holders)

    @precondition(lambda self: self.filed > 0)
    @rule(data=st.data())
    def decide(self, data) -> None:
        number = data.draw(st.integers(1, self.filed))
        action = data.draw(st.sampled_from(ACTIONS))
        self.now += timedelta(hours=data.draw(st.sampled_from([0, 0, 30])), minutes=1)
        try:
            service.decide(self.uow(True), "PK-BA", number, action, "officer", reason="model reason", now=self.now)
        except MaadanError:
            pass  # illegal moves and offers the queue does not allow are refused
        self._step()

    @precondition(lambda self: self.filed > 0)
    @rule(data=st.data())
    def advance(self, data) -> None:
        """An officer takes a pending application as far towards a title as the queue allows
        (random `decide` alone rarely gets there): accept, review, offer, grant; a day may pass first."""
        with self.uow() as u:
            pending = [a for a in u.cadastre.applications("PK-BA", lc.PENDING)]
        if not pending:
            return self._step()
        a = data.draw(st.sampled_from(pending))
        self.now += timedelta(hours=data.draw(st.sampled_from([0, 26])), minutes=1)
        state, moves = a.state, data.draw(st.sampled_from([1, 4]))
        try:
            while state in FORWARD and moves:
                moves -= 1
                service.decide(self.uow(True), "PK-BA", a.number, FORWARD[state], "officer", now=self.now)
                state = lc.APPLICATION_MOVES[state][FORWARD[state]]
        except MaadanError:
            pass  # the queue does not allow it yet (same day, competing, behind)
        self._step()

    @precondition(lambda self: self.open_groups > 0)
    @rule(data=st.data())
    def resolve(self, data) -> None:
        with self.uow() as u:
            groups = u.priority.groups("PK-BA", states=["open"])
        g = data.draw(st.sampled_from(groups))
        winner = data.draw(st.sampled_from(g.members))
        self.now += timedelta(hours=data.draw(st.sampled_from([0, 30, 60])), minutes=1)
        try:
            service.decide_group(self.uow(True), "PK-BA", g.number, "officer", winner=winner, reason="model reasons",
                                 now=self.now)
        except MaadanError:
            pass  # its day is not over, the seed or the deadline is not there yet, or the method takes no winner
        try:
            service.decide_group(self.uow(True), "PK-BA", g.number, "officer", now=self.now)
        except MaadanError:
            pass
        self._step()

    @precondition(lambda self: self.open_groups > 0)
    @rule(data=st.data())
    def bid(self, data) -> None:
        amount = data.draw(st.integers(1, 5)) * 1_000_000.0
        with self.uow() as u:
            groups = u.priority.groups("PK-BA", states=["open"])
        g = data.draw(st.sampled_from(groups))
        try:
            service.submit_bid(self.uow(True), "PK-BA", g.number, data.draw(st.sampled_from(g.members)), amount,
                               "bidder", now=self.now)
        except MaadanError:
            pass
        self._step()

    @precondition(lambda self: self.remainders > 0)
    @rule(data=st.data())
    def answer_remainder(self, data) -> None:
        accept = data.draw(st.booleans())
        with self.uow() as u:
            waiting = [(g.number, r["application"]) for g in u.priority.groups("PK-BA", states=["decided"])
                       for r in (g.outcome or {}).get("results", []) if r["result"] == "remainder-offered"]
        group, number = data.draw(st.sampled_from(waiting))
        try:
            service.answer_remainder(self.uow(True), "PK-BA", group, number, accept, "applicant", now=self.now)
        except MaadanError:
            pass
        self._step()

    @precondition(lambda self: self.titles > 0)
    @rule(data=st.data())
    def title_action(self, data) -> None:
        action = data.draw(st.sampled_from(TITLE_ACTIONS))
        with self.uow() as u:
            waited_on = {r for a in u.cadastre.applications("PK-BA", lc.PENDING) for k, r in a.waits_on if k == "title"}
            titles = sorted(u.cadastre.titles("PK-BA"), key=lambda x: (x.number not in waited_on, x.number))
        title = data.draw(st.sampled_from(titles))  # titles someone waits on first: their end moves the queue
        kwargs = {}
        if action == "transfer":
            kwargs["holders"] = [Holder("Transferee Ltd", 100.0, "PK")]
        if action == "relinquish":
            minx, miny, maxx, maxy = title.geometry.bounds
            kwargs["area"] = service.AreaInput(geojson=square(minx, miny, (maxx - minx) / 2))
        self.now += timedelta(minutes=1)
        try:
            service.title_action(self.uow(True), title.number, action, "officer", reason="model reason",
                                 now=self.now, **kwargs)
        except MaadanError:
            pass
        self._step()

    @precondition(lambda self: self.unpaid > 0)
    @rule(data=st.data())
    def pay(self, data) -> None:
        fraction = data.draw(st.sampled_from([0.5, 1.0, 2.0]))
        with self.uow() as u:
            invoices = [i for i in u.cadastre.invoices("PK-BA") if i.outstanding > 0]
        inv = data.draw(st.sampled_from(invoices))
        try:
            service.record_payment(self.uow(True), inv.id, round(inv.outstanding * fraction, 2), "cashier", "HBL-1",
                                   now=self.now)
        except MaadanError:
            pass  # overpayment is refused
        self._step()

    @precondition(lambda self: self.titles > 0)
    @rule(days=st.sampled_from([1, 30, 200]))
    def rent_run(self, days: int) -> None:
        """Time passes (days), then the year's rent is invoiced."""
        self.now += timedelta(days=days)
        service.issue_rent(self.uow(True), "PK-BA", self.now.year, "model", now=self.now)
        self._step()

    @precondition(lambda self: self.unsigned > 0)
    @rule(minutes=st.sampled_from([1, 90]))
    def sign_checkpoint(self, minutes: int) -> None:
        """The authority signs a checkpoint of the register as it stands (a daily job would)."""
        self.now += timedelta(minutes=minutes)
        audit.checkpoint(self.uow(True), _signer(), now=self.now)
        type(self).checkpoints += 1
        self._step()

    # --- invariants ---------------------------------------------------------------------------
    @invariant()
    def caught_up_indexes_answer_like_a_fresh_one(self) -> None:
        """This process's index (updated at each change) and another process's (catching up
        over several changes at once from the change log) answer like one built afresh."""
        probes = [shapely.geometry.shape(square(64.0 + 0.03 * i, 28.8 + 0.03 * j, 0.045)) for i in range(4) for j in range(3)]
        with self.uow() as u:
            fresh = built_index(u.cadastre, "PK-BA")
            held = [index_state(u, "PK-BA").index]
            if type(self).steps % 3 == 0:
                before = self.other_process.indexes.get((u.key, "PK-BA"))
                builds = self.other_process.counts["built"]
                other = index_state(u, "PK-BA", self.other_process)
                if before is not None and before.version > 0:
                    assert self.other_process.counts["built"] == builds, "rebuilt instead of catching up"
                held.append(other.index)
        for index in held:
            assert sorted(index.keys()) == sorted(fresh.keys())
            assert sorted(index.bulk_conflicts(probes)) == sorted(fresh.bulk_conflicts(probes))

    @invariant()
    def active_titles_do_not_overlap(self) -> None:
        with self.uow() as u:
            titles = u.cadastre.titles("PK-BA", [lc.ACTIVE])
        for a, b in combinations(titles, 2):
            if a.geometry.intersects(b.geometry):
                overlap = float(area_km2(shapely.intersection(a.geometry, b.geometry)))
                assert overlap <= TOLERANCE_KM2, f"{a.number} and {b.number} overlap by {overlap} km²"

    @invariant()
    def one_receipt_per_filing_and_gapless_numbers(self) -> None:
        with self.uow() as u:
            numbers = [a.number for a in u.cadastre.applications("PK-BA")]
            received = [e.subject for e in u.cadastre.events() if e.kind == "application.received"]
        assert numbers == list(range(1, self.filed + 1))
        assert sorted(received, key=lambda s: int(s.rsplit("A", 1)[1])) == [f"PK-BA/A{n}" for n in numbers]

    @invariant()
    def no_open_group_member_is_offered_or_granted(self) -> None:
        with self.uow() as u:
            open_groups = {g.number: g for g in u.priority.groups("PK-BA", states=["open"])}
            apps = u.cadastre.applications("PK-BA")
        for a in apps:
            if a.competition_group in open_groups and a.number in open_groups[a.competition_group].members:
                assert a.state in (lc.RECEIVED, lc.ACCEPTED, lc.UNDER_REVIEW), f"{a.ref} is {a.state} in an open group"

    @invariant()
    def the_queue_is_rule_10(self) -> None:
        with self.uow() as u:
            apps = [a for a in u.cadastre.applications("PK-BA", lc.PENDING)]
            titles = u.cadastre.titles("PK-BA", [lc.ACTIVE])
            groups = u.priority.groups("PK-BA")
        decided = {n for g in groups if g.state == "decided" for n in g.members}
        day = {a.number: a.received_at.astimezone(TZ).date() for a in apps}
        overlaps = {a.number: set() for a in apps}
        for a, b in combinations(apps, 2):
            if a.geometry.intersects(b.geometry) and float(area_km2(shapely.intersection(a.geometry, b.geometry))) > TOLERANCE_KM2:
                overlaps[a.number].add(b.number)
                overlaps[b.number].add(a.number)
        by_number = {a.number: a for a in apps}
        conv = {a.number: a.converts_title is not None for a in apps}
        # groups: components of same-day overlaps among applications not already decided in a group
        comp: dict[int, int] = {}
        for a in apps:
            if a.number in decided or a.number in comp:
                continue
            todo, seen = [a.number], {a.number}
            while todo:
                n = todo.pop()
                for m in overlaps[n]:
                    if m not in seen and m not in decided and day[m] == day[n] and conv[m] == conv[n]:
                        seen.add(m)
                        todo.append(m)
            if len(seen) > 1:
                for n in seen:
                    comp[n] = min(seen)
        expected_groups = sorted(sorted(n for n in comp if comp[n] == root) for root in set(comp.values()))
        actual: dict[int, list[int]] = {}
        for a in apps:
            if a.priority == "competing":
                actual.setdefault(a.competition_group, []).append(a.number)
        assert sorted(sorted(v) for v in actual.values()) == expected_groups
        open_members = {n: g for g in groups if g.state == "open" for n in g.members}
        for a in apps:
            want = set()
            for ti in titles:
                if ti.number != a.converts_title and ti.geometry.intersects(a.geometry) and \
                        float(area_km2(shapely.intersection(ti.geometry, a.geometry))) > TOLERANCE_KM2:
                    want.add(("title", ti.number))
            for m in overlaps[a.number]:
                b = by_number[m]
                if comp.get(m) is not None and comp.get(m) == comp.get(a.number):
                    continue
                if conv[a.number] != conv[m]:
                    earlier = conv[m]
                elif day[m] != day[a.number]:
                    earlier = day[m] < day[a.number]
                else:
                    earlier = m < a.number
                if earlier:
                    want.add(("group", f"PK-BA/G{open_members[m].number}") if m in comp else ("application", b.ref))
            assert set(a.waits_on) == want, f"{a.ref} waits on {a.waits_on}, rule 10 says {sorted(want)}"
            expected = "competing" if a.number in comp else ("behind" if want else "clear")
            assert a.priority == expected, f"{a.ref} is {a.priority}, rule 10 says {expected}"

    @invariant()
    def checkpoints_stay_consistent(self) -> None:
        """Every signed checkpoint is a prefix of the register as it stands: its root is the root of
        its first tree_size leaves recomputed here from the leaf hashes (not the stored subtree
        roots), and the register's consistency proof from it to the current tree verifies."""
        with self.uow() as u:
            leaves = [bytes.fromhex(e.leaf_hash) for e in u.audit.events_after(0, 10**9)]
            signed = u.audit.checkpoints()
        current = merkle.root(leaves)
        for c in signed:
            assert merkle.root(leaves[:c.tree_size]).hex() == c.root_hash, f"checkpoint {c.id} no longer holds"
            proof = audit.consistency_proof(self.uow(), c.tree_size, len(leaves))
            assert proof.second_root == current.hex()
            merkle.verify_consistency(c.tree_size, len(leaves), bytes.fromhex(c.root_hash), current,
                                      [bytes.fromhex(h) for h in proof.proof])

    @invariant()
    def register_verifies_and_nothing_is_overpaid(self) -> None:
        assert service.verify_audit(self.uow()).ok
        with self.uow() as u:
            assert all(i.paid <= i.amount + 0.005 for i in u.cadastre.invoices("PK-BA"))


def make_machine(engine) -> type[CadastreMachine]:
    return type("Cadastre", (CadastreMachine,), {"engine": engine, "steps": 0, "checkpoints": 0})


def run_settings(examples: int, steps: int) -> settings:
    """Bounded by default; MAADAN_STATEFUL_EXAMPLES / _STEPS run it longer; reproducible unless
    MAADAN_STATEFUL_RANDOM=1."""
    return settings(max_examples=int(os.environ.get("MAADAN_STATEFUL_EXAMPLES", examples)),
                    stateful_step_count=int(os.environ.get("MAADAN_STATEFUL_STEPS", steps)),
                    deadline=None, derandomize=os.environ.get("MAADAN_STATEFUL_RANDOM") != "1",
                    database=None, suppress_health_check=list(__import__("hypothesis").HealthCheck),
                    print_blob=True)

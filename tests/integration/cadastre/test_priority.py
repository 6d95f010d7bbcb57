"""Fair priority through the service, on every backend: competition groups (rule 10), their
resolution by officer's decision, public ballot and sealed bids, queue promotion when ground frees,
and security of tenure. Time is simulated with the services' `now`."""

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import shapely

from maadan.audit import keys
from maadan.audit import service as audit
from maadan.cadastre import ballot, service
from maadan.cadastre.caches import CACHES
from maadan.cadastre.competition import commitment
from maadan.cadastre.model import Holder
from maadan.cadastre.rules import CompetitionRule
from maadan.config import load_settings
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.cadastre.conftest import square

PKT = timezone(timedelta(hours=5))
DAY1 = datetime(2026, 6, 1, 10, 0, tzinfo=PKT)  # a Monday in Pakistan
HOLDER = (Holder("Chagai Minerals (Pvt) Ltd", 100, "PK"),)


@pytest.fixture
def uow(seeded_copy):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    yield lambda write=False: UnitOfWork(engine, write=write)
    engine.dispose()


def at(day: int, hour: int = 10) -> datetime:
    return DAY1 + timedelta(days=day - 1, hours=hour - 10)


def file(uow, geom, when, name="Applicant", kind="EL", holders=None, converts=None, org=None):
    holders = holders or (Holder(name, 100, "PK"),)
    inp = service.ApplicationInput(jurisdiction="PK-BA", title_type=kind, minerals=("copper",), holders=holders,
                                   area=service.AreaInput(geojson=json.dumps(geom)), converts=converts,
                                   applicant_org=org)
    return service.apply(uow(True), inp, "t", now=when).application


def apps(uow):
    with uow() as u:
        return {a.number: a for a in u.cadastre.applications("PK-BA")}


def events(uow, kind=None):
    with uow() as u:
        return [e for e in u.cadastre.events() if kind is None or e.kind == kind]


def to_grant(uow, number, when):
    for action in ("accept", "review", "offer", "grant"):
        _, title = service.decide(uow(True), "PK-BA", number, action, "officer", now=when)
    return title


def use_competition(monkeypatch, **rule):
    """Run with PK-BA's competition rule replaced (the bundled one is an officer's decision)."""
    rs = CACHES.rules()
    crule = CompetitionRule(legal_basis="test rule", verified=False, **rule)
    monkeypatch.setattr(CACHES, "rulesets", [replace(r, competition={"*": crule}) if r.jurisdiction == "PK-BA" else r
                                             for r in rs])


# --- competition groups ------------------------------------------------------------------------

def test_a_hundred_same_day_filings_all_compete_and_none_can_be_offered(uow):
    for i in range(100):
        file(uow, square(64.0 + 0.0005 * i, 28.8), at(1, 9) + timedelta(minutes=i), name=f"Applicant {i}")
    listed = apps(uow)
    assert all(a.priority == "competing" and a.group_ref == "PK-BA/G1" for a in listed.values())
    assert listed[1].competing_with == list(range(2, 101))  # the first is a competitor like the rest
    with uow() as u:
        assert [g.members for g in u.priority.groups("PK-BA")] == [list(range(1, 101))]
    for action in ("accept", "review"):
        service.decide(uow(True), "PK-BA", 1, action, "officer", now=at(2))
    before = len(events(uow))
    with pytest.raises(Conflict) as err:
        service.decide(uow(True), "PK-BA", 1, "offer", "officer", now=at(2))
    assert "PK-BA/G1" in err.value.message and "competition decide" in err.value.message
    assert len(events(uow)) == before and apps(uow)[1].state == "under-review"  # nothing written


def test_nothing_is_offered_on_its_day_of_receipt(uow):
    a = file(uow, square(64.0, 28.8), at(1, 9))
    for action in ("accept", "review"):
        service.decide(uow(True), "PK-BA", a.number, action, "officer", now=at(1, 15))
    with pytest.raises(Conflict) as err:
        service.decide(uow(True), "PK-BA", a.number, "offer", "officer", now=at(1, 23))
    assert "simultaneous" in err.value.message
    service.decide(uow(True), "PK-BA", a.number, "offer", "officer", now=at(2, 0) + timedelta(minutes=1))


def test_groups_are_transitive_merge_and_dissolve(uow):
    file(uow, square(64.0, 28.8), at(1, 9))                  # A1
    file(uow, square(64.3, 28.8), at(1, 10))                 # A2, apart from A1: two clear applications
    assert {a.priority for a in apps(uow).values()} == {"clear"}
    file(uow, square(64.09, 28.8, 0.22), at(1, 11))          # A3 bridges A1 and A2 (they still do not overlap)
    listed = apps(uow)
    assert {n: a.group_ref for n, a in listed.items()} == {1: "PK-BA/G1", 2: "PK-BA/G1", 3: "PK-BA/G1"}
    file(uow, square(64.6, 28.8), at(1, 12))                 # A4
    file(uow, square(64.65, 28.8), at(1, 13))                # A5 overlaps A4: a second group
    assert apps(uow)[5].group_ref == "PK-BA/G2"
    file(uow, square(64.35, 28.8, 0.3), at(1, 14))           # A6 overlaps A2, A3, A4 and A5: G2 folds into G1
    listed = apps(uow)
    assert {a.group_ref for a in listed.values()} == {"PK-BA/G1"}
    assert [e.subject for e in events(uow, "competition.merged")] == ["PK-BA/G2"]
    # The bridge withdraws: A1 no longer overlaps anyone; the rest still compete.
    service.decide(uow(True), "PK-BA", 3, "withdraw", "applicant", now=at(1, 15))
    service.decide(uow(True), "PK-BA", 6, "withdraw", "applicant", now=at(1, 15))
    listed = apps(uow)
    assert listed[1].priority == "clear" and listed[2].priority == "clear"
    assert listed[4].group_ref == listed[5].group_ref and listed[4].priority == "competing"
    with uow() as u:
        notes = u.priority.notices(application_number=1)
    assert [n.kind for n in notes][-1] == "no-longer-competing"


def test_a_later_day_filing_is_behind_the_whole_group(uow):
    file(uow, square(64.0, 28.8), at(1, 9))
    file(uow, square(64.05, 28.8), at(1, 10))
    late = file(uow, square(64.12, 28.8), at(2, 9))  # overlaps A2 only, the next day
    assert late.priority == "behind" and late.waits_on == [("group", "PK-BA/G1")]
    assert late.competition_group is None
    with pytest.raises(Conflict) as err:
        for action in ("accept", "review", "offer"):
            service.decide(uow(True), "PK-BA", late.number, action, "officer", now=at(4))
    assert "group PK-BA/G1" in err.value.message


# --- resolution --------------------------------------------------------------------------------

def _queue(uow):
    return {n: (a.priority, a.group_ref, a.waits_on) for n, a in apps(uow).items()}


def test_a_filing_recomputes_only_its_overlap_component_and_leaves_what_a_full_recompute_would(uow, monkeypatch):
    """Chains of overlapping filings over three days, in clusters far apart: after every filing
    the queue equals a full recompute from scratch (committed, it changes nothing and records
    nothing), and the filing's own recompute saw only the applications joined to it by overlaps."""
    import random

    from maadan.cadastre import queue

    seen: list[int] = []
    pairs = queue._pairs
    monkeypatch.setattr(queue, "_pairs", lambda claims: (seen.append(len(claims)), pairs(claims))[1])
    rng = random.Random(7)
    clusters = [(63.2, 28.2), (64.0, 28.9), (64.8, 29.1)]
    when = at(1, 9)
    for i in range(24):
        when += timedelta(hours=rng.choice([0.5, 1, 9]))  # some filings fall on the next days
        x, y = clusters[i % 3]
        offset = 0.06 * (i // 3)  # each cluster is a chain: a filing overlaps the one before only
        seen.clear()
        file(uow, square(x + offset, y), when, name=f"Applicant {i}")
        assert seen == [i // 3 + 1]  # its own chain, never the other clusters' applications
        before, logged = _queue(uow), len(events(uow))
        with uow(True) as u:
            change = queue.refresh(u, "PK-BA", now=when, actor="t", cause="full recompute", all_ground=True)
            u.commit()
        assert not change.events and not change.notices
        assert _queue(uow) == before and len(events(uow)) == logged


def test_officer_decision_with_reasons(uow):
    a1 = file(uow, square(64.0, 28.8), at(1, 9), org="org-1")
    file(uow, square(64.05, 28.8), at(1, 10), org="org-2")
    late = file(uow, square(64.12, 28.8), at(2, 9))
    with pytest.raises(Conflict) as err:  # its day is still open to simultaneous filings
        service.decide_group(uow(True), "PK-BA", 1, "officer", winner=1, reason="better programme", now=at(1, 20))
    assert "still open" in err.value.message
    with pytest.raises(InvalidInput) as err:
        service.decide_group(uow(True), "PK-BA", 1, "officer", winner=1, now=at(3))
    assert "reasons" in err.value.message
    with pytest.raises(InvalidInput) as err:
        service.decide_group(uow(True), "PK-BA", 1, "officer", winner=7, reason="x", now=at(3))
    assert "not a member" in err.value.message
    with pytest.raises(NotFound):
        service.decide_group(uow(True), "PK-BA", 9, "officer", winner=1, reason="x", now=at(3))
    assert not events(uow, "competition.decided")
    view = service.decide_group(uow(True), "PK-BA", 1, "officer:amina", winner=2,
                                reason="A2 shows the stronger work programme", now=at(3))
    assert view.group.state == "decided" and view.group.outcome["winner"] == 2
    listed = apps(uow)
    assert listed[1].state == "refused" and listed[2].state == "received" and listed[2].priority == "clear"
    assert listed[late.number].waits_on == [("application", "PK-BA/A2")]  # behind the winner now
    decided = events(uow, "competition.decided")[0]
    assert decided.reason == "A2 shows the stronger work programme" and decided.actor == "officer:amina"
    refusal = [e for e in events(uow, "application.refuse") if e.subject == a1.ref][0]
    assert "lost competition PK-BA/G1" in refusal.reason
    with pytest.raises(Conflict) as err:
        service.decide_group(uow(True), "PK-BA", 1, "officer", winner=1, reason="again", now=at(3))
    assert "already decided" in err.value.message
    notes = service.notices(uow(), organisation="org-1")
    assert notes[-1].kind == "competition-refused" and "PK-BA/G1" in notes[-1].message
    to_grant(uow, 2, at(4))


def test_public_ballot_is_reproducible_and_losers_get_their_remainder(uow, monkeypatch):
    use_competition(monkeypatch, method="ballot", losers="remainder")
    for i, x in enumerate((64.0, 64.05, 64.08)):
        file(uow, square(x, 28.8), at(1, 9 + i), org=f"org-{i + 1}")
    with pytest.raises(Conflict) as err:  # day 2 is not over: the register head that seeds it is not fixed yet
        service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(2, 23))
    assert "seed" in err.value.message and "does not exist yet" in err.value.message
    with pytest.raises(InvalidInput):
        service.decide_group(uow(True), "PK-BA", 1, "officer", winner=1, now=at(3, 1))
    view = service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(3, 1))
    drawn = view.group.outcome["draw"]
    with uow() as u:
        head = u.priority.last_event_before(ballot.seed_time(view.group))
    assert drawn["seed"] == head[1] and drawn["seed_ref"] == f"event {head[0]}"
    assert drawn["order"] == ballot.draw(head[1], "PK-BA/G1", [1, 2, 3]) and view.draw_check is True
    winner, second, third = drawn["order"]
    listed = apps(uow)
    geoms = {n: a.geometry for n, a in listed.items()}
    results = {r["application"]: r for r in view.group.outcome["results"]}
    assert results[winner]["result"] == "won"
    for n in (second, third):
        r = results[n]
        if r["result"] == "remainder-offered":
            assert r["area_after_km2"] < r["area_before_km2"] and listed[n].area_km2 == r["area_after_km2"]
            assert shapely.intersection(geoms[n], geoms[winner]).area < 1e-12
        else:
            assert r["result"] == "refused" and listed[n].state == "refused"
    offered = [n for n in (second, third) if results[n]["result"] == "remainder-offered"]
    assert offered  # the squares are offset east: the easternmost keeps a strip whatever the draw
    remainders = [geoms[n] for n in offered]
    if len(remainders) == 2:
        assert shapely.intersection(*remainders).area < 1e-12
    n = offered[0]
    with pytest.raises(Conflict):  # not offered until the applicant accepts its remainder
        for action in ("accept", "review", "offer"):
            service.decide(uow(True), "PK-BA", n, action, "officer", now=at(4))
    service.answer_remainder(uow(True), "PK-BA", 1, n, True, "applicant", now=at(4))
    service.decide(uow(True), "PK-BA", n, "offer", "officer", now=at(4))
    with pytest.raises(Conflict):
        service.answer_remainder(uow(True), "PK-BA", 1, n, False, "applicant", now=at(4))
    if len(offered) == 2:
        service.answer_remainder(uow(True), "PK-BA", 1, offered[1], False, "applicant", now=at(4))
        assert apps(uow)[offered[1]].state == "withdrawn"
    assert service.verify_audit(uow()).ok


def test_where_checkpoints_are_signed_the_ballot_seed_is_the_first_checkpoint_after_its_moment(uow, monkeypatch,
                                                                                                tmp_path):
    use_competition(monkeypatch, method="ballot", losers="refused")
    keys.generate(tmp_path / "key.pem", "cadastre.example.gov.pk/register")
    signer = keys.load(tmp_path / "key.pem", "cadastre.example.gov.pk/register")
    before = audit.checkpoint(uow(True), signer, now=at(1, 8))  # the authority signs checkpoints
    for i, x in enumerate((64.0, 64.05)):
        file(uow, square(x, 28.8), at(1, 9 + i))
    view = service.show_group(uow(), "PK-BA", 1, now=at(3, 1))
    assert view.seed is None  # the moment has passed, but no checkpoint was signed after it yet
    with pytest.raises(Conflict) as err:
        service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(3, 1))
    assert "first register checkpoint signed after" in err.value.message
    assert not events(uow, "competition.decided")
    cp = audit.checkpoint(uow(True), signer, now=at(3, 2))
    view = service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(3, 3))
    drawn = view.group.outcome["draw"]
    assert drawn["seed"] == cp.root_hash != before.root_hash and drawn["seed_source"] == "signed-checkpoint"
    assert drawn["seed_ref"] == f"checkpoint {cp.id} (tree size {cp.tree_size})"
    assert drawn["order"] == ballot.draw(cp.root_hash, "PK-BA/G1", [1, 2]) and view.draw_check is True
    later = audit.checkpoint(uow(True), signer, now=at(4))  # later checkpoints do not move a drawn seed
    shown = service.show_group(uow(), "PK-BA", 1, now=at(4, 12))
    assert shown.seed.value == cp.root_hash != later.root_hash and shown.draw_check is True


def test_sealed_bids(uow, monkeypatch):
    use_competition(monkeypatch, method="sealed-bids", losers="refused", bid_days=5)
    for i, x in enumerate((64.0, 64.05, 64.08)):
        file(uow, square(x, 28.8), at(1, 9 + i))
    b1 = service.submit_bid(uow(True), "PK-BA", 1, 1, 2_000_000, "bidder-1", now=at(2))
    service.submit_bid(uow(True), "PK-BA", 1, 2, 5_500_000, "bidder-2", now=at(3))
    assert b1.commitment == commitment("PK-BA/G1", 1, 2_000_000, "PKR", b1.salt)
    with pytest.raises(Conflict):  # one sealed bid each
        service.submit_bid(uow(True), "PK-BA", 1, 2, 9_000_000, "bidder-2", now=at(3))
    with pytest.raises(InvalidInput):
        service.submit_bid(uow(True), "PK-BA", 1, 2, -5, "bidder-2", now=at(3))
    with pytest.raises(Conflict) as err:  # the deadline is the end of day 5 after the group's day
        service.submit_bid(uow(True), "PK-BA", 1, 3, 9_000_000, "bidder-3", now=at(7, 1))
    assert "too late" in err.value.message
    public = service.show_group(uow(), "PK-BA", 1, now=at(4))
    assert len(public.bid_commitments) == 2 and "amount" not in json.dumps(public.bid_commitments)
    with pytest.raises(Conflict) as err:
        service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(6, 23))
    assert "sealed until" in err.value.message
    view = service.decide_group(uow(True), "PK-BA", 1, "officer", now=at(7, 1))
    assert view.group.outcome["winner"] == 2
    assert [r["result"] for r in view.group.outcome["results"]] == ["won", "refused", "refused"]
    assert "no bid" in view.group.outcome["results"][2]["why"]
    for bid in view.group.outcome["bids"]:  # opened bids match the commitments the register holds since bidding
        assert commitment("PK-BA/G1", bid["application"], bid["amount"], bid["currency"], bid["salt"]) == bid["commitment"]
    committed = {e.data["application"]: e.data["commitment"] for e in events(uow, "competition.bid")}
    assert committed == {b["application"]: b["commitment"] for b in view.group.outcome["bids"]}


# --- queue promotion ---------------------------------------------------------------------------

def test_ground_freed_by_a_surrender_promotes_the_earliest_claim(uow):
    first = file(uow, square(64.0, 28.8), at(1, 9), org="org-1")
    title = to_grant(uow, first.number, at(2))
    # A later application over the title's ground can only come from before the grant; file two behind it
    # by granting after they were filed: they wait on the title.
    a = file(uow, square(64.3, 28.8), at(2, 9), org="org-a")
    b = file(uow, square(64.35, 28.8), at(3, 9), org="org-b")
    assert apps(uow)[b.number].waits_on == [("application", a.ref)]
    service.title_action(uow(True), title.number, "relinquish", "officer", now=at(4),
                         area=service.AreaInput(geojson=json.dumps(square(64.0, 28.8, 0.05))))
    assert not events(uow, "application.promoted")  # nothing was waiting on the freed strip
    service.decide(uow(True), "PK-BA", a.number, "withdraw", "applicant", now=at(5))
    promoted = events(uow, "application.promoted")
    assert [e.subject for e in promoted] == [b.ref] and "withdrawn" in promoted[0].data["cause"]
    notes = service.notices(uow(), organisation="org-b")
    assert notes[-1].kind == "promoted"
    due = service.due(uow(), 30, today=at(5).date())
    assert any(i.kind == "notice" and i.ref == b.ref for i in due)
    service.mark_read(uow(True), notes[-1].id, "org-b-user", organisation="org-b")
    with pytest.raises(NotFound):  # another organisation cannot touch it (nor learn it exists)
        service.mark_read(uow(True), notes[-1].id, "intruder", organisation="org-a")
    assert not any(i.kind == "notice" and i.ref == b.ref for i in service.due(uow(), 30, today=at(5).date()))


def test_a_group_behind_a_title_is_promoted_when_the_title_is_surrendered(uow, seeded_copy):
    parent = file(uow, square(64.0, 28.8), at(1, 9))
    # Two applications of one later day over the ground, filed before the grant: they compete, behind A1.
    file(uow, square(64.02, 28.8), at(2, 9))
    file(uow, square(64.04, 28.8), at(2, 10))
    listed = apps(uow)
    assert listed[2].priority == listed[3].priority == "competing" and listed[2].waits_on == [("application", "PK-BA/A1")]
    title = to_grant(uow, parent.number, at(3))
    assert apps(uow)[2].waits_on == [("title", title.number)]
    service.title_action(uow(True), title.number, "surrender", "holder", now=at(4))
    promoted = events(uow, "competition.promoted")
    assert [e.subject for e in promoted] == ["PK-BA/G1"] and "surrendered" in promoted[0].data["cause"]
    assert all(not a.waits_on for n, a in apps(uow).items() if n in (2, 3))


# --- security of tenure ------------------------------------------------------------------------

def test_conversion_by_the_holder_only_inside_an_active_parent(uow):
    el = file(uow, square(64.0, 28.8), at(1, 9), holders=HOLDER)
    parent = to_grant(uow, el.number, at(2))
    inside = square(64.02, 28.82, 0.04)
    with pytest.raises(Conflict) as err:  # a stranger over the licence's ground
        file(uow, inside, at(3), kind="ML", name="Stranger Mining Ltd")
    assert parent.number in err.value.message and "only its holders" in err.value.message
    with pytest.raises(Conflict) as err:  # a stranger naming the licence
        file(uow, inside, at(3), kind="ML", name="Stranger Mining Ltd", converts=parent.number)
    assert "only the holders" in err.value.message
    with pytest.raises(InvalidInput) as err:
        file(uow, square(64.08, 28.82, 0.04), at(3), kind="ML", holders=HOLDER, converts=parent.number)
    assert "outside" in err.value.message
    with pytest.raises(InvalidInput) as err:  # an exploration licence does not convert into a reconnaissance licence
        file(uow, inside, at(3), kind="RL", holders=HOLDER, converts=parent.number)
    assert "converts into" in err.value.message
    before = len(events(uow))
    ml = file(uow, inside, at(3), kind="ML", holders=HOLDER, converts=parent.number)
    assert ml.priority == "clear" and ml.converts_title == parent.number and len(events(uow)) == before + 1
    child = to_grant(uow, ml.number, at(4))
    with uow() as u:
        after = u.cadastre.title(parent.number)
    assert after.state == "active" and after.area_km2 == pytest.approx(parent.area_km2 - child.area_km2, rel=1e-3)
    assert shapely.intersection(after.geometry, child.geometry).area < 1e-12
    relinquished = [e for e in events(uow, "title.relinquish") if e.subject == f"title {parent.number}"]
    assert relinquished and relinquished[0].data["converted_into"] == child.number


def test_conversion_of_the_whole_parent_and_from_an_expired_one(uow):
    el = file(uow, square(64.0, 28.8, 0.05), at(1, 9), holders=HOLDER)
    parent = to_grant(uow, el.number, at(2))
    ml = file(uow, square(64.0, 28.8, 0.05), at(3), kind="ML", holders=HOLDER, converts=parent.number)
    to_grant(uow, ml.number, at(4))
    with uow() as u:
        assert u.cadastre.title(parent.number).state == "converted"
    el2 = file(uow, square(65.0, 28.8, 0.05), at(5), holders=HOLDER)
    parent2 = to_grant(uow, el2.number, at(6))
    service.title_action(uow(True), parent2.number, "expire", "officer", now=at(7))
    with pytest.raises(Conflict) as err:
        file(uow, square(65.0, 28.8, 0.02), at(8), kind="ML", holders=HOLDER, converts=parent2.number)
    assert "expired" in err.value.message
    with pytest.raises(NotFound):
        file(uow, square(65.0, 28.8, 0.02), at(8), kind="ML", holders=HOLDER, converts="PK-BA/EL/1999/0042")


def test_a_conversion_goes_ahead_of_applications_waiting_on_its_parent(uow):
    el = file(uow, square(64.0, 28.8), at(1, 9), holders=HOLDER)
    stranger = file(uow, square(64.02, 28.82, 0.04), at(2, 9), name="Stranger Mining Ltd", kind="ML")
    parent = to_grant(uow, el.number, at(3))
    assert apps(uow)[stranger.number].waits_on == [("title", parent.number)]
    ml = file(uow, square(64.02, 28.82, 0.04), at(4), kind="ML", holders=HOLDER, converts=parent.number)
    listed = apps(uow)
    assert listed[ml.number].priority == "clear"
    assert ("application", ml.ref) in listed[stranger.number].waits_on

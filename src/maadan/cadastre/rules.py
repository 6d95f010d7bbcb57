"""Mineral-title rules as versioned data: one YAML file per jurisdiction and version, at
data/rules/<JURISDICTION>/<YYYY-MM-DD>.yaml. Every value carries its legal basis, the source it was
read in, the source's confidence and whether a source confirms it (`verified`); placeholders are
never silent. A version has a legal status with dated, sourced changes (a bill pending, in force,
suspended, repealed); the engine applies the version legally in force on the day an application was
received and says when that is uncertain. Changing a file changes behaviour with no code change.
The loader (rule_files.py) refuses malformed files and names the file, line and key path."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from maadan.errors import InvalidInput

PLACEHOLDER = "placeholder — not found in sources read; replace with the gazetted value"
OBLIGATION_EVENTS = ("grant", "discovery", "renewal", "expiry")
# kind -> whether it takes value_pct
ELIGIBILITY_KINDS = {"pakistani_body_corporate_only": False, "disclose_shareholders_above_pct": True,
                     "local_share_min": True, "locals_only_in_zone": False}
AREA_MODES = ("polygon", "grid")
PRIORITY_WINDOWS = ("calendar-day",)
# How far a source can be trusted (research notes, ../shared/facts): H official text or statement,
# M reputable press or a law firm, L a blog, a garbled or derived value. Only H to M may be verified.
CONFIDENCE = ("H", "M-H", "M", "L-M", "L")
VERIFIABLE_CONFIDENCE = ("H", "M-H", "M")
# A version's legal status: a bill not yet law, law in force, law whose implementation is suspended,
# law repealed. Whether a status is itself certain defaults per status (a suspension is uncertain).
STATUSES = ("pending", "in-force", "suspended", "repealed")
CERTAIN_BY_DEFAULT = {"pending": True, "in-force": True, "suspended": False, "repealed": True}
ACRE_KM2 = 0.0040468564224  # the international acre, exactly 4,046.8564224 m²
HOLDER_KINDS_NOT_STATE = ("private", "foreign", "individual", "cooperative")


def is_placeholder(legal_basis: str) -> bool:
    """Whether a legal basis says the value is a placeholder (not found in the sources read)."""
    return legal_basis.strip().lower().startswith("placeholder")


@dataclass(frozen=True)
class Reading:
    """Another reading of the same value from another source, kept side by side."""

    value: Any
    source: str
    confidence: str | None = None
    note: str | None = None
# How a competition group (overlapping applications received the same day) is resolved, and what losers get.
COMPETITION_METHODS = ("officer-decision", "ballot", "sealed-bids")
LOSER_OUTCOMES = ("refused", "remainder")


@dataclass(frozen=True)
class RuleValue:
    value: Any
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None  # where the value was read: publication, page or address
    confidence: str | None = None  # one of CONFIDENCE
    readings: tuple[Reading, ...] = ()

    @property
    def placeholder(self) -> bool:
        return is_placeholder(self.legal_basis)


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.0f}"


@dataclass(frozen=True)
class MoneyRange:
    """An amount a source gives only as a range (e.g. 'Rs 2–4 million')."""

    low: float
    high: float
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.low:,.0f}–{self.high:,.0f}"


@dataclass(frozen=True)
class Obligation:
    code: str
    description: str
    due_days: int
    after: str  # the event the days count from: one of OBLIGATION_EVENTS
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class Eligibility:
    kind: str
    value: float | None
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None
    confidence: str | None = None
    zone: str | None = None  # locals_only_in_zone: the bundled zone (data/boundaries/zones/<zone>.geojson)


@dataclass(frozen=True)
class Observation:
    """A title actually granted: evidence of practice, never a legal limit. Areas are kept in the
    unit the source gives (km² or acres) and converted when used."""

    label: str
    source: str
    confidence: str
    area_min: float | None = None
    area_max: float | None = None  # equal to area_min for a single figure
    area_unit: str | None = None  # km2 | acre
    term_years: float | None = None
    text: str | None = None  # what the source says, in our words
    note: str | None = None

    def area_km2(self) -> tuple[float | None, float] | None:
        """(smallest, largest) area in km², converted from acres where the source gives acres; the
        smallest is None where the source gives only an upper figure. None without an area."""
        if self.area_max is None:
            return None
        k = ACRE_KM2 if self.area_unit == "acre" else 1.0
        return (None if self.area_min is None else self.area_min * k), self.area_max * k


@dataclass(frozen=True)
class TitleType:
    code: str
    name: str
    min_area_km2: RuleValue | None
    max_area_km2: RuleValue | None
    term_years: RuleValue | None
    max_renewals: RuleValue | None
    renewal_term_years: RuleValue | None
    exclusive: RuleValue
    application_fee: RuleValue  # value is Money
    rent_schedule: tuple[tuple[int, RuleValue], ...]  # (from_year, rate as Money), ascending
    rent_grace_days: RuleValue | None
    obligations: tuple[Obligation, ...]
    eligibility: tuple[Eligibility, ...]
    grants_after: RuleValue | None = None  # value: tuple of title type codes it may follow
    note: str | None = None
    rent_per: str = "km2"  # km2: the rate is per km² held; title: a flat amount per title and year
    grant_fee: RuleValue | None = None  # Money or MoneyRange
    renewal_fee: RuleValue | None = None  # Money or MoneyRange
    security: RuleValue | None = None  # security or bank guarantee: Money or MoneyRange
    transfer_lock_years: RuleValue | None = None  # no transfer within this many years of the grant
    review_days: RuleValue | None = None  # the authority decides an application within this many days
    min_investment: RuleValue | None = None  # Money: what makes the title "large scale"
    observations: tuple[Observation, ...] = ()


@dataclass(frozen=True)
class StatusEvent:
    """A dated change of a version's legal status, with its source."""

    on: date
    status: str  # one of STATUSES
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None
    confidence: str | None = None
    certain: bool = True  # False: the status itself is in doubt (a suspension, a reinstatement not found)


@dataclass(frozen=True)
class MineralRestriction:
    """No new titles for these minerals (e.g. Punjab's rock-salt embargo) for the holder kinds
    listed, unless the application declares the stated exception."""

    code: str
    minerals: tuple[str, ...]  # mineral ids as in data/minerals.csv
    since: date
    title_types: tuple[str, ...]  # empty: every title type
    holder_kinds: tuple[str, ...]  # the restriction applies when any holder is of one of these kinds
    description: str
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None
    confidence: str | None = None
    exception: str | None = None  # what the exception is, in words
    exception_code: str | None = None  # the declaration an applicant makes to claim it


@dataclass(frozen=True)
class CompetitionRule:
    """How a competition group is resolved: an officer's decision with written reasons, a public
    ballot, or sealed bids opened after `bid_days`; losers are refused or offered their remainder."""

    method: str  # one of COMPETITION_METHODS
    losers: str  # one of LOSER_OUTCOMES
    legal_basis: str
    verified: bool
    bid_days: int | None = None  # sealed-bids: bids close at the end of this many days after the group's day
    note: str | None = None
    source: str | None = None  # where the legal basis was read, and how far it can be trusted (CONFIDENCE)
    confidence: str | None = None


DEFAULT_COMPETITION = CompetitionRule(
    method="officer-decision", losers="refused", verified=False,
    legal_basis="no competition rule in the rule file: an officer decides with written reasons (Maadan's default)")


@dataclass(frozen=True)
class Conversion:
    """Security of tenure: while a `parent` title is active, only its holders may apply for one of
    the `children` title types over its ground."""

    parent: str
    children: tuple[str, ...]
    legal_basis: str
    verified: bool
    note: str | None = None
    source: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class RuleSet:
    jurisdiction: str
    name: str
    version: str  # the file name: the date this version's text takes effect
    effective_from: date
    effective_to: date | None  # exclusive, as written in the file; None = until changed by status or a later version
    authority: str
    title_types: dict[str, TitleType]
    same_date_simultaneous: RuleValue
    timezone: str
    grid_cell_arcsec: RuleValue | None
    max_vertices: int
    sources: tuple[str, ...]
    area_mode: str = "polygon"
    effective_from_basis: RuleValue | None = None
    notes: tuple[str, ...] = field(default=())
    title: str = ""  # the law this version is, e.g. "Balochistan Mines and Minerals Act 2025"
    status: tuple[StatusEvent, ...] = ()  # ascending by date; the first is dated effective_from
    mineral_restrictions: tuple[MineralRestriction, ...] = ()
    max_vertices_basis: RuleValue | None = None
    extends: str | None = None
    # keyed by title type code, "*" for the default; see competition_rule()
    competition: dict[str, CompetitionRule] = field(default_factory=dict)
    conversions: tuple[Conversion, ...] = ()

    @property
    def label(self) -> str:
        return self.title or f"{self.name} rules {self.version}"

    def competition_rule(self, title_types: set[str] | frozenset[str] | tuple[str, ...]) -> CompetitionRule:
        """The rule for a group whose members apply for `title_types`: the type's own rule when they
        all apply for one type that has one, else the file's default, else Maadan's default."""
        codes = set(title_types)
        if len(codes) == 1 and (own := self.competition.get(next(iter(codes)))) is not None:
            return own
        return self.competition.get("*", DEFAULT_COMPETITION)

    def conversion(self, parent: str, child: str) -> Conversion | None:
        """The conversion rule that lets a `parent` title's holders apply for a `child` title, if any."""
        return next((c for c in self.conversions if c.parent == parent and child in c.children), None)

    def title_type(self, code: str) -> TitleType:
        """The title type with this code (case-insensitive); InvalidInput naming the known codes."""
        found = self.title_types.get(code) or self.title_types.get(str(code).strip().upper())
        if found is None:
            known = ", ".join(sorted(self.title_types))
            raise InvalidInput(f"unknown title type {code!r} in {self.name} ({self.jurisdiction}) rules "
                               f"{self.version}; known: {known}")
        return found

    def status_on(self, day: date) -> StatusEvent | None:
        """The version's own legal status on `day` (the latest change on or before it), or None
        before its first; a written effective_to ends it like a repeal."""
        if self.effective_to is not None and day >= self.effective_to:
            return StatusEvent(self.effective_to, "repealed", f"effective_to {self.effective_to} in the rule file", True)
        current = None
        for ev in self.status:
            if ev.on <= day:
                current = ev
        return current


@dataclass(frozen=True)
class HolderFacts:
    name: str
    country: str | None  # ISO 3166 alpha-2 of registration or nationality
    kind: str  # private | state-owned | foreign | individual | cooperative
    share_pct: float
    is_body_corporate: bool
    shareholders_disclosed: bool | None = None  # None: not known, so disclosure rules are not judged
    shareholders: tuple[tuple[str, float], ...] | None = None  # disclosed shareholders (name, %); None: none given
    local_to: tuple[str, ...] | None = None  # zones the holder declares itself local to; None: not declared


def _local_day(at: datetime | date, timezone: str) -> date:
    if isinstance(at, datetime):
        # An aware time is judged on the jurisdiction's calendar; a naive one is taken as local already.
        return at.astimezone(ZoneInfo(timezone)).date() if at.tzinfo is not None else at.date()
    if isinstance(at, date):
        return at
    raise InvalidInput(f"`at` must be a date or datetime, got {at!r}")


# --- which version applies ---------------------------------------------------------------------

@dataclass(frozen=True)
class AppliedRules:
    """The version the engine applies on `day`, why, and whether that is legally certain. `reasons`
    say what makes it uncertain (a later act suspended, a reinstatement not found); `passed_over`
    names the later versions not applied and why (a bill still pending, an act suspended)."""

    ruleset: RuleSet
    day: date
    certain: bool
    why: str
    reasons: tuple[str, ...] = ()
    passed_over: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return self.ruleset.version

    def summary(self) -> str:
        """One line for receipts and reports."""
        head = f"{self.ruleset.label} ({self.ruleset.jurisdiction} {self.version})"
        if self.certain:
            return f"{head}: {self.why}"
        return f"{head}, UNCERTAIN: {self.why}; " + "; ".join(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {"jurisdiction": self.ruleset.jurisdiction, "version": self.version, "title": self.ruleset.label,
                "day": self.day.isoformat(), "certain": self.certain, "why": self.why,
                "reasons": list(self.reasons), "passed_over": list(self.passed_over), "summary": self.summary()}


def _cite(ev: StatusEvent | RuleValue | Eligibility | MineralRestriction) -> str:
    parts = [ev.legal_basis] + ([ev.source] if ev.source else [])
    return "; ".join(parts)


def _first_sentence(text: str) -> str:
    """The first sentence of a note (up to the first '. '), without its full stop."""
    head = text.split(". ", 1)[0].strip()
    return head[:-1] if head.endswith(".") else head


def _versions(rulesets: list[RuleSet], jurisdiction: str) -> list[RuleSet]:
    versions = sorted((r for r in rulesets if r.jurisdiction == jurisdiction), key=lambda r: r.effective_from)
    if not versions:
        known = ", ".join(sorted({r.jurisdiction for r in rulesets})) or "none"
        raise InvalidInput(f"no rules for jurisdiction {jurisdiction!r}; known: {known}")
    return versions


def rules_day(rulesets: list[RuleSet], jurisdiction: str, at: datetime | date) -> date:
    """The day of `at` on the jurisdiction's calendar: all `applicable_rules` reads of `at`."""
    return _local_day(at, _versions(rulesets, jurisdiction)[0].timezone)


def applicable_rules(rulesets: list[RuleSet], jurisdiction: str, at: datetime | date) -> AppliedRules:
    """The version of `jurisdiction` legally in force on the day of `at` (on the jurisdiction's
    calendar): the latest version in force then. A later version that is a pending bill or repealed
    is passed over; one enacted but suspended is passed over too and makes the answer uncertain, as
    does an in-force status marked uncertain (a reinstatement no source confirms). InvalidInput if
    the jurisdiction is unknown or no version is in force that day."""
    versions = _versions(rulesets, jurisdiction)
    day = rules_day(rulesets, jurisdiction, at)
    reasons: list[str] = []
    passed: list[str] = []
    for r in reversed(versions):
        ev = r.status_on(day)
        if ev is None or ev.status == "repealed":
            continue
        if ev.status == "pending":
            passed.append(f"{r.label} ({r.version}): a bill pending since {ev.on} ({_cite(ev)}); not law, not applied")
            continue
        if ev.status == "suspended":
            enacted = next((e.on for e in r.status if e.status == "in-force"), r.effective_from)
            text = (f"{r.label} ({r.version}), in force from {enacted}, has been suspended since {ev.on} "
                    f"({ev.source or ev.legal_basis})")
            passed.append(text)
            if not ev.certain:
                reasons.append(f"{text}; {_first_sentence(ev.note) + '; ' if ev.note else ''}"
                               "the earlier rules are applied instead")
            continue
        first = next((e for e in r.status if e.status == "in-force"), ev)
        why = f"in force from {first.on} ({_cite(first)})"
        if ev is not first:
            why += f"; again since {ev.on}"
        if not ev.certain:
            reasons.append(f"{r.label} ({r.version}): "
                           + (_first_sentence(ev.note) if ev.note else f"its status since {ev.on} is not confirmed"))
        return AppliedRules(r, day, not reasons, why, tuple(reasons), tuple(passed))
    spans = ", ".join(f"{r.version} ({r.label})" for r in versions)
    raise InvalidInput(f"no {versions[0].name} rules in force on {day}; versions: {spans}")


def ruleset_in_force(rulesets: list[RuleSet], jurisdiction: str, at: datetime | date) -> RuleSet:
    """The version applied on the day of `at` (see applicable_rules)."""
    return applicable_rules(rulesets, jurisdiction, at).ruleset


@dataclass(frozen=True)
class Period:
    """A span of days over which the engine applies one version with one certainty."""

    start: date
    end: date | None  # exclusive; None: until further notice
    version: str
    title: str
    certain: bool
    reasons: tuple[str, ...]


def timeline(rulesets: list[RuleSet], jurisdiction: str) -> list[Period]:
    """Which version the engine applies over time, from the first version's first day: a new
    period begins at every dated change (a version's start, a status change, a written end)."""
    versions = _versions(rulesets, jurisdiction)
    days = sorted({d for r in versions for d in [r.effective_from, *(e.on for e in r.status),
                                                  *([r.effective_to] if r.effective_to else [])]})
    out: list[Period] = []
    for d in days:
        try:
            a = applicable_rules(versions, jurisdiction, d)
        except InvalidInput:
            key = None
        else:
            key = (a.version, a.certain, a.reasons)
        last = (out[-1].version, out[-1].certain, out[-1].reasons) if out and out[-1].end is None else None
        if key == last:
            continue
        if out and out[-1].end is None:
            out[-1] = Period(out[-1].start, d, out[-1].version, out[-1].title, out[-1].certain, out[-1].reasons)
        if key is not None:
            out.append(Period(d, None, a.version, a.ruleset.label, a.certain, a.reasons))
    return out


def derived_changes(rulesets: list[RuleSet], ruleset: RuleSet) -> list[tuple[date, str, str, bool]]:
    """Changes to `ruleset` that follow from later versions, as (date, kind, text, certain): superseded
    when a later one comes into force, applied again while that one is suspended, each with the
    later version's basis."""
    out: list[tuple[date, str, str, bool]] = []
    for later in _versions(rulesets, ruleset.jurisdiction):
        if later.effective_from <= ruleset.effective_from:
            continue
        enacted = False
        for ev in later.status:
            if ev.status == "in-force" and not enacted:
                enacted = True
                out.append((ev.on, "superseded", f"superseded by {later.label} ({later.version}): {_cite(ev)}", True))
            elif ev.status == "suspended":
                out.append((ev.on, "applies again",
                            f"{later.label} ({later.version}) suspended ({_cite(ev)}): the earlier rules apply again"
                            + ("" if ev.certain else ", which is uncertain"), ev.certain))
    return sorted(out)


# --- using the rules ---------------------------------------------------------------------------

def annual_rent(title_type: TitleType, area_km2: float, year_held: int) -> tuple[Money, bool]:
    """Rent for year `year_held` (1 = first year): the rate of the schedule step in force that year,
    times the area when the rate is per km² (flat when it is per title), rounded to 0.01, and
    whether that rate is verified."""
    if isinstance(area_km2, bool) or not isinstance(area_km2, (int, float)) or not math.isfinite(area_km2) or area_km2 < 0:
        raise InvalidInput(f"area_km2 must be a non-negative number, got {area_km2!r}")
    if isinstance(year_held, bool) or not isinstance(year_held, int) or year_held < 1:
        raise InvalidInput(f"year_held counts from 1, got {year_held!r}")
    if not title_type.rent_schedule:
        raise InvalidInput(f"the {title_type.name} ({title_type.code}) has no rent schedule")
    rate = [rv for start, rv in title_type.rent_schedule if start <= year_held][-1]
    money: Money = rate.value
    amount = money.amount if title_type.rent_per == "title" else area_km2 * money.amount
    return Money(round(amount, 2), money.currency), rate.verified


_TT_VALUES = ("min_area_km2", "max_area_km2", "term_years", "max_renewals", "renewal_term_years", "exclusive",
              "application_fee", "grant_fee", "renewal_fee", "security", "transfer_lock_years", "review_days",
              "min_investment")


def unverified(title_type: TitleType) -> list[str]:
    """Names of every value of this title type that no source confirms (verified: false), in file order."""
    out = [name for name in _TT_VALUES[:7] if (rv := getattr(title_type, name)) is not None and not rv.verified]
    out += [f"rent year {start}" for start, rv in title_type.rent_schedule if not rv.verified]
    for name in ("rent_grace_days", "grants_after", *_TT_VALUES[7:]):
        rv = getattr(title_type, name)
        if rv is not None and not rv.verified:
            out.append(name)
    out += [f"obligation {o.code}" for o in title_type.obligations if not o.verified]
    out += [f"eligibility {e.kind}" for e in title_type.eligibility if not e.verified]
    return out


def _basis_text(rule: Eligibility | MineralRestriction) -> str:
    return f"({rule.legal_basis}{'' if rule.verified else '; unverified'})"


def _violations(prefix: str, rule: Eligibility, holders: list[HolderFacts], zones: set[str]) -> list[str]:
    out: list[str] = []
    if rule.kind == "pakistani_body_corporate_only":
        for h in holders:
            country = (h.country or "").upper()
            reason = ("is not a body corporate" if not h.is_body_corporate
                      else "gives no country of registration" if not country
                      else f"is registered in {country}" if country != "PK"
                      else "is recorded as foreign" if h.kind == "foreign" else None)
            if reason:
                out.append(f"{prefix}: only a Pakistani body corporate may hold it; {h.name!r} {reason} {_basis_text(rule)}")
    elif rule.kind == "disclose_shareholders_above_pct":
        pct = rule.value or 0
        for h in holders:
            if not h.is_body_corporate:
                continue
            if h.shareholders_disclosed is False or (h.shareholders_disclosed is None and h.shareholders is None):
                out.append(f"{prefix}: every shareholder holding more than {pct:g}% must be disclosed; "
                           f"{h.name!r} has not disclosed its shareholders {_basis_text(rule)}")
            elif h.shareholders is not None and sum(s for _, s in h.shareholders) > 100 + 1e-6:
                out.append(f"{prefix}: the shareholders disclosed for {h.name!r} hold "
                           f"{sum(s for _, s in h.shareholders):g}%, more than 100%")
    elif rule.kind == "local_share_min":
        local = sum(h.share_pct for h in holders if (h.country or "").upper() == "PK" and h.kind != "foreign")
        if local + 1e-9 < (rule.value or 0):
            out.append(f"{prefix}: Pakistani holders must hold at least {rule.value:g}%; they hold {local:g}% {_basis_text(rule)}")
    elif rule.kind == "locals_only_in_zone" and rule.zone in zones:
        for h in holders:
            if rule.zone not in (h.local_to or ()):
                said = "is not declared local" if h.local_to is None else "is declared local elsewhere"
                out.append(f"{prefix}: in the {zone_label(rule.zone)} only local people may apply; "
                           f"{h.name!r} {said} {_basis_text(rule)}")
    return out


ZONE_LABELS = {"PK-KP-MD": "merged districts (former Federally Administered Tribal Areas)"}


def zone_label(code: str | None) -> str:
    return ZONE_LABELS.get(code or "", code or "zone")


def check_eligibility(ruleset: RuleSet, title_type: TitleType, holders: list[HolderFacts],
                      zones: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """A message per eligibility rule of `title_type` the holders break (empty list: eligible), each
    citing its legal basis. `zones` are the zones the area lies in (a locals-only rule applies only
    there). Body corporates must have disclosed their shareholders where a disclosure rule applies."""
    if ruleset.title_types.get(title_type.code) != title_type:
        raise InvalidInput(f"title type {title_type.code!r} is not from the {ruleset.name} rules {ruleset.version}")
    if not holders:
        raise InvalidInput("holders: at least one holder is required")
    prefix = f"{ruleset.name} {title_type.name.lower()}"
    return [msg for rule in title_type.eligibility for msg in _violations(prefix, rule, holders, set(zones))]


def zones_of(title_type: TitleType) -> tuple[str, ...]:
    """The zones this title type's eligibility rules depend on."""
    return tuple(e.zone for e in title_type.eligibility if e.zone)


def restriction_problems(ruleset: RuleSet, title_type: TitleType, minerals: list[str], holders: list[HolderFacts],
                         day: date, declarations: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(problems, notes) from the mineral restrictions in force on `day`: a problem for each restricted
    mineral applied for by a holder of a restricted kind, unless the application declares the
    restriction's exception, which is then a note for the officer to verify."""
    problems: list[str] = []
    notes: list[str] = []
    for r in ruleset.mineral_restrictions:
        if day < r.since or (r.title_types and title_type.code not in r.title_types):
            continue
        hit = sorted(set(minerals) & set(r.minerals))
        if not hit or not any(h.kind in r.holder_kinds for h in holders):
            continue
        text = f"{ruleset.name}: {r.description} (since {r.since}) {_basis_text(r)}"
        if r.exception_code and r.exception_code in declarations:
            notes.append(f"{text}; the application declares the exception ({r.exception}): the officer must verify it")
        else:
            problems.append(text + (f"; exception: {r.exception} (declare {r.exception_code!r})" if r.exception else ""))
    return problems, notes


def transfer_lock(title_type: TitleType, granted_on: date, today: date) -> str | None:
    """Why a transfer on `today` is not allowed yet, or None."""
    lock = title_type.transfer_lock_years
    if lock is None:
        return None
    years = float(lock.value)
    whole = int(years)
    try:
        until = granted_on.replace(year=granted_on.year + whole)
    except ValueError:  # 29 February
        until = granted_on.replace(year=granted_on.year + whole, day=28)
    until += timedelta(days=round((years - whole) * 365))
    if today < until:
        return (f"a {title_type.name} may not be transferred within {years:g} years of its grant "
                f"(granted {granted_on}; not before {until}) ({lock.legal_basis}"
                f"{'' if lock.verified else '; unverified'})")
    return None

"""Match rounds: build a matching.Problem from rows, solve, store, preview, publish, answer.

This is the only module that turns rows into `matching` dataclasses and results back into rows.
Services flush, never commit; `app.rounds.jobs` drives a run's transactions.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.common.audit import record
from app.common.errors import Forbidden, InvalidState, ServiceError, ValidationFailed
from app.common.time import utcnow
from app.cooperation import services as cooperation
from app.cooperation.models import (
    OPEN_REQUEST_STATUSES,
    Application,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
)
from app.extensions import db
from app.notifications.services import notify
from app.registry.models import Host, School, SchoolMajor, Teacher
from app.rounds.models import (
    HOLDING_STATUSES,
    ROUND_KINDS,
    ROUND_MODES,
    Match,
    MatchReminder,
    MatchRound,
)
from matching import Applicant, Edge, Problem, make_problem, solve
from matching import Host as MHost
from matching.analysis import bottlenecks
from matching.candidates import generate_candidates
from matching.prefs import blocking_mask, preferences
from matching.scoring import ApplicantProfile, HostProfile, Period, Weights, score_pair

#: Statuses of a published match whose pair may never be proposed again.
CLOSED_PAIR_STATUSES = ("declined", "expired")
#: Statuses that keep a pair (and its place) out of any other round.
TAKEN_STATUSES = (*HOLDING_STATUSES, "confirmed")
REQUEST_OPEN = OPEN_REQUEST_STATUSES
REMIND_WITHIN = timedelta(days=3)
PRUNE_ABOVE = 2000  # pairing rounds above this many applicants keep only the top candidates

Progress = Callable[[int], None]


class RoundFailed(ServiceError):
    """The matcher failed; nothing of the run was stored."""

    status = 500
    code = "round_failed"


# --- creating -----------------------------------------------------------------------------


def parse_weights(data: Any) -> Weights:
    """Weights from a mapping; raises ValidationFailed naming `weights`."""
    if data is None:
        return Weights()
    if not isinstance(data, dict):
        raise ValidationFailed(
            str(_l("Invalid weights.")), {"weights": str(_l("Expected an object."))}
        )
    try:
        return Weights.from_mapping(data)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(_l("Invalid weights.")), {"weights": str(exc)}) from exc


def create_round(
    actor: User,
    kind: str,
    region_code: str | None,
    mode: str,
    weights: Any,
    deadline: datetime,
    parent: MatchRound | None = None,
) -> MatchRound:
    """Open a draft round; raises ValidationFailed (kind, mode, weights, deadline), Forbidden."""
    errors = {}
    if kind not in ROUND_KINDS:
        errors["kind"] = str(_l("Choose pairing or placement."))
    if mode not in ROUND_MODES:
        errors["mode"] = str(_l("Choose optimal or stable."))
    if deadline.tzinfo is None or deadline <= utcnow():
        errors["deadline"] = str(_l("The deadline must lie in the future."))
    if errors:
        raise ValidationFailed(str(_l("Some fields are invalid.")), errors)
    parsed = parse_weights(weights)
    if not actor.administers_region(region_code) and actor.role != "region_admin":
        raise Forbidden(str(_l("A league administrator opens rounds of its own league only.")))
    if parent is not None and not parent.can_edit(actor):
        raise Forbidden(str(_l("You may not follow up this round.")))
    round_ = MatchRound(
        kind=kind,
        region_code=region_code or None,
        mode=mode,
        weights=parsed.to_dict(),
        deadline=deadline.astimezone(UTC),
        status="draft",
        progress=0,
        parent_id=parent.id if parent else None,
        created_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    record(actor, "round.create", round_, after=_round_values(round_))
    return round_


def _round_values(round_: MatchRound) -> dict[str, Any]:
    return {
        "kind": round_.kind,
        "region_code": round_.region_code,
        "mode": round_.mode,
        "status": round_.status,
        "deadline": round_.deadline,
        "parent_id": round_.parent_id,
    }


def _editable(actor: User, round_: MatchRound, queued: bool = False) -> None:
    """Raises Forbidden for other leagues, InvalidState for a published or running round."""
    if not round_.can_edit(actor):
        raise Forbidden(str(_l("You may not change this round.")))
    if round_.read_only:
        raise InvalidState(str(_l("This round is published and read-only.")))
    if round_.status == "running" and not queued:
        raise InvalidState(str(_l("This round is running; wait until it has finished.")))


# --- building the problem -----------------------------------------------------------------


@dataclass
class Built:
    """A round's matcher input plus what is needed to turn results back into rows."""

    applicants: list[Applicant] = field(default_factory=list)
    hosts: list[MHost] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    breakdowns: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    causes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    explain: Callable[[str, str], Any] | None = None

    def problem(self) -> Problem:
        return make_problem(self.applicants, self.hosts, self.edges)


def _in_scope(column, region_code: str | None):
    return column == region_code if region_code else column.isnot(None)


def _counts(column, statuses: Iterable[str]) -> dict[int, int]:
    """Matches per placement/offer/application/request id in the given statuses (any round)."""
    rows = db.session.execute(
        select(column, func.count())
        .where(Match.status.in_(tuple(statuses)), column.isnot(None))
        .group_by(column)
    )
    return {k: n for k, n in rows}


def _pairs(a_col, h_col, statuses: Iterable[str]) -> set[tuple[int, int]]:
    rows = db.session.execute(
        select(a_col, h_col).where(Match.status.in_(tuple(statuses)), a_col.isnot(None))
    )
    return {(a, h) for a, h in rows}


def _round_pairs(round_: MatchRound, a_attr: str, h_attr: str):
    """(locked, excluded) preview pairs of this round as {(applicant id, host id): match}."""
    locked, excluded = {}, {}
    for m in round_.matches:
        if m.status != "preview":
            continue
        key = (getattr(m, a_attr), getattr(m, h_attr))
        if m.excluded:
            excluded[key] = m
        elif m.locked:
            locked[key] = m
    return locked, excluded


def _period(row) -> Period:
    return Period(row.starts_on, row.ends_on)


def _host_ratings(weights: Weights) -> dict[int, float]:
    """Hosts' average ratings, read only when the round weighs the feedback criterion."""
    if not weights.feedback:
        return {}
    from app.cooperation.queries import host_average_map

    return host_average_map()


def build_placement_problem(round_: MatchRound) -> Built:
    """Endorsed applications (confirmed teachers) × their ranked open placements in scope."""
    built = Built()
    weights = Weights.from_mapping(round_.weights or {})
    locked, excluded = _round_pairs(round_, "application_id", "placement_id")
    busy = set(_counts(Match.application_id, TAKEN_STATUSES)) | {a for a, _p in locked}
    closed = _pairs(Match.application_id, Match.placement_id, CLOSED_PAIR_STATUSES)
    held = _counts(Match.placement_id, HOLDING_STATUSES)
    reserved = defaultdict(int)
    for _a, p in locked:
        reserved[p] += 1
    apps = db.session.scalars(
        select(Application)
        .join(Teacher, Application.teacher_id == Teacher.id)
        .join(School, Teacher.school_id == School.id)
        .where(
            Application.status == "endorsed",
            Teacher.confirmed_at.isnot(None),
            _in_scope(School.region_code, round_.region_code),
        )
        .options(
            selectinload(Application.choices),
            selectinload(Application.teacher).selectinload(Teacher.occupations),
            selectinload(Application.teacher).selectinload(Teacher.school),
        )
        .order_by(Application.id)
    ).all()
    placements = {
        p.id: p
        for p in db.session.scalars(
            select(Placement)
            .join(Host, Placement.host_id == Host.id)
            .where(
                Placement.status == "open",
                Host.retired_at.is_(None),
                _in_scope(Host.region_code, round_.region_code),
            )
            .options(selectinload(Placement.occupations), selectinload(Placement.host))
        )
    }
    profiles: dict[int, HostProfile] = {}
    ratings = _host_ratings(weights)
    for pid, p in placements.items():
        free = p.seats - p.seats_taken - held.get(pid, 0) - reserved[pid]
        hid = f"p{pid}"
        profiles[pid] = HostProfile(
            hid,
            tuple(o.code for o in p.occupations),
            p.host.region_code,
            period=_period(p),
            capacity=max(free, 0),
            rating=ratings.get(p.host_id),
        )
        built.hosts.append(MHost(hid, max(free, 0)))
        built.labels[hid] = f"{p.host.name} · {p.title or ''}".strip(" ·")
        if p.occupations:
            built.groups[hid] = p.occupations[0].code
    for app in apps:
        if app.id in busy:
            continue
        aid = f"a{app.id}"
        built.labels[aid] = app.teacher.name
        choices = tuple(f"p{c.placement_id}" for c in app.choices)
        profile = ApplicantProfile(
            aid,
            tuple(app.teacher.occupation_codes),
            app.teacher.school.region_code,
            period=_period(app),
            choices=choices,
        )
        built.applicants.append(Applicant(aid, 1))
        for choice in app.choices:
            _placement_edge(built, app, choice, profiles, closed, excluded, profile, weights)
    return built


def _placement_edge(built, app, choice, profiles, closed, excluded, profile, weights) -> None:
    """Add the edge of one ranked choice, or note why there is none."""
    aid, pid = f"a{app.id}", choice.placement_id
    if pid not in profiles:
        built.causes[aid].add("not_open")
        return
    if (app.id, pid) in closed:
        built.causes[aid].add("declined_before")
        return
    if (app.id, pid) in excluded:
        built.causes[aid].add("excluded")
        return
    scored = score_pair(profile, profiles[pid], weights)
    if scored is None:
        built.causes[aid].add("no_overlap")
        return
    built.edges.append(Edge(aid, f"p{pid}", scored.score, applicant_rank=choice.rank))
    built.breakdowns[(aid, f"p{pid}")] = [c.to_dict() for c in scored.breakdown]


def build_pairing_problem(round_: MatchRound) -> Built:
    """Open pairing requests × open offers in scope, candidates by occupation/league/mode/period."""
    built = Built()
    weights = Weights.from_mapping(round_.weights or {})
    locked, excluded = _round_pairs(round_, "pairing_request_id", "offer_id")
    taken = _pairs(Match.pairing_request_id, Match.offer_id, TAKEN_STATUSES)
    closed = _pairs(Match.pairing_request_id, Match.offer_id, CLOSED_PAIR_STATUSES)
    held_offer = _counts(Match.offer_id, HOLDING_STATUSES)
    held_request = _counts(Match.pairing_request_id, HOLDING_STATUSES)
    reserved_offer, reserved_request = defaultdict(int), defaultdict(int)
    for r, o in locked:
        reserved_offer[o] += 1
        reserved_request[r] += 1
    paired = defaultdict(int)
    major_offers = set()
    for p in db.session.scalars(select(Pairing).where(Pairing.status == "active")):
        if p.pairing_request_id:
            paired[p.pairing_request_id] += 1
        major_offers.add((p.school_major_id, p.offer_id))
    requests = db.session.scalars(
        select(PairingRequest)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .where(
            PairingRequest.status.in_(REQUEST_OPEN),
            _in_scope(School.region_code, round_.region_code),
        )
        .options(
            selectinload(PairingRequest.occupations),
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.school),
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.major),
        )
        .order_by(PairingRequest.id)
    ).all()
    offers = db.session.scalars(
        select(Offer)
        .join(Host, Offer.host_id == Host.id)
        .where(
            Offer.status == "open",
            Host.retired_at.is_(None),
            _in_scope(Host.region_code, round_.region_code),
        )
        .options(selectinload(Offer.occupations), selectinload(Offer.host))
        .order_by(Offer.id)
    ).all()
    a_profiles, h_profiles, by_id = [], [], {}
    ratings = _host_ratings(weights)
    for o in offers:
        free = max(o.slots - o.slots_taken - held_offer.get(o.id, 0) - reserved_offer[o.id], 0)
        hid = f"o{o.id}"
        h_profiles.append(
            HostProfile(
                hid,
                tuple(c.code for c in o.occupations),
                o.host.region_code,
                modes=frozenset({o.mode}),
                period=_period(o),
                capacity=free,
                rating=ratings.get(o.host_id),
            )
        )
        built.hosts.append(MHost(hid, free))
        built.labels[hid] = o.host.name
        by_id[hid] = o
        if o.occupations:
            built.groups[hid] = o.occupations[0].code
    requests_by_id = {}
    for r in requests:
        need = r.wanted - paired[r.id] - held_request.get(r.id, 0) - reserved_request[r.id]
        if need <= 0:
            continue
        aid = f"r{r.id}"
        requests_by_id[aid] = r
        sm = r.school_major
        built.labels[aid] = f"{sm.school.name} · {sm.major.name}"
        a_profiles.append(
            ApplicantProfile(
                aid,
                tuple(c.code for c in r.occupations),
                sm.school.region_code,
                modes=frozenset(r.preferred_modes or ()),
                period=_period(r),
                need=need,
            )
        )
        built.applicants.append(Applicant(aid, need))
    if not a_profiles or not h_profiles:
        for a in a_profiles:
            built.causes[a.id].add("no_open_offer")
        return built
    cands = generate_candidates(
        a_profiles, h_profiles, weights, prune=len(a_profiles) > PRUNE_ABOVE
    )
    built.explain = cands.explain
    for ai, hi, score in zip(
        cands.edge_applicant.tolist(),
        cands.edge_host.tolist(),
        cands.edge_score.tolist(),
        strict=True,
    ):
        aid, hid = cands.applicants[ai].id, cands.hosts[hi].id
        cause = _pairing_cause(
            requests_by_id[aid], by_id[hid], taken, closed, excluded, major_offers
        )
        if cause:
            built.causes[aid].add(cause)
            continue
        built.edges.append(Edge(aid, hid, int(score)))
    return built


def _pairing_cause(request, offer, taken, closed, excluded, major_offers) -> str | None:
    """Why a candidate pair may not be proposed, or None."""
    key = (request.id, offer.id)
    if key in closed:
        return "declined_before"
    if key in excluded:
        return "excluded"
    if key in taken or (request.school_major_id, offer.id) in major_offers:
        return "already_paired"
    prefs = request.preferred_region_codes or []
    if prefs and offer.host.region_code not in prefs:
        return "other_league"
    return None


# --- solving ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One mode's solution: assigned (applicant, host, score) pairs and its metrics."""

    mode: str
    pairs: list[tuple[str, str, int]]
    blocking_pairs: int


def solve_mode(problem: Problem, mode: str) -> Outcome:
    """Solve in a mode; stable many-to-many runs deferred acceptance in passes."""
    if mode == "optimal" or problem.n_applicants == 0 or int(problem.applicant_capacity.max()) <= 1:
        result = solve(problem, mode)
        pairs = [(a.applicant, a.host, a.score) for a in result.assignments]
        return Outcome(mode, pairs, result.blocking_pairs)
    return _stable_in_passes(problem)


def _stable_in_passes(problem: Problem) -> Outcome:
    """Applicant-proposing deferred acceptance, one place per applicant per pass."""
    edges = problem.edges()
    a_cap = dict(zip(problem.applicant_ids, problem.applicant_capacity.tolist(), strict=True))
    h_cap = dict(zip(problem.host_ids, problem.host_capacity.tolist(), strict=True))
    chosen: list[tuple[str, str, int]] = []
    used: set[tuple[str, str]] = set()
    while True:
        live = [e for e in edges if (e.applicant, e.host) not in used]
        apps = [Applicant(a, 1) for a, c in a_cap.items() if c > 0]
        sub = make_problem(
            apps,
            [MHost(h, c) for h, c in h_cap.items()],
            [e for e in live if a_cap[e.applicant] > 0],
        )
        result = solve(sub, "stable")
        if not result.assignments:
            break
        for a in result.assignments:
            chosen.append((a.applicant, a.host, a.score))
            used.add((a.applicant, a.host))
            a_cap[a.applicant] -= 1
            h_cap[a.host] -= 1
    index = {(e.applicant, e.host): i for i, e in enumerate(edges)}
    mask = np.zeros(len(edges), dtype=bool)
    for a, h, _s in chosen:
        mask[index[(a, h)]] = True
    blocking = int(blocking_mask(problem, preferences(problem), mask).sum())
    return Outcome("stable", chosen, blocking)


def _metrics(outcome: Outcome, demand: int, locked: list[Match]) -> dict[str, Any]:
    matched = len(outcome.pairs) + len(locked)
    total = sum(s for _a, _h, s in outcome.pairs) + sum(m.score for m in locked)
    return {
        "matched": matched,
        "share": round(matched / demand, 4) if demand else 0.0,
        "mean_score": round(total / matched, 2) if matched else 0.0,
        "total_score": total,
        "blocking_pairs": outcome.blocking_pairs,
    }


# --- running ------------------------------------------------------------------------------


def count_applicants(round_: MatchRound) -> int:
    """How many requests or applications a run would consider (for choosing background runs)."""
    if round_.kind == "placement":
        stmt = (
            select(func.count(Application.id))
            .join(Teacher, Application.teacher_id == Teacher.id)
            .join(School, Teacher.school_id == School.id)
            .where(Application.status == "endorsed", Teacher.confirmed_at.isnot(None))
        )
    else:
        stmt = (
            select(func.count(PairingRequest.id))
            .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
            .join(School, SchoolMajor.school_id == School.id)
            .where(PairingRequest.status.in_(REQUEST_OPEN))
        )
    return db.session.scalar(stmt.where(_in_scope(School.region_code, round_.region_code))) or 0


def check_runnable(actor: User, round_: MatchRound) -> None:
    """Raises Forbidden or InvalidState when the round may not run now."""
    _editable(actor, round_)


def run_round(
    actor: User, round_: MatchRound, progress: Progress | None = None, queued: bool = False
) -> MatchRound:
    """Solve the round and replace its preview; raises Forbidden, InvalidState, RoundFailed.

    All writes happen at the end, so a failure leaves no preview rows; `progress` (if given)
    may commit the round's progress between the read-only phases.
    """
    _editable(actor, round_, queued)
    step = progress or (lambda _n: None)
    try:
        built = (
            build_placement_problem(round_)
            if round_.kind == "placement"
            else build_pairing_problem(round_)
        )
        step(30)
        problem = built.problem()
        outcomes = {round_.mode: solve_mode(problem, round_.mode)}
        step(60)
        other = "stable" if round_.mode == "optimal" else "optimal"
        outcomes[other] = solve_mode(problem, other)
        step(80)
        report = bottlenecks(problem, built.groups).to_dict()
    except ServiceError:
        raise
    except Exception as exc:  # the matcher's own errors: ProblemError, SolverError, ValueError
        raise RoundFailed(str(_l("The matcher failed: %(error)s", error=str(exc)))) from exc
    _store(actor, round_, built, problem, outcomes, report)
    return round_


def _store(actor, round_, built: Built, problem: Problem, outcomes, report) -> None:
    """Replace the unlocked preview with the solution and record metrics and analysis."""
    locked = [m for m in round_.matches if m.status == "preview" and m.locked and not m.excluded]
    keep = {m.id for m in round_.matches if m.status != "preview" or m.locked or m.excluded}
    for m in list(round_.matches):
        if m.id not in keep:
            round_.matches.remove(m)
    db.session.flush()
    chosen = outcomes[round_.mode]
    for a, h, score in chosen.pairs:
        round_.matches.append(_match_row(round_, built, a, h, score))
    demand = int(problem.applicant_capacity.sum()) + len(locked)
    round_.metrics = {
        "mode": round_.mode,
        "applicants": problem.n_applicants,
        "hosts": problem.n_hosts,
        "places": int(problem.host_capacity.sum()),
        "demand": demand,
        "edges": problem.n_edges,
        "locked": len(locked),
        **{mode: _metrics(o, demand, locked) for mode, o in outcomes.items()},
    }
    round_.analysis = _analysis(round_, built, chosen, report)
    round_.status = "previewed"
    round_.progress = 100
    round_.error = None
    round_.run_at = utcnow()
    db.session.flush()
    record(actor, "round.run", round_, after={"matches": len(chosen.pairs), "locked": len(locked)})


def _match_row(round_: MatchRound, built: Built, a: str, h: str, score: int) -> Match:
    breakdown = built.breakdowns.get((a, h))
    if breakdown is None and built.explain is not None:
        scored = built.explain(a, h)
        breakdown = [c.to_dict() for c in scored.breakdown] if scored else []
    ids = {"a": "application_id", "p": "placement_id", "r": "pairing_request_id", "o": "offer_id"}
    values = {ids[a[0]]: int(a[1:]), ids[h[0]]: int(h[1:])}
    return Match(score=score, breakdown=breakdown or [], status="preview", **values)


def _db_id(node: str) -> dict[str, int]:
    names = {"a": "application_id", "p": "placement_id", "r": "pairing_request_id", "o": "offer_id"}
    return {names[node[0]]: int(node[1:])}


def _analysis(round_, built: Built, chosen: Outcome, report: dict) -> dict[str, Any]:
    """Unmatched applicants with reasons, and the bottleneck hosts and occupations."""
    got = {a for a, _h, _s in chosen.pairs}
    locked_apps = {
        f"a{m.application_id}" if m.application_id else f"r{m.pairing_request_id}"
        for m in round_.matches
        if m.locked and not m.excluded and m.status == "preview"
    }
    degree = defaultdict(int)
    for e in built.edges:
        degree[e.applicant] += 1
    unmatched = []
    for a in built.applicants:
        if a.id in got or a.id in locked_apps:
            continue
        reason = "capacity_taken" if degree[a.id] else "no_candidates"
        unmatched.append(
            {
                **_db_id(a.id),
                "label": built.labels.get(a.id, a.id),
                "reason": reason,
                "causes": sorted(built.causes.get(a.id, ())),
            }
        )
    hosts = [
        {
            **_db_id(h["host"]),
            "label": built.labels.get(h["host"], h["host"]),
            "capacity": h["capacity"],
            "unserved_candidates": h["unserved_candidates"],
            "occupation": h["group"],
        }
        for h in report["hosts"]
    ]
    return {
        "unmatched": unmatched,
        "bottleneck_hosts": hosts,
        "bottleneck_occupations": report["groups"],
        "unserved_demand": report["unserved_demand"],
        "no_candidate_demand": report["no_candidate_demand"],
    }


def mark_failed(round_id: int, message: str) -> None:
    """Record a failed run on the round (call after rolling back, then commit)."""
    db.session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id)
        .values(status="failed", error=message[:2000], progress=0)
    )


def mark_running(round_: MatchRound) -> None:
    """Flag a round as queued for a background run."""
    round_.status = "running"
    round_.progress = 0
    round_.error = None


def set_progress(round_id: int, percent: int) -> None:
    """Store a run's progress (0–100)."""
    db.session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_id)
        .values(progress=max(0, min(100, percent)), status="running")
    )


# --- lock, exclude, publish ---------------------------------------------------------------


def _preview_match(actor: User, match: Match) -> None:
    _editable(actor, match.round)
    if match.status != "preview":
        raise InvalidState(str(_l("Only matches of a preview can be changed.")))


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(
            str(_l("Give a reason.")), {"reason": str(_l("This field is required."))}
        )
    return text[:2000]


def lock_match(actor: User, match: Match, reason: str | None) -> Match:
    """Keep a preview pair in every re-run; raises Forbidden, InvalidState, ValidationFailed."""
    _preview_match(actor, match)
    text = _reason(reason)
    if match.excluded:
        raise InvalidState(str(_l("An excluded pair cannot be locked.")))
    before = {"locked": match.locked}
    match.locked = True
    match.decision_reason = text
    db.session.flush()
    record(actor, "match.lock", match, before=before, after={"locked": True}, note=text)
    return match


def exclude_match(actor: User, match: Match, reason: str | None) -> Match:
    """Never propose this pair in this round; raises Forbidden, InvalidState, ValidationFailed."""
    _preview_match(actor, match)
    text = _reason(reason)
    before = {"excluded": match.excluded, "locked": match.locked}
    match.excluded = True
    match.locked = False
    match.decision_reason = text
    db.session.flush()
    record(actor, "match.exclude", match, before=before, after={"excluded": True}, note=text)
    return match


def publish_round(actor: User, round_: MatchRound) -> MatchRound:
    """Turn the preview into proposals and notify both sides; raises Forbidden, InvalidState."""
    _editable(actor, round_)
    if round_.status != "previewed":
        raise InvalidState(str(_l("Run the round before publishing it.")))
    proposed = [m for m in round_.matches if m.status == "preview" and not m.excluded]
    for m in proposed:
        m.status = "proposed"
    round_.status = "published"
    round_.published_at = utcnow()
    round_.published_by_id = actor.id
    db.session.flush()
    for m in proposed:
        _notify_both(m, "match_proposed")
    record(actor, "round.publish", round_, after={"proposed": len(proposed)})
    return round_


# --- sides and answers --------------------------------------------------------------------


def applicant_users(match: Match) -> list[User]:
    """The accounts answering for the applicant side."""
    if match.application_id is not None:
        user = match.application.teacher.user
        return [user] if user is not None else []
    school_id = match.pairing_request.school_major.school_id
    return list(
        db.session.scalars(
            select(User).where(
                User.role == "school", User.school_id == school_id, User.active.is_(True)
            )
        )
    )


def host_users(match: Match) -> list[User]:
    """The accounts of the enterprise owning the host."""
    host = match.placement.host if match.placement_id is not None else match.offer.host
    return list(
        db.session.scalars(
            select(User).where(
                User.role == "enterprise",
                User.enterprise_id == host.enterprise_id,
                User.active.is_(True),
            )
        )
    )


def side_of(user, match: Match) -> str | None:
    """'applicant', 'host' or None for this user and match."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if match.application_id is not None:
        if user.role == "teacher" and match.application.teacher.user_id == user.id:
            return "applicant"
        host = match.placement.host
    else:
        school_id = match.pairing_request.school_major.school_id
        if user.role == "school" and user.school_id == school_id:
            return "applicant"
        host = match.offer.host
    if user.role == "enterprise" and user.enterprise_id == host.enterprise_id:
        return "host"
    return None


def can_view_match(user, match: Match) -> bool:
    """Round administrators see every match; the two sides see published ones."""
    if match.round.can_view(user):
        return True
    return match.status != "preview" and side_of(user, match) is not None


def match_params(match: Match) -> dict[str, Any]:
    """Notification parameters of a match."""
    if match.application_id is not None:
        applicant = match.application.teacher.name
        host = match.placement.host.name
    else:
        sm = match.pairing_request.school_major
        applicant = f"{sm.school.name} {sm.major.name}"
        host = match.offer.host.name
    return {
        "round_id": match.round_id,
        "round": f"#{match.round_id}",
        "match_id": match.id,
        "applicant": applicant,
        "host": host,
        "deadline": match.round.deadline.date().isoformat(),
    }


def _party(match: Match, side: str) -> str:
    """The name of one side of a match (teacher, school or enterprise)."""
    if side == "applicant":
        return match_params(match)["applicant"]
    host = match.placement.host if match.placement_id is not None else match.offer.host
    return host.enterprise.name


def _link(match: Match) -> str:
    try:
        return url_for("rounds.match_detail", match_id=match.id)
    except RuntimeError:
        return f"/rounds/matches/{match.id}"


def _notify_both(match: Match, kind: str) -> None:
    notify(applicant_users(match) + host_users(match), kind, match_params(match), _link(match))


def _answerable(actor: User, match: Match) -> str:
    """The actor's side; raises Forbidden, InvalidState for closed or overdue matches."""
    side = side_of(actor, match)
    if side is None:
        raise Forbidden(str(_l("Only the two sides of a match answer it.")))
    if match.status not in HOLDING_STATUSES:
        raise InvalidState(str(_l("This match no longer waits for an answer.")))
    if _aware(match.round.deadline) < utcnow():
        raise InvalidState(str(_l("The deadline of this match has passed.")))
    return side


def accept_match(actor: User, match: Match) -> Match:
    """Accept for the actor's side; both sides → confirmed, the place is claimed atomically.

    Raises Forbidden, InvalidState (answered, closed, overdue) and NoPlaceLeft (409).
    """
    side = _answerable(actor, match)
    column = Match.applicant_accepted_at if side == "applicant" else Match.host_accepted_at
    now = utcnow()
    done = db.session.execute(
        update(Match)
        .where(Match.id == match.id, column.is_(None), Match.status.in_(HOLDING_STATUSES))
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidState(str(_l("Your side has already answered this match.")))
    db.session.refresh(match)
    if match.applicant_accepted_at is None or match.host_accepted_at is None:
        match.status = "accepted_applicant" if side == "applicant" else "accepted_host"
        db.session.flush()
        record(actor, "match.accept", match, after={"side": side, "status": match.status})
        notify(
            host_users(match) if side == "applicant" else applicant_users(match),
            "match_accepted",
            {**match_params(match), "side": side, "party": _party(match, side)},
            _link(match),
        )
        return match
    return _confirm(actor, match, side)


def _confirm(actor: User, match: Match, side: str) -> Match:
    """Both sides accepted: claim the place and start the practice or pairing."""
    done = db.session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status.in_(HOLDING_STATUSES))
        .values(status="confirmed")
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidState(str(_l("This match no longer waits for an answer.")))
    if match.placement_id is not None:
        cooperation.claim_seat(match.placement_id)
        cooperation.start_practice(match.application, match.placement, match)
    else:
        cooperation.claim_slot(match.offer_id)
        cooperation.start_pairing(match.pairing_request, match.offer, match)
        _close_request_when_served(match.pairing_request)
    db.session.refresh(match)
    record(actor, "match.confirm", match, after={"side": side, "status": "confirmed"})
    _notify_both(match, "match_confirmed")
    return match


def _close_request_when_served(request: PairingRequest) -> None:
    """A pairing request with as many active pairings as wanted becomes `matched`."""
    cooperation.close_request_when_served(request)


def decline_match(actor: User, match: Match, reason: str | None) -> Match:
    """Decline for the actor's side; frees the held place, the pair is never proposed again.

    Raises Forbidden, InvalidState, ValidationFailed (reason).
    """
    side = _answerable(actor, match)
    text = _reason(reason)
    done = db.session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status.in_(HOLDING_STATUSES))
        .values(
            status="declined", declined_at=utcnow(), declined_by_id=actor.id, decision_reason=text
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidState(str(_l("This match no longer waits for an answer.")))
    db.session.refresh(match)
    record(actor, "match.decline", match, after={"status": "declined"}, note=text)
    params = {**match_params(match), "side": side, "party": _party(match, side), "reason": text}
    notify(applicant_users(match) + host_users(match), "match_declined", params, _link(match))
    return match


# --- deadlines ----------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expire_overdue(now: datetime | None = None) -> int:
    """Expire unanswered proposals of rounds whose deadline has passed; returns how many."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Match)
        .join(MatchRound, Match.round_id == MatchRound.id)
        .where(Match.status.in_(HOLDING_STATUSES), MatchRound.deadline < now)
    ).all()
    for m in overdue:
        m.status = "expired"
        _notify_both(m, "match_expired")
    if overdue:
        db.session.flush()
        record(None, "match.expire", overdue[0].round, after={"expired": len(overdue)})
    return len(overdue)


def remind_deadlines(now: datetime | None = None) -> int:
    """Notify both sides of proposals whose deadline is within 3 days (once per match)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Match)
        .join(MatchRound, Match.round_id == MatchRound.id)
        .outerjoin(MatchReminder, MatchReminder.match_id == Match.id)
        .where(
            Match.status.in_(HOLDING_STATUSES),
            MatchRound.deadline >= now,
            MatchRound.deadline <= now + REMIND_WITHIN,
            MatchReminder.match_id.is_(None),
        )
    ).all()
    for m in due:
        _notify_both(m, "round_deadline_soon")
        db.session.add(MatchReminder(match_id=m.id, sent_at=now))
    db.session.flush()
    return len(due)

"""Match rounds: build a matching.Problem from rows, solve, store, preview, publish, answer.

This is the only module that turns rows into `matching` dataclasses and results back into rows.
Services flush, never commit; `app.rounds.jobs` drives a run's transactions.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app.auth.models import User
from app.common.audit import record
from app.common.bulk import insert_rows
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
from app.notifications.services import notify, notify_bulk
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
from matching.candidates import generate_candidates, score_pairs
from matching.optimal import solve_optimal
from matching.prefs import blocking_mask, preferences
from matching.result import build_result
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
    labels: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    causes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    explain: Callable[[str, str], Any] | None = None

    def problem(self) -> Problem:
        return make_problem(self.applicants, self.hosts, self.edges)


def _in_scope(column, region_code: str | None):
    return column == region_code if region_code else column.isnot(None)


def _open_hosted_rows(model, round_: MatchRound, *columns) -> list:
    """Open placements or offers of live hosts in the round's scope, in id order, as rows of
    id, host_id, the given columns, the host's region code and name."""
    return db.session.execute(
        select(model.id, model.host_id, *columns, Host.region_code, Host.name)
        .join(Host, model.host_id == Host.id)
        .where(
            model.status == "open",
            Host.retired_at.is_(None),
            _in_scope(Host.region_code, round_.region_code),
        )
        .order_by(model.id)
    ).all()


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


@dataclass
class LockedPair:
    """A locked preview pair of the round (kept in every re-run)."""

    applicant_id: int
    host_id: int
    score: int


@dataclass
class Rows:
    """What a run reads from the database (plain tuples and dicts, no ORM objects)."""

    locked: dict[tuple[int, int], LockedPair] = field(default_factory=dict)
    excluded: set[tuple[int, int]] = field(default_factory=set)
    closed: set[tuple[int, int]] = field(default_factory=set)
    held: dict[int, int] = field(default_factory=dict)
    ratings: dict[int, float] = field(default_factory=dict)
    applicants: list[Any] = field(default_factory=list)
    hosts: list[Any] = field(default_factory=list)
    applicant_occupations: dict[int, tuple[str, ...]] = field(default_factory=dict)
    host_occupations: dict[int, tuple[str, ...]] = field(default_factory=dict)
    choices: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    taken: set[tuple[int, int]] = field(default_factory=set)
    held_applicant: dict[int, int] = field(default_factory=dict)
    paired: dict[int, int] = field(default_factory=dict)
    major_offers: set[tuple[int, int]] = field(default_factory=set)


def _round_pairs(round_: MatchRound, a_col, h_col, rows: Rows) -> None:
    """The round's locked and excluded preview pairs (an excluded pair is never locked)."""
    for a, h, score, locked, excluded in db.session.execute(
        select(a_col, h_col, Match.score, Match.locked, Match.excluded).where(
            Match.round_id == round_.id,
            Match.status == "preview",
            (Match.locked.is_(True)) | (Match.excluded.is_(True)),
        )
    ):
        if excluded:
            rows.excluded.add((a, h))
        elif locked:
            rows.locked[(a, h)] = LockedPair(a, h, score)


def _codes(table, key, *where) -> dict[int, tuple[str, ...]]:
    """Occupation codes per owner id, in code order (as the models' relationships)."""
    codes: dict[int, list[str]] = defaultdict(list)
    for owner, code in db.session.execute(
        select(table.c[key], table.c.occupation_code)
        .where(*where)
        .order_by(table.c[key], table.c.occupation_code)
    ):
        codes[owner].append(code)
    return {k: tuple(v) for k, v in codes.items()}


def _host_ratings(weights: Weights) -> dict[int, float]:
    """Hosts' average ratings, read only when the round weighs the feedback criterion."""
    if not weights.feedback:
        return {}
    from app.cooperation.queries import host_average_map

    return host_average_map()


def read_placement_rows(round_: MatchRound) -> Rows:
    """Read what a placement round needs: endorsed applications, open placements, held places."""
    from app.cooperation.models import ApplicationChoice, placement_occupation
    from app.registry.models import teacher_occupation

    rows = Rows()
    weights = Weights.from_mapping(round_.weights or {})
    _round_pairs(round_, Match.application_id, Match.placement_id, rows)
    rows.busy = set(_counts(Match.application_id, TAKEN_STATUSES)) | {a for a, _p in rows.locked}
    rows.closed = _pairs(Match.application_id, Match.placement_id, CLOSED_PAIR_STATUSES)
    rows.held = _counts(Match.placement_id, HOLDING_STATUSES)
    rows.applicants = db.session.execute(
        select(
            Application.id,
            Application.teacher_id,
            Application.starts_on,
            Application.ends_on,
            Teacher.name,
            School.region_code,
        )
        .join(Teacher, Application.teacher_id == Teacher.id)
        .join(School, Teacher.school_id == School.id)
        .where(
            Application.status == "endorsed",
            Teacher.confirmed_at.isnot(None),
            _in_scope(School.region_code, round_.region_code),
        )
        .order_by(Application.id)
    ).all()
    rows.hosts = _open_hosted_rows(
        Placement,
        round_,
        Placement.title,
        Placement.seats,
        Placement.seats_taken,
        Placement.starts_on,
        Placement.ends_on,
    )
    wanted = {r.id for r in rows.applicants}
    for app_id, pid, rank in db.session.execute(
        select(
            ApplicationChoice.application_id, ApplicationChoice.placement_id, ApplicationChoice.rank
        )
        .join(Application, ApplicationChoice.application_id == Application.id)
        .where(Application.status == "endorsed")
        .order_by(ApplicationChoice.application_id, ApplicationChoice.rank)
    ):
        if app_id in wanted:
            rows.choices.setdefault(app_id, []).append((pid, rank))
    applying = select(Application.teacher_id).where(Application.status == "endorsed")
    rows.applicant_occupations = _codes(
        teacher_occupation, "teacher_id", teacher_occupation.c.teacher_id.in_(applying)
    )
    open_ = select(Placement.id).where(Placement.status == "open")
    rows.host_occupations = _codes(
        placement_occupation, "placement_id", placement_occupation.c.placement_id.in_(open_)
    )
    rows.ratings = _host_ratings(weights)
    return rows


def build_placement_problem(round_: MatchRound, rows: Rows | None = None) -> Built:
    """Endorsed applications (confirmed teachers) × their ranked open placements in scope."""
    rows = rows if rows is not None else read_placement_rows(round_)
    built = Built()
    weights = Weights.from_mapping(round_.weights or {})
    reserved: dict[int, int] = defaultdict(int)
    for _a, p in rows.locked:
        reserved[p] += 1
    h_profiles: list[HostProfile] = []
    h_index: dict[int, int] = {}
    for p in rows.hosts:
        free = max(p.seats - p.seats_taken - rows.held.get(p.id, 0) - reserved[p.id], 0)
        hid = f"p{p.id}"
        codes = rows.host_occupations.get(p.id, ())
        h_index[p.id] = len(h_profiles)
        h_profiles.append(
            HostProfile(
                hid,
                codes,
                p.region_code,
                period=Period(p.starts_on, p.ends_on),
                capacity=free,
                rating=rows.ratings.get(p.host_id),
            )
        )
        built.hosts.append(MHost(hid, free))
        built.labels[hid] = f"{p.name} · {p.title or ''}".strip(" ·")
        if codes:
            built.groups[hid] = codes[0]
    a_profiles: list[ApplicantProfile] = []
    pa: list[int] = []
    ph: list[int] = []
    fraction: list[float] = []
    ranks: list[int] = []
    for app in rows.applicants:
        if app.id in rows.busy:
            continue
        aid = f"a{app.id}"
        built.labels[aid] = app.name
        choices = rows.choices.get(app.id, [])
        i = len(a_profiles)
        a_profiles.append(
            ApplicantProfile(
                aid,
                rows.applicant_occupations.get(app.teacher_id, ()),
                app.region_code,
                period=Period(app.starts_on, app.ends_on),
                choices=tuple(f"p{pid}" for pid, _rank in choices),
            )
        )
        built.applicants.append(Applicant(aid, 1))
        for position, (pid, rank) in enumerate(choices):
            cause = _placement_cause(app.id, pid, h_index, rows)
            if cause:
                built.causes[aid].add(cause)
                continue
            pa.append(i)
            ph.append(h_index[pid])
            fraction.append(1.0 - position / len(choices))  # as scoring.choice_fit
            ranks.append(rank)
    _score_choices(built, a_profiles, h_profiles, (pa, ph, fraction, ranks), weights)
    return built


def _placement_cause(app_id: int, pid: int, h_index: dict[int, int], rows: Rows) -> str | None:
    """Why a ranked choice gives no edge before scoring, or None."""
    if pid not in h_index:
        return "not_open"
    if (app_id, pid) in rows.closed:
        return "declined_before"
    if (app_id, pid) in rows.excluded:
        return "excluded"
    return None


def _score_choices(built: Built, a_profiles, h_profiles, pairs, weights: Weights) -> None:
    """Score every remaining choice at once; a choice whose periods do not overlap has no edge.

    The breakdown of a pair is worked out only when it is stored (`built.explain`).
    """
    pa, ph, fraction, ranks = pairs
    by_id = {a.id: a for a in a_profiles} | {h.id: h for h in h_profiles}
    built.explain = lambda a, h: score_pair(by_id[a], by_id[h], weights)
    if not pa:
        return
    scores, overlap = score_pairs(
        a_profiles,
        h_profiles,
        np.array(pa, dtype=np.int64),
        np.array(ph, dtype=np.int64),
        np.array(fraction, dtype=np.float64),
        weights,
    )
    for i, j, score, ok, rank in zip(pa, ph, scores.tolist(), overlap.tolist(), ranks, strict=True):
        aid = a_profiles[i].id
        if not ok:
            built.causes[aid].add("no_overlap")
            continue
        built.edges.append(Edge(aid, h_profiles[j].id, score, applicant_rank=rank))


def read_pairing_rows(round_: MatchRound) -> Rows:
    """Read what a pairing round needs: open requests and offers in scope, held slots."""
    from app.cooperation.models import offer_occupation, pairing_request_occupation
    from app.reference.models import Major

    rows = Rows()
    weights = Weights.from_mapping(round_.weights or {})
    _round_pairs(round_, Match.pairing_request_id, Match.offer_id, rows)
    rows.taken = _pairs(Match.pairing_request_id, Match.offer_id, TAKEN_STATUSES)
    rows.closed = _pairs(Match.pairing_request_id, Match.offer_id, CLOSED_PAIR_STATUSES)
    rows.held = _counts(Match.offer_id, HOLDING_STATUSES)
    rows.held_applicant = _counts(Match.pairing_request_id, HOLDING_STATUSES)
    paired: dict[int, int] = defaultdict(int)
    for request_id, major_id, offer_id in db.session.execute(
        select(Pairing.pairing_request_id, Pairing.school_major_id, Pairing.offer_id).where(
            Pairing.status == "active"
        )
    ):
        if request_id:
            paired[request_id] += 1
        rows.major_offers.add((major_id, offer_id))
    rows.paired = paired
    rows.applicants = db.session.execute(
        select(
            PairingRequest.id,
            PairingRequest.school_major_id,
            PairingRequest.wanted,
            PairingRequest.preferred_modes,
            PairingRequest.preferred_region_codes,
            PairingRequest.starts_on,
            PairingRequest.ends_on,
            School.name.label("school_name"),
            School.region_code,
            Major.name.label("major_name"),
        )
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .join(Major, SchoolMajor.major_id == Major.id)
        .where(
            PairingRequest.status.in_(REQUEST_OPEN),
            _in_scope(School.region_code, round_.region_code),
        )
        .order_by(PairingRequest.id)
    ).all()
    rows.hosts = _open_hosted_rows(
        Offer, round_, Offer.mode, Offer.slots, Offer.slots_taken, Offer.starts_on, Offer.ends_on
    )
    rows.applicant_occupations = _codes(pairing_request_occupation, "pairing_request_id")
    rows.host_occupations = _codes(offer_occupation, "offer_id")
    rows.ratings = _host_ratings(weights)
    return rows


def build_pairing_problem(round_: MatchRound, rows: Rows | None = None) -> Built:
    """Open pairing requests × open offers in scope, candidates by occupation/league/mode/period."""
    rows = rows if rows is not None else read_pairing_rows(round_)
    built = Built()
    weights = Weights.from_mapping(round_.weights or {})
    reserved_offer: dict[int, int] = defaultdict(int)
    reserved_request: dict[int, int] = defaultdict(int)
    for r, o in rows.locked:
        reserved_offer[o] += 1
        reserved_request[r] += 1
    a_profiles, h_profiles, by_id = [], [], {}
    for o in rows.hosts:
        free = max(o.slots - o.slots_taken - rows.held.get(o.id, 0) - reserved_offer[o.id], 0)
        hid = f"o{o.id}"
        codes = rows.host_occupations.get(o.id, ())
        h_profiles.append(
            HostProfile(
                hid,
                codes,
                o.region_code,
                modes=frozenset({o.mode}),
                period=Period(o.starts_on, o.ends_on),
                capacity=free,
                rating=rows.ratings.get(o.host_id),
            )
        )
        built.hosts.append(MHost(hid, free))
        built.labels[hid] = o.name
        by_id[hid] = o
        if codes:
            built.groups[hid] = codes[0]
    requests_by_id = {}
    for r in rows.applicants:
        need = (
            r.wanted
            - rows.paired.get(r.id, 0)
            - rows.held_applicant.get(r.id, 0)
            - reserved_request[r.id]
        )
        if need <= 0:
            continue
        aid = f"r{r.id}"
        requests_by_id[aid] = r
        built.labels[aid] = f"{r.school_name} · {r.major_name}"
        a_profiles.append(
            ApplicantProfile(
                aid,
                rows.applicant_occupations.get(r.id, ()),
                r.region_code,
                modes=frozenset(r.preferred_modes or ()),
                period=Period(r.starts_on, r.ends_on),
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
    profiles = {a.id: a for a in a_profiles} | {h.id: h for h in h_profiles}
    built.explain = lambda a, h: score_pair(profiles[a], profiles[h], weights)
    for ai, hi, score in zip(
        cands.edge_applicant.tolist(),
        cands.edge_host.tolist(),
        cands.edge_score.tolist(),
        strict=True,
    ):
        aid, hid = cands.applicants[ai].id, cands.hosts[hi].id
        cause = _pairing_cause(requests_by_id[aid], by_id[hid], rows)
        if cause:
            built.causes[aid].add(cause)
            continue
        built.edges.append(Edge(aid, hid, int(score)))
    return built


def _pairing_cause(request, offer, rows: Rows) -> str | None:
    """Why a candidate pair may not be proposed, or None."""
    key = (request.id, offer.id)
    if key in rows.closed:
        return "declined_before"
    if key in rows.excluded:
        return "excluded"
    if key in rows.taken or (request.school_major_id, offer.id) in rows.major_offers:
        return "already_paired"
    prefs = request.preferred_region_codes or []
    if prefs and offer.region_code not in prefs:
        return "other_league"
    return None


# --- solving ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One mode's solution: assigned (applicant, host, score) pairs and its metrics."""

    mode: str
    pairs: list[tuple[str, str, int]]
    blocking_pairs: int
    matched: np.ndarray | None = None  # optimal mode: solve_optimal's edge mask


def solve_mode(problem: Problem, mode: str) -> Outcome:
    """Solve in a mode; stable many-to-many runs deferred acceptance in passes."""
    if mode == "optimal":
        matched = solve_optimal(problem)
        result = build_result(problem, mode, matched)
        pairs = [(a.applicant, a.host, a.score) for a in result.assignments]
        return Outcome(mode, pairs, result.blocking_pairs, matched)
    if problem.n_applicants == 0 or int(problem.applicant_capacity.max()) <= 1:
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


def _metrics(outcome: Outcome, demand: int, locked: Iterable[LockedPair]) -> dict[str, Any]:
    locked = list(locked)
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


def count_preview(round_id: int) -> int:
    """How many preview pairs the round holds."""
    stmt = select(func.count(Match.id)).where(Match.round_id == round_id, Match.status == "preview")
    return db.session.scalar(stmt) or 0


def check_runnable(actor: User, round_: MatchRound) -> None:
    """Raises Forbidden or InvalidState when the round may not run now."""
    _editable(actor, round_)


#: A run's stages and the progress (%) stored when each has finished; `store` ends at 100.
STAGES = (("read", 10), ("build", 30), ("solve", 50), ("compare", 70), ("analyse", 85))
Observer = Callable[[str], None]


def run_round(
    actor: User,
    round_: MatchRound,
    progress: Progress | None = None,
    queued: bool = False,
    observe: Observer | None = None,
) -> MatchRound:
    """Solve the round and replace its preview; raises Forbidden, InvalidState, RoundFailed.

    All writes happen at the end, so a failure leaves no preview rows; `progress` (if given)
    may commit the round's progress after each read-only stage (see STAGES); `observe` (if
    given) is called with each stage's name when it has finished, `store` last.
    """
    _editable(actor, round_, queued)
    percent = dict(STAGES)

    def done(stage: str) -> None:
        if progress is not None:
            progress(percent[stage])
        if observe is not None:
            observe(stage)

    try:
        rows = (
            read_placement_rows(round_) if round_.kind == "placement" else read_pairing_rows(round_)
        )
        done("read")
        built = (
            build_placement_problem(round_, rows)
            if round_.kind == "placement"
            else build_pairing_problem(round_, rows)
        )
        problem = built.problem()
        done("build")
        outcomes = {round_.mode: solve_mode(problem, round_.mode)}
        done("solve")
        other = "stable" if round_.mode == "optimal" else "optimal"
        outcomes[other] = solve_mode(problem, other)
        done("compare")
        report = bottlenecks(problem, built.groups, outcomes["optimal"].matched).to_dict()
        analysis = _analysis(round_.kind, rows.locked, built, outcomes[round_.mode], report)
        done("analyse")
    except ServiceError:
        raise
    except Exception as exc:  # the matcher's own errors: ProblemError, SolverError, ValueError
        raise RoundFailed(str(_l("The matcher failed: %(error)s", error=str(exc)))) from exc
    _store(actor, round_, built, problem, outcomes, analysis, rows.locked)
    if observe is not None:
        observe("store")
    return round_


def _store(actor, round_, built: Built, problem: Problem, outcomes, analysis, locked) -> None:
    """Replace the unlocked preview with the solution and record metrics and analysis."""
    db.session.flush()
    db.session.execute(
        delete(Match)
        .where(
            Match.round_id == round_.id,
            Match.status == "preview",
            Match.locked.is_(False),
            Match.excluded.is_(False),
        )
        .execution_options(synchronize_session=False)
    )
    chosen = outcomes[round_.mode]
    insert_matches(round_.id, (_match_values(built, a, h, s) for a, h, s in chosen.pairs))
    db.session.expire(round_, ["matches"])
    demand = int(problem.applicant_capacity.sum()) + len(locked)
    round_.metrics = {
        "mode": round_.mode,
        "applicants": problem.n_applicants,
        "hosts": problem.n_hosts,
        "places": int(problem.host_capacity.sum()),
        "demand": demand,
        "edges": problem.n_edges,
        "locked": len(locked),
        **{mode: _metrics(o, demand, locked.values()) for mode, o in outcomes.items()},
    }
    round_.analysis = analysis
    round_.status = "previewed"
    round_.progress = 100
    round_.error = None
    round_.run_at = utcnow()
    db.session.flush()
    record(actor, "round.run", round_, after={"matches": len(chosen.pairs), "locked": len(locked)})


#: Columns of a preview row as `insert_matches` writes them.
PREVIEW_COLUMNS = (
    "round_id",
    "application_id",
    "placement_id",
    "pairing_request_id",
    "offer_id",
    "score",
    "breakdown",
    "status",
    "locked",
    "excluded",
    "created_at",
    "updated_at",
)


def insert_matches(round_id: int, values: Iterable[dict[str, Any]]) -> int:
    """Insert preview matches of a round in bulk (no ORM objects); returns how many."""
    now = utcnow()
    rows = (
        (
            round_id,
            v.get("application_id"),
            v.get("placement_id"),
            v.get("pairing_request_id"),
            v.get("offer_id"),
            v["score"],
            v["breakdown"],
            "preview",
            False,
            False,
            now,
            now,
        )
        for v in values
    )
    return insert_rows(Match.__table__, PREVIEW_COLUMNS, rows)


def _match_values(built: Built, a: str, h: str, score: int) -> dict[str, Any]:
    """Column values of one preview match: both ids, score and the score's breakdown."""
    scored = built.explain(a, h) if built.explain is not None else None
    return {
        **_db_id(a),
        **_db_id(h),
        "score": score,
        "breakdown": [c.to_dict() for c in scored.breakdown] if scored else [],
    }


def _db_id(node: str) -> dict[str, int]:
    names = {"a": "application_id", "p": "placement_id", "r": "pairing_request_id", "o": "offer_id"}
    return {names[node[0]]: int(node[1:])}


def _unmatched_reason(hosts: list[str], capacity: dict[str, int], used: Counter) -> str:
    """Why an applicant got nothing: no eligible host; every eligible host's places taken by
    others; or places left at an eligible host (then "taken by others" would be untrue)."""
    if not hosts:
        return "no_candidates"
    if all(used[h] >= capacity.get(h, 0) for h in hosts):
        return "capacity_taken"
    return "places_left"


def _analysis(kind: str, locked, built: Built, chosen: Outcome, report: dict) -> dict[str, Any]:
    """Unmatched applicants with reasons, and the bottleneck hosts and occupations."""
    got = {a for a, _h, _s in chosen.pairs}
    prefix = "a" if kind == "placement" else "r"
    locked_apps = {f"{prefix}{a}" for a, _h in locked}
    candidates: dict[str, list[str]] = defaultdict(list)
    for e in built.edges:
        candidates[e.applicant].append(e.host)
    capacity = {h.id: h.capacity for h in built.hosts}
    used = Counter(h for _a, h, _s in chosen.pairs)
    unmatched = []
    for a in built.applicants:
        if a.id in got or a.id in locked_apps:
            continue
        reason = _unmatched_reason(candidates[a.id], capacity, used)
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


def publish_round(actor: User, round_: MatchRound, require_proposals: bool = False) -> MatchRound:
    """Turn the preview into proposals and notify both sides; raises Forbidden, InvalidState
    (also when `require_proposals` and the preview proposes nothing)."""
    _editable(actor, round_)
    if round_.status != "previewed":
        raise InvalidState(str(_l("Run the round before publishing it.")))
    db.session.flush()
    to_propose = (
        Match.round_id == round_.id,
        Match.status == "preview",
        Match.excluded.is_(False),
    )
    count = db.session.scalar(select(func.count(Match.id)).where(*to_propose)) or 0
    if require_proposals and not count:
        raise InvalidState(
            str(_l("This round proposes no match; confirm that you publish it without proposals."))
        )
    db.session.execute(update(Match).where(*to_propose).values(status="proposed"))
    round_.status = "published"
    round_.published_at = utcnow()
    round_.published_by_id = actor.id
    db.session.flush()
    notify_bulk("match_proposed", _proposal_notices(round_))
    record(actor, "round.publish", round_, after={"proposed": count})
    return round_


def _proposal_notices(round_: MatchRound):
    """(recipients, params, link) of every proposed match of the round, as `_notify_both`
    gives them, read with a few set-based queries."""
    deadline = round_.deadline.date().isoformat()
    link = _link_maker()
    members = _organisation_members()
    if round_.kind == "placement":
        rows = db.session.execute(
            select(
                Match.id, Teacher.user_id, User.email, Teacher.name, Host.name, Host.enterprise_id
            )
            .join(Application, Match.application_id == Application.id)
            .join(Teacher, Application.teacher_id == Teacher.id)
            .outerjoin(User, Teacher.user_id == User.id)
            .join(Placement, Match.placement_id == Placement.id)
            .join(Host, Placement.host_id == Host.id)
            .where(Match.round_id == round_.id, Match.status == "proposed")
            .order_by(Match.id)
        )
        for match_id, user_id, email, applicant, host, enterprise_id in rows:
            applicants = [(user_id, email)] if user_id is not None else []
            yield (
                applicants + members["enterprise"].get(enterprise_id, []),
                _notice_params(round_.id, match_id, applicant, host, deadline),
                link(match_id),
            )
        return
    from app.reference.models import Major

    rows = db.session.execute(
        select(Match.id, School.id, School.name, Major.name, Host.name, Host.enterprise_id)
        .join(PairingRequest, Match.pairing_request_id == PairingRequest.id)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .join(Major, SchoolMajor.major_id == Major.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Host, Offer.host_id == Host.id)
        .where(Match.round_id == round_.id, Match.status == "proposed")
        .order_by(Match.id)
    )
    for match_id, school_id, school, major, host, enterprise_id in rows:
        yield (
            members["school"].get(school_id, []) + members["enterprise"].get(enterprise_id, []),
            _notice_params(round_.id, match_id, f"{school} {major}", host, deadline),
            link(match_id),
        )


def _notice_params(round_id: int, match_id: int, applicant: str, host: str, deadline: str):
    """The parameters `match_params` gives, from plain values."""
    return {
        "round_id": round_id,
        "round": f"#{round_id}",
        "match_id": match_id,
        "applicant": applicant,
        "host": host,
        "deadline": deadline,
    }


def _organisation_members() -> dict[str, dict[int, list[tuple[int, str | None]]]]:
    """Active school and enterprise accounts by organisation id, as (user id, email)."""
    members: dict[str, dict[int, list[tuple[int, str | None]]]] = {
        "school": defaultdict(list),
        "enterprise": defaultdict(list),
    }
    for user_id, email, role, school_id, enterprise_id in db.session.execute(
        select(User.id, User.email, User.role, User.school_id, User.enterprise_id)
        .where(User.active.is_(True), User.role.in_(("school", "enterprise")))
        .order_by(User.id)
    ):
        org = school_id if role == "school" else enterprise_id
        if org is not None:
            members[role][org].append((user_id, email))
    return members


def _link_maker() -> Callable[[int], str]:
    """A function giving a match's local path (what `_link` gives), built once."""
    marker = 987654321
    try:
        template = url_for("rounds.match_detail", match_id=marker)
    except RuntimeError:
        template = f"/rounds/matches/{marker}"
    head, _sep, tail = template.partition(str(marker))
    return lambda match_id: f"{head}{match_id}{tail}"


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

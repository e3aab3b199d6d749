"""Candidate generation: index hosts by occupation and league, score a bounded pool, prune.

Cost is O(applicants × per_applicant) scored pairs (numpy-vectorised), never applicants × hosts.
Pruning keeps each applicant's top k plus each host's top k × capacity (plus explicit choices).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from matching.optimal import _mix
from matching.problem import Problem, ProblemError
from matching.scoring import (
    CRITERIA,
    ApplicantProfile,
    HostProfile,
    Period,
    ScoredEdge,
    Weights,
    distance_fraction,
    distance_km,
    feedback_fraction,
    fraction_for_parts,
    regions,
    score_pair,
    shared_parts,
)

SPREAD = 8  # target number of applicants of one class scoring each host of its pool
NO_PERIOD_START, NO_PERIOD_END = -(10**9), 10**9


@dataclass(frozen=True, eq=False)
class Candidates:
    """Scored, pruned candidate edges over canonical (id-sorted) applicants and hosts."""

    applicants: tuple[ApplicantProfile, ...]
    hosts: tuple[HostProfile, ...]
    edge_applicant: np.ndarray
    edge_host: np.ndarray
    edge_score: np.ndarray
    scored_pairs: int
    weights: Weights

    def to_problem(self) -> Problem:
        """The matcher Problem (applicant capacity = need, host capacity = capacity)."""
        zeros = np.zeros(self.edge_applicant.shape[0], dtype=np.int64)
        return Problem(
            tuple(a.id for a in self.applicants),
            np.array([a.need for a in self.applicants], dtype=np.int64).reshape(-1),
            tuple(h.id for h in self.hosts),
            np.array([h.capacity for h in self.hosts], dtype=np.int64).reshape(-1),
            self.edge_applicant.astype(np.int64),
            self.edge_host.astype(np.int64),
            self.edge_score.astype(np.int64),
            zeros,
            zeros.copy(),
        )

    def to_dict(self) -> dict[str, object]:
        """The DESIGN §5 problem dict of these candidates."""
        return self.to_problem().to_dict()

    def explain(self, applicant_id: str, host_id: str) -> ScoredEdge | None:
        """Full breakdown of one pair (scored with the round's weights)."""
        a = next(x for x in self.applicants if x.id == applicant_id)
        h = next(x for x in self.hosts if x.id == host_id)
        return score_pair(a, h, self.weights)


class _Encoded:
    """Numeric arrays of both sides used by the vectorised scorer."""

    def __init__(self, apps: Sequence[ApplicantProfile], hosts: Sequence[HostProfile]) -> None:
        codes = sorted({c for x in (*apps, *hosts) for c in x.occupations})
        self.codes = codes
        code_ix = {c: i for i, c in enumerate(codes)}
        pad = len(codes)
        fit = np.zeros((pad + 1, pad + 1))
        for i, x in enumerate(codes):
            for j, y in enumerate(codes):
                fit[i, j] = fraction_for_parts(shared_parts(x, y))
        self.fit = fit
        reg = sorted(regions())
        reg_ix = {r: i for i, r in enumerate(reg)}
        self.dist = np.array([[distance_fraction(distance_km(x, y)) for y in reg] for x in reg])
        for x in (*apps, *hosts):
            if x.region not in reg_ix:
                raise ValueError(f"{x.id!r} has unknown region code {x.region!r}")
        mode_bit: dict[str, int] = {}

        def mask(ms: frozenset[str]) -> int:
            return sum(1 << mode_bit.setdefault(m, len(mode_bit)) for m in sorted(ms))

        def occ(xs: Sequence[ApplicantProfile] | Sequence[HostProfile]) -> np.ndarray:
            width = max([len(x.occupations) for x in xs] + [1])
            out = np.full((len(xs), width), pad, dtype=np.int64)
            for i, x in enumerate(xs):
                out[i, : len(x.occupations)] = [code_ix[c] for c in x.occupations]
            return out

        def period(xs: Sequence[ApplicantProfile] | Sequence[HostProfile]) -> np.ndarray:
            return np.array(
                [
                    (x.period.start.toordinal(), x.period.end.toordinal())
                    if x.period
                    else (NO_PERIOD_START, NO_PERIOD_END)
                    for x in xs
                ],
                dtype=np.int64,
            ).reshape(-1, 2)

        self.a_occ, self.h_occ = occ(apps), occ(hosts)
        self.a_reg = np.array([reg_ix[a.region] for a in apps], dtype=np.int64)
        self.h_reg = np.array([reg_ix[h.region] for h in hosts], dtype=np.int64)
        self.a_mode = np.array([mask(a.modes) for a in apps], dtype=np.int64)
        self.h_mode = np.array([mask(h.modes) for h in hosts], dtype=np.int64)
        self.a_per, self.h_per = period(apps), period(hosts)
        self.a_need = np.array([a.need for a in apps], dtype=np.int64)
        self.h_cap = np.array([h.capacity for h in hosts], dtype=np.int64)
        self.h_rating = np.array([feedback_fraction(h.rating) for h in hosts], dtype=np.float64)


def _fractions(
    enc: _Encoded, pa: np.ndarray, ph: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Per-criterion fractions for pairs (pa, ph) and a mask of pairs whose periods overlap."""
    occ = np.zeros(pa.shape[0])
    for i in range(enc.a_occ.shape[1]):
        for j in range(enc.h_occ.shape[1]):
            occ = np.maximum(occ, enc.fit[enc.a_occ[pa, i], enc.h_occ[ph, j]])
    dist = enc.dist[enc.a_reg[pa], enc.h_reg[ph]]
    am, hm = enc.a_mode[pa], enc.h_mode[ph]
    mode = ((am == 0) | (hm == 0) | ((am & hm) != 0)).astype(np.float64)
    a_s, a_e = enc.a_per[pa, 0], enc.a_per[pa, 1]
    h_s, h_e = enc.h_per[ph, 0], enc.h_per[ph, 1]
    unbounded = (a_s == NO_PERIOD_START) | (h_s == NO_PERIOD_START)
    days = np.minimum(a_e, h_e) - np.maximum(a_s, h_s) + 1
    total = a_e - a_s + 1
    period = np.where(unbounded | (days >= total), 1.0, np.maximum(days, 0) / total)
    keep = unbounded | (days > 0)
    need, cap = enc.a_need[pa], enc.h_cap[ph]
    capacity = np.where(cap >= need, 1.0, cap / np.maximum(need, 1))
    return [occ, dist, mode, period, capacity], keep


def score_arrays(
    enc: _Encoded, pa: np.ndarray, ph: np.ndarray, choice: np.ndarray, weights: Weights
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised scores (same arithmetic as scoring.combine) and the period-overlap mask."""
    fracs, keep = _fractions(enc, pa, ph)
    fracs.append(choice)
    fracs.append(enc.h_rating[ph])
    total = np.zeros(pa.shape[0])
    for name, f in zip(CRITERIA, fracs, strict=True):
        total = total + getattr(weights, name) * f
    score = np.floor(total * 100.0 / weights.total() + 0.5).astype(np.int64)
    return score, keep


def score_pairs(
    applicants: Sequence[ApplicantProfile],
    hosts: Sequence[HostProfile],
    pa: np.ndarray,
    ph: np.ndarray,
    choice: np.ndarray,
    weights: Weights,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the listed pairs (indices into `applicants` and `hosts`, `choice` the choice
    criterion's fraction) as `score_pair` gives them, and the mask of pairs whose periods
    overlap; raises ValueError on unknown regions."""
    return score_arrays(_Encoded(applicants, hosts), pa, ph, choice, weights)


def _pool_pairs(
    enc: _Encoded,
    apps: Sequence[ApplicantProfile],
    hosts: Sequence[HostProfile],
    weights: Weights,
    per_applicant: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs to score: per applicant class (occupations, league) a pool of the best buckets."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j in range(len(hosts)):
        for c in set(enc.h_occ[j].tolist()) - {len(enc.codes)}:
            buckets[(c, int(enc.h_reg[j]))].append(j)
    bucket_arr = {key: np.array(v, dtype=np.int64) for key, v in buckets.items()}
    classes: dict[tuple[tuple[int, ...], int], list[int]] = defaultdict(list)
    for i in range(len(apps)):
        classes[(tuple(enc.a_occ[i].tolist()), int(enc.a_reg[i]))].append(i)
    out_a, out_h = [], []
    for (occs, reg), members in sorted(classes.items()):
        ranked = []
        for (c, r), arr in bucket_arr.items():
            fit = max(enc.fit[o, c] for o in occs)
            if fit > 0:
                ub = weights.occupation * fit + weights.distance * enc.dist[reg, r]
                ranked.append((-ub, c, r, arr))
        if not ranked:
            continue
        ranked.sort(key=lambda t: t[:3])
        pool = np.concatenate([t[3] for t in ranked])
        m = min(per_applicant, pool.shape[0])
        size = min(pool.shape[0], max(m, math.ceil(len(members) * m / SPREAD)))
        step = max(1, size // m)
        idx = np.array(members, dtype=np.int64)
        offset = (np.arange(idx.shape[0], dtype=np.int64) * 2654435761) % size
        pos = (offset[:, None] + np.arange(m, dtype=np.int64)[None, :] * step) % size
        out_a.append(np.repeat(idx, m))
        out_h.append(pool[pos.reshape(-1)])
    if not out_a:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_a), np.concatenate(out_h)


def _choice_pairs(apps: Sequence[ApplicantProfile], host_ix: dict[str, int]):
    """Explicit ranked choices as (applicant, host, fraction) arrays; unknown hosts ignored."""
    rows = []
    for i, a in enumerate(apps):
        seen: set[str] = set()
        for r, h in enumerate(a.choices):
            if h in host_ix and h not in seen:  # a repeated choice counts at its first rank
                seen.add(h)
                rows.append((i, host_ix[h], 1.0 - r / len(a.choices)))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2]


def _prune(
    pa: np.ndarray, ph: np.ndarray, s: np.ndarray, cap: np.ndarray, n_h: int, k: int
) -> np.ndarray:
    """Mask: applicant's top k ∪ host's top k × capacity.

    Equal scores are ordered by a hash of the pair (not by id), so that ties do not make every
    host keep the same few applicants.
    """
    del n_h
    with np.errstate(over="ignore"):
        mixed = _mix(pa.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ ph.astype(np.uint64))
    tie = (mixed >> np.uint64(44)).astype(np.int64)  # 20 bits
    keep = np.zeros(pa.shape[0], dtype=bool)
    for owner, limit in ((pa, None), (ph, cap)):
        order = np.argsort(((owner * 101 + (100 - s)) << 20) + tie, kind="stable")
        counts = np.bincount(owner)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.empty(pa.shape[0], dtype=np.int64)
        rank[order] = np.arange(pa.shape[0]) - start[owner[order]]
        keep |= rank < (k if limit is None else k * limit[owner])
    return keep


def generate_candidates(
    applicants: Sequence[ApplicantProfile],
    hosts: Sequence[HostProfile],
    weights: Weights | None = None,
    k: int = 5,
    per_applicant: int = 32,
    prune: bool = True,
) -> Candidates:
    """Scored candidate edges for a round; raises ValueError on duplicate ids or bad regions."""
    weights = weights or Weights()
    apps = tuple(sorted(applicants, key=lambda a: a.id))
    hs = tuple(sorted(hosts, key=lambda h: h.id))
    for kind, xs in (("applicant", apps), ("host", hs)):
        dup = [a.id for a, b in zip(xs, xs[1:], strict=False) if a.id == b.id]
        if dup:
            raise ValueError(f"duplicate {kind} id {dup[0]!r}")
    if k < 1 or per_applicant < 1:
        raise ValueError("k and per_applicant must be at least 1")
    enc = _Encoded(apps, hs)
    pa, ph = _pool_pairs(enc, apps, hs, weights, per_applicant)
    ca, ch, cf = _choice_pairs(apps, {h.id: j for j, h in enumerate(hs)})
    n_h = max(len(hs), 1)
    key = np.sort(np.concatenate([pa * n_h + ph, ca * n_h + ch]))
    key = key[np.concatenate([[True], key[1:] != key[:-1]])]  # np.unique is slow here
    pa, ph = key // n_h, key % n_h
    choice = np.zeros(key.shape[0])
    is_choice = np.zeros(key.shape[0], dtype=bool)
    if ca.shape[0]:
        at = np.searchsorted(key, ca * n_h + ch)
        choice[at], is_choice[at] = cf, True
    score, overlap = score_arrays(enc, pa, ph, choice, weights)
    scored = int(key.shape[0])
    pa, ph, score, is_choice = pa[overlap], ph[overlap], score[overlap], is_choice[overlap]
    if prune and pa.shape[0]:
        keep = _prune(pa, ph, score, enc.h_cap, n_h, k) | is_choice
        pa, ph, score = pa[keep], ph[keep], score[keep]
    return Candidates(apps, hs, pa, ph, score, scored, weights)


def _period(value: object) -> Period | None:
    """Period from ["YYYY-MM-DD", "YYYY-MM-DD"] or null; raises ValueError/TypeError."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("period must be [start, end] dates or null")
    return Period(date.fromisoformat(value[0]), date.fromisoformat(value[1]))


def _profile(kind: str, i: int, x: object) -> ApplicantProfile | HostProfile:
    """One profile from its JSON object; raises ProblemError naming the item."""
    try:
        if not isinstance(x, dict):
            raise TypeError("must be an object")
        occs = tuple(x["occupations"])
        if not all(isinstance(o, str) for o in occs) or not isinstance(x["id"], str):
            raise TypeError("id and occupations must be strings")
        common = (
            x["id"],
            occs,
            str(x["region"]),
            frozenset(x.get("modes") or ()),
            _period(x.get("period")),
        )
        if kind == "hosts":
            cap = x["capacity"]
            if type(cap) is not int or cap < 0:
                raise ValueError("capacity must be a non-negative integer")
            return HostProfile(*common, capacity=cap)
        need = x.get("need", 1)
        if type(need) is not int or need < 0:
            raise ValueError("need must be a non-negative integer")
        return ApplicantProfile(*common, need=need, choices=tuple(x.get("choices") or ()))
    except KeyError as exc:
        raise ProblemError(f"{kind}[{i}] is missing required key {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"{kind}[{i}]: {exc}") from None


def parse_round(data: object) -> tuple[list[ApplicantProfile], list[HostProfile], Weights, int]:
    """Parse a round (profiles, optional weights and k) from JSON; raises ProblemError."""
    if not isinstance(data, dict):
        raise ProblemError("the round must be a JSON object")
    for key in ("applicants", "hosts"):
        if not isinstance(data.get(key), list):
            raise ProblemError(f"the round needs an array {key!r}")
    try:
        weights = Weights.from_mapping(data.get("weights") or {})
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"bad weights: {exc}") from None
    k = data.get("k", 5)
    if type(k) is not int or k < 1:
        raise ProblemError("k must be a positive integer")
    apps = [_profile("applicants", i, x) for i, x in enumerate(data["applicants"])]
    hosts = [_profile("hosts", i, x) for i, x in enumerate(data["hosts"])]
    return apps, hosts, weights, k  # type: ignore[return-value]

"""Candidate generation: bounded scoring, exact pruning on contended rounds, determinism."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from matching import solve
from matching.candidates import _prune, generate_candidates, parse_round
from matching.problem import ProblemError
from matching.scoring import ApplicantProfile, HostProfile, Period, Weights, score_pair

LEAGUES = ["150100", "150200", "150300", "150600", "150800"]
OCCS = ["6-18-01-01", "6-18-01-02", "6-18-02-04", "6-20-01-01", "6-31-01-03"]


def contended(n_a: int, n_h: int, seed: int) -> tuple[list[ApplicantProfile], list[HostProfile]]:
    """Few places in few occupations: most applicants compete for the same hosts."""
    rng = random.Random(seed)
    apps = [
        ApplicantProfile(
            f"t{i:04d}",
            (rng.choice(OCCS[:3]),),
            rng.choice(LEAGUES[:3]),
            period=Period(date(2025, 3, 1), date(2025, 3, 1 + rng.randint(0, 27))),
            choices=tuple(f"w{rng.randint(0, n_h - 1):03d}" for _ in range(rng.randint(0, 2))),
        )
        for i in range(n_a)
    ]
    hosts = [
        HostProfile(
            f"w{j:03d}",
            (rng.choice(OCCS),),
            rng.choice(LEAGUES),
            period=Period(date(2025, 3, rng.randint(1, 20)), date(2025, 4, 30)),
            capacity=rng.randint(0, 3),
        )
        for j in range(n_h)
    ]
    return apps, hosts


def optimum(cands) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    res = solve(cands.to_problem(), "optimal")
    return res.matched, res.total_score


@pytest.mark.parametrize("seed", range(4))
def test_pruned_optimum_equals_unpruned_on_contended_rounds(seed: int) -> None:
    apps, hosts = contended(300, 60, seed)
    full = generate_candidates(apps, hosts, per_applicant=60, prune=False)
    pruned = generate_candidates(apps, hosts, per_applicant=60, k=5)
    assert pruned.edge_applicant.shape[0] < full.edge_applicant.shape[0]
    full_opt = optimum(full)
    assert full_opt[0] < len(apps), "the instance must be contended"
    assert optimum(pruned) == full_opt


def test_applicant_top_k_alone_is_not_enough_but_union_is() -> None:
    """Hosts' top k × capacity matter: all applicants prefer the same few hosts."""
    apps = [ApplicantProfile(f"t{i:02d}", ("6-18-01-01",), "150100") for i in range(12)]
    hosts = [
        HostProfile(
            f"w{j:02d}",
            ("6-18-01-01",) if j < 2 else ("6-18-02-04",),
            "150100" if j < 2 else "150200",
            capacity=1,
        )
        for j in range(12)
    ]
    full = generate_candidates(apps, hosts, per_applicant=50, prune=False)
    p = full.to_problem()
    only_app = np.zeros(p.n_edges, dtype=bool)
    for a in range(p.n_applicants):
        idx = np.flatnonzero(p.edge_applicant == a)
        best = idx[np.lexsort((p.edge_host[idx], -p.edge_score[idx]))][:3]
        only_app[best] = True
    assert only_app.sum() < p.n_edges
    keep = _prune(p.edge_applicant, p.edge_host, p.edge_score, p.host_capacity, p.n_hosts, 3)
    assert keep.sum() > only_app.sum()
    assert optimum(generate_candidates(apps, hosts, per_applicant=50, k=3)) == optimum(full)


def test_scoring_is_bounded_per_applicant_and_never_all_pairs() -> None:
    apps, hosts = contended(2000, 500, 7)
    cands = generate_candidates(apps, hosts, per_applicant=20)
    choices = sum(len(set(a.choices)) for a in apps)
    assert cands.scored_pairs <= 20 * len(apps) + choices
    assert cands.scored_pairs < len(apps) * len(hosts) // 10
    half = generate_candidates(apps[:1000], hosts, per_applicant=20)
    assert 0.4 < half.scored_pairs / cands.scored_pairs < 0.6  # ~linear in applicants


def test_edges_carry_the_scoring_score_and_keep_choices() -> None:
    apps, hosts = contended(200, 40, 3)
    cands = generate_candidates(apps, hosts)
    by_id = {h.id: h for h in hosts}
    for a, h, s in zip(
        cands.edge_applicant.tolist(),
        cands.edge_host.tolist(),
        cands.edge_score.tolist(),
        strict=True,
    ):
        edge = score_pair(cands.applicants[a], cands.hosts[h])
        assert edge is not None and edge.score == s
    kept = {
        (cands.applicants[a].id, cands.hosts[h].id)
        for a, h in zip(cands.edge_applicant.tolist(), cands.edge_host.tolist(), strict=True)
    }
    for a in apps:
        for h in a.choices:
            if score_pair(a, by_id[h]) is not None:
                assert (a.id, h) in kept
    explained = cands.explain(apps[0].id, hosts[0].id)
    assert explained is None or explained.breakdown


def test_candidates_do_not_depend_on_input_order() -> None:
    apps, hosts = contended(300, 60, 5)
    a = generate_candidates(apps, hosts, Weights(distance=30))
    rng = random.Random(1)
    apps2, hosts2 = apps[:], hosts[:]
    rng.shuffle(apps2)
    rng.shuffle(hosts2)
    b = generate_candidates(apps2, hosts2, Weights(distance=30))
    assert a.to_dict() == b.to_dict()


def test_duplicate_ids_and_bad_round_input() -> None:
    apps, hosts = contended(5, 3, 1)
    with pytest.raises(ValueError, match="duplicate"):
        generate_candidates(apps + apps[:1], hosts)
    with pytest.raises(ProblemError, match="weights"):
        parse_round({"applicants": [], "hosts": [], "weights": {"distance": -2}})
    with pytest.raises(ProblemError, match=r"hosts\[0\]"):
        parse_round({"applicants": [], "hosts": [{"id": "w", "occupations": [], "region": "1"}]})
    apps_, hosts_, weights, k = parse_round(
        {
            "applicants": [
                {
                    "id": "t",
                    "occupations": ["6-18-01-01"],
                    "region": "150100",
                    "period": ["2025-01-01", "2025-02-01"],
                    "choices": ["w"],
                }
            ],
            "hosts": [
                {
                    "id": "w",
                    "occupations": ["6-18-01-01"],
                    "region": "150100",
                    "capacity": 1,
                    "modes": ["linkage"],
                }
            ],
        }
    )
    assert k == 5 and weights == Weights()
    res = solve(generate_candidates(apps_, hosts_, weights).to_problem(), "stable")
    assert res.matched == 1 and res.total_score == 100

"""Property tests: optimal and stable modes against brute-force references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_reference import (
    blocking_pairs,
    brute_applicant_optimal_stable,
    brute_optimum,
    examples,
    feasible_matchings,
    instances,
    random_instance,
    shuffled,
)

from matching import ProblemError, parse_problem, solve
from matching.optimal import SolverError, edge_costs, solve_optimal, validate_flow

FAST = settings(max_examples=examples(120), deadline=None)


def _pairs(result_dict: dict) -> set[tuple[str, str]]:
    return {(a["applicant"], a["host"]) for a in result_dict["assignments"]}


def _assert_capacities(inst: dict, res: dict) -> None:
    a_cap = {a["id"]: a.get("capacity", 1) for a in inst["applicants"]}
    h_cap = {h["id"]: h["capacity"] for h in inst["hosts"]}
    edges = {(e["applicant"], e["host"]): e["score"] for e in inst["edges"]}
    pairs = [(a["applicant"], a["host"]) for a in res["assignments"]]
    assert len(pairs) == len(set(pairs)), "a pair used twice"
    for (a, h), s in zip(pairs, (x["score"] for x in res["assignments"]), strict=True):
        assert edges[(a, h)] == s, "assignment not on a candidate edge or wrong score"
    for a, cap in a_cap.items():
        assert sum(1 for x, _ in pairs if x == a) <= cap
    for h, cap in h_cap.items():
        assert sum(1 for _, y in pairs if y == h) <= cap


@FAST
@given(instances())
def test_optimal_equals_brute_force(inst: dict) -> None:
    res = solve(parse_problem(inst), "optimal").to_dict()
    _assert_capacities(inst, res)
    assert (res["matched"], res["total_score"]) == brute_optimum(inst)
    assert res["total_score"] == sum(a["score"] for a in res["assignments"])
    assert res["blocking_pairs"] == blocking_pairs(
        inst,
        tuple(k for k, e in enumerate(inst["edges"]) if (e["applicant"], e["host"]) in _pairs(res)),
    )


@FAST
@given(instances(max_edges=8))
def test_optimal_is_the_unique_cost_minimum(inst: dict) -> None:
    """The assignment is the exact argmin of the integer cost, so any exact solver agrees."""
    problem = parse_problem(inst)
    costs = edge_costs(problem)
    key = {
        (problem.applicant_ids[a], problem.host_ids[h]): int(c)
        for a, h, c in zip(
            problem.edge_applicant.tolist(), problem.edge_host.tolist(), costs.tolist(), strict=True
        )
    }
    edges = inst["edges"]
    best = min(
        feasible_matchings(inst),
        key=lambda m: (-len(m), sum(key[(edges[k]["applicant"], edges[k]["host"])] for k in m)),
    )
    expected = {(edges[k]["applicant"], edges[k]["host"]) for k in best}
    assert _pairs(solve(problem, "optimal").to_dict()) == expected
    assert _pairs(solve(problem, "optimal", solver="networkx").to_dict()) == expected


@FAST
@given(instances(applicant_cap=1))
def test_stable_equals_brute_force_applicant_optimal(inst: dict) -> None:
    res = solve(parse_problem(inst), "stable").to_dict()
    _assert_capacities(inst, res)
    assert res["blocking_pairs"] == 0
    assert _pairs(res) == brute_applicant_optimal_stable(inst)


@FAST
@given(instances(max_applicants=6, max_hosts=5, max_edges=14), st.integers(0, 10**6))
def test_result_invariant_under_reordering(inst: dict, seed: int) -> None:
    problem, other = parse_problem(inst), parse_problem(shuffled(inst, seed))
    assert solve(problem, "optimal").to_dict() == solve(other, "optimal").to_dict()
    stable_inst = {
        **inst,
        "applicants": [{**a, "capacity": min(a["capacity"], 1)} for a in inst["applicants"]],
    }
    assert (
        solve(parse_problem(stable_inst), "stable").to_dict()
        == solve(parse_problem(shuffled(stable_inst, seed)), "stable").to_dict()
    )


@pytest.mark.parametrize("seed", range(3))
def test_solvers_agree_on_medium_random_instances(seed: int) -> None:
    inst = random_instance(300, 80, 4, seed)
    problem = parse_problem(inst)
    fast = solve(problem, "optimal").to_dict()
    ref = solve(problem, "optimal", solver="networkx").to_dict()
    assert fast == ref
    _assert_capacities(inst, fast)
    again = solve(parse_problem(shuffled(inst, seed)), "optimal").to_dict()
    assert again == fast


def test_sorted_output_and_reasons() -> None:
    inst = {
        "applicants": [{"id": "b"}, {"id": "a"}, {"id": "c"}, {"id": "d", "capacity": 2}],
        "hosts": [{"id": "h2", "capacity": 1}, {"id": "h1", "capacity": 2}],
        "edges": [
            {"applicant": "d", "host": "h1", "score": 90},
            {"applicant": "d", "host": "h2", "score": 80},
            {"applicant": "a", "host": "h1", "score": 10},
            {"applicant": "b", "host": "h2", "score": 100},
        ],
    }
    res = solve(parse_problem(inst), "optimal").to_dict()
    assert list(res) == [
        "mode",
        "assignments",
        "unmatched",
        "matched",
        "total_score",
        "blocking_pairs",
    ]
    # d takes both places it can (capacity 2) only if that does not cost a matched unit.
    assert res["matched"] == 3
    assert res["assignments"] == [
        {"applicant": "a", "host": "h1", "score": 10},
        {"applicant": "b", "host": "h2", "score": 100},
        {"applicant": "d", "host": "h1", "score": 90},
    ]
    assert res["unmatched"] == [{"applicant": "c", "reason": "no_candidates"}]
    assert res["total_score"] == 200


def test_capacity_taken_reason_and_stable_prefers_scores() -> None:
    inst = {
        "applicants": [{"id": "x"}, {"id": "y"}],
        "hosts": [{"id": "h", "capacity": 1}],
        "edges": [
            {"applicant": "x", "host": "h", "score": 60},
            {"applicant": "y", "host": "h", "score": 60},
        ],
    }
    for mode in ("optimal", "stable"):
        res = solve(parse_problem(inst), mode).to_dict()
        assert res["unmatched"] and res["unmatched"][0]["reason"] == "capacity_taken"
    # stable: equal scores, host ranks by applicant id ascending -> x wins
    assert solve(parse_problem(inst), "stable").to_dict()["assignments"][0]["applicant"] == "x"


def test_stable_honours_explicit_ranks() -> None:
    inst = {
        "applicants": [{"id": "x"}, {"id": "y"}],
        "hosts": [{"id": "h", "capacity": 1}, {"id": "k", "capacity": 1}],
        "edges": [
            {"applicant": "x", "host": "h", "score": 90, "applicant_rank": 2, "host_rank": 2},
            {"applicant": "x", "host": "k", "score": 10, "applicant_rank": 1},
            {"applicant": "y", "host": "h", "score": 10, "host_rank": 1},
        ],
    }
    res = solve(parse_problem(inst), "stable").to_dict()
    assert _pairs(res) == {("x", "k"), ("y", "h")}
    assert res["blocking_pairs"] == 0


def test_stable_rejects_applicant_capacity_above_one() -> None:
    inst = {"applicants": [{"id": "x", "capacity": 2}], "hosts": [], "edges": []}
    with pytest.raises(ProblemError, match="capacity"):
        solve(parse_problem(inst), "stable")


def test_stable_long_rejection_chain_has_no_recursion_limit() -> None:
    n = 3000  # every applicant ranks hosts identically: a long chain of proposals
    inst = {
        "applicants": [{"id": f"a{i:05d}"} for i in range(n)],
        "hosts": [{"id": f"h{j:05d}", "capacity": 1} for j in range(n)],
        "edges": [
            {"applicant": f"a{i:05d}", "host": f"h{j:05d}", "score": 100 - j % 100}
            for i in range(n)
            for j in range(max(0, i - 2), min(n, i + 3))
        ],
    }
    res = solve(parse_problem(inst), "stable").to_dict()
    assert res["blocking_pairs"] == 0
    assert res["matched"] >= n - 5


def test_validate_flow_refuses_infeasible_flows() -> None:
    problem = parse_problem(random_instance(6, 2, 2, 1, max_cap=1))
    with pytest.raises(SolverError):
        validate_flow(problem, np.ones(problem.n_edges, dtype=np.int64))
    with pytest.raises(SolverError):
        validate_flow(problem, np.full(problem.n_edges, 2, dtype=np.int64))
    assert not validate_flow(problem, np.zeros(problem.n_edges, dtype=np.int64)).any()


def test_unknown_solver_and_mode() -> None:
    problem = parse_problem({"applicants": [], "hosts": [], "edges": []})
    with pytest.raises(ValueError):
        solve_optimal(problem, "simplex")
    with pytest.raises(ValueError):
        solve(problem, "greedy")
    assert solve(problem).to_dict()["matched"] == 0

"""The optimal engine's own rules: which solver ran, each capacity check of the flow
validation on its own, the tie-break direction against answers computed independently from the
formula in docs/matching.md, and the batching of very large multi-component problems."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from matching_reference import random_instance

import matching.optimal as optimal
from matching import parse_problem, solve
from matching.optimal import SolverError, validate_flow

MASK64 = (1 << 64) - 1


def _pairs(result) -> set[tuple[str, str]]:
    return {(a["applicant"], a["host"]) for a in result.to_dict()["assignments"]}


@pytest.fixture()
def engines(monkeypatch) -> list[str]:
    """Names of the solver functions called, in order (the real solvers still run)."""
    called: list[str] = []
    for name in ("_solve_ortools", "_solve_networkx"):
        real = getattr(optimal, name)

        def spy(problem, costs, real=real, name=name):
            called.append(name)
            return real(problem, costs)

        monkeypatch.setattr(optimal, name, spy)
    return called


def test_each_solver_flag_runs_that_engine_and_both_agree(engines) -> None:
    problem = parse_problem(random_instance(120, 30, 3, seed=7))
    fast = solve(problem, "optimal")
    assert engines == ["_solve_ortools"]
    reference = solve(problem, "optimal", solver="networkx")
    assert engines == ["_solve_ortools", "_solve_networkx"]
    assert fast.to_dict() == reference.to_dict()
    assert fast.to_dict()["matched"] > 0


def test_stable_mode_runs_no_flow_engine(engines) -> None:
    solve(parse_problem(random_instance(20, 5, 2, seed=1)), "stable")
    assert engines == []


def _one_host(capacity: int, applicants: int, applicant_capacity: int = 1) -> dict:
    return {
        "applicants": [{"id": f"a{i}", "capacity": applicant_capacity} for i in range(applicants)],
        "hosts": [{"id": "h", "capacity": capacity}, {"id": "k", "capacity": capacity}],
        "edges": [
            {"applicant": f"a{i}", "host": host, "score": 50}
            for i in range(applicants)
            for host in ("h", "k")
        ],
    }


def test_flow_validation_checks_applicant_capacity_on_its_own() -> None:
    # a0 (capacity 1) on both hosts: hosts are within capacity, the applicant is not.
    problem = parse_problem(_one_host(capacity=5, applicants=1))
    with pytest.raises(SolverError, match="applicant capacity"):
        validate_flow(problem, np.array([1, 1]))
    assert validate_flow(problem, np.array([1, 0])).tolist() == [True, False]
    # capacity 2: the same flow fills it exactly and is accepted.
    exact = parse_problem(_one_host(capacity=5, applicants=1, applicant_capacity=2))
    assert validate_flow(exact, np.array([1, 1])).all()


def test_flow_validation_checks_host_capacity_on_its_own() -> None:
    # Two applicants of capacity 1 on host h (capacity 1): applicants are within capacity.
    problem = parse_problem(_one_host(capacity=1, applicants=2))
    edges = list(zip(problem.edge_applicant.tolist(), problem.edge_host.tolist(), strict=True))
    on_h = np.array([1 if problem.host_ids[h] == "h" else 0 for _a, h in edges])
    with pytest.raises(SolverError, match="host capacity"):
        validate_flow(problem, on_h)
    one_each = np.array([1 if (problem.host_ids[h] == "h") == (a == 0) else 0 for a, h in edges])
    assert validate_flow(problem, one_each).sum() == 2  # both hosts exactly full


def test_flow_validation_refuses_a_wrong_shape_and_values_outside_zero_one() -> None:
    problem = parse_problem(_one_host(capacity=2, applicants=2))
    with pytest.raises(SolverError):
        validate_flow(problem, np.zeros(problem.n_edges - 1, dtype=np.int64))
    with pytest.raises(SolverError):
        validate_flow(problem, np.array([-1, 1, 0, 0]))
    with pytest.raises(SolverError):
        validate_flow(problem, np.array([2, 0, 0, 0]))


def _reference_tie(applicant: str, host: str, bits: int) -> int:
    """t of one pair, written from docs/matching.md: blake2b of each id, splitmix64 mix."""

    def h(value: str, person: bytes) -> int:
        digest = hashlib.blake2b(value.encode(), digest_size=8, person=person).digest()
        return int.from_bytes(digest, "little")

    x = ((h(applicant, b"gx-applicant") * 0x9E3779B97F4A7C15) & MASK64) ^ h(host, b"gx-host")
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK64
    x ^= x >> 31
    return x >> (64 - bits)


TIED = ["t-01", "t-02", "t-03", "t-04", "t-05", "t-06"]


def test_tie_break_prefers_the_largest_hash_with_a_fixed_answer() -> None:
    """Six applicants with equal scores for one seat: the pair with the largest t wins."""
    inst = {
        "applicants": [{"id": a} for a in TIED],
        "hosts": [{"id": "seat", "capacity": 1}],
        "edges": [{"applicant": a, "host": "seat", "score": 70} for a in TIED],
    }
    problem = parse_problem(inst)
    bits = optimal.tie_bits(problem)
    assert bits == optimal.MAX_TIE_BITS
    ties = {a: _reference_tie(a, "seat", bits) for a in TIED}
    expected = max(ties, key=ties.get)
    assert expected == "t-04"  # the fixed answer of the documented formula
    for solver in optimal.SOLVERS:
        assert _pairs(solve(problem, "optimal", solver=solver)) == {(expected, "seat")}
    reverse = {**inst, "applicants": list(reversed(inst["applicants"]))}
    assert _pairs(solve(parse_problem(reverse), "optimal")) == {(expected, "seat")}


def test_a_higher_score_beats_any_tie_break() -> None:
    loser = min(TIED, key=lambda a: _reference_tie(a, "seat", optimal.MAX_TIE_BITS))
    inst = {
        "applicants": [{"id": a} for a in TIED],
        "hosts": [{"id": "seat", "capacity": 1}],
        "edges": [
            {"applicant": a, "host": "seat", "score": 71 if a == loser else 70} for a in TIED
        ],
    }
    assert _pairs(solve(parse_problem(inst), "optimal")) == {(loser, "seat")}


def _components(count: int) -> dict:
    """`count` separate components: two applicants competing for one seat each."""
    applicants, hosts, edges = [], [], []
    for c in range(count):
        hosts.append({"id": f"h{c:03d}", "capacity": 1})
        for i in range(2):
            applicants.append({"id": f"a{c:03d}-{i}"})
            edges.append({"applicant": f"a{c:03d}-{i}", "host": f"h{c:03d}", "score": 40 + i})
    return {"applicants": applicants, "hosts": hosts, "edges": edges}


def test_large_multi_component_problems_are_solved_in_batches(monkeypatch) -> None:
    problem = parse_problem(_components(9))
    whole = solve(problem, "optimal").to_dict()
    assert len(optimal._batches(problem)) == 1  # below the threshold: one batch
    monkeypatch.setattr(optimal, "BATCH_EDGES", 5)  # as if 5 edges were a very large problem
    batches = optimal._batches(problem)
    sizes = [b.shape[0] for b in batches]
    assert sizes == [6, 6, 6]  # whole components (2 edges each) until at least 5 edges
    assert sorted(np.concatenate(batches).tolist()) == list(range(problem.n_edges))
    for batch in batches:
        assert batch.tolist() == sorted(batch.tolist())
        hosts = set(problem.edge_host[batch].tolist())
        assert all(
            set(problem.edge_host[problem.edge_applicant == a].tolist()) <= hosts
            for a in problem.edge_applicant[batch].tolist()
        )
    batched = solve(problem, "optimal").to_dict()
    assert batched == whole
    assert batched["matched"] == 9
    assert {a["applicant"][-1] for a in batched["assignments"]} == {"1"}  # the higher score


def test_a_single_component_is_never_split(monkeypatch) -> None:
    inst = random_instance(40, 4, 4, seed=3)  # every applicant on every host: one component
    problem = parse_problem(inst)
    monkeypatch.setattr(optimal, "BATCH_EDGES", 5)
    batches = optimal._batches(problem)
    assert len(batches) == 1 and batches[0].tolist() == list(range(problem.n_edges))


def test_an_uneven_last_batch_keeps_the_remaining_components(monkeypatch) -> None:
    problem = parse_problem(_components(4))
    monkeypatch.setattr(optimal, "BATCH_EDGES", 3)
    assert [b.shape[0] for b in optimal._batches(problem)] == [4, 4]
    monkeypatch.setattr(optimal, "BATCH_EDGES", 6)
    assert [b.shape[0] for b in optimal._batches(problem)] == [6, 2]


def test_stable_solver_alone_computes_its_preferences() -> None:
    from matching.prefs import preferences
    from matching.stable import solve_stable

    problem = parse_problem(random_instance(30, 8, 3, seed=5, max_cap=2))
    alone = solve_stable(problem)
    assert alone.tolist() == solve_stable(problem, preferences(problem)).tolist()
    assert alone.sum() == solve(problem, "stable").to_dict()["matched"] > 0


def test_stable_input_error_names_the_applicant_and_its_capacity() -> None:
    from matching import ProblemError
    from matching.stable import check_stable_input

    problem = parse_problem(
        {"applicants": [{"id": "ok"}, {"id": "twice", "capacity": 3}], "hosts": [], "edges": []}
    )
    with pytest.raises(ProblemError, match=r'"twice" has capacity 3'):
        check_stable_input(problem)


def test_stable_host_keeps_its_best_proposers_and_the_displaced_one_moves_on() -> None:
    """h2 (capacity 2) holds a0 (its first choice) and a1 (its last); a2, ranked between
    them, proposes later and displaces a1, who then takes its second choice h1. h3 sits after
    h2 so that a wrong index into the hosts' lists frees someone else."""
    inst = {
        "applicants": [{"id": f"a{i}"} for i in range(4)],
        "hosts": [
            {"id": "h1", "capacity": 1},
            {"id": "h2", "capacity": 2},
            {"id": "h3", "capacity": 1},
        ],
        "edges": [
            {"applicant": "a0", "host": "h2", "score": 90},
            {"applicant": "a1", "host": "h2", "score": 10},
            {"applicant": "a1", "host": "h1", "score": 5},
            {"applicant": "a2", "host": "h2", "score": 50},
            {"applicant": "a3", "host": "h3", "score": 30},
        ],
    }
    result = solve(parse_problem(inst), "stable").to_dict()
    assert _pairs_of(result) == {("a0", "h2"), ("a2", "h2"), ("a1", "h1"), ("a3", "h3")}
    assert result["unmatched"] == []
    assert result["blocking_pairs"] == 0


def _pairs_of(result: dict) -> set[tuple[str, str]]:
    return {(a["applicant"], a["host"]) for a in result["assignments"]}

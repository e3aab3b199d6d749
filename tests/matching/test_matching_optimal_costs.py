"""The optimal engine's integer costs and guards, each against figures computed here from the
formulas of docs/matching.md: the tie-break hash, the cost of every edge, the flow bound, the
number of tie-break bits that keeps OR-Tools inside 64-bit integers, the batches, and the
checks that refuse an OR-Tools answer that is not optimal or not consistent."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

import matching.optimal as optimal
from matching import parse_problem, solve
from matching.optimal import SolverError, solve_optimal, validate_flow
from matching.problem import Problem

MASK64 = (1 << 64) - 1


def _hash64(applicant: str, host: str) -> int:
    """The full 64-bit tie-break hash of one pair: blake2b of each id, then splitmix64."""

    def h(value: str, person: bytes) -> int:
        digest = hashlib.blake2b(value.encode(), digest_size=8, person=person).digest()
        return int.from_bytes(digest, "little")

    x = ((h(applicant, b"gx-applicant") * 0x9E3779B97F4A7C15) & MASK64) ^ h(host, b"gx-host")
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def _seat(scores: dict[str, int], capacity: int = 1) -> Problem:
    return parse_problem(
        {
            "applicants": [{"id": a} for a in scores],
            "hosts": [{"id": "seat", "capacity": capacity}, {"id": "bench", "capacity": 1}],
            "edges": [{"applicant": a, "host": "seat", "score": s} for a, s in scores.items()]
            + [{"applicant": "p-1", "host": "bench", "score": 9}],
        }
    )


SCORES = {"p-1": 70, "p-2": 70, "p-3": 55, "p-4": 100, "p-5": 0}


def _pairs(problem: Problem) -> list[tuple[str, str]]:
    return [
        (problem.applicant_ids[a], problem.host_ids[h])
        for a, h in zip(problem.edge_applicant.tolist(), problem.edge_host.tolist(), strict=True)
    ]


def test_tie_break_hash_is_the_documented_64_bit_value_of_each_pair() -> None:
    problem = _seat(SCORES)
    expected = [_hash64(a, h) for a, h in _pairs(problem)]
    assert optimal.tie_break_hash(problem).tolist() == expected
    assert len(set(expected)) == len(expected)


def test_each_edge_costs_its_score_points_then_its_tie_break() -> None:
    """cost = (100 − score)·F·T + (T − 1 − t), T = 2^bits, t the top `bits` bits of the hash."""
    for capacity in (1, 3):
        problem = _seat(SCORES, capacity)
        f, bits = optimal.flow_bound(problem), optimal.tie_bits(problem)
        assert (f, bits) == (1 + min(capacity, 5), 40)
        top = 1 << bits
        costs = optimal.edge_costs(problem)
        assert costs.dtype == np.int64  # exact integers, never floats
        expected = [
            (100 - s) * f * top + (top - 1 - (_hash64(a, h) >> (64 - bits)))
            for (a, h), s in zip(_pairs(problem), problem.edge_score.tolist(), strict=True)
        ]
        assert costs.tolist() == expected


def test_without_room_for_tie_break_bits_the_cost_is_the_score_alone(monkeypatch) -> None:
    problem = _seat(SCORES)
    monkeypatch.setattr(optimal, "tie_bits", lambda p: 0)
    f = optimal.flow_bound(problem)
    expected = [(100 - s) * f for s in problem.edge_score.tolist()]
    assert optimal.edge_costs(problem).tolist() == expected


def test_flow_bound_is_the_smaller_side_of_clipped_capacities_and_at_least_one() -> None:
    problem = parse_problem(
        {
            "applicants": [{"id": "a", "capacity": 2}, {"id": "b", "capacity": 1}],
            "hosts": [{"id": "h", "capacity": 5}, {"id": "k", "capacity": 1}],
            "edges": [
                {"applicant": "a", "host": "h", "score": 1},
                {"applicant": "b", "host": "h", "score": 1},
                {"applicant": "b", "host": "k", "score": 1},
            ],
        }
    )
    # applicants: min(2, 1 edge) + min(1, 2 edges) = 2; hosts: min(5, 2) + min(1, 1) = 3.
    assert optimal.flow_bound(problem) == 2
    one = parse_problem(
        {
            "applicants": [{"id": "a"}],
            "hosts": [{"id": "h", "capacity": 1}],
            "edges": [{"applicant": "a", "host": "h", "score": 1}],
        }
    )
    assert optimal.flow_bound(one) == 1
    closed = parse_problem(
        {
            "applicants": [{"id": "a"}],
            "hosts": [{"id": "h", "capacity": 0}],
            "edges": [{"applicant": "a", "host": "h", "score": 1}],
        }
    )
    assert optimal.flow_bound(closed) == 1  # never 0: the cost scale stays positive


def _crowd(n: int) -> Problem:
    """n applicants of capacity 1 on one host of capacity n: flow bound n, n + 1 nodes."""
    zeros = np.zeros(n, dtype=np.int64)
    return Problem(
        tuple(f"a{i:05d}" for i in range(n)),
        np.ones(n, dtype=np.int64),
        ("h",),
        np.array([n], dtype=np.int64),
        np.arange(n, dtype=np.int64),
        zeros,
        np.full(n, 50, dtype=np.int64),
        zeros,
        zeros.copy(),
    )


def _largest_bits(divisor: int, limit: int = optimal.COST_LIMIT) -> int:
    """The largest b ≤ 40 with divisor · 2^b ≤ limit."""
    b = 0
    while b < optimal.MAX_TIE_BITS and divisor << (b + 1) <= limit:
        b += 1
    return b


def test_tie_bits_are_the_most_that_keep_cost_times_nodes_within_64_bit_integers() -> None:
    """101 · F · max(F, nodes + 2) · 2^bits ≤ 2^60 (OR-Tools' overflow guard), bits as many
    as that allows up to 40 — checked for every crowd size from 1 to 2,999."""
    seen = set()
    for n in range(1, 3000):
        problem = _crowd(n)
        assert optimal.flow_bound(problem) == n
        bits = optimal.tie_bits(problem)
        assert bits == _largest_bits(101 * n * (n + 3)), n
        seen.add(bits)
    assert max(seen) == 40 and min(seen) <= 30  # both the cap and the guard were exercised


def test_a_problem_too_large_for_64_bit_costs_is_refused(monkeypatch) -> None:
    problem = _crowd(1)  # 101 · 1 · max(1, 4) = 404
    monkeypatch.setattr(optimal, "COST_LIMIT", 404)
    assert optimal.tie_bits(problem) == 0  # room for exactly one cost step: no tie-break bits
    monkeypatch.setattr(optimal, "COST_LIMIT", 403)
    with pytest.raises(SolverError, match=r"^problem too large for 64-bit integer costs$"):
        optimal.tie_bits(problem)


def _components(count: int) -> Problem:
    applicants, hosts, edges = [], [], []
    for c in range(count):
        hosts.append({"id": f"h{c}", "capacity": 1})
        for i in range(2):
            applicants.append({"id": f"a{c}-{i}"})
            edges.append({"applicant": f"a{c}-{i}", "host": f"h{c}", "score": 40 + i})
    return parse_problem({"applicants": applicants, "hosts": hosts, "edges": edges})


def test_two_large_components_go_to_two_batches(monkeypatch) -> None:
    problem = _components(2)
    monkeypatch.setattr(optimal, "BATCH_EDGES", 2)
    assert [b.tolist() for b in optimal._batches(problem)] == [[0, 1], [2, 3]]


def test_a_problem_without_edges_has_no_batches() -> None:
    problem = parse_problem(
        {
            "applicants": [{"id": "a"}, {"id": "b"}],
            "hosts": [{"id": "h", "capacity": 1}],
            "edges": [],
        }
    )
    assert optimal._batches(problem) == []


class _Tampered:
    """The real OR-Tools solver with one answer changed, as a faulty solver would give it."""

    real_class = None
    status = None
    extra_flow = 0
    bump_first_arc = False

    def __init__(self) -> None:
        self.real = type(self).real_class()
        self.OPTIMAL = self.real.OPTIMAL

    def __getattr__(self, name):
        return getattr(self.real, name)

    def solve_max_flow_with_min_cost(self):
        status = self.real.solve_max_flow_with_min_cost()
        return status if self.status is None else self.status

    def maximum_flow(self):
        return self.real.maximum_flow() + self.extra_flow

    def flows(self, arcs):
        out = np.array(self.real.flows(arcs), dtype=np.int64)
        if self.bump_first_arc:
            out[0] += 1  # source → first applicant carries one unit the edges do not
        return out


@pytest.fixture()
def tampered(monkeypatch):
    from ortools.graph.python import min_cost_flow

    class Solver(_Tampered):
        real_class = min_cost_flow.SimpleMinCostFlow

    monkeypatch.setattr(min_cost_flow, "SimpleMinCostFlow", Solver)
    return Solver


def test_an_ortools_answer_that_is_not_optimal_is_refused(tampered) -> None:
    bad = tampered.real_class.INFEASIBLE
    tampered.status = bad
    message = f"^OR-Tools min-cost flow failed with status {re.escape(str(bad))}$"
    with pytest.raises(SolverError, match=message):
        solve_optimal(_components(2))


def test_an_ortools_flow_value_that_differs_from_its_edge_flows_is_refused(tampered) -> None:
    tampered.extra_flow = 1
    with pytest.raises(SolverError, match=r"^OR-Tools flow value does not match the edge flows$"):
        solve_optimal(_components(2))


def test_an_ortools_flow_that_breaks_conservation_at_an_applicant_is_refused(tampered) -> None:
    tampered.bump_first_arc = True
    with pytest.raises(SolverError, match=r"^OR-Tools flow violates conservation at applicants$"):
        solve_optimal(_components(2))


def test_the_untampered_solver_passes_the_same_checks(tampered) -> None:
    assert solve(_components(2), "optimal").to_dict()["matched"] == 2


def test_flow_validation_names_what_was_violated() -> None:
    problem = _seat({"p-1": 50, "p-2": 50}, capacity=1)
    with pytest.raises(
        SolverError,
        match=r"^solver returned a flow outside 0/1 on an applicant–host pair$",
    ):
        validate_flow(problem, np.full(problem.n_edges, 2, dtype=np.int64))
    # p-1 on both the bench and the seat: over p-1's capacity of 1.
    over_applicant = np.array([1 if a == "p-1" else 0 for a, _h in _pairs(problem)])
    with pytest.raises(SolverError, match=r"^solver exceeded an applicant capacity$"):
        validate_flow(problem, over_applicant)
    # p-1 and p-2 both on the seat (capacity 1).
    over_host = np.array([1 if h == "seat" else 0 for _a, h in _pairs(problem)])
    with pytest.raises(SolverError, match=r"^solver exceeded a host capacity$"):
        validate_flow(problem, over_host)


def test_an_unknown_solver_is_refused_with_the_known_ones_named() -> None:
    problem = _components(1)
    with pytest.raises(
        ValueError, match=r"^unknown solver 'simplex', expected one of ortools, networkx$"
    ):
        solve_optimal(problem, "simplex")


def test_the_network_reaches_ortools_as_64_bit_integers_only(monkeypatch) -> None:
    """Costs are integers only: a float64 array would round costs above 2^53."""
    from ortools.graph.python import min_cost_flow

    seen: list[list[str]] = []
    real = min_cost_flow.SimpleMinCostFlow

    class Recording(_Tampered):
        real_class = real

        def add_arcs_with_capacity_and_unit_cost(self, tails, heads, caps, unit):
            seen.append([np.asarray(x).dtype.name for x in (tails, heads, caps, unit)])
            return self.real.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit)

    monkeypatch.setattr(min_cost_flow, "SimpleMinCostFlow", Recording)
    assert solve(_components(2), "optimal").to_dict()["matched"] == 2
    assert seen == [["int64"] * 4]


def test_the_networkx_reference_solves_one_component_at_a_time(monkeypatch) -> None:
    problem = _components(3)
    calls: list[list[int]] = []
    real = optimal.flow_network

    def spy(problem, costs=None, edges=None):
        calls.append(None if edges is None else edges.tolist())
        return real(problem, costs, edges)

    monkeypatch.setattr(optimal, "flow_network", spy)
    assert solve(problem, "optimal", solver="networkx").to_dict()["matched"] == 3
    assert calls == [[0, 1], [2, 3], [4, 5]]

"""The networkx model of a problem, checked node by node and arc by arc: the candidate graph
carries ids, capacities, scores and edge indices; components come in their documented order;
the flow network has the documented capacities and costs and can be restricted to some edges."""

from __future__ import annotations

import numpy as np

from matching import parse_problem
from matching.graph import (
    SINK,
    SOURCE,
    applicant_node,
    candidate_graph,
    component_labels,
    components,
    flow_network,
    host_node,
)

# Canonical order: applicants a(0) b(1) c(2) d(3); hosts h(0) k(1) lone(2) m(3).
# Components: {a, b, h, k}, {c, m}, {d} alone, {lone} alone.
PROBLEM = {
    "applicants": [
        {"id": "b"},
        {"id": "a", "capacity": 2},
        {"id": "d", "capacity": 0},
        {"id": "c", "capacity": 3},
    ],
    "hosts": [
        {"id": "m", "capacity": 4},
        {"id": "k", "capacity": 1},
        {"id": "h", "capacity": 2},
        {"id": "lone", "capacity": 7},
    ],
    "edges": [
        {"applicant": "b", "host": "k", "score": 35},
        {"applicant": "a", "host": "h", "score": 90},
        {"applicant": "c", "host": "m", "score": 0},
        {"applicant": "a", "host": "k", "score": 60},
    ],
}


def test_node_keys_name_the_side_and_the_canonical_index() -> None:
    assert applicant_node(3) == ("a", 3)
    assert host_node(2) == ("h", 2)


def test_candidate_graph_carries_ids_capacities_scores_and_edge_indices() -> None:
    g = candidate_graph(parse_problem(PROBLEM))
    assert dict(g.nodes(data=True)) == {
        ("a", 0): {"side": "applicant", "id": "a", "capacity": 2},
        ("a", 1): {"side": "applicant", "id": "b", "capacity": 1},
        ("a", 2): {"side": "applicant", "id": "c", "capacity": 3},
        ("a", 3): {"side": "applicant", "id": "d", "capacity": 0},
        ("h", 0): {"side": "host", "id": "h", "capacity": 2},
        ("h", 1): {"side": "host", "id": "k", "capacity": 1},
        ("h", 2): {"side": "host", "id": "lone", "capacity": 7},
        ("h", 3): {"side": "host", "id": "m", "capacity": 4},
    }
    # edges in canonical (applicant id, host id) order: a-h, a-k, b-k, c-m
    edges = {frozenset((u, v)): d for u, v, d in g.edges(data=True)}
    assert edges == {
        frozenset({("a", 0), ("h", 0)}): {"score": 90, "edge": 0},
        frozenset({("a", 0), ("h", 1)}): {"score": 60, "edge": 1},
        frozenset({("a", 1), ("h", 1)}): {"score": 35, "edge": 2},
        frozenset({("a", 2), ("h", 3)}): {"score": 0, "edge": 3},
    }


def test_components_are_sorted_by_smallest_applicant_then_smallest_host() -> None:
    # A component without applicants (the lone host) sorts first; one without hosts keeps []
    assert components(parse_problem(PROBLEM)) == [
        ([], [2]),
        ([0, 1], [0, 1]),
        ([2], [3]),
        ([3], []),
    ]
    two_lone_hosts = parse_problem(
        {
            "applicants": [],
            "hosts": [{"id": "y", "capacity": 1}, {"id": "x", "capacity": 1}],
            "edges": [],
        }
    )
    assert components(two_lone_hosts) == [([], [0]), ([], [1])]


def test_component_labels_count_and_group_applicants_then_hosts() -> None:
    count, labels = component_labels(parse_problem(PROBLEM))
    assert count == 4
    assert labels.dtype == np.int64
    a, b, c, d, h, k, lone, m = labels.tolist()
    assert a == b == h == k
    assert c == m
    assert len({a, c, d, lone}) == 4


def test_flow_network_has_capacities_unit_pairs_and_the_given_costs() -> None:
    problem = parse_problem(PROBLEM)
    costs = np.array([11, 12, 13, 14], dtype=np.int64)
    g = flow_network(problem, costs)
    arcs = {(u, v): d for u, v, d in g.edges(data=True)}
    assert arcs == {
        (SOURCE, ("a", 0)): {"capacity": 2, "weight": 0},
        (SOURCE, ("a", 1)): {"capacity": 1, "weight": 0},
        (SOURCE, ("a", 2)): {"capacity": 3, "weight": 0},
        (("h", 0), SINK): {"capacity": 2, "weight": 0},
        (("h", 1), SINK): {"capacity": 1, "weight": 0},
        (("h", 3), SINK): {"capacity": 4, "weight": 0},
        (("a", 0), ("h", 0)): {"capacity": 1, "weight": 11, "edge": 0},
        (("a", 0), ("h", 1)): {"capacity": 1, "weight": 12, "edge": 1},
        (("a", 1), ("h", 1)): {"capacity": 1, "weight": 13, "edge": 2},
        (("a", 2), ("h", 3)): {"capacity": 1, "weight": 14, "edge": 3},
    }
    assert set(g.nodes) == {SOURCE, SINK} | {u for arc in arcs for u in arc}


def test_flow_network_without_costs_weighs_nothing_and_can_keep_some_edges() -> None:
    problem = parse_problem(PROBLEM)
    g = flow_network(problem)
    assert {d["weight"] for _u, _v, d in g.edges(data=True)} == {0}
    part = flow_network(problem, None, np.array([2, 3]))
    assert set(part.edges) == set(
        [
            (SOURCE, ("a", 1)),
            (SOURCE, ("a", 2)),
            (("h", 1), SINK),
            (("h", 3), SINK),
            (("a", 1), ("h", 1)),
            (("a", 2), ("h", 3)),
        ]
    )
    empty = flow_network(parse_problem({"applicants": [], "hosts": [], "edges": []}))
    assert set(empty.nodes) == {SOURCE, SINK} and not empty.edges

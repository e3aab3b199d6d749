"""Bottleneck analysis: the reported cut is a minimum cut and names the full hosts."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from matching_reference import examples, instances

from matching import parse_problem
from matching.analysis import bottlenecks, residual_graph
from matching.graph import SINK, SOURCE, component_labels, components, flow_network


@settings(max_examples=examples(60), deadline=None)
@given(instances())
def test_cut_capacity_equals_max_flow(inst: dict) -> None:
    problem = parse_problem(inst)
    b = bottlenecks(problem)
    expected = nx.maximum_flow_value(flow_network(problem), SOURCE, SINK) if problem.n_edges else 0
    assert b.max_flow == expected
    assert b.cut_capacity == expected
    assert all(h.capacity >= 0 for h in b.hosts)


@settings(max_examples=examples(40), deadline=None)
@given(instances(max_applicants=6, max_hosts=5, max_edges=12))
def test_scipy_components_match_networkx(inst: dict) -> None:
    problem = parse_problem(inst)
    count, labels = component_labels(problem)
    comps = components(problem)
    assert count == len(comps)
    n_a = problem.n_applicants
    for apps, hosts in comps:
        nodes = [labels[a] for a in apps] + [labels[n_a + h] for h in hosts]
        assert len(set(nodes)) == 1


def test_bottleneck_names_the_contended_host_and_groups() -> None:
    inst = {
        "applicants": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}, {"id": "t4"}, {"id": "t5"}],
        "hosts": [
            {"id": "weld", "capacity": 1},
            {"id": "lathe", "capacity": 3},
            {"id": "spare", "capacity": 5},
        ],
        "edges": [
            {"applicant": "t1", "host": "weld", "score": 90},
            {"applicant": "t2", "host": "weld", "score": 80},
            {"applicant": "t3", "host": "weld", "score": 70},
            {"applicant": "t4", "host": "lathe", "score": 60},
            {"applicant": "t4", "host": "spare", "score": 10},
        ],
    }
    b = bottlenecks(parse_problem(inst), {"weld": "6-18-02-04", "lathe": "6-18-01-01"})
    assert [h.host for h in b.hosts] == ["weld"]
    assert b.hosts[0].unserved_candidates == 2
    assert [u.applicant for u in b.unserved] == ["t2", "t3"]
    assert b.unserved_demand == 2
    assert b.no_candidate_demand == 1  # t5 has no edge at all
    assert b.groups[0]["group"] == "6-18-02-04"
    assert b.to_dict()["max_flow"] == 2


# Full hosts with waiting applicants: weld (1 place, 3 candidates), weld2 (2 places, 3), lathe
# (1 place, 2), x (1 place, 2, group G-a), y (1 place, 2, no group). spare has room to spare;
# t13 wants two places and has one edge only (to spare); t12 has no edge at all.
CONTENDED = {
    "applicants": [{"id": f"t{i}"} for i in range(1, 16) if i not in (12, 13)]
    + [{"id": "t12", "capacity": 2}, {"id": "t13", "capacity": 2}],
    "hosts": [
        {"id": "weld", "capacity": 1},
        {"id": "weld2", "capacity": 2},
        {"id": "lathe", "capacity": 1},
        {"id": "x", "capacity": 1},
        {"id": "y", "capacity": 1},
        {"id": "spare", "capacity": 5},
    ],
    "edges": [
        {"applicant": a, "host": h, "score": s}
        for a, h, s in [
            ("t1", "weld", 90),
            ("t2", "weld", 80),
            ("t3", "weld", 70),
            ("t4", "weld2", 50),
            ("t5", "weld2", 40),
            ("t6", "weld2", 30),
            ("t7", "lathe", 60),
            ("t8", "lathe", 20),
            ("t9", "x", 55),
            ("t10", "x", 45),
            ("t11", "spare", 10),
            ("t13", "spare", 10),
            ("t14", "y", 50),
            ("t15", "y", 40),
        ]
    ],
}
GROUPS = {"weld": "G-weld", "weld2": "G-weld", "lathe": "G-lathe", "x": "G-a", "spare": "G-z"}


def test_bottlenecks_report_every_full_host_its_waiting_applicants_and_groups() -> None:
    """The minimum cut holds exactly the full hosts reachable from unmet demand; groups add up
    their hosts, places and waiting candidates, most waiting first, then by name."""
    assert bottlenecks(parse_problem(CONTENDED), GROUPS).to_dict() == {
        "max_flow": 8,
        "cut_capacity": 8,
        "unserved_demand": 7,
        "no_candidate_demand": 2,
        "hosts": [
            {"host": "lathe", "capacity": 1, "unserved_candidates": 1, "group": "G-lathe"},
            {"host": "weld", "capacity": 1, "unserved_candidates": 2, "group": "G-weld"},
            {"host": "weld2", "capacity": 2, "unserved_candidates": 1, "group": "G-weld"},
            {"host": "x", "capacity": 1, "unserved_candidates": 1, "group": "G-a"},
            {"host": "y", "capacity": 1, "unserved_candidates": 1, "group": None},
        ],
        "unserved": [
            {"applicant": a, "missing": 1} for a in ("t10", "t13", "t15", "t2", "t3", "t6", "t8")
        ],
        "groups": [
            {"group": "G-weld", "hosts": 2, "capacity": 3, "unserved_candidates": 3},
            {"group": "G-a", "hosts": 1, "capacity": 1, "unserved_candidates": 1},
            {"group": "G-lathe", "hosts": 1, "capacity": 1, "unserved_candidates": 1},
        ],
    }


def test_without_groups_the_hosts_carry_none_and_no_group_is_listed() -> None:
    b = bottlenecks(parse_problem(CONTENDED))
    assert [h.group for h in b.hosts] == [None] * 5
    assert b.groups == ()


def test_a_problem_where_everyone_is_served_has_no_bottleneck() -> None:
    inst = {
        "applicants": [{"id": "a"}, {"id": "b"}],
        "hosts": [{"id": "h", "capacity": 2}],
        "edges": [{"applicant": a, "host": "h", "score": 5} for a in ("a", "b")],
    }
    b = bottlenecks(parse_problem(inst), {"h": "G"})
    assert (b.max_flow, b.cut_capacity, b.unserved_demand, b.hosts, b.groups) == (2, 2, 0, (), ())


def test_the_residual_network_has_spare_source_arcs_and_reversed_matched_pairs() -> None:
    inst = {
        "applicants": [{"id": "a", "capacity": 2}, {"id": "b"}],
        "hosts": [{"id": "h", "capacity": 1}, {"id": "k", "capacity": 1}],
        "edges": [
            {"applicant": "a", "host": "h", "score": 5},
            {"applicant": "a", "host": "k", "score": 5},
            {"applicant": "b", "host": "k", "score": 5},
        ],
    }
    problem = parse_problem(inst)  # edges: a-h, a-k, b-k
    g = residual_graph(problem, np.array([True, False, True]))
    assert set(g.edges) == {
        (SOURCE, ("a", 0)),  # a holds 1 of its 2 places
        (("h", 0), ("a", 0)),  # matched a-h, reversed
        (("a", 0), ("h", 1)),  # unmatched a-k, forward
        (("h", 1), ("a", 1)),  # matched b-k, reversed
    }


def test_a_host_without_a_group_does_not_hide_the_groups_after_it() -> None:
    groups = {h: g for h, g in GROUPS.items() if h != "lathe"}  # lathe, the first host: none
    b = bottlenecks(parse_problem(CONTENDED), groups)
    assert b.hosts[0].host == "lathe" and b.hosts[0].group is None
    assert [g["group"] for g in b.groups] == ["G-weld", "G-a"]


def test_a_full_host_reached_only_through_another_applicants_move_is_a_bottleneck() -> None:
    """q waits for h1; h1's p could move to h2, which r fills: h2 is in the cut too, with no
    waiting applicant of its own (and it is the last host, so the count must cover it)."""
    inst = {
        "applicants": [{"id": "p"}, {"id": "q"}, {"id": "r"}],
        "hosts": [{"id": "h1", "capacity": 1}, {"id": "h2", "capacity": 1}],
        "edges": [
            {"applicant": "p", "host": "h1", "score": 90},
            {"applicant": "p", "host": "h2", "score": 10},
            {"applicant": "q", "host": "h1", "score": 50},
            {"applicant": "r", "host": "h2", "score": 90},
        ],
    }
    b = bottlenecks(parse_problem(inst)).to_dict()
    assert b["hosts"] == [
        {"host": "h1", "capacity": 1, "unserved_candidates": 1, "group": None},
        {"host": "h2", "capacity": 1, "unserved_candidates": 0, "group": None},
    ]
    assert b["unserved"] == [{"applicant": "q", "missing": 1}]
    assert (b["max_flow"], b["cut_capacity"]) == (2, 2)


@settings(max_examples=examples(60), deadline=None)
@given(instances())
def test_sparse_source_side_matches_the_residual_graph(inst: dict) -> None:
    from matching.analysis import residual_graph, source_side
    from matching.optimal import solve_optimal

    problem = parse_problem(inst)
    matched = solve_optimal(problem)
    g = residual_graph(problem, matched)
    side = nx.descendants(g, SOURCE) if SOURCE in g else set()
    apps, hosts = source_side(problem, matched)
    assert apps.tolist() == sorted(i for kind, i in side if kind == "a")
    assert hosts.tolist() == sorted(j for kind, j in side if kind == "h")
    assert bottlenecks(problem, matched=matched) == bottlenecks(problem)

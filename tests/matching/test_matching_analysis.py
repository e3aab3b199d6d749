"""Bottleneck analysis: the reported cut is a minimum cut and names the full hosts."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from matching_reference import examples, instances

from matching import parse_problem
from matching.analysis import bottlenecks
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

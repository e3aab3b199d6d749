"""Bottleneck analysis: the minimum cut of the flow network, for administrators.

After a maximum flow, the applicants that still have unmet demand and everything reachable from
them in the residual network form the source side S of the (unique, minimal) minimum cut. Every
host in S is full; adding a place to any of them would serve one more unit, while extra places
at any host outside S would not help. Those hosts (and their groups, e.g. occupations) are the
bottleneck.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from matching.graph import SOURCE, applicant_node, host_node
from matching.optimal import solve_optimal
from matching.problem import Problem


@dataclass(frozen=True)
class BottleneckHost:
    """A full host on the source side of the minimum cut."""

    host: str
    capacity: int
    unserved_candidates: int  # unserved applicants with a direct edge to this host
    group: str | None


@dataclass(frozen=True)
class Unserved:
    """An applicant with unmet demand that only bottleneck hosts could serve."""

    applicant: str
    missing: int


@dataclass(frozen=True)
class Bottlenecks:
    """Result of bottlenecks(); lists sorted by ids (groups by unserved demand, then name)."""

    max_flow: int
    cut_capacity: int
    unserved_demand: int
    no_candidate_demand: int
    hosts: tuple[BottleneckHost, ...]
    unserved: tuple[Unserved, ...]
    groups: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "max_flow": self.max_flow,
            "cut_capacity": self.cut_capacity,
            "unserved_demand": self.unserved_demand,
            "no_candidate_demand": self.no_candidate_demand,
            "hosts": [h.__dict__ for h in self.hosts],
            "unserved": [u.__dict__ for u in self.unserved],
            "groups": list(self.groups),
        }


def residual_graph(problem: Problem, matched: np.ndarray) -> nx.DiGraph:
    """Residual network (arcs with spare capacity) of a flow given as a matched-edge mask."""
    p = problem
    g = nx.DiGraph()
    got = np.bincount(p.edge_applicant[matched], minlength=p.n_applicants)
    for a in np.flatnonzero(got < p.applicant_capacity).tolist():
        g.add_edge(SOURCE, applicant_node(a))
    rows = zip(p.edge_applicant.tolist(), p.edge_host.tolist(), matched.tolist(), strict=True)
    for a, h, m in rows:
        if m:
            g.add_edge(host_node(h), applicant_node(a))
        else:
            g.add_edge(applicant_node(a), host_node(h))
    return g


def source_side(problem: Problem, matched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Applicant and host indices reachable from the source in the residual network (the
    nodes `nx.descendants(residual_graph(...), SOURCE)` gives), by a sparse breadth-first
    search: node 0 is the source, then applicants, then hosts."""
    p = problem
    n_a = p.n_applicants
    got = np.bincount(p.edge_applicant[matched], minlength=n_a)
    open_apps = np.flatnonzero(got < p.applicant_capacity)
    if open_apps.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a_node = p.edge_applicant + 1
    h_node = p.edge_host + 1 + n_a
    tails = np.concatenate(
        [np.zeros(open_apps.shape[0], dtype=np.int64), np.where(matched, h_node, a_node)]
    )
    heads = np.concatenate([open_apps + 1, np.where(matched, a_node, h_node)])
    size = 1 + n_a + p.n_hosts
    graph = csr_matrix((np.ones(tails.shape[0], dtype=np.int8), (tails, heads)), shape=(size, size))
    order = breadth_first_order(graph, 0, directed=True, return_predecessors=False)
    reached = order[order > 0] - 1
    return np.sort(reached[reached < n_a]), np.sort(reached[reached >= n_a] - n_a)


def bottlenecks(
    problem: Problem,
    host_groups: Mapping[str, str] | None = None,
    matched: np.ndarray | None = None,
) -> Bottlenecks:
    """Minimum-cut bottleneck hosts and unserved demand; raises SolverError on solver failure.

    `matched` (optional) is `solve_optimal(problem)`'s mask when the caller has it already.
    """
    p = problem
    matched = solve_optimal(p) if matched is None else matched
    apps_in, hosts_in = (x.tolist() for x in source_side(p, matched))
    got = np.bincount(p.edge_applicant[matched], minlength=p.n_applicants)
    degree = np.bincount(p.edge_applicant, minlength=p.n_applicants)
    missing = np.maximum(p.applicant_capacity - got, 0)
    unserved_mask = (missing > 0) & (degree > 0)
    direct = np.bincount(p.edge_host[unserved_mask[p.edge_applicant]], minlength=p.n_hosts)
    groups = host_groups or {}
    hosts = tuple(
        BottleneckHost(
            p.host_ids[j], int(p.host_capacity[j]), int(direct[j]), groups.get(p.host_ids[j])
        )
        for j in hosts_in
    )
    in_s = np.zeros(p.n_applicants, dtype=bool)
    in_s[apps_in] = True
    h_in = np.zeros(p.n_hosts, dtype=bool)
    h_in[hosts_in] = True
    crossing = matched & in_s[p.edge_applicant] & ~h_in[p.edge_host]
    cut = int(p.applicant_capacity[~in_s].sum() + p.host_capacity[h_in].sum() + crossing.sum())
    return Bottlenecks(
        max_flow=int(matched.sum()),
        cut_capacity=cut,
        unserved_demand=int(missing[unserved_mask].sum()),
        no_candidate_demand=int(missing[degree == 0].sum()),
        hosts=hosts,
        unserved=tuple(
            Unserved(p.applicant_ids[i], int(missing[i]))
            for i in np.flatnonzero(unserved_mask).tolist()
        ),
        groups=_group_summary(hosts),
    )


def _group_summary(hosts: tuple[BottleneckHost, ...]) -> tuple[dict[str, Any], ...]:
    """Bottleneck hosts aggregated by group (e.g. occupation), most unserved demand first."""
    agg: dict[str, dict[str, Any]] = {}
    for h in hosts:
        if h.group is None:
            continue
        row = agg.setdefault(
            h.group, {"group": h.group, "hosts": 0, "capacity": 0, "unserved_candidates": 0}
        )
        row["hosts"] += 1
        row["capacity"] += h.capacity
        row["unserved_candidates"] += h.unserved_candidates
    return tuple(sorted(agg.values(), key=lambda r: (-r["unserved_candidates"], r["group"])))

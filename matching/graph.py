"""networkx model of a problem: candidate graph, flow network and connected components."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.problem import Problem

if TYPE_CHECKING:  # networkx is imported lazily: the fast solve path does not need it
    import networkx as nx

SOURCE = "source"
SINK = "sink"


def applicant_node(i: int) -> tuple[str, int]:
    """Node key of the applicant with canonical index i."""
    return ("a", i)


def host_node(j: int) -> tuple[str, int]:
    """Node key of the host with canonical index j."""
    return ("h", j)


def candidate_graph(problem: Problem) -> nx.Graph:
    """Bipartite candidate graph: nodes carry id/capacity, edges carry score and edge index."""
    import networkx as nx

    g = nx.Graph()
    for i, (aid, cap) in enumerate(
        zip(problem.applicant_ids, problem.applicant_capacity.tolist(), strict=True)
    ):
        g.add_node(applicant_node(i), side="applicant", id=aid, capacity=cap)
    for j, (hid, cap) in enumerate(
        zip(problem.host_ids, problem.host_capacity.tolist(), strict=True)
    ):
        g.add_node(host_node(j), side="host", id=hid, capacity=cap)
    rows = zip(
        problem.edge_applicant.tolist(),
        problem.edge_host.tolist(),
        problem.edge_score.tolist(),
        strict=True,
    )
    for e, (a, h, s) in enumerate(rows):
        g.add_edge(applicant_node(a), host_node(h), score=s, edge=e)
    return g


def components(problem: Problem) -> list[tuple[list[int], list[int]]]:
    """Connected components of the candidate graph (networkx) as sorted index lists.

    Components are ordered by their smallest applicant index, then smallest host index.
    """
    import networkx as nx

    out = []
    for comp in nx.connected_components(candidate_graph(problem)):
        apps = sorted(i for side, i in comp if side == "a")
        hosts = sorted(j for side, j in comp if side == "h")
        out.append((apps, hosts))
    out.sort(key=lambda c: (c[0][:1] or [-1], c[1][:1] or [-1]))
    return out


def component_labels(problem: Problem) -> tuple[int, np.ndarray]:
    """Fast (scipy) component label per applicant then host; same partition as components()."""
    n_a, n_h = problem.n_applicants, problem.n_hosts
    n = n_a + n_h
    data = np.ones(problem.n_edges, dtype=np.int8)
    adj = coo_matrix((data, (problem.edge_applicant, problem.edge_host + n_a)), shape=(n, n))
    count, labels = connected_components(adj.tocsr(), directed=False)
    return int(count), labels.astype(np.int64)


def flow_network(
    problem: Problem, costs: np.ndarray | None = None, edges: np.ndarray | None = None
) -> nx.DiGraph:
    """Flow network source→applicant→host→sink; `edges` restricts to a subset of edge indices."""
    import networkx as nx

    p = problem
    edges = np.arange(p.n_edges) if edges is None else edges
    g = nx.DiGraph()
    g.add_node(SOURCE)
    g.add_node(SINK)
    a_set = sorted(set(p.edge_applicant[edges].tolist()))
    h_set = sorted(set(p.edge_host[edges].tolist()))
    for a in a_set:
        g.add_edge(SOURCE, applicant_node(a), capacity=int(p.applicant_capacity[a]), weight=0)
    for h in h_set:
        g.add_edge(host_node(h), SINK, capacity=int(p.host_capacity[h]), weight=0)
    for e in edges.tolist():
        w = 0 if costs is None else int(costs[e])
        g.add_edge(
            applicant_node(int(p.edge_applicant[e])),
            host_node(int(p.edge_host[e])),
            capacity=1,
            weight=w,
            edge=e,
        )
    return g

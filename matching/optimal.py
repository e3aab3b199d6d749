"""Exact optimal mode: maximum matched units, then maximum total score, unique tie-break.

The objective lives entirely in one integer cost per edge (min-cost max-flow):

    cost = (100 - score) * S + (T - 1 - t)      with S = F * T

F bounds the flow value, t in [0, T) is a hash of the two ids. Among maximum flows, a higher
total score always wins (one score point is worth S, more than any tie-break sum), and among
equal totals the largest tie-break sum wins, which makes the optimum unique with probability
at least 1 - edges / T (isolation lemma), independently of the input order or solver.
"""

from __future__ import annotations

import hashlib

import numpy as np

from matching.graph import SINK, SOURCE, component_labels, components, flow_network
from matching.problem import Problem

BATCH_EDGES = 250_000
MAX_TIE_BITS = 40
COST_LIMIT = 1 << 60  # OR-Tools refuses max_cost * ~3 * (nodes + 1) >= 2**63
SOLVERS = ("ortools", "networkx")


class SolverError(RuntimeError):
    """A solver failed or returned an infeasible flow."""


def _id_hashes(ids: tuple[str, ...], salt: bytes) -> np.ndarray:
    """64-bit hash per id (blake2b), independent of everything else in the problem."""
    out = np.empty(len(ids), dtype=np.uint64)
    for i, v in enumerate(ids):
        digest = hashlib.blake2b(v.encode("utf-8"), digest_size=8, person=salt).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def tie_break_hash(problem: Problem) -> np.ndarray:
    """Per edge a 64-bit pseudo-random value derived only from the two ids."""
    ha = _id_hashes(problem.applicant_ids, b"gx-applicant")
    hh = _id_hashes(problem.host_ids, b"gx-host")
    with np.errstate(over="ignore"):
        return _mix(
            ha[problem.edge_applicant] * np.uint64(0x9E3779B97F4A7C15) ^ hh[problem.edge_host]
        )


def flow_bound(problem: Problem) -> int:
    """Upper bound on the flow value: min of clipped capacities on each side (at least 1)."""
    p = problem
    deg_a = np.bincount(p.edge_applicant, minlength=p.n_applicants)
    deg_h = np.bincount(p.edge_host, minlength=p.n_hosts)
    a = int(np.minimum(p.applicant_capacity, deg_a).sum())
    h = int(np.minimum(p.host_capacity, deg_h).sum())
    return max(1, min(a, h))


def tie_bits(problem: Problem) -> int:
    """Tie-break bits so that cost * nodes and cost * flow stay below 2**60; raises SolverError."""
    f = flow_bound(problem)
    room = COST_LIMIT // (101 * f * max(f, problem.n_applicants + problem.n_hosts + 2))
    if room < 1:
        raise SolverError("problem too large for 64-bit integer costs")
    return min(MAX_TIE_BITS, room.bit_length() - 1)


def edge_costs(problem: Problem) -> np.ndarray:
    """Integer cost per edge encoding (score, tie-break) lexicographically; see module doc."""
    bits = tie_bits(problem)
    t = (tie_break_hash(problem) >> np.uint64(64 - bits)).astype(np.int64) if bits else 0
    top = 1 << bits
    scale = flow_bound(problem) * top
    return (100 - problem.edge_score) * scale + (top - 1 - t)


def _ortools_batch(problem: Problem, costs: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Solve max-flow min-cost on the sub-network of `edges` with OR-Tools; return edge flows."""
    from ortools.graph.python import min_cost_flow

    p = problem
    ea, eh = p.edge_applicant[edges], p.edge_host[edges]
    apps, a_loc = np.unique(ea, return_inverse=True)
    hosts, h_loc = np.unique(eh, return_inverse=True)
    n_a, n_h, n_e = apps.shape[0], hosts.shape[0], edges.shape[0]
    a_cap = np.minimum(p.applicant_capacity[apps], np.bincount(a_loc, minlength=n_a))
    h_cap = np.minimum(p.host_capacity[hosts], np.bincount(h_loc, minlength=n_h))
    supply = int(min(a_cap.sum(), h_cap.sum()))
    if supply == 0:
        return np.zeros(n_e, dtype=np.int64)
    src, snk = 0, 1
    tails = np.concatenate([np.zeros(n_a, np.int64), a_loc + 2, np.arange(n_h) + 2 + n_a])
    heads = np.concatenate([np.arange(n_a) + 2, h_loc + 2 + n_a, np.ones(n_h, np.int64)])
    caps = np.concatenate([a_cap, np.ones(n_e, np.int64), h_cap]).astype(np.int64)
    unit = np.concatenate([np.zeros(n_a, np.int64), costs[edges], np.zeros(n_h, np.int64)])
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit)
    mcf.set_node_supply(src, supply)
    mcf.set_node_supply(snk, -supply)
    status = mcf.solve_max_flow_with_min_cost()
    if status != mcf.OPTIMAL:
        raise SolverError(f"OR-Tools min-cost flow failed with status {status}")
    flows = np.asarray(mcf.flows(np.arange(n_a + n_e + n_h, dtype=np.int64)), dtype=np.int64)
    edge_flow = flows[n_a : n_a + n_e]
    if int(edge_flow.sum()) != int(mcf.maximum_flow()):
        raise SolverError("OR-Tools flow value does not match the edge flows")
    if not np.array_equal(flows[:n_a], np.bincount(a_loc, weights=edge_flow, minlength=n_a)):
        raise SolverError("OR-Tools flow violates conservation at applicants")
    return edge_flow


def _batches(problem: Problem) -> list[np.ndarray]:
    """Edge index groups, whole connected components per group, in canonical order."""
    count, labels = component_labels(problem)
    if count <= 1 or problem.n_edges <= BATCH_EDGES:
        return [np.arange(problem.n_edges)] if problem.n_edges else []
    edge_label = labels[problem.edge_applicant]
    order = np.argsort(edge_label, kind="stable")
    bounds = np.flatnonzero(np.diff(edge_label[order])) + 1
    groups = np.split(order, bounds)
    batches: list[np.ndarray] = []
    current: list[np.ndarray] = []
    size = 0
    for g in groups:
        current.append(g)
        size += g.shape[0]
        if size >= BATCH_EDGES:
            batches.append(np.sort(np.concatenate(current)))
            current, size = [], 0
    if current:
        batches.append(np.sort(np.concatenate(current)))
    return batches


def _solve_ortools(problem: Problem, costs: np.ndarray) -> np.ndarray:
    """Edge flows from OR-Tools, components batched into independent sub-networks."""
    flow = np.zeros(problem.n_edges, dtype=np.int64)
    for edges in _batches(problem):
        flow[edges] = _ortools_batch(problem, costs, edges)
    return flow


def _solve_networkx(problem: Problem, costs: np.ndarray) -> np.ndarray:
    """Edge flows from networkx max_flow_min_cost, one connected component at a time."""
    import networkx as nx

    flow = np.zeros(problem.n_edges, dtype=np.int64)
    comp_of_app = {}
    for k, (apps, _hosts) in enumerate(components(problem)):
        for a in apps:
            comp_of_app[a] = k
    by_comp: dict[int, list[int]] = {}
    for e, a in enumerate(problem.edge_applicant.tolist()):
        by_comp.setdefault(comp_of_app[a], []).append(e)
    for k in sorted(by_comp):
        g = flow_network(problem, costs, np.array(by_comp[k], dtype=np.int64))
        flow_dict = nx.max_flow_min_cost(g, SOURCE, SINK, capacity="capacity", weight="weight")
        for u, v, data in g.edges(data=True):
            if "edge" in data:
                flow[data["edge"]] = flow_dict[u][v]
    return flow


def validate_flow(problem: Problem, flow: np.ndarray) -> np.ndarray:
    """Check edge flows are 0/1 and respect both capacities; return the matched mask.

    Raises SolverError when the flow is infeasible.
    """
    p = problem
    if flow.shape != (p.n_edges,) or (p.n_edges and (flow.min() < 0 or flow.max() > 1)):
        raise SolverError("solver returned a flow outside 0/1 on an applicant–host pair")
    matched = flow == 1
    if np.any(
        np.bincount(p.edge_applicant[matched], minlength=p.n_applicants) > p.applicant_capacity
    ):
        raise SolverError("solver exceeded an applicant capacity")
    if np.any(np.bincount(p.edge_host[matched], minlength=p.n_hosts) > p.host_capacity):
        raise SolverError("solver exceeded a host capacity")
    return matched


def solve_optimal(problem: Problem, solver: str = "ortools") -> np.ndarray:
    """Exact optimal matching as a boolean edge mask; raises SolverError or ValueError."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}, expected one of {', '.join(SOLVERS)}")
    if problem.n_edges == 0:
        return np.zeros(0, dtype=bool)
    costs = edge_costs(problem)
    engine = _solve_ortools if solver == "ortools" else _solve_networkx
    flow = engine(problem, costs)
    return validate_flow(problem, flow)

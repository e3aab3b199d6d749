"""Reference process for the benchmark: read a problem JSON, OR-Tools max-flow min-cost.

Deliberately minimal and independent of the matching package: orjson + numpy + OR-Tools.
Prints {"matched", "total_score"}.
"""

from __future__ import annotations

import sys

import numpy as np
import orjson
from ortools.graph.python import min_cost_flow


def main(path: str) -> None:
    """Solve the file at `path` and print matched / total score."""
    with open(path, "rb") as fh:
        data = orjson.loads(fh.read())
    a_ix = {a["id"]: i for i, a in enumerate(data["applicants"])}
    h_ix = {h["id"]: i for i, h in enumerate(data["hosts"])}
    edges = data["edges"]
    n_a, n_h, n_e = len(a_ix), len(h_ix), len(edges)
    ea = np.array([a_ix[e["applicant"]] for e in edges], dtype=np.int64)
    eh = np.array([h_ix[e["host"]] for e in edges], dtype=np.int64)
    sc = np.array([e["score"] for e in edges], dtype=np.int64)
    a_cap = np.array([a.get("capacity", 1) for a in data["applicants"]], dtype=np.int64)
    h_cap = np.array([h["capacity"] for h in data["hosts"]], dtype=np.int64)
    src, snk = n_a + n_h, n_a + n_h + 1
    tails = np.concatenate([np.full(n_a, src), ea, np.arange(n_h) + n_a])
    heads = np.concatenate([np.arange(n_a), eh + n_a, np.full(n_h, snk)])
    caps = np.concatenate([a_cap, np.ones(n_e, np.int64), h_cap])
    costs = np.concatenate([np.zeros(n_a, np.int64), 100 - sc, np.zeros(n_h, np.int64)])
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = int(min(a_cap.sum(), h_cap.sum()))
    mcf.set_node_supply(src, supply)
    mcf.set_node_supply(snk, -supply)
    status = mcf.solve_max_flow_with_min_cost()
    if status != mcf.OPTIMAL:
        raise SystemExit(f"status {status}")
    flow = np.asarray(mcf.flows(np.arange(n_a, n_a + n_e)))
    out = {"matched": int(flow.sum()), "total_score": int((flow * sc).sum())}
    sys.stdout.buffer.write(orjson.dumps(out) + b"\n")


if __name__ == "__main__":
    main(sys.argv[1])

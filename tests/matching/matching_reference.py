"""Independent brute-force references and instance strategies for the matcher tests."""

from __future__ import annotations

import itertools
import os
import random
from typing import Any

from hypothesis import strategies as st

Instance = dict[str, Any]


def examples(n: int) -> int:
    """Hypothesis examples for a property test: n, scaled by MATCHING_EXAMPLES_PERCENT (mutation
    runs use fewer examples per mutant; the normal suite runs all n)."""
    percent = int(os.environ.get("MATCHING_EXAMPLES_PERCENT", "100"))
    return max(10, n * percent // 100)


@st.composite
def instances(
    draw: st.DrawFn,
    max_applicants: int = 5,
    max_hosts: int = 4,
    max_edges: int = 9,
    applicant_cap: int = 2,
    ranks: bool = True,
) -> Instance:
    """Small random instances with many score ties and optional explicit ranks."""
    n_a = draw(st.integers(0, max_applicants))
    n_h = draw(st.integers(0, max_hosts))
    apps = [{"id": f"a{i}", "capacity": draw(st.integers(0, applicant_cap))} for i in range(n_a)]
    hosts = [{"id": f"h{j}", "capacity": draw(st.integers(0, 3))} for j in range(n_h)]
    pairs = [(i, j) for i in range(n_a) for j in range(n_h)]
    chosen = (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=max_edges)) if pairs else []
    )
    edges = []
    for i, j in chosen:
        e: dict[str, Any] = {
            "applicant": f"a{i}",
            "host": f"h{j}",
            "score": draw(st.sampled_from([0, 7, 50, 50, 100])),
        }
        if ranks and draw(st.booleans()):
            e["applicant_rank"] = draw(st.integers(1, 3))
        if ranks and draw(st.booleans()):
            e["host_rank"] = draw(st.integers(1, 3))
        edges.append(e)
    return {"applicants": apps, "hosts": hosts, "edges": edges}


def feasible_matchings(inst: Instance) -> list[tuple[int, ...]]:
    """All edge subsets (as index tuples) respecting both capacities."""
    a_cap = {a["id"]: a.get("capacity", 1) for a in inst["applicants"]}
    h_cap = {h["id"]: h["capacity"] for h in inst["hosts"]}
    edges = inst["edges"]
    out = []
    for mask in itertools.product((0, 1), repeat=len(edges)):
        chosen = tuple(k for k, m in enumerate(mask) if m)
        ca: dict[str, int] = {}
        ch: dict[str, int] = {}
        for k in chosen:
            ca[edges[k]["applicant"]] = ca.get(edges[k]["applicant"], 0) + 1
            ch[edges[k]["host"]] = ch.get(edges[k]["host"], 0) + 1
        if all(v <= a_cap[x] for x, v in ca.items()) and all(v <= h_cap[x] for x, v in ch.items()):
            out.append(chosen)
    return out


def brute_optimum(inst: Instance) -> tuple[int, int]:
    """(max matched, then max total score) by enumeration."""
    edges = inst["edges"]
    return max((len(m), sum(edges[k]["score"] for k in m)) for m in feasible_matchings(inst))


def pref_key(edge: dict[str, Any], side: str) -> tuple[int, int, str]:
    """Sort key of an edge in `side`'s list: explicit rank first, then score desc, then id."""
    rank = edge.get(f"{side}_rank")
    other = edge["host"] if side == "applicant" else edge["applicant"]
    return (0, rank, other) if rank is not None else (1, -edge["score"], other)


def blocking_pairs(inst: Instance, chosen: tuple[int, ...]) -> int:
    """Count edges blocking a matching (generalised to capacities), written independently."""
    edges = inst["edges"]
    cap = {("applicant", a["id"]): a.get("capacity", 1) for a in inst["applicants"]}
    cap.update({("host", h["id"]): h["capacity"] for h in inst["hosts"]})
    held: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for k in chosen:
        for side in ("applicant", "host"):
            held.setdefault((side, edges[k][side]), []).append(edges[k])

    def wants(side: str, e: dict[str, Any]) -> bool:
        node = (side, e[side])
        mine = held.get(node, [])
        if len(mine) < cap[node]:
            return True
        return any(pref_key(e, side) < pref_key(m, side) for m in mine)

    return sum(
        1
        for k, e in enumerate(edges)
        if k not in chosen and wants("applicant", e) and wants("host", e)
    )


def brute_applicant_optimal_stable(inst: Instance) -> set[tuple[str, str]]:
    """The stable matching every applicant weakly prefers to every other stable one."""
    edges = inst["edges"]
    stable = [m for m in feasible_matchings(inst) if blocking_pairs(inst, m) == 0]
    assert stable, "a stable matching always exists"

    def partner_key(m: tuple[int, ...], a: str) -> tuple[Any, ...]:
        mine = [edges[k] for k in m if edges[k]["applicant"] == a]
        return pref_key(mine[0], "applicant") if mine else (2,)

    apps = [a["id"] for a in inst["applicants"]]
    best = [
        m
        for m in stable
        if all(partner_key(m, a) <= partner_key(o, a) for o in stable for a in apps)
    ]
    assert len(best) == 1
    return {(edges[k]["applicant"], edges[k]["host"]) for k in best[0]}


def shuffled(inst: Instance, seed: int) -> Instance:
    """The same instance with applicants, hosts and edges (and keys) in another order."""
    rng = random.Random(seed)
    out = {}
    for key in ("edges", "hosts", "applicants"):
        items = [dict(reversed(list(x.items()))) for x in inst[key]]
        rng.shuffle(items)
        out[key] = items
    return out


def random_instance(n_a: int, n_h: int, degree: int, seed: int, max_cap: int = 4) -> Instance:
    """A seeded random instance with integer scores and host capacities 0..max_cap."""
    rng = random.Random(seed)
    edges = []
    for i in range(n_a):
        for j in rng.sample(range(n_h), min(degree, n_h)):
            edges.append(
                {"applicant": f"a{i:05d}", "host": f"h{j:05d}", "score": rng.randint(0, 100)}
            )
    return {
        "applicants": [{"id": f"a{i:05d}", "capacity": 1} for i in range(n_a)],
        "hosts": [{"id": f"h{j:05d}", "capacity": rng.randint(0, max_cap)} for j in range(n_h)],
        "edges": edges,
    }

"""Problem model: parsing and validation of the matcher input (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_SCORE = 100
MAX_CAPACITY = 1_000_000_000
MAX_RANK = 1_000_000_000


class ProblemError(ValueError):
    """Invalid matcher input; the message is one human-readable line."""


@dataclass(frozen=True)
class Applicant:
    """One applicant (a school major or a teacher) wanting up to `capacity` hosts."""

    id: str
    capacity: int = 1


@dataclass(frozen=True)
class Host:
    """One host (workshop, training station, master studio) with `capacity` places."""

    id: str
    capacity: int


@dataclass(frozen=True)
class Edge:
    """An allowed applicant–host pair with an integer score 0–100 and optional ranks."""

    applicant: str
    host: str
    score: int
    applicant_rank: int | None = None
    host_rank: int | None = None


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated, canonical problem: ids sorted, edges sorted by (applicant, host).

    Edge arrays hold indices into `applicant_ids` / `host_ids`; ranks are 0 where absent.
    """

    applicant_ids: tuple[str, ...]
    applicant_capacity: np.ndarray
    host_ids: tuple[str, ...]
    host_capacity: np.ndarray
    edge_applicant: np.ndarray
    edge_host: np.ndarray
    edge_score: np.ndarray
    edge_applicant_rank: np.ndarray
    edge_host_rank: np.ndarray

    @property
    def n_applicants(self) -> int:
        """Number of applicants."""
        return len(self.applicant_ids)

    @property
    def n_hosts(self) -> int:
        """Number of hosts."""
        return len(self.host_ids)

    @property
    def n_edges(self) -> int:
        """Number of candidate edges."""
        return int(self.edge_applicant.shape[0])

    def applicants(self) -> list[Applicant]:
        """Applicants in canonical (id) order."""
        caps = self.applicant_capacity.tolist()
        return [Applicant(i, c) for i, c in zip(self.applicant_ids, caps, strict=True)]

    def hosts(self) -> list[Host]:
        """Hosts in canonical (id) order."""
        caps = self.host_capacity.tolist()
        return [Host(i, c) for i, c in zip(self.host_ids, caps, strict=True)]

    def edges(self) -> list[Edge]:
        """Edges in canonical (applicant id, host id) order."""
        a_ids, h_ids = self.applicant_ids, self.host_ids
        rows = zip(
            self.edge_applicant.tolist(),
            self.edge_host.tolist(),
            self.edge_score.tolist(),
            self.edge_applicant_rank.tolist(),
            self.edge_host_rank.tolist(),
            strict=True,
        )
        return [Edge(a_ids[a], h_ids[h], s, ar or None, hr or None) for a, h, s, ar, hr in rows]

    def to_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict in the DESIGN §5 input format."""
        edges: list[dict[str, Any]] = []
        for e in self.edges():
            d: dict[str, Any] = {"applicant": e.applicant, "host": e.host, "score": e.score}
            if e.applicant_rank is not None:
                d["applicant_rank"] = e.applicant_rank
            if e.host_rank is not None:
                d["host_rank"] = e.host_rank
            edges.append(d)
        return {
            "applicants": [{"id": a.id, "capacity": a.capacity} for a in self.applicants()],
            "hosts": [{"id": h.id, "capacity": h.capacity} for h in self.hosts()],
            "edges": edges,
        }


def show(value: object) -> str:
    """Render a value for a one-line error message (quoted, escaped, shortened)."""
    if isinstance(value, str):
        text = value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        text = '"' + text + '"'
    else:
        text = repr(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: object) -> str:
    """JSON-ish name of a value's type for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _check_objects(items: list[Any], kind: str, keys: Iterable[str]) -> None:
    """Raise ProblemError naming the first item that is not an object or lacks a key."""
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ProblemError(f"{kind}[{i}] must be an object, got {_type_name(item)}")
        for key in keys:
            if key not in item:
                raise ProblemError(f"{kind}[{i}] is missing required key {show(key)}")


def _check_int_values(
    values: list[Any], kind: str, key: str, low: int, high: int, optional: bool = False
) -> None:
    """Raise ProblemError unless every value is an int (not bool) within [low, high]."""
    allowed = {int, type(None)} if optional else {int}
    bad_type = not set(map(type, values)) <= allowed
    present = [v for v in values if v is not None] if optional else values
    out_of_range = bool(present) and not bad_type and (min(present) < low or max(present) > high)
    if not (bad_type or out_of_range):
        return
    for i, v in enumerate(values):
        if optional and v is None:
            continue
        if type(v) is not int:
            raise ProblemError(
                f"{kind}[{i}].{key} must be an integer, got {_type_name(v)} {show(v)}"
            )
        if not low <= v <= high:
            raise ProblemError(f"{kind}[{i}].{key} must be between {low} and {high}, got {v}")


def _parse_nodes(data: Mapping[str, Any], kind: str, default_capacity: int | None):
    """Validate one node list; return (sorted ids, capacity array, id->index map)."""
    items = data[kind]
    if not isinstance(items, list):
        raise ProblemError(f"{show(kind)} must be an array, got {_type_name(items)}")
    required = ("id",) if default_capacity is not None else ("id", "capacity")
    try:
        ids = [x["id"] for x in items]
        if default_capacity is None:
            caps = [x["capacity"] for x in items]
        else:
            caps = [x.get("capacity", default_capacity) for x in items]
    except (KeyError, TypeError, AttributeError):
        _check_objects(items, kind, required)
        raise
    if not set(map(type, ids)) <= {str}:
        for i, v in enumerate(ids):
            if type(v) is not str:
                raise ProblemError(
                    f"{kind}[{i}].id must be a string, got {_type_name(v)} {show(v)}"
                )
    if "" in ids:
        raise ProblemError(f"{kind}[{ids.index('')}].id must not be empty")
    _check_int_values(caps, kind, "capacity", 0, MAX_CAPACITY)
    index = {v: i for i, v in enumerate(ids)}
    if len(index) != len(ids):
        seen: set[str] = set()
        for v in ids:
            if v in seen:
                raise ProblemError(f"duplicate {kind[:-1]} id {show(v)}")
            seen.add(v)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    sorted_ids = tuple(ids[i] for i in order)
    cap_arr = np.array(caps, dtype=np.int64).reshape(-1)[np.array(order, dtype=np.int64)]
    return sorted_ids, cap_arr, {v: i for i, v in enumerate(sorted_ids)}


def _edge_index(values: list[Any], index: dict[str, int], key: str) -> list[int]:
    """Map edge endpoint ids to indices; raise ProblemError for unknown or mistyped ids."""
    try:
        return [index[v] for v in values]
    except (KeyError, TypeError):
        pass
    for i, v in enumerate(values):
        if type(v) is not str:
            raise ProblemError(f"edges[{i}].{key} must be a string, got {_type_name(v)} {show(v)}")
        if v not in index:
            raise ProblemError(f"edges[{i}] names unknown {key} {show(v)}")
    raise AssertionError("unreachable")  # pragma: no cover


def _parse_edges(data: Mapping[str, Any], a_index: dict[str, int], h_index: dict[str, int]):
    """Validate the edge list; return index/score/rank arrays in input order."""
    edges = data["edges"]
    if not isinstance(edges, list):
        raise ProblemError(f'"edges" must be an array, got {_type_name(edges)}')
    try:
        a_vals = [e["applicant"] for e in edges]
        h_vals = [e["host"] for e in edges]
        scores = [e["score"] for e in edges]
        a_ranks = [e.get("applicant_rank") for e in edges]
        h_ranks = [e.get("host_rank") for e in edges]
    except (KeyError, TypeError, AttributeError):
        _check_objects(edges, "edges", ("applicant", "host", "score"))
        raise
    ea = _edge_index(a_vals, a_index, "applicant")
    eh = _edge_index(h_vals, h_index, "host")
    _check_int_values(scores, "edges", "score", 0, MAX_SCORE)
    _check_int_values(a_ranks, "edges", "applicant_rank", 1, MAX_RANK, optional=True)
    _check_int_values(h_ranks, "edges", "host_rank", 1, MAX_RANK, optional=True)
    arrays = [np.array(x, dtype=np.int64).reshape(-1) for x in (ea, eh, scores)]
    ranks = [
        np.array([0 if r is None else r for r in x], dtype=np.int64).reshape(-1)
        for x in (a_ranks, h_ranks)
    ]
    return (*arrays, *ranks)


def parse_problem(data: object) -> Problem:
    """Validate a decoded JSON problem and return its canonical Problem; raises ProblemError."""
    if not isinstance(data, dict):
        raise ProblemError(f"the problem must be a JSON object, got {_type_name(data)}")
    for key in ("applicants", "hosts", "edges"):
        if key not in data:
            raise ProblemError(f"the problem is missing required key {show(key)}")
    a_ids, a_cap, a_index = _parse_nodes(data, "applicants", 1)
    h_ids, h_cap, h_index = _parse_nodes(data, "hosts", None)
    ea, eh, score, ar, hr = _parse_edges(data, a_index, h_index)
    n_h = max(len(h_ids), 1)
    key = ea * n_h + eh
    order = np.argsort(key, kind="stable")
    key = key[order]
    dup = np.flatnonzero(key[1:] == key[:-1])
    if dup.size:
        k = int(key[dup[0]])
        raise ProblemError(
            f"duplicate edge between applicant {show(a_ids[k // n_h])} "
            f"and host {show(h_ids[k % n_h])}"
        )
    return Problem(
        a_ids, a_cap, h_ids, h_cap, ea[order], eh[order], score[order], ar[order], hr[order]
    )


def make_problem(
    applicants: Iterable[Applicant], hosts: Iterable[Host], edges: Iterable[Edge]
) -> Problem:
    """Build a canonical Problem from dataclasses; raises ProblemError like parse_problem."""
    edge_dicts = []
    for e in edges:
        d: dict[str, Any] = {"applicant": e.applicant, "host": e.host, "score": e.score}
        d["applicant_rank"], d["host_rank"] = e.applicant_rank, e.host_rank
        edge_dicts.append(d)
    return parse_problem(
        {
            "applicants": [{"id": a.id, "capacity": a.capacity} for a in applicants],
            "hosts": [{"id": h.id, "capacity": h.capacity} for h in hosts],
            "edges": edge_dicts,
        }
    )

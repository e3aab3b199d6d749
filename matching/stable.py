"""Applicant-proposing deferred acceptance with host capacities (iterative, no recursion)."""

from __future__ import annotations

import heapq

import numpy as np

from matching.prefs import Preferences, preferences
from matching.problem import Problem, ProblemError, show


def check_stable_input(problem: Problem) -> None:
    """Raise ProblemError if an applicant's capacity is above 1 (stable mode is one-to-many)."""
    caps = problem.applicant_capacity
    over = np.flatnonzero(caps > 1)
    if over.size:
        a = int(over[0])
        raise ProblemError(
            f"stable mode needs applicant capacity at most 1, applicant "
            f"{show(problem.applicant_ids[a])} has capacity {int(caps[a])}"
        )


def solve_stable(problem: Problem, prefs: Preferences | None = None) -> np.ndarray:
    """Return the applicant-optimal stable matching as a boolean edge mask; raises ProblemError."""
    check_stable_input(problem)
    prefs = prefs if prefs is not None else preferences(problem)
    a_order = prefs.applicant_order.tolist()
    a_ptr = prefs.applicant_start[:-1].tolist()
    a_end = prefs.applicant_start[1:].tolist()
    h_order = prefs.host_order.tolist()
    h_start = prefs.host_start.tolist()
    host_pos = prefs.host_pos.tolist()
    edge_host = problem.edge_host.tolist()
    edge_app = problem.edge_applicant.tolist()
    h_cap = problem.host_capacity.tolist()
    held: list[list[int]] = [[] for _ in range(problem.n_hosts)]  # max-heaps of -position
    free = [a for a in range(problem.n_applicants - 1, -1, -1) if problem.applicant_capacity[a] > 0]
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while free:
        a = free.pop()
        p, end = a_ptr[a], a_end[a]
        while p < end:
            e = a_order[p]
            p += 1
            h = edge_host[e]
            heap = held[h]
            r = host_pos[e]
            if len(heap) < h_cap[h]:
                heappush(heap, -r)
                break
            if heap and -heap[0] > r:
                worst = -heapreplace(heap, -r)
                free.append(edge_app[h_order[h_start[h] + worst]])
                break
        a_ptr[a] = p
    matched = np.zeros(problem.n_edges, dtype=bool)
    for h, heap in enumerate(held):
        base = h_start[h]
        for neg in heap:
            matched[h_order[base - neg]] = True
    return matched

"""Preference orders derived from a Problem, and blocking-pair counting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.problem import Problem


@dataclass(frozen=True, eq=False)
class Preferences:
    """Strict preference orders of both sides, as positions (0 = most preferred) per edge.

    An edge's explicit rank comes first (ties by the other side's id); edges without a rank
    follow, by score descending, ties by the other side's id ascending.
    """

    applicant_order: np.ndarray  # edge indices sorted by (applicant, preference)
    applicant_start: np.ndarray  # offsets into applicant_order, length n_applicants + 1
    applicant_pos: np.ndarray  # per edge: position in its applicant's list
    host_order: np.ndarray
    host_start: np.ndarray
    host_pos: np.ndarray


def _side_order(
    owner: np.ndarray, other: np.ndarray, rank: np.ndarray, score: np.ndarray, n_owner: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort edges by owner then preference; return (order, start offsets, positions)."""
    unranked = (rank == 0).astype(np.int64)
    secondary = np.where(unranked == 1, -score, rank)
    order = np.lexsort((other, secondary, unranked, owner))
    start = np.zeros(n_owner + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n_owner), out=start[1:])
    pos = np.empty_like(order)
    pos[order] = np.arange(order.shape[0], dtype=np.int64) - start[owner[order]]
    return order, start, pos


def preferences(problem: Problem) -> Preferences:
    """Compute both sides' strict preference orders of a problem."""
    p = problem
    a = _side_order(
        p.edge_applicant, p.edge_host, p.edge_applicant_rank, p.edge_score, p.n_applicants
    )
    h = _side_order(p.edge_host, p.edge_applicant, p.edge_host_rank, p.edge_score, p.n_hosts)
    return Preferences(*a, *h)


def _threshold(
    owner: np.ndarray, pos: np.ndarray, matched: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Per node: positions strictly below this are preferred to what it holds (or it has room)."""
    n = cap.shape[0]
    count = np.bincount(owner[matched], minlength=n)
    worst = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst, owner[matched], pos[matched])
    big = np.iinfo(np.int64).max
    return np.where(count < cap, big, worst)


def blocking_mask(problem: Problem, prefs: Preferences, matched: np.ndarray) -> np.ndarray:
    """Boolean mask of edges that block the matching given as a boolean edge mask."""
    p = problem
    thr_a = _threshold(p.edge_applicant, prefs.applicant_pos, matched, p.applicant_capacity)
    thr_h = _threshold(p.edge_host, prefs.host_pos, matched, p.host_capacity)
    return (
        ~matched
        & (prefs.applicant_pos < thr_a[p.edge_applicant])
        & (prefs.host_pos < thr_h[p.edge_host])
    )

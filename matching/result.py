"""Result of a matcher run (DESIGN §5 output format)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.prefs import Preferences, blocking_mask, preferences
from matching.problem import Problem

NO_CANDIDATES = "no_candidates"
CAPACITY_TAKEN = "capacity_taken"


@dataclass(frozen=True)
class Assignment:
    """One proposed pair."""

    applicant: str
    host: str
    score: int


@dataclass(frozen=True)
class Unmatched:
    """An applicant left without any host, with the reason."""

    applicant: str
    reason: str


@dataclass(frozen=True)
class Result:
    """Matcher output; lists are sorted by ids."""

    mode: str
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    matched: int
    total_score: int
    blocking_pairs: int

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict with the DESIGN §5 keys."""
        return {
            "mode": self.mode,
            "assignments": [
                {"applicant": a.applicant, "host": a.host, "score": a.score}
                for a in self.assignments
            ],
            "unmatched": [{"applicant": u.applicant, "reason": u.reason} for u in self.unmatched],
            "matched": self.matched,
            "total_score": self.total_score,
            "blocking_pairs": self.blocking_pairs,
        }


def build_result(
    problem: Problem, mode: str, matched: np.ndarray, prefs: Preferences | None = None
) -> Result:
    """Assemble a Result from a boolean mask over the problem's canonical edges."""
    p = problem
    prefs = prefs if prefs is not None else preferences(p)
    idx = np.flatnonzero(matched)  # canonical edge order = sorted by (applicant id, host id)
    a_ids, h_ids = p.applicant_ids, p.host_ids
    scores = p.edge_score[idx]
    assignments = tuple(
        Assignment(a_ids[a], h_ids[h], s)
        for a, h, s in zip(
            p.edge_applicant[idx].tolist(), p.edge_host[idx].tolist(), scores.tolist(), strict=True
        )
    )
    degree = np.bincount(p.edge_applicant, minlength=p.n_applicants)
    got = np.bincount(p.edge_applicant[idx], minlength=p.n_applicants)
    unmatched = tuple(
        Unmatched(a_ids[a], NO_CANDIDATES if degree[a] == 0 else CAPACITY_TAKEN)
        for a in np.flatnonzero(got == 0).tolist()
    )
    blocking = int(np.count_nonzero(blocking_mask(p, prefs, matched)))
    return Result(mode, assignments, unmatched, len(assignments), int(scores.sum()), blocking)

"""The result of a run: pairs, reasons and totals computed from the matched mask alone, and the
entry point's refusal of an unknown mode."""

from __future__ import annotations

import numpy as np
import pytest

from matching import parse_problem, solve
from matching.prefs import preferences
from matching.result import CAPACITY_TAKEN, NO_CANDIDATES, build_result

INST = {
    "applicants": [{"id": "x"}, {"id": "y"}, {"id": "z"}, {"id": "w", "capacity": 2}],
    "hosts": [{"id": "h", "capacity": 1}, {"id": "k", "capacity": 2}],
    "edges": [
        {"applicant": "w", "host": "h", "score": 20},
        {"applicant": "w", "host": "k", "score": 30},
        {"applicant": "x", "host": "h", "score": 90},
        {"applicant": "y", "host": "h", "score": 40},
    ],
}


def test_a_given_matching_is_reported_pair_by_pair_with_reasons_and_blocking_pairs() -> None:
    problem = parse_problem(INST)  # edges: w-h, w-k, x-h, y-h
    matched = np.array([True, True, False, False])  # w takes both, x and y wait
    result = build_result(problem, "stable", matched)
    assert result.to_dict() == {
        "mode": "stable",
        "assignments": [
            {"applicant": "w", "host": "h", "score": 20},
            {"applicant": "w", "host": "k", "score": 30},
        ],
        "unmatched": [
            {"applicant": "x", "reason": CAPACITY_TAKEN},
            {"applicant": "y", "reason": CAPACITY_TAKEN},
            {"applicant": "z", "reason": NO_CANDIDATES},
        ],
        "matched": 2,
        "total_score": 50,
        "blocking_pairs": 2,  # h prefers x (90) and y (40) to w (20), both free
    }
    assert (CAPACITY_TAKEN, NO_CANDIDATES) == ("capacity_taken", "no_candidates")
    with_prefs = build_result(problem, "stable", matched, preferences(problem))
    assert with_prefs == result


def test_an_unknown_mode_is_refused_with_the_modes_named() -> None:
    problem = parse_problem(INST)
    with pytest.raises(ValueError, match=r"^unknown mode 'greedy', expected optimal or stable$"):
        solve(problem, "greedy")
    one_place = parse_problem({**INST, "applicants": [{"id": a} for a in "wxyz"]})
    assert solve(one_place, "stable").mode == "stable"
    assert solve(problem).mode == "optimal"

"""Top-level solve entry point."""

from __future__ import annotations

from matching.optimal import solve_optimal
from matching.prefs import preferences
from matching.problem import Problem
from matching.result import Result, build_result
from matching.stable import solve_stable

MODES = ("optimal", "stable")


def solve(problem: Problem, mode: str = "optimal", solver: str = "ortools") -> Result:
    """Solve in `optimal` or `stable` mode; raises ProblemError, SolverError, ValueError."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}, expected optimal or stable")
    prefs = preferences(problem)
    if mode == "stable":
        matched = solve_stable(problem, prefs)
    else:
        matched = solve_optimal(problem, solver)
    return build_result(problem, mode, matched, prefs)

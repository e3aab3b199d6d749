"""Gongxue matcher: exact optimal and stable school–enterprise matching (DESIGN §5).

Pure Python + networkx/numpy/scipy/OR-Tools; never imports Flask, SQLAlchemy or app code.
"""

from matching.api import MODES, solve
from matching.optimal import SolverError
from matching.problem import (
    Applicant,
    Edge,
    Host,
    Problem,
    ProblemError,
    make_problem,
    parse_problem,
)
from matching.result import Assignment, Result, Unmatched

__all__ = [
    "MODES",
    "Applicant",
    "Assignment",
    "Edge",
    "Host",
    "Problem",
    "ProblemError",
    "Result",
    "SolverError",
    "Unmatched",
    "make_problem",
    "parse_problem",
    "solve",
]

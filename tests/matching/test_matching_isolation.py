"""`matching` must not load Flask, SQLAlchemy or the web app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import sys
import matching, matching.api, matching.optimal, matching.stable, matching.graph
import matching.analysis, matching.scoring, matching.candidates, matching.cli
from matching import parse_problem, solve
p = parse_problem({"applicants": [{"id": "a"}], "hosts": [{"id": "h", "capacity": 1}],
                   "edges": [{"applicant": "a", "host": "h", "score": 5}]})
assert solve(p, "optimal").matched == 1 and solve(p, "stable").matched == 1
bad = sorted(m for m in sys.modules
             if m.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy", "app"})
print(",".join(bad))
"""


def test_importing_matching_loads_no_flask_or_sqlalchemy() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_matching_sources_do_not_import_the_web_stack() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(flask\w*|sqlalchemy|app)\b", re.MULTILINE)
    for path in (ROOT / "matching").rglob("*.py"):
        match = pattern.search(path.read_text(encoding="utf-8"))
        assert match is None, f"{path.name}: {match.group(0) if match else ''}"

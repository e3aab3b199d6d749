"""The command: result JSON on success; bad input -> exit 2, empty stdout, one stderr line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "applicants": [{"id": "a1"}, {"id": "a2", "capacity": 1}],
    "hosts": [{"id": "h1", "capacity": 1}],
    "edges": [
        {"applicant": "a1", "host": "h1", "score": 70},
        {"applicant": "a2", "host": "h1", "score": 80},
    ],
}


def run(args: list[str], stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        input=data,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )


def with_(**changes: object) -> str:
    inst = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = inst
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is KeyError:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return json.dumps(inst)


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_solve_reads_file_and_stdin(tmp_path: Path, mode: str) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps(GOOD))
    by_file = run(["solve", "--mode", mode, "--input", str(f)])
    by_stdin = run(["solve", "--mode", mode], json.dumps(GOOD))
    by_dash = run(["solve", "--mode", mode, "--input", "-"], json.dumps(GOOD))
    assert by_file.returncode == 0, by_file.stderr
    assert by_file.stdout == by_stdin.stdout == by_dash.stdout
    out = json.loads(by_file.stdout)
    assert out["mode"] == mode
    assert out["assignments"] == [{"applicant": "a2", "host": "h1", "score": 80}]
    assert out["unmatched"] == [{"applicant": "a1", "reason": "capacity_taken"}]
    assert (out["matched"], out["total_score"], out["blocking_pairs"]) == (1, 80, 0)


BAD = {
    "not_json": ("{oops", [], "JSON"),
    "empty_input": ("", [], "JSON"),
    "top_level_array": ("[]", [], "object"),
    "missing_edges": (json.dumps({"applicants": [], "hosts": []}), [], "edges"),
    "unknown_applicant": (with_(edges__0__applicant="zz"), [], "unknown applicant"),
    "unknown_host": (with_(edges__1__host="nope"), [], "unknown host"),
    "duplicate_applicant": (with_(applicants__1__id="a1"), [], "duplicate applicant"),
    "duplicate_host": (
        json.dumps({**GOOD, "hosts": [{"id": "h1", "capacity": 1}] * 2}),
        [],
        "duplicate host",
    ),
    "duplicate_edge": (
        json.dumps({**GOOD, "edges": GOOD["edges"] + GOOD["edges"][:1]}),
        [],
        "duplicate edge",
    ),
    "score_above_100": (with_(edges__0__score=101), [], "between 0 and 100"),
    "score_negative": (with_(edges__0__score=-1), [], "between 0 and 100"),
    "score_float": (with_(edges__0__score=70.5), [], "integer"),
    "score_integral_float": (with_(edges__0__score=70.0), [], "integer"),
    "score_bool": (with_(edges__0__score=True), [], "integer"),
    "score_string": (with_(edges__0__score="70"), [], "integer"),
    "score_missing": (with_(edges__0__score=KeyError), [], "score"),
    "negative_host_capacity": (with_(hosts__0__capacity=-1), [], "capacity"),
    "negative_applicant_capacity": (with_(applicants__0__capacity=-3), [], "capacity"),
    "host_capacity_missing": (with_(hosts__0__capacity=KeyError), [], "capacity"),
    "id_not_string": (with_(applicants__0__id=5), [], "string"),
    "edge_not_object": (with_(edges__0="a1-h1"), [], "object"),
    "rank_zero": (with_(edges__0__applicant_rank=0), [], "applicant_rank"),
    "stable_capacity_two": (with_(applicants__0__capacity=2), ["--mode", "stable"], "capacity"),
    "missing_file": (None, ["--input", "/nonexistent/p.json"], "cannot read"),
    "bad_mode": ("{}", ["--mode", "greedy"], "mode"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_line(case: str) -> None:
    stdin, extra, needle = BAD[case]
    proc = run(["solve", *extra], stdin if stdin is not None else b"")
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert proc.stdout == b""
    assert len(err.splitlines()) == 1 and err.endswith("\n")
    assert "Traceback" not in err
    assert needle.lower() in err.lower()


def test_stable_with_capacity_two_is_fine_in_optimal_mode() -> None:
    proc = run(["solve", "--mode", "optimal"], with_(applicants__0__capacity=2))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["matched"] == 1


def test_networkx_solver_flag_gives_same_result() -> None:
    a = run(["solve", "--solver", "networkx"], json.dumps(GOOD))
    b = run(["solve", "--solver", "ortools"], json.dumps(GOOD))
    assert a.returncode == 0 and a.stdout == b.stdout

"""Command line: `python -m matching solve|bench|analyse`."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

import orjson

from matching.api import MODES, solve
from matching.optimal import SOLVERS, SolverError
from matching.problem import Problem, ProblemError, parse_problem

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that reports usage errors as one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit 2."""
        _fail(f"usage error: {message} (see python -m matching --help)", EXIT_BAD_INPUT)


def _fail(message: str, status: int) -> NoReturn:
    """Write exactly one line on stderr and exit with `status`."""
    line = " ".join(message.split())
    sys.stderr.write(f"matching: {line}\n")
    sys.stderr.flush()
    raise SystemExit(status)


def _read_bytes(path: str | None) -> bytes:
    """Bytes of a file or of stdin ('-' or None); raises ProblemError if unreadable."""
    try:
        if path in (None, "-"):
            return sys.stdin.buffer.read()
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ProblemError(f"cannot read input {path}: {exc.strerror or exc}") from None


def read_problem(path: str | None) -> Problem:
    """Read and validate a problem from a file or '-' (stdin); raises ProblemError."""
    raw = _read_bytes(path)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(f"input is not valid JSON: {exc}") from None
    return parse_problem(data)


def _cmd_solve(args: argparse.Namespace) -> None:
    """Solve a problem and print the result JSON."""
    problem = read_problem(args.input)
    result = solve(problem, args.mode, args.solver)
    out = orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


def _cmd_round(args: argparse.Namespace) -> None:
    """Generate candidates from domain profiles, solve, print the result JSON."""
    from matching.candidates import generate_candidates, parse_round

    try:
        data = orjson.loads(_read_bytes(args.input))
    except orjson.JSONDecodeError as exc:
        raise ProblemError(f"input is not valid JSON: {exc}") from None
    apps, hosts, weights, k = parse_round(data)
    try:
        cands = generate_candidates(apps, hosts, weights, k=k)
    except ValueError as exc:
        raise ProblemError(str(exc)) from None
    result = solve(cands.to_problem(), args.mode, args.solver)
    sys.stdout.buffer.write(orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
    sys.stdout.flush()


def _cmd_analyse(args: argparse.Namespace) -> None:
    """Print the bottleneck analysis of a problem as JSON."""
    from matching.analysis import bottlenecks

    problem = read_problem(args.input)
    out = orjson.dumps(bottlenecks(problem).to_dict(), option=orjson.OPT_APPEND_NEWLINE)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


def _cmd_bench(args: argparse.Namespace) -> None:
    """Run the benchmark."""
    from matching.bench import run_bench

    run_bench(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m matching`."""
    parser = _Parser(prog="python -m matching", description="Gongxue matcher")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_solve = sub.add_parser("solve", help="solve a problem JSON and print the result JSON")
    p_solve.add_argument("--mode", choices=MODES, default="optimal")
    p_solve.add_argument("--input", default=None, help="problem JSON file, '-' for stdin")
    p_solve.add_argument(
        "--solver",
        choices=SOLVERS,
        default="ortools",
        help="optimal-mode engine (networkx is the slow reference path)",
    )
    p_solve.set_defaults(func=_cmd_solve)
    p_round = sub.add_parser("round", help="score candidates from domain profiles and solve")
    p_round.add_argument("--mode", choices=MODES, default="optimal")
    p_round.add_argument("--input", default=None, help="round JSON file, '-' for stdin")
    p_round.add_argument("--solver", choices=SOLVERS, default="ortools")
    p_round.set_defaults(func=_cmd_round)
    p_an = sub.add_parser("analyse", help="print bottleneck hosts and unserved demand as JSON")
    p_an.add_argument("--input", default=None, help="problem JSON file, '-' for stdin")
    p_an.set_defaults(func=_cmd_analyse)
    p_bench = sub.add_parser("bench", help="generate seeded instances and time the solvers")
    from matching.bench import add_arguments

    add_arguments(p_bench)
    p_bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2 for bad input, 1 for solver failure)."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except ProblemError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except (SolverError, MemoryError) as exc:
        _fail(f"solver failure: {exc}", EXIT_FAILURE)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the command must never show a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_FAILURE)
    return 0

"""`python -m matching bench`: seeded instances, each solver timed as a separate process."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from matching.scoring import MODE_NAMES, occupation_names, regions

RANDOM_SIZES = (2_000, 20_000, 200_000)
DEGREE = 10
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One timed process."""

    seconds: float
    peak_mib: float
    output: dict[str, object]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the bench subcommand."""
    p.add_argument(
        "--sizes",
        default=",".join(map(str, RANDOM_SIZES)),
        help="comma-separated applicant counts of the random instances ('' = none)",
    )
    p.add_argument(
        "--national",
        type=int,
        default=200_000,
        help="teachers in the national-style round (0 = skip)",
    )
    p.add_argument("--modes", default="optimal,stable", help="modes to time")
    p.add_argument("--quick", action="store_true", help="only 2,000 and 20,000; national 20,000")
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument(
        "--out",
        default=str(Path(tempfile.gettempdir()) / "gongxue-bench"),
        help="directory for instance files",
    )


def timed(cmd: list[str]) -> Run:
    """Run a command as a child process; wall time, its own peak RSS (wait4), parsed stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {err.read().decode(errors='replace')}")
        data = orjson.loads(out.read())
    keep = {k: data[k] for k in ("matched", "total_score", "blocking_pairs") if k in data}
    return Run(seconds, usage.ru_maxrss / 1024.0, keep)


def random_instance(n: int, seed: int) -> dict[str, object]:
    """Random instance: n applicants, n/4 hosts (capacity 0–4), 10 distinct hosts each."""
    rng = np.random.default_rng(seed)
    n_h = max(DEGREE, n // 4)
    hosts = np.sort(rng.integers(0, n_h, size=(n, DEGREE)), axis=1)
    while True:
        dup = np.zeros_like(hosts, dtype=bool)
        dup[:, 1:] = hosts[:, 1:] == hosts[:, :-1]
        if not dup.any():
            break
        hosts[dup] = rng.integers(0, n_h, size=int(dup.sum()))
        hosts = np.sort(hosts, axis=1)
    # a chain through all hosts guarantees one giant connected component
    chain = np.arange(n) % n_h
    hosts[:, 0] = np.where((hosts == chain[:, None]).any(axis=1), hosts[:, 0], chain)
    scores = rng.integers(0, 101, size=(n, DEGREE))
    caps = rng.integers(0, 5, size=n_h)
    a_ids = [f"A{i:07d}" for i in range(n)]
    h_ids = [f"H{j:07d}" for j in range(n_h)]
    edges = [
        {"applicant": a_ids[i], "host": h_ids[j], "score": s}
        for i, row, srow in zip(range(n), hosts.tolist(), scores.tolist(), strict=True)
        for j, s in zip(row, srow, strict=True)
    ]
    return {
        "applicants": [{"id": a, "capacity": 1} for a in a_ids],
        "hosts": [{"id": h, "capacity": c} for h, c in zip(h_ids, caps.tolist(), strict=True)],
        "edges": edges,
    }


def national_round(n: int, seed: int) -> dict[str, object]:
    """National-style round: n teachers, n/4 hosts over 14 leagues and the occupation catalogue."""
    rng = np.random.default_rng(seed)
    codes = sorted(occupation_names())
    regs = sorted(regions())
    modes = sorted(MODE_NAMES)
    reg_w = rng.uniform(0.3, 1.0, len(regs))
    reg_w /= reg_w.sum()
    n_h = max(10, n // 4)
    start = np.datetime64("2025-01-01")

    def period() -> list[str] | None:
        if rng.random() < 0.3:
            return None
        s = start + int(rng.integers(0, 300))
        return [str(s), str(s + int(rng.integers(30, 200)))]

    hosts = [
        {
            "id": f"H{j:06d}",
            "region": regs[int(rng.choice(len(regs), p=reg_w))],
            "occupations": sorted({codes[int(x)] for x in rng.integers(0, len(codes), 2)}),
            "modes": sorted({modes[int(x)] for x in rng.integers(0, 4, rng.integers(0, 3))}),
            "period": period(),
            "capacity": int(rng.integers(0, 5)),
        }
        for j in range(n_h)
    ]
    apps = [
        {
            "id": f"T{i:07d}",
            "region": regs[int(rng.choice(len(regs), p=reg_w))],
            "occupations": [codes[int(rng.integers(0, len(codes)))]],
            "modes": sorted({modes[int(x)] for x in rng.integers(0, 4, rng.integers(0, 2))}),
            "period": period(),
            "need": 1,
            "choices": [f"H{int(x):06d}" for x in rng.integers(0, n_h, rng.integers(0, 4))],
        }
        for i in range(n)
    ]
    return {"weights": {}, "k": 5, "applicants": apps, "hosts": hosts}


def _write(path: Path, data: dict[str, object]) -> None:
    """Write JSON with orjson."""
    path.write_bytes(orjson.dumps(data))


def _row(name: str, mode: str, ours: Run, ref: Run | None) -> str:
    """One table row."""
    ratio = f"{ours.seconds / ref.seconds:.2f}×" if ref else "–"
    ref_txt = f"{ref.seconds:7.2f} s {ref.peak_mib:7.0f} MiB" if ref else " " * 19
    agree = ""
    if ref and mode == "optimal":
        same = all(ours.output[k] == ref.output[k] for k in ("matched", "total_score"))
        agree = "agree" if same else f"DISAGREE {ref.output}"
    return (
        f"| {name:<22} | {mode:<7} | {ours.seconds:7.2f} s {ours.peak_mib:7.0f} MiB | "
        f"{ref_txt} | {ratio:>6} | matched {ours.output['matched']} "
        f"score {ours.output['total_score']} blocking {ours.output['blocking_pairs']} "
        f"{agree} |"
    )


def run_bench(args: argparse.Namespace) -> None:
    """Generate the instances, time each solver as a process, print a markdown table."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    national = args.national
    if args.quick:
        sizes, national = [s for s in sizes if s <= 20_000] or [2_000], min(national, 20_000)
    modes = [m for m in args.modes.split(",") if m]
    py = sys.executable
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; times are whole processes")
    print("| instance | mode | ours (wall, peak RSS) | OR-Tools process | ratio | result |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        path = out / f"random-{n}.json"
        _write(path, random_instance(n, args.seed + n))
        ref = timed([py, "-m", "matching.bench_ortools", str(path)])
        for mode in modes:
            ours = timed([py, "-m", "matching", "solve", "--mode", mode, "--input", str(path)])
            print(_row(f"random {n:,}", mode, ours, ref), flush=True)
    if national:
        _national(out, national, args.seed, modes, py)


def _national(out: Path, n: int, seed: int, modes: list[str], py: str) -> None:
    """Time the national-style round (candidates + solve) beside OR-Tools on its edges."""
    from matching.candidates import generate_candidates, parse_round

    data = national_round(n, seed)
    path = out / f"national-{n}.json"
    _write(path, data)
    apps, hosts, weights, k = parse_round(data)
    t0 = time.perf_counter()
    cands = generate_candidates(apps, hosts, weights, k=k)
    gen = time.perf_counter() - t0
    problem_path = out / f"national-{n}-edges.json"
    _write(problem_path, cands.to_dict())
    print(
        f"national {n:,}: {cands.scored_pairs:,} pairs scored, "
        f"{cands.edge_applicant.shape[0]:,} edges kept, in-process generation {gen:.1f} s"
    )
    ref = timed([py, "-m", "matching.bench_ortools", str(problem_path)])
    for mode in modes:
        ours = timed([py, "-m", "matching", "round", "--mode", mode, "--input", str(path)])
        print(_row(f"national {n:,} (+cand.)", mode, ours, ref), flush=True)

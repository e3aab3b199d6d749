"""Benchmark of the largest exports: rows, bytes, seconds and peak memory of one process each.

Run against a generated world (`flask demo seed --scale national`):

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_national \\
        .venv/bin/python scripts/bench_exports.py

Each export runs in a fresh child process that logs in as the generated region administrator
through the API, streams the download through the app's test client without buffering it, and
reports its peak resident memory (getrusage) and the CPU seconds the export took in the app's
process (the database's own work is not counted). `--only teachers.csv` runs one case.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: name -> API path (every row the region administrator may see, as a file).
CASES = {
    "teachers": "/api/v1/teachers",
    "applications": "/api/v1/applications",
    "enterprises": "/api/v1/enterprises",
    # confirmed teachers behind the practice rule: nearly all of them in a generated world
    "compliance": "/api/v1/practice-compliance",
}
FORMATS = ("csv", "xlsx")


def _rss_mb() -> float:
    """Current resident memory of this process in MB (from /proc, Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _xlsx_rows(path: str) -> int:
    """Rows of the first sheet (header included), counted while streaming its XML."""
    count = 0
    tail = b""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        with archive.open(name) as sheet:
            while chunk := sheet.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row")
                tail = data[-3:]
                count -= tail.count(b"<row")
    return count


def run_one(name: str, fmt: str) -> dict:
    """Log in, stream one export, and measure it (in this process)."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.demo import national

    app = create_app(overrides={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        response = client.post(
            "/api/v1/auth/token",
            json={"email": national.REGION_ADMIN_EMAIL, "password": national.PASSWORD},
        )
        if response.status_code != 200:
            raise SystemExit(f"login failed ({response.status_code}): generate a world first")
        headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        before = _rss_mb()
        cpu_before = time.process_time()
        started = time.perf_counter()
        response = client.get(f"{CASES[name]}?format={fmt}", headers=headers, buffered=False)
        if response.status_code != 200:
            raise SystemExit(f"{name}.{fmt}: status {response.status_code}")
        size = 0
        newlines = 0
        first_byte = None
        peak_sampled = before
        with tempfile.NamedTemporaryFile(suffix="." + fmt, delete=False) as out:
            for i, chunk in enumerate(response.response):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                chunk = chunk if isinstance(chunk, bytes) else chunk.encode()
                size += len(chunk)
                newlines += chunk.count(b"\n")
                out.write(chunk)
                if i % 64 == 0:
                    peak_sampled = max(peak_sampled, _rss_mb())
            path = out.name
        response.close()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
    try:
        rows = newlines - 1 if fmt == "csv" else _xlsx_rows(path) - 1
    finally:
        os.unlink(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    return {
        "export": f"{name}.{fmt}",
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "first_byte_s": round(first_byte or 0.0, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(max(peak, peak_sampled), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one case, e.g. teachers.csv")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, fmt = args.child.split(".")
        print(json.dumps(run_one(name, fmt)))
        return 0
    cases = [f"{n}.{f}" for n in CASES for f in FORMATS]
    if args.only:
        if args.only not in cases:
            parser.error(f"--only takes one of {', '.join(cases)}")
        cases = [args.only]
    url = os.environ.get("DATABASE_URL", "(default SQLite)").split("@")[-1]
    print(f"exports against {url}; each in its own process")
    header = (
        f"{'export':<18} {'rows':>8} {'bytes':>12} {'seconds':>8} {'CPU s':>7} {'1st byte':>8} "
    )
    print(header + f"{'RSS before':>11} {'peak RSS':>9}")
    for case in cases:
        done = subprocess.run(  # noqa: S603 (this script, with a case from CASES)
            [sys.executable, __file__, "--child", case],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{case:<18} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['export']:<18} {r['rows']:>8} {r['bytes']:>12} {r['seconds']:>8.1f} "
            f"{r['cpu_s']:>7.1f} "
            f"{r['first_byte_s']:>8.1f} {r['rss_before_mb']:>9.0f}MB {r['peak_rss_mb']:>7.0f}MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

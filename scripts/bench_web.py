"""Web benchmark: start the real server on a database, time every list page and API list per role.

    DATABASE_URL=… [REDIS_URL=…] python scripts/bench_web.py [--requests 30] [--load-seconds 10]

Starts gunicorn (`-w 2`, or `--server flask` for the development server of `make run`) on a
free loopback port, signs in as each role (the demo logins, or one user per role found in the
database with the demo password, or `--login role=email`), requests every GET route without
path parameters that the role may open, plus a deep page (`?page=N` near the end) and a filter,
and prints bytes, median and p95 of `--requests` sequential requests for each (after a first
request, whose time is printed too: it may fill caches the others use). Then it loads the
public pages (home, directory, placements, offers) with `--concurrency` keep-alive connections
for `--load-seconds` each and prints req/s, p50 and p99. Figures go to build/bench-web.json too.

The budgets checked: p95 < 100 ms and at most 1 MB for every list; ≥ 400 req/s and
p99 < 100 ms for the public pages under load. The server gets a high READ_RATE_LIMIT (one
address makes every request here) and writes its log to build/bench-web-server.log.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from html import unescape
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET_MS = 100.0
BUDGET_BYTES = 1_000_000
BUDGET_RPS = 400.0
ROLES = ("region_admin", "league_admin", "enterprise", "school", "teacher")
PUBLIC_PAGES = ("/", "/registry/enterprises", "/cooperation/placements", "/cooperation/offers")
#: Endpoints that are no list: forms, sign-in and sign-out, probes, the API's own document.
SKIPPED = {
    "static",
    "main.healthz",
    "main.readyz",
    "auth.login",
    "auth.logout",
    "auth.password",
    "auth.password_forgot",
    "auth.signup",
    "api.openapi_document",
    "cooperation.apply",
    "registry.claim_new",
    "rounds.create",
}
#: Values tried for query filters the OpenAPI document names (the first one known is used).
FILTER_VALUES = {
    "region_code": "150200",
    "status": None,  # the first value of its enum
    "q": "技",
    "kind": None,
    "occupation_code": None,
}


@dataclass
class Result:
    """Timings of one URL for one role."""

    role: str
    url: str
    kind: str
    status: int
    bytes: int
    median_ms: float
    p95_ms: float
    max_ms: float
    first_ms: float
    samples: int
    flags: list[str] = field(default_factory=list)


class Client:
    """One keep-alive HTTP connection with a cookie jar and an optional bearer token."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, url: str, body: bytes | None = None, headers=None):
        """(status, headers, body) of one request; reconnects once if the server closed it."""
        headers = dict(headers or {})
        if self.cookies and not url.startswith("/api/"):
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token and url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        headers.setdefault("Accept-Language", "zh-CN")
        for attempt in (1, 2):
            try:
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, response, data

    def get(self, url: str):
        """GET a URL."""
        return self.request("GET", url)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(kind: str, workers: int, log_path: Path) -> tuple[subprocess.Popen, int]:
    """Start gunicorn (or flask run) on a free port; wait until /healthz answers."""
    port = free_port()
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    env["READ_RATE_LIMIT"] = os.environ.get("BENCH_READ_RATE_LIMIT", "1000000/minute")
    env.setdefault("LOGIN_RATE_LIMIT", "1000 per minute")
    bin_dir = Path(sys.executable).parent
    if kind == "gunicorn":
        env.setdefault("GONGXUE_ENV", "production")
        command = [
            str(bin_dir / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "wsgi:app",
        ]
    else:
        env["GONGXUE_ENV"] = "development"
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)]
    log = open(log_path, "w")  # noqa: SIM115 - the server keeps writing to it
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped at start; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"the server did not answer within 180 s; see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server started above."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def candidate_logins(explicit: dict[str, str], password: str | None) -> dict[str, list[tuple]]:
    """(email, password) to try per role: given ones, the generated world's, the demo's, then
    the first accounts of the role found in the database (with the generated world's password)."""
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.demo import DEMO_LOGINS, national
    from app.demo.data import DEMO_PASSWORD
    from app.extensions import db

    found: dict[str, list[tuple]] = {role: [] for role in ROLES}
    for role, email in explicit.items():
        found.setdefault(role, []).append((email, password or national.PASSWORD))
    for role, email in national.logins():
        found[role].append((email, password or national.PASSWORD))
    for role, _zh, _en, email, _hz, _he in DEMO_LOGINS:
        found[role].append((email, password or DEMO_PASSWORD))
    app = create_app("development")
    with app.app_context():
        for role in ROLES:
            emails = db.session.scalars(
                select(User.email).where(User.role == role).order_by(User.id).limit(2)
            ).all()
            for email in emails:
                found[role] += [(email, password or p) for p in (national.PASSWORD, DEMO_PASSWORD)]
        if db.engine.dialect.name == "postgresql":
            analyzed = db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
                    "OR last_autoanalyze IS NOT NULL"
                )
            )
            if not analyzed:
                print("no table has planner statistics yet: running ANALYZE first")
                db.session.execute(text("ANALYZE"))
                db.session.commit()
    return found


def sign_in(port: int, candidates: list[tuple]) -> tuple[Client, str] | None:
    """A client signed in (page session and API token) with the first login that works."""
    for email, password in candidates:
        client = Client(port)
        status, _, body = client.get("/auth/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
        form = {"email": email, "password": password}
        if match:
            form["csrf_token"] = unescape(match.group(1).decode())
        status, response, _ = client.request(
            "POST",
            "/auth/login",
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "/auth/login" in (response.getheader("Location") or ""):
            continue
        payload = json.dumps({"email": email, "password": password}).encode()
        status, _, body = client.request(
            "POST", "/api/v1/auth/token", payload, {"Content-Type": "application/json"}
        )
        if status == 200:
            client.token = json.loads(body)["token"]
        return client, email
    return None


def list_routes() -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route without path parameters that is a list or a page."""
    from app import create_app

    app = create_app("development")
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIPPED:
            continue
        if rule.rule.endswith("/new") or rule.endpoint.endswith("_new"):
            continue
        routes.append((rule.endpoint, rule.rule))
    return sorted(routes, key=lambda r: r[1])


def api_filters(client: Client) -> dict[str, str]:
    """A filter query for each API list, from the query parameters of the OpenAPI document."""
    status, _, body = client.get("/api/v1/openapi.json")
    if status != 200:
        return {}
    doc = json.loads(body)
    shared = doc.get("components", {}).get("parameters", {})
    filters = {}
    for path, item in doc.get("paths", {}).items():
        op = item.get("get")
        if not op or "{" in path:
            continue
        for param in op.get("parameters", []):
            if "$ref" in param:
                param = shared.get(param["$ref"].rsplit("/", 1)[-1], {})
            name = param.get("name")
            if param.get("in") != "query" or name not in FILTER_VALUES:
                continue
            value = FILTER_VALUES[name]
            if value is None:
                enum = param.get("schema", {}).get("enum") or []
                value = enum[0] if enum else None
            if value:
                filters["/api/v1" + path if not path.startswith("/api") else path] = (
                    f"{name}={urllib.parse.quote(str(value))}"
                )
                break
    return filters


def html_filter(body: bytes) -> str | None:
    """A filter of the page's GET form: its first select's first real option, or `q`."""
    text = body.decode("utf-8", "replace")
    for form in re.findall(r'<form[^>]*method="get"[^>]*>(.*?)</form>', text, re.S | re.I):
        for name, options in re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
        ):
            values = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', options) if v]
            if values and name not in ("lang", "per_page"):
                return f"{name}={urllib.parse.quote(unescape(values[0]))}"
        if re.search(r'<input[^>]*name="q"', form):
            return "q=" + urllib.parse.quote("技")
    return None


def last_page(url: str, body: bytes) -> int:
    """The number of pages of a list (API `pages`, or the highest page link of a page)."""
    if url.startswith("/api/"):
        try:
            return int(json.loads(body).get("pages") or 0)
        except (ValueError, AttributeError):
            return 0
    numbers = [int(n) for n in re.findall(rb"[?&;]page=(\d+)", body)]
    # the pager's "Page 1 of N" (第 1 / N 页)
    for label in re.findall(rb'page-item disabled"><span class="page-link">([^<]*)<', body):
        numbers += [int(n) for n in re.findall(rb"\d+", label)]
    return max(numbers, default=0)


def with_query(url: str, query: str) -> str:
    """The URL with a query string added."""
    return url + ("&" if "?" in url else "?") + query


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def measure(client: Client, role: str, url: str, kind: str, count: int) -> Result:
    """Time `count` sequential requests of a URL (after one warm-up request); a URL whose
    warm-up takes over a second gets 3 (it is over budget anyway)."""
    started = time.perf_counter()
    status, _, body = client.get(url)
    first = (time.perf_counter() - started) * 1000
    if first > 1000:
        count = min(count, 3)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        status, _, body = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    result = Result(
        role=role,
        url=url,
        kind=kind,
        status=status,
        bytes=len(body),
        median_ms=round(statistics.median(timings), 1),
        p95_ms=round(percentile(timings, 0.95), 1),
        max_ms=round(max(timings), 1),
        first_ms=round(first, 1),
        samples=count,
    )
    if result.p95_ms >= BUDGET_MS:
        result.flags.append("p95>100ms")
    if result.bytes > BUDGET_BYTES:
        result.flags.append(">1MB")
    if status != 200:
        result.flags.append(f"status {status}")
    return result


def page_phase(port: int, args, logins: dict[str, list[str]]) -> tuple[list[Result], dict]:
    """Every list of every role: one line per URL."""
    routes = list_routes()
    results: list[Result] = []
    signed_in: dict[str, str] = {}
    for role in args.roles:
        session = sign_in(port, logins.get(role, []))
        if session is None:
            tried = ", ".join(email for email, _ in logins.get(role, [])) or "none"
            print(f"{role}: no login worked (tried {tried})")
            continue
        client, email = session
        signed_in[role] = email
        filters = api_filters(client)
        for _endpoint, path in routes:
            if args.only and not re.search(args.only, path):
                continue
            status, _, body = client.get(path)
            if status != 200:
                continue
            variants = [(path, "page 1")]
            pages = last_page(path, body)
            if pages > 2:
                variants.append(
                    (with_query(path, f"page={max(2, pages - 1)}"), f"page {pages - 1}/{pages}")
                )
            query = filters.get(path) if path.startswith("/api/") else html_filter(body)
            if query:
                variants.append((with_query(path, query), "filter"))
            for url, kind in variants:
                result = measure(client, role, url, kind, args.requests)
                results.append(result)
                print(format_row(result), flush=True)
    return results, signed_in


def format_row(r: Result) -> str:
    """One line of the table."""
    flags = " ".join(r.flags)
    return (
        f"{r.role:<13} {r.url[:62]:<62} {r.kind:<14} {r.bytes:>9} "
        f"{r.median_ms:>8.1f} {r.p95_ms:>8.1f} {r.first_ms:>8.1f}  {flags}"
    )


def load_phase(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """Hammer one public page with `concurrency` keep-alive connections for `seconds`."""
    timings: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop_at = time.perf_counter() + seconds

    def run(index: int) -> None:
        client = Client(port)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _, _ = client.get(path)
            except OSError:
                errors[index] += 1
                continue
            timings[index].append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors[index] += 1

    warm = Client(port)
    for _ in range(5):
        warm.get(path)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [t for chunk in timings for t in chunk]
    figures = {
        "url": path,
        "requests": len(every),
        "errors": sum(errors),
        "seconds": round(elapsed, 1),
        "rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.5), 1) if every else None,
        "p99_ms": round(percentile(every, 0.99), 1) if every else None,
    }
    flags = []
    if figures["rps"] < BUDGET_RPS:
        flags.append("<400 req/s")
    if every and figures["p99_ms"] >= BUDGET_MS:
        flags.append("p99>100ms")
    if figures["errors"]:
        flags.append(f"{figures['errors']} errors")
    figures["flags"] = flags
    return figures


def machine_load() -> str:
    """The load averages of the machine (`uptime`)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="sequential requests per URL")
    parser.add_argument("--load-seconds", type=float, default=10, help="load per public page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--server", choices=("gunicorn", "flask"), default="gunicorn")
    parser.add_argument("--roles", nargs="+", default=list(ROLES), choices=ROLES)
    parser.add_argument("--login", action="append", default=[], help="role=email (repeatable)")
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD"))
    parser.add_argument("--only", help="regular expression: measure only matching paths")
    parser.add_argument("--no-load", action="store_true", help="skip the load phase")
    parser.add_argument("--json", default=str(ROOT / "build" / "bench-web.json"))
    args = parser.parse_args(argv)
    explicit = dict(item.split("=", 1) for item in args.login)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    database = os.environ.get("DATABASE_URL", "sqlite:///instance/gongxue.db")
    logins = candidate_logins(explicit, args.password)
    load_before = machine_load()
    print(f"database {database.split('@')[-1]}, redis {os.environ.get('REDIS_URL') or 'none'}")
    print(f"server {args.server}" + (f" -w {args.workers}" if args.server == "gunicorn" else ""))
    print(f"machine load (1, 5, 15 min) before: {load_before}")
    # a plain `kill` of this driver stops the server it started too (finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    proc, port = start_server(args.server, args.workers, out.with_name("bench-web-server.log"))
    try:
        header = f"{'role':<13} {'url':<62} {'kind':<14} {'bytes':>9} {'median':>8} {'p95 ms':>8}"
        header += f" {'first':>8}"
        print(header)
        results, signed_in = page_phase(port, args, logins)
        load = []
        if not args.no_load:
            print(f"\nload: {args.concurrency} connections, {args.load_seconds:g} s per page")
            print(f"{'url':<28} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            for path in PUBLIC_PAGES:
                figures = load_phase(port, path, args.load_seconds, args.concurrency)
                load.append(figures)
                print(
                    f"{path:<28} {figures['requests']:>9} {figures['rps']:>8.1f} "
                    f"{figures['p50_ms'] or 0:>8.1f} {figures['p99_ms'] or 0:>8.1f}  "
                    + " ".join(figures["flags"]),
                    flush=True,
                )
    finally:
        stop_server(proc)
    load_after = machine_load()
    over = [r for r in results if r.flags]
    print(f"\nmachine load after: {load_after}")
    print(f"{len(results)} URLs measured, {len(over)} over budget")
    for r in over:
        print("  over: " + format_row(r))
    report = {
        "database": database.split("@")[-1],
        "redis": bool(os.environ.get("REDIS_URL")),
        "server": args.server,
        "workers": args.workers,
        "requests_per_url": args.requests,
        "machine_load_before": load_before,
        "machine_load_after": load_after,
        "signed_in": signed_in,
        "pages": [asdict(r) for r in results],
        "load": load,
    }
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"written {out}")
    return 1 if over or any(f["flags"] for f in load) else 0


if __name__ == "__main__":
    raise SystemExit(main())

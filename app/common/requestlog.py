"""Request ids and one structured log line per request.

Each request gets an id (the proxy's X-Request-ID when it is a plain token, else a new one),
returned in the X-Request-ID header, shown on error pages and in JSON errors, and written with
the user, status and duration as one JSON line on the `gongxue.request` logger, so that a
user's report ("reference 3f2a…") can be found in the log.
"""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("gongxue.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """Send the `gongxue` loggers to standard error as JSON lines (once per process)."""
    root = logging.getLogger("gongxue")
    if any(getattr(h, "_gongxue", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._gongxue = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return g.get("request_id")


def _user_id() -> int | None:
    user = g.get("api_user") or g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def register(app: Flask) -> None:
    """Assign request ids first thing, and log each request once it is answered."""
    if not app.testing:
        configure_logging()

    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        fields = {
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user": _user_id(),
            "addr": request.remote_addr,
        }
        log.info("request", extra={"fields": fields})
        return response

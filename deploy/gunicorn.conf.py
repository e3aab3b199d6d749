"""gunicorn settings for Gongxue: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Environment overrides: GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT.
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: two per core plus one (the usual rule for I/O-bound Flask apps).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# The longest requests are large exports (EXPORT_MAX_ROWS) and Excel imports; match rounds
# above ROUND_BACKGROUND_THRESHOLD run on the RQ worker, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Graceful restarts: `systemctl reload gongxue-web` (SIGHUP) lets running requests finish.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), staggered so they do not all restart.
max_requests = 2000
max_requests_jitter = 200
# Request lines up to gunicorn's maximum reach the app, which answers lines over its own
# MAX_URL_LENGTH (4 KB) with its own 414 page; nginx refuses longer ones (deploy/nginx.conf).
limit_request_line = 8190
# One access line per request on standard output (journald), with the request id the app sets.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s ua="%(a)s"'
# The app's own per-request log line (logger gongxue.request) goes to standard error.
capture_output = True


def on_starting(server):
    """Refuse to start (instead of restarting workers forever) when the settings are unsafe."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from app import create_app
    from config import ConfigError

    try:
        create_app()
    except ConfigError as exc:
        print(f"gongxue: refusing to start: {exc}", file=sys.stderr, flush=True)
        sys.exit(4)

"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi …`."""

import sys

from app import create_app
from config import ConfigError

#: gunicorn's "application failed to load" exit code: the master stops instead of restarting
#: workers that would only be refused again.
APP_LOAD_ERROR = 4

try:
    app = create_app()
except ConfigError as exc:  # one clear line instead of a traceback
    print(f"gongxue: refusing to start: {exc}", file=sys.stderr, flush=True)
    sys.exit(APP_LOAD_ERROR)

"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi …`."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one clear line instead of a traceback
    sys.exit(f"gongxue: refusing to start: {exc}")

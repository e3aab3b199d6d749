"""Small helpers for views: safe redirects, pagination arguments."""

from urllib.parse import urlsplit

from flask import request


def is_safe_local_path(target: str | None) -> bool:
    """True only for a local absolute path such as /registry/enterprises?page=2."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def page_arg(name: str = "page") -> int:
    """The ?page= (or ?<name>=) argument as a positive integer (1 when missing or bad)."""
    try:
        return max(1, int(request.args.get(name, 1)))
    except (TypeError, ValueError):
        return 1

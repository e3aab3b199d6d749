"""Per-caller limits on reads of lists (the API and the directory pages and exports)."""

import hashlib

from flask import current_app, request

from app.extensions import _client_address, limiter


def caller_key() -> str:
    """Who is reading: the bearer token, else the signed-in account, else the address."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.strip().partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return "token:" + hashlib.sha256(raw.strip().encode()).hexdigest()[:32]
    if request.blueprint == "api":  # the API never reads the session cookie
        return f"address:{_client_address()}"
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{_client_address()}"


def read_limit() -> str:
    """The configured limit, e.g. "120/minute" (READ_RATE_LIMIT)."""
    return current_app.config["READ_RATE_LIMIT"]


def limit_reads(target, scope: str):
    """Limit GET requests to a view or a blueprint per caller; one budget per scope."""
    return limiter.shared_limit(read_limit, scope, key_func=caller_key, methods=["GET"])(target)

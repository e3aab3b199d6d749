"""Atomic counting of login attempts per address and per account, on Redis or in memory.

Each attempt is counted *before* the password is checked (one atomic increment per key), so a
burst of simultaneous wrong passwords lets exactly the limit through; a successful login gives
its count back, so successes cost nothing.

The per-address limit is hard: more attempts from one address than LOGIN_RATE_LIMIT within the
window get 429. The per-account limit slows guessing down without locking the owner out: once an
account has had more attempts than the limit, each address may still try that account once per
window (the owner, from an address that has not failed on it, gets in with the right password),
and an address that already tried it is refused until the window ends.

When the shared storage (Redis) does not answer, each process counts in its own memory, logs a
warning, and goes back to the shared storage when it answers again.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger("gongxue.login")

#: Seconds between attempts to reach the shared storage again after it failed.
RETRY_SECONDS = 15.0


class _State:
    """The storages of one application: the shared one (Redis) and the in-memory fallback."""

    def __init__(self, uri: str, options: dict):
        self.uri = uri
        self.shared: Storage | None = (
            None if uri.startswith("memory://") else storage_from_string(uri, **options)
        )
        self.memory = MemoryStorage()
        self.down_until = 0.0
        self.lock = threading.Lock()

    def _storage(self) -> Storage:
        if self.shared is None or time.monotonic() < self.down_until:
            return self.memory
        return self.shared

    def run(self, operation):
        """Run operation(storage) on the shared storage, or in memory while it is unreachable."""
        storage = self._storage()
        if storage is self.memory:
            return operation(storage)
        try:
            result = operation(storage)
        except Exception as exc:  # noqa: BLE001 - any storage failure means "unreachable"
            with self.lock:
                was_up = self.down_until == 0.0
                self.down_until = time.monotonic() + RETRY_SECONDS
            if was_up:
                log.warning(
                    "login rate-limit storage %s unreachable (%s): counting in this process's "
                    "memory until it answers again",
                    self.uri.split("@")[-1],
                    exc.__class__.__name__,
                )
            return operation(self.memory)
        if self.down_until:
            with self.lock:
                if self.down_until:
                    self.down_until = 0.0
                    log.warning("login rate-limit storage answers again: counting there")
        return result

    def reset(self) -> None:
        """Forget every count (tests)."""
        self.memory.reset()
        if self.shared is not None:
            try:
                self.shared.reset()
            except Exception:  # noqa: BLE001
                log.warning("could not reset the login rate-limit storage")


def init_app(app: Flask) -> None:
    """Create the storages for this application."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    options = app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
    app.extensions["login_throttle"] = _State(uri, options)


def reset() -> None:
    """Forget every count of the current application."""
    current_app.extensions["login_throttle"].reset()


def _limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_RATE_LIMIT"])


@dataclass
class Attempt:
    """One counted login attempt; call succeeded() to give its counts back."""

    item: RateLimitItem
    keys: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        """A successful login costs nothing: undo this attempt's counts."""
        state: _State = current_app.extensions["login_throttle"]
        expiry = self.item.get_expiry()
        for key in self.keys:
            state.run(lambda s, key=key: s.incr(key, expiry, amount=-1))


def begin(email: str | None) -> Attempt:
    """Count a login attempt for the client address and the account; 429 when over the limit."""
    state: _State = current_app.extensions["login_throttle"]
    item = _limit()
    address = request.remote_addr or "unknown"
    account = (email or "").strip().lower()[:254]
    keys = [item.key_for("login-address", address)]
    if account:
        keys.append(item.key_for("login-account", account))
        keys.append(item.key_for("login-account-address", account, address))
    expiry = item.get_expiry()
    counts = [state.run(lambda s, key=key: s.incr(key, expiry)) for key in keys]
    by_address = counts[0]
    account_over = account and counts[1] > item.amount and counts[2] > 1
    if by_address > item.amount or account_over:
        raise TooManyRequests(retry_after=expiry)
    return Attempt(item, keys)

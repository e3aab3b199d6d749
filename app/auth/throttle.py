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
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger("gongxue.login")

#: Seconds between attempts to reach the shared storage again after it failed.
RETRY_SECONDS = 15.0
PREFIX = "gongxue:login:"

# Increment every key at once (one atomic step), starting each key's window on its first hit.
_INCR_ALL = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return counts
"""


class MemoryCounters:
    """Counters with a fixed window in this process's memory."""

    def __init__(self):
        self.counts: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()

    def incr_all(self, keys: list[str], expiry: int) -> list[int]:
        """Increment every key together; returns the new counts."""
        now = time.monotonic()
        with self.lock:
            result = []
            for key in keys:
                count, until = self.counts.get(key, (0, 0.0))
                if until <= now:
                    count, until = 0, now + expiry
                self.counts[key] = (count + 1, until)
                result.append(count + 1)
            return result

    def decr_all(self, keys: list[str]) -> None:
        """Give one count back on every key."""
        with self.lock:
            for key in keys:
                if key in self.counts:
                    count, until = self.counts[key]
                    self.counts[key] = (max(0, count - 1), until)

    def reset(self) -> None:
        """Forget every count."""
        with self.lock:
            self.counts.clear()


class RedisCounters:
    """The same counters on Redis, shared by every app server."""

    def __init__(self, uri: str, options: dict):
        import redis

        self.client = redis.Redis.from_url(uri, **options)
        self.script = self.client.register_script(_INCR_ALL)

    def incr_all(self, keys: list[str], expiry: int) -> list[int]:
        """Increment every key in one atomic script; returns the new counts."""
        return [int(n) for n in self.script(keys=keys, args=[expiry])]

    def decr_all(self, keys: list[str]) -> None:
        """Give one count back on every key."""
        pipe = self.client.pipeline()
        for key in keys:
            pipe.decr(key)
        pipe.execute()

    def reset(self) -> None:
        """Forget every login count."""
        for key in self.client.scan_iter(PREFIX + "*"):
            self.client.delete(key)


class _State:
    """The counters of one application: the shared ones (Redis) and the in-memory fallback."""

    def __init__(self, uri: str, options: dict):
        self.uri = uri
        self.shared = (
            None if not uri.startswith(("redis://", "rediss://")) else (RedisCounters(uri, options))
        )
        self.memory = MemoryCounters()
        self.down_until = 0.0
        self.lock = threading.Lock()

    def run(self, operation):
        """Run operation(counters) on the shared counters, or in memory while unreachable."""
        if self.shared is None or time.monotonic() < self.down_until:
            return operation(self.memory)
        try:
            result = operation(self.shared)
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
        state.run(lambda counters: counters.decr_all(self.keys))


def begin(email: str | None) -> Attempt:
    """Count a login attempt for the client address and the account; 429 when over the limit."""
    state: _State = current_app.extensions["login_throttle"]
    item = _limit()
    address = request.remote_addr or "unknown"
    account = (email or "").strip().lower()[:254]
    keys = [PREFIX + item.key_for("address", address)]
    if account:
        keys.append(PREFIX + item.key_for("account", account))
        keys.append(PREFIX + item.key_for("account-address", account, address))
    expiry = item.get_expiry()
    counts = state.run(lambda counters: counters.incr_all(keys, expiry))
    by_address = counts[0]
    account_over = account and counts[1] > item.amount and counts[2] > 1
    if by_address > item.amount or account_over:
        raise TooManyRequests(retry_after=expiry)
    return Attempt(item, keys)

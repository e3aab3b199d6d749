"""Cache of public figures: Redis when configured, in process otherwise, invalidated on commit.

Cached values live in namespaces. `watch(namespace, *models)` ties a namespace to models (or
tables); when a transaction that inserted, changed or deleted one of their rows commits, the
namespace's version is bumped, so every server sharing the cache recomputes its values at once
and the user who made the change sees it on the next page.
"""

from collections.abc import Callable
from hashlib import sha1
from itertools import chain
from typing import Any, TypeVar
from uuid import uuid4

from flask import Flask, has_app_context
from flask_caching import Cache
from sqlalchemy import Select, Table, event, func, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import visitors

T = TypeVar("T")

cache = Cache()
_BY_CLASS: dict[type, set[str]] = {}
_BY_TABLE: dict[str, set[str]] = {}
_STALE = "gongxue_stale_cache_namespaces"


def configure(app: Flask) -> None:
    """Bind the cache: CACHE_TYPE if set, else Redis at CACHE_REDIS_URL/REDIS_URL, else memory."""
    config = {
        "CACHE_DEFAULT_TIMEOUT": app.config.get("CACHE_DEFAULT_TIMEOUT", 300),
        "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "gongxue:"),
    }
    redis_url = app.config.get("CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    if app.config.get("CACHE_TYPE"):
        config["CACHE_TYPE"] = app.config["CACHE_TYPE"]
        config["CACHE_DIR"] = app.config.get("CACHE_DIR") or f"{app.instance_path}/cache"
        if redis_url:
            config["CACHE_REDIS_URL"] = redis_url
    elif redis_url:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    else:
        config["CACHE_TYPE"] = "SimpleCache"
    cache.init_app(app, config=config)


def watch(namespace: str, *targets: type | Table) -> None:
    """Invalidate `namespace` whenever rows of these models or tables change."""
    for target in targets:
        if isinstance(target, Table):
            _BY_TABLE.setdefault(target.name, set()).add(namespace)
        else:
            _BY_CLASS.setdefault(target, set()).add(namespace)
            _BY_TABLE.setdefault(target.__table__.name, set()).add(namespace)


def _version(namespace: str) -> str:
    """The namespace's current token; a fresh one when none is stored (never reused)."""
    key = f"ns:{namespace}"
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid4().hex, timeout=0)
        token = cache.get(key) or "none"
    return token


def cached(namespace: str, key: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """The cached value of `key` in `namespace`, computed (and stored) when missing."""
    full = f"{namespace}:{_version(namespace)}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout=timeout)
    return value


def tables_of(stmt: Select) -> list[str]:
    """Names of every table a statement reads, subqueries and EXISTS clauses included."""
    names = {t.name for t in visitors.iterate(stmt) if isinstance(t, Table)}
    return sorted(names)


def cached_count(stmt: Select, session=None) -> int:
    """How many rows the statement returns, cached until a table it reads changes."""
    from app.extensions import db

    session = session or db.session

    def count() -> int:
        subquery = stmt.order_by(None).subquery()
        return session.scalar(select(func.count()).select_from(subquery)) or 0

    return cached("counts", statement_key("count", stmt, session), count)


def statement_key(label: str, stmt: Select, session) -> str:
    """A cache key for a value derived from `stmt`, new whenever a table it reads changes."""
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    text = f"{compiled}|{sorted(compiled.params.items(), key=lambda kv: kv[0])!r}"
    versions = ".".join(_version(f"table:{name}") for name in tables_of(stmt))
    return f"{label}:{sha1(text.encode()).hexdigest()}:{sha1(versions.encode()).hexdigest()}"  # noqa: S324 - a cache key


def invalidate(*namespaces: str) -> None:
    """Drop every cached value of these namespaces (on every server sharing the cache)."""
    for namespace in namespaces:
        cache.set(f"ns:{namespace}", uuid4().hex, timeout=0)


def _flag(session: Session, namespaces: set[str] | None) -> None:
    if namespaces:
        session.info.setdefault(_STALE, set()).update(namespaces)


def _tables_of_object(obj: Any) -> set[str]:
    """The table namespaces a changed object touches: its tables and its link tables."""
    mapper = inspect(obj).mapper
    names = {t.name for t in mapper.tables}
    names |= {r.secondary.name for r in mapper.relationships if r.secondary is not None}
    return {f"table:{name}" for name in names}


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        for cls in type(obj).__mro__:
            _flag(session, _BY_CLASS.get(cls))
        _flag(session, _tables_of_object(obj))


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name:
        _flag(state.session, _BY_TABLE.get(name))
        _flag(state.session, {f"table:{name}"})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    namespaces = session.info.pop(_STALE, None)
    if namespaces and has_app_context():
        invalidate(*sorted(namespaces))

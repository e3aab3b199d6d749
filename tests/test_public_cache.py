"""Public figures are cached (no count queries on a second hit) and a change shows at once."""

import os
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from app.extensions import db
from app.registry.models import School
from tests.helpers import build_world, login_en, make_school, reset_database

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@contextmanager
def count_statements():
    """Collect the SQL statements that count rows, run on the database meanwhile."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        if "count(" in statement.lower():
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def figures(client) -> list[int]:
    page = client.get("/").get_data(as_text=True)
    return [int(n) for n in re.findall(r'<div class="fs-3 fw-bold">(\d+)</div>', page)]


def test_second_hit_runs_no_count_queries(client, world):
    with count_statements() as first:
        assert figures(client) == [2, 2, 2]
    assert len(first) == 3
    with count_statements() as second:
        assert figures(client) == [2, 2, 2]
        assert figures(client) == [2, 2, 2]
    assert second == []


def test_changes_show_immediately(app, client, world):
    assert figures(client) == [2, 2, 2]
    admin = app.test_client()
    login_en(admin, world.users["region_admin"])
    response = admin.post(
        f"/registry/enterprises/{world.pending_enterprise.id}/review",
        data={"decision": "approve", "confirm_uscc": "y"},
    )
    assert response.status_code == 302
    assert figures(client) == [2, 3, 2]

    owner = app.test_client()
    login_en(owner, world.users["enterprise"])
    assert owner.post(f"/registry/hosts/{world.host.id}/retire").status_code == 302
    assert figures(owner) == [2, 3, 1]  # the user who changed it sees it
    assert figures(client) == [2, 3, 1]

    # a bulk statement (no request in between: a request ends by rolling back the session the
    # test shares with it; uncommitted changes keeping the cache are tested below)
    db.session.execute(update(School).values(status="pending"))
    db.session.commit()
    assert figures(client) == [0, 3, 1]


def test_rolled_back_changes_keep_the_cache(client, world):
    assert figures(client) == [2, 2, 2]
    world.school.status = "rejected"
    db.session.flush()
    db.session.rollback()
    with count_statements() as seen:
        assert figures(client) == [2, 2, 2]
    assert seen == []


def _redis():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return connection


def test_two_servers_share_the_cache_through_redis(tmp_path):
    """Two app servers on one database and one Redis: a change on one shows on the other."""
    from app import create_app

    _redis().flushdb()
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}",
        "CACHE_TYPE": None,
        "CACHE_REDIS_URL": REDIS_URL,
    }
    one, two = create_app("testing", settings), create_app("testing", settings)
    with one.app_context():
        from app.common.cache import cache

        assert type(cache.cache).__name__ == "RedisCache"
        db.create_all()
        reset_database()
        build_world()
        assert figures(one.test_client()) == [2, 2, 2]
    with two.app_context():
        with count_statements() as seen:
            assert figures(two.test_client()) == [2, 2, 2]
        assert seen == []  # served from Redis, filled by the other server
        make_school()
    with one.app_context():
        assert figures(one.test_client()) == [3, 2, 2]
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    with two.app_context():
        db.engine.dispose()
    _redis().flushdb()

"""Bulk inserts (COPY on PostgreSQL, executemany elsewhere) store exactly the given rows."""

from sqlalchemy import func, select

from app.common import bulk
from app.common.time import utcnow
from app.extensions import db
from app.notifications.models import Notification


def test_rows_arrive_whole_in_chunks_even_from_a_querying_generator(world, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)  # several statements
    user = world.users["teacher"]
    now = utcnow()

    def rows():
        for i in range(5):  # each row first asks the database something (same connection)
            n = db.session.execute(select(func.count(Notification.id))).scalar_one()
            yield (user.id, "match_proposed", {"i": i, "名": "张三", "n": n}, f"/x/{i}", now)

    columns = ("user_id", "kind", "params", "link", "created_at")
    assert bulk.insert_rows(Notification.__table__, columns, rows()) == 5
    stored = db.session.execute(
        select(Notification.params, Notification.link, Notification.read_at)
        .where(Notification.user_id == user.id, Notification.kind == "match_proposed")
        .order_by(Notification.id)
    ).all()
    assert [(p["i"], p["名"], link, read) for p, link, read in stored] == [
        (i, "张三", f"/x/{i}", None) for i in range(5)
    ]
    db.session.rollback()

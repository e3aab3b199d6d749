"""Pagination of long public lists that stays cheap on deep pages.

`paginate_by_key` selects the rows whose keys are those of the requested page: the keys come
from an index-only walk over a covering index (instead of fetching and discarding every earlier
full row, as OFFSET on the rows does), the rows by primary key. The total and each page's keys
come from the cache of public figures, recomputed only after the listed records change.
"""

from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from app.common.cache import cached, cached_count, statement_key
from app.extensions import db


class Page:
    """One page of a list, shaped like Flask-SQLAlchemy's pagination for the pager macro."""

    def __init__(self, items: list[Any], page: int, per_page: int, total: int) -> None:
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = ceil(total / per_page) if total else 0
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None

    def __iter__(self):
        return iter(self.items)


def count_rows(stmt: Select) -> int:
    """How many rows the statement returns."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def paginate_by_key(
    stmt: Select,
    key,
    page: int,
    per_page: int,
    *,
    namespace: str,
    count_key: str,
) -> Page:
    """The page of `stmt` (ordered, ending in the unique `key` column) with a cached total."""
    total = cached(namespace, f"count:{count_key}", lambda: count_rows(stmt))
    offset = (page - 1) * per_page
    if offset >= total:
        return Page([], page, per_page, total)
    keys = cached(
        namespace,
        f"keys:{count_key}:{page}:{per_page}",
        lambda: list(
            db.session.scalars(stmt.with_only_columns(key).offset(offset).limit(per_page))
        ),
    )
    rows = list(db.session.scalars(stmt.where(key.in_(keys))).unique()) if keys else []
    return Page(rows, page, per_page, total)


def paginate_by_id(stmt: Select, page: int, per_page: int) -> Page:
    """The page of `stmt` (one mapped entity with an `id`, ordered ending in a unique column).

    The page's ids come from the list's own filters and order alone (an index-only walk where
    an index matches the order), then its rows by id, in that order; the total and each page's
    ids are cached until a table the list reads changes. Same rows as OFFSET on the rows.
    """
    total = cached_count(stmt)
    offset = (page - 1) * per_page
    if offset >= total:
        return Page([], page, per_page, total)
    entity = stmt.column_descriptions[0]["entity"]
    ids_stmt = stmt.with_only_columns(entity.id).offset(offset).limit(per_page)
    ids = cached(
        "counts",
        statement_key("ids", ids_stmt, db.session),
        lambda: list(db.session.scalars(ids_stmt)),
    )
    if not ids:
        return Page([], page, per_page, total)
    rows = {row.id: row for row in db.session.scalars(stmt.where(entity.id.in_(ids))).unique()}
    return Page([rows[i] for i in ids if i in rows], page, per_page, total)

"""Read queries of the registry: the public directory, review queue, an owner's records."""

from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import selectinload

from app.common.cache import cached_count, watch
from app.common.pagination import Page, paginate_by_key
from app.extensions import db
from app.registry.models import Enterprise, Host, School, host_occupation


@dataclass(frozen=True)
class DirectoryFilters:
    """Search and filters of the public directory (all optional)."""

    q: str | None = None
    region_code: str | None = None
    industry: str | None = None
    occupation_code: str | None = None
    host_kind: str | None = None
    kind: str | None = None
    status: str | None = None


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def visible_enterprises(user, filters: DirectoryFilters) -> Select:
    """Enterprises the user may list: approved ones, plus (for admins) their league's others."""
    stmt = select(Enterprise).options(
        selectinload(Enterprise.hosts).selectinload(Host.occupations),
        selectinload(Enterprise.region),
        selectinload(Enterprise.industry),
    )
    stmt = stmt.where(_visibility(Enterprise, user, filters.status))
    if filters.q:
        stmt = stmt.where(
            or_(
                Enterprise.name.ilike(_like(filters.q), escape="\\"),
                Enterprise.uscc == filters.q.strip().upper(),
            )
        )
    if filters.region_code:
        stmt = stmt.where(Enterprise.region_code == filters.region_code)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry_section == filters.industry)
    if filters.occupation_code or filters.host_kind:
        host_match = select(Host.id).where(
            Host.enterprise_id == Enterprise.id, Host.retired_at.is_(None)
        )
        if filters.host_kind:
            host_match = host_match.where(Host.kind == filters.host_kind)
        if filters.occupation_code:
            host_match = host_match.where(
                exists().where(
                    host_occupation.c.host_id == Host.id,
                    host_occupation.c.occupation_code == filters.occupation_code,
                )
            )
        stmt = stmt.where(exists(host_match))
    return stmt.order_by(Enterprise.name, Enterprise.id)


def directory_page(user, filters: DirectoryFilters, page: int, per_page: int) -> Page:
    """A page of the enterprise directory, cheap at any depth (total cached per filter)."""
    return paginate_by_key(
        visible_enterprises(user, filters),
        Enterprise.id,
        page,
        per_page,
        namespace="directory",
        count_key=f"{_scope(user)}:{filters!r}",
    )


def _scope(user) -> str:
    """Whose view of the directory a count is: the public's, or an administrator's league."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_admin:
        return "region" if user.is_region_admin else f"league:{user.region_code}"
    return "public"


watch("directory", Enterprise, Host, host_occupation)


def visible_schools(user, filters: DirectoryFilters) -> Select:
    """Schools the user may list: approved ones, plus (for admins) their league's others."""
    stmt = select(School).options(selectinload(School.region))
    stmt = stmt.where(_visibility(School, user, filters.status))
    if filters.q:
        stmt = stmt.where(School.name.ilike(_like(filters.q), escape="\\"))
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.kind:
        stmt = stmt.where(School.kind == filters.kind)
    return stmt.order_by(School.name, School.id)


def _visibility(model, user, status: str | None):
    """Approved rows for everyone; administrators also see other statuses in their league."""
    is_admin = user is not None and getattr(user, "is_authenticated", False) and user.is_admin
    if not is_admin:
        return model.status == "approved" if status in (None, "", "approved") else false()
    scope = (
        true()
        if user.is_region_admin
        else or_(model.status == "approved", model.region_code == user.region_code)
    )
    return and_(scope, model.status == status) if status else scope


def review_queue(user, kind: str = "enterprise", status: str = "pending") -> Select:
    """Profiles waiting for review in the administrator's scope, oldest first."""
    model = Enterprise if kind == "enterprise" else School
    stmt = select(model).where(model.status == status)
    if not user.is_region_admin:
        stmt = stmt.where(model.region_code == user.region_code)
    return stmt.order_by(model.updated_at, model.id)


def enterprise_hosts(enterprise: Enterprise, include_retired: bool = False) -> list[Host]:
    """The enterprise's hosts with their occupations, in id order."""
    stmt = (
        select(Host)
        .options(selectinload(Host.occupations), selectinload(Host.partner_school))
        .where(Host.enterprise_id == enterprise.id)
    )
    if not include_retired:
        stmt = stmt.where(Host.retired_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Host.id)))


def approved_school_choices() -> list[tuple[int, str]]:
    """(id, name) of the approved schools, for a training station's partner school."""
    stmt = select(School.id, School.name).where(School.status == "approved")
    return [(row.id, row.name) for row in db.session.execute(stmt.order_by(School.name))]


def paginate(stmt: Select, page: int, per_page: int):
    """Flask-SQLAlchemy pagination that never 404s on an out-of-range page; its total is
    cached until a table the list reads changes."""
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=False)
    pagination.total = cached_count(stmt)
    return pagination

"""Read queries of the cooperation domain: browsing, desks, the practice ledger, compliance."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, String, and_, case, cast, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from app.common.cache import cached, cached_count, watch
from app.common.pagination import Page, count_rows, paginate_by_key
from app.cooperation.models import (
    AGREEMENT_STATES,
    OPEN_REQUEST_STATUSES,
    PROPOSAL_STATUSES,
    SHOWN_TO_HOSTS,
    Agreement,
    Application,
    ApplicationChoice,
    Feedback,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
    Proposal,
    offer_occupation,
    pairing_request_occupation,
    placement_occupation,
)
from app.extensions import db
from app.reference.models import Occupation, Region
from app.registry.models import TEACHER_ORDER, Enterprise, Host, School, SchoolMajor, Teacher


@dataclass(frozen=True)
class BrowseFilters:
    """Filters of the public placement and offer lists (all optional)."""

    region_code: str | None = None
    occupation_code: str | None = None
    host_kind: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    free_only: bool = False
    mode: str | None = None


def _posting_filters(stmt: Select, model, link_table, key: str, filters: BrowseFilters) -> Select:
    stmt = (
        stmt.join(Host, model.host_id == Host.id)
        .join(Enterprise, Host.enterprise_id == Enterprise.id)
        .where(model.status == "open", Enterprise.status == "approved", Host.retired_at.is_(None))
    )
    if filters.region_code:
        stmt = stmt.where(Host.region_code == filters.region_code)
    if filters.host_kind:
        stmt = stmt.where(Host.kind == filters.host_kind)
    if filters.occupation_code:
        stmt = stmt.where(
            exists().where(
                link_table.c[key] == model.id,
                link_table.c.occupation_code == filters.occupation_code,
            )
        )
    if filters.starts_on:
        stmt = stmt.where(model.ends_on >= filters.starts_on)
    if filters.ends_on:
        stmt = stmt.where(model.starts_on <= filters.ends_on)
    return stmt


def open_placements(filters: BrowseFilters) -> Select:
    """Open placements of approved enterprises' active hosts, soonest first."""
    stmt = select(Placement).options(
        selectinload(Placement.host).selectinload(Host.enterprise),
        selectinload(Placement.host).selectinload(Host.region),
        selectinload(Placement.occupations),
    )
    stmt = _posting_filters(stmt, Placement, placement_occupation, "placement_id", filters)
    if filters.free_only:
        stmt = stmt.where(Placement.seats_taken < Placement.seats)
    return stmt.order_by(Placement.starts_on, Placement.id)


def open_offers(filters: BrowseFilters) -> Select:
    """Open cooperation offers of approved enterprises' active hosts, soonest first."""
    stmt = select(Offer).options(
        selectinload(Offer.host).selectinload(Host.enterprise),
        selectinload(Offer.host).selectinload(Host.region),
        selectinload(Offer.occupations),
    )
    stmt = _posting_filters(stmt, Offer, offer_occupation, "offer_id", filters)
    if filters.free_only:
        stmt = stmt.where(Offer.slots_taken < Offer.slots)
    if filters.mode:
        stmt = stmt.where(Offer.mode == filters.mode)
    return stmt.order_by(Offer.starts_on, Offer.id)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def placement_options(teacher: Teacher | None, q: str = "") -> Select:
    """Open placements with free seats for a teacher's application, searchable by host,
    enterprise, league or occupation; the teacher's occupations first, then the own league."""
    stmt = open_placements(BrowseFilters(free_only=True))
    words = [w for w in q.split() if w][:5]
    for word in words:
        like = _like(word)
        stmt = stmt.where(
            or_(
                Host.name.ilike(like, escape="\\"),
                Enterprise.name.ilike(like, escape="\\"),
                Host.region.has(Region.name.ilike(like, escape="\\")),
                Placement.occupations.any(
                    or_(
                        Occupation.name.ilike(like, escape="\\"),
                        Occupation.code.ilike(like, escape="\\"),
                    )
                ),
            )
        )
    if teacher is None:
        return stmt
    codes = [o.code for o in teacher.occupations]
    fits = (
        exists().where(
            placement_occupation.c.placement_id == Placement.id,
            placement_occupation.c.occupation_code.in_(codes),
        )
        if codes
        else None
    )
    order = []
    if fits is not None:
        order.append(case((fits, 0), else_=1))
    order.append(case((Host.region_code == teacher.school.region_code, 0), else_=1))
    return stmt.order_by(None).order_by(*order, Placement.starts_on, Placement.id)


def placements_page(filters: BrowseFilters, page: int, per_page: int) -> Page:
    """A page of the open placements, cheap at any depth (total cached per filter)."""
    stmt = open_placements(filters)
    return paginate_by_key(
        stmt, Placement.id, page, per_page, namespace="placements", count_key=repr(filters)
    )


def offers_page(filters: BrowseFilters, page: int, per_page: int) -> Page:
    """A page of the open offers, cheap at any depth (total cached per filter)."""
    stmt = open_offers(filters)
    return paginate_by_key(
        stmt, Offer.id, page, per_page, namespace="offers", count_key=repr(filters)
    )


watch("placements", Placement, Host, Enterprise, placement_occupation)
watch("offers", Offer, Host, Enterprise, offer_occupation)


def placement_choices(extra_ids: list[int] | None = None, limit: int = 300) -> list[tuple]:
    """(id, label) of open placements with free seats, for the application form."""
    stmt = open_placements(BrowseFilters(free_only=True)).limit(limit)
    rows = list(db.session.scalars(stmt))
    known = {p.id for p in rows}
    missing = [i for i in (extra_ids or []) if i not in known]
    if missing:
        rows += list(db.session.scalars(select(Placement).where(Placement.id.in_(missing))))
    return [(p.id, placement_label(p)) for p in rows]


def placement_label(placement: Placement) -> str:
    """What a teacher recognises: '数控车间 · 呼和浩特机床厂 · 2026-03-01–2026-06-30'."""
    return (
        f"{placement.host.name} · {placement.host.enterprise.name} · "
        f"{placement.starts_on.isoformat()}–{placement.ends_on.isoformat()}"
    )


def enterprise_postings(enterprise_id: int) -> tuple[list[Offer], list[Placement]]:
    """The enterprise's offers and placements, newest first."""
    offers = db.session.scalars(
        select(Offer)
        .join(Host)
        .options(selectinload(Offer.host), selectinload(Offer.occupations))
        .where(Host.enterprise_id == enterprise_id)
        .order_by(Offer.id.desc())
    )
    placements = db.session.scalars(
        select(Placement)
        .join(Host)
        .options(selectinload(Placement.host), selectinload(Placement.occupations))
        .where(Host.enterprise_id == enterprise_id)
        .order_by(Placement.id.desc())
    )
    return list(offers), list(placements)


def _application_options():
    return (
        selectinload(Application.teacher).selectinload(Teacher.school),
        selectinload(Application.choices)
        .selectinload(ApplicationChoice.placement)
        .selectinload(Placement.host)
        .selectinload(Host.enterprise),
    )


def _applications(base: Select | None) -> Select:
    """The base statement of an application list: Application with its eager options, or the
    given statement (an export's plain columns)."""
    return base if base is not None else select(Application).options(*_application_options())


def enterprise_applicants(
    enterprise_id: int, status: str | None = None, base: Select | None = None
) -> Select:
    """Endorsed (or matched) applications choosing one of the enterprise's placements."""
    mine = (
        select(ApplicationChoice.id)
        .join(Placement, ApplicationChoice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .where(
            ApplicationChoice.application_id == Application.id, Host.enterprise_id == enterprise_id
        )
    )
    stmt = _applications(base).where(exists(mine))
    stmt = stmt.where(Application.status.in_(SHOWN_TO_HOSTS))
    if status:
        stmt = stmt.where(Application.status == status)
    order = case(
        (Application.status == "endorsed", 0), (Application.status == "submitted", 1), else_=2
    )
    return stmt.order_by(order, Application.id.desc())


def school_applications(
    school_id: int, status: str | None = None, base: Select | None = None
) -> Select:
    """Applications of the school's teachers, those waiting for the school first."""
    mine = select(Teacher.id).where(
        Teacher.id == Application.teacher_id, Teacher.school_id == school_id
    )
    stmt = _applications(base).where(exists(mine))
    if status:
        stmt = stmt.where(Application.status == status)
    order = case((Application.status == "submitted", 0), else_=1)
    return stmt.order_by(order, Application.id.desc())


def teacher_applications(teacher_id: int) -> list[Application]:
    """The teacher's applications, newest first."""
    stmt = (
        select(Application)
        .options(*_application_options())
        .where(Application.teacher_id == teacher_id)
        .order_by(Application.id.desc())
    )
    return list(db.session.scalars(stmt))


def open_application(teacher: Teacher | None) -> Application | None:
    """The teacher's application still under way (submitted or endorsed), if any."""
    if teacher is None:
        return None
    return db.session.scalar(
        select(Application)
        .where(
            Application.teacher_id == teacher.id,
            Application.status.in_(("submitted", "endorsed")),
        )
        .order_by(Application.id.desc())
        .limit(1)
    )


def teacher_practices(teacher_id: int) -> list[Practice]:
    """The teacher's practice stints, newest first."""
    stmt = (
        select(Practice)
        .options(
            selectinload(Practice.placement)
            .selectinload(Placement.host)
            .selectinload(Host.enterprise),
            selectinload(Practice.entries),
        )
        .where(Practice.teacher_id == teacher_id)
        .order_by(Practice.started_on.desc(), Practice.id.desc())
    )
    return list(db.session.scalars(stmt))


def enterprise_practices(enterprise_id: int) -> list[Practice]:
    """Ongoing stints at the enterprise's hosts, then the completed ones."""
    stmt = (
        select(Practice)
        .join(Placement, Practice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .options(
            selectinload(Practice.teacher),
            selectinload(Practice.placement).selectinload(Placement.host),
            selectinload(Practice.entries),
        )
        .where(Host.enterprise_id == enterprise_id)
        .order_by(case((Practice.status == "ongoing", 0), else_=1), Practice.id.desc())
    )
    return list(db.session.scalars(stmt))


def school_teachers(school_id: int) -> Select:
    """Teachers of the school, those waiting for confirmation first."""
    return (
        select(Teacher)
        .options(selectinload(Teacher.occupations), selectinload(Teacher.user))
        .where(Teacher.school_id == school_id)
        .order_by(case((Teacher.confirmed_at.is_(None), 0), else_=1), Teacher.name, Teacher.id)
    )


def school_majors(school_id: int) -> list[SchoolMajor]:
    """The school's integrated majors."""
    stmt = (
        select(SchoolMajor)
        .options(selectinload(SchoolMajor.major))
        .where(SchoolMajor.school_id == school_id)
        .order_by(SchoolMajor.id)
    )
    return list(db.session.scalars(stmt))


def school_pairing_requests(school_id: int) -> list[PairingRequest]:
    """The school's pairing requests, newest first."""
    stmt = (
        select(PairingRequest)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .options(
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.major),
            selectinload(PairingRequest.occupations),
        )
        .where(SchoolMajor.school_id == school_id)
        .order_by(PairingRequest.id.desc())
    )
    return list(db.session.scalars(stmt))


def pairings_of(user, status: str | None = "active") -> Select:
    """Pairings of the user's school or enterprise (all of their league for administrators)."""
    stmt = (
        select(Pairing)
        .join(SchoolMajor, Pairing.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .join(Offer, Pairing.offer_id == Offer.id)
        .join(Host, Offer.host_id == Host.id)
        .options(
            selectinload(Pairing.school_major).selectinload(SchoolMajor.school),
            selectinload(Pairing.school_major).selectinload(SchoolMajor.major),
            selectinload(Pairing.offer).selectinload(Offer.host).selectinload(Host.enterprise),
        )
    )
    if user.role == "school":
        stmt = stmt.where(School.id == user.school_id)
    elif user.role == "enterprise":
        stmt = stmt.where(Host.enterprise_id == user.enterprise_id)
    elif user.role == "league_admin":
        stmt = stmt.where(
            or_(School.region_code == user.region_code, Host.region_code == user.region_code)
        )
    if status:
        stmt = stmt.where(Pairing.status == status)
    return stmt.order_by(Pairing.started_on.desc(), Pairing.id.desc())


# --- the practice rule --------------------------------------------------------------------


def rule() -> tuple[int, int]:
    """(days required, years) of the enterprise-practice rule."""
    config = current_app.config
    return config["PRACTICE_RULE_DAYS"], config["PRACTICE_RULE_YEARS"]


def window_start(today: date, years: int) -> date:
    """The first day of the rule's window ending today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass
class Ledger:
    """A teacher's confirmed practice days in the rule's window, with the shortfall."""

    since: date
    until: date
    required: int
    years: int
    days: int
    stints: list[tuple[Practice, int]]

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.days)

    @property
    def share(self) -> int:
        return min(100, round(100 * self.days / self.required)) if self.required else 100


def ledger(teacher: Teacher, today: date) -> Ledger:
    """Confirmed practice days of the teacher over the last PRACTICE_RULE_YEARS years."""
    required, years = rule()
    since = window_start(today, years)
    stints = []
    total = 0
    for practice in teacher_practices(teacher.id):
        days = sum(1 for e in practice.entries if e.confirmed and since <= e.on_date <= today)
        stints.append((practice, days))
        total += days
    return Ledger(since, today, required, years, total, stints)


def _days_in_window(since: date, today: date):
    return (
        select(Practice.teacher_id, func.count(PracticeEntry.id).label("days"))
        .join(PracticeEntry, PracticeEntry.practice_id == Practice.id)
        .where(
            PracticeEntry.confirmed.is_(True),
            PracticeEntry.on_date >= since,
            PracticeEntry.on_date <= today,
        )
        .group_by(Practice.teacher_id)
        .subquery()
    )


def behind_rule(user, today: date, school_id: int | None = None, plain: bool = False) -> Select:
    """(Teacher, days) of confirmed teachers below the rule, fewest days first; league admins
    see their league only. plain: (teacher id, name, school name, days) columns instead."""
    required, years = rule()
    days = _days_in_window(window_start(today, years), today)
    counted = func.coalesce(days.c.days, 0)
    if plain:
        stmt = select(Teacher.id, Teacher.name, School.name, counted.label("days"))
    else:
        stmt = select(Teacher, counted.label("days")).options(selectinload(Teacher.school))
    stmt = (
        stmt.join(School, Teacher.school_id == School.id)
        .outerjoin(days, days.c.teacher_id == Teacher.id)
        .where(Teacher.confirmed_at.is_not(None), counted < required)
    )
    if not user.is_region_admin:
        stmt = stmt.where(School.region_code == user.region_code)
    if school_id:
        stmt = stmt.where(Teacher.school_id == school_id)
    return stmt.order_by(counted, School.name, Teacher.name, Teacher.id)


def school_compliance(user, today: date) -> list:
    """Per school of the admin's scope: confirmed teachers and how many are behind the rule."""
    required, years = rule()
    days = _days_in_window(window_start(today, years), today)
    counted = func.coalesce(days.c.days, 0)
    behind = func.sum(case((counted < required, 1), else_=0))
    stmt = (
        select(
            School.id, School.name, func.count(Teacher.id).label("teachers"), behind.label("behind")
        )
        .join(Teacher, Teacher.school_id == School.id)
        .outerjoin(days, days.c.teacher_id == Teacher.id)
        .where(Teacher.confirmed_at.is_not(None))
        .group_by(School.id, School.name)
        .having(behind > 0)
    )
    if not user.is_region_admin:
        stmt = stmt.where(School.region_code == user.region_code)
    return list(db.session.execute(stmt.order_by(behind.desc(), School.name)))


def scope_schools(user) -> list[tuple[int, str]]:
    """(id, name) of the schools in an administrator's scope."""
    stmt = select(School.id, School.name)
    if not user.is_region_admin:
        stmt = stmt.where(School.region_code == user.region_code)
    return [(r.id, r.name) for r in db.session.execute(stmt.order_by(School.name))]


@dataclass
class RowPage:
    """A page of result rows (several columns), shaped like Flask-SQLAlchemy's pagination."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_rows(stmt: Select, page: int, per_page: int) -> RowPage:
    """Page through a multi-column select (rows, not scalars)."""
    total = cached_count(stmt)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return RowPage(list(rows), page, per_page, total or 0)


watch("compliance", Practice, PracticeEntry, Teacher, School)


def _compliance_key(user, today: date, school_id: int | None = None) -> str:
    scope = "region" if user.is_region_admin else user.region_code
    return f"{scope}:{school_id or 'all'}:{today.isoformat()}"


def behind_rule_page(user, today: date, school_id: int | None, page: int, per_page: int) -> RowPage:
    """A page of (Teacher, days) behind the rule; the total and each page's keys are cached
    (per scope, school and day) until a practice, teacher or school changes."""
    stmt = behind_rule(user, today, school_id)
    key = _compliance_key(user, today, school_id)
    total = cached("compliance", f"count:{key}", lambda: count_rows(stmt))
    if (page - 1) * per_page >= total:
        return RowPage([], page, per_page, total)

    def keys() -> list[tuple[int, int]]:
        rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
        return [(teacher.id, int(days)) for teacher, days in rows]

    chosen = cached("compliance", f"page:{key}:{page}:{per_page}", keys)
    teachers = {
        t.id: t
        for t in db.session.scalars(
            select(Teacher)
            .options(selectinload(Teacher.school))
            .where(Teacher.id.in_([i for i, _ in chosen]))
        )
    }
    items = [(teachers[i], days) for i, days in chosen if i in teachers]
    return RowPage(items, page, per_page, total)


def school_compliance_page(user, today: date, page: int, per_page: int) -> RowPage:
    """A page of the per-school summary (cached like the list above)."""
    key = _compliance_key(user, today)
    rows = cached(
        "compliance",
        f"schools:{key}",
        lambda: [(r.id, r.name, r.teachers, r.behind) for r in school_compliance(user, today)],
    )
    start = (page - 1) * per_page
    items = [SchoolSummary(*row) for row in rows[start : start + per_page]]
    return RowPage(items, page, per_page, len(rows))


@dataclass
class SchoolSummary:
    """One school's line of the compliance summary."""

    id: int
    name: str
    teachers: int
    behind: int


def teacher_applications_stmt(teacher_id: int, base: Select | None = None) -> Select:
    """The teacher's applications, newest first (a statement for pagination)."""
    return (
        _applications(base)
        .where(Application.teacher_id == teacher_id)
        .order_by(Application.id.desc())
    )


# One scope per object: what a caller's list shows is what the objects' can_view allows. -----


def _league_of(user) -> str | None:
    """The league an administrator is limited to; None for region administrators."""
    return None if user.role == "region_admin" else user.region_code


def visible_teachers(user, base: Select | None = None) -> Select:
    """Teachers the user may view: oneself, the school's own, or the admin's league's (as
    Teacher objects, or as the given statement's columns)."""
    if base is None:
        base = select(Teacher).options(
            selectinload(Teacher.occupations), selectinload(Teacher.user)
        )
    stmt = base.order_by(*TEACHER_ORDER)  # ix_teacher_list_order covers it: deep pages walk it
    if user.role == "teacher":
        return stmt.where(Teacher.user_id == user.id)
    if user.role == "school":
        return stmt.where(Teacher.school_id == (user.school_id or 0))
    if user.is_admin:
        league = _league_of(user)
        if league is None:
            return stmt
        schools = select(School.id).where(School.region_code == league)
        return stmt.where(Teacher.school_id.in_(schools))
    return stmt.where(false())


def admin_applications(user, base: Select | None = None) -> Select:
    """Applications an administrator may view: of the league's schools' teachers, and the
    endorsed ones choosing a placement of one of the league's enterprises."""
    stmt = _applications(base).order_by(Application.id.desc())
    league = _league_of(user)
    if league is None:
        return stmt
    own = (
        select(Teacher.id)
        .join(School, Teacher.school_id == School.id)
        .where(Teacher.id == Application.teacher_id, School.region_code == league)
    )
    hosted = (
        select(ApplicationChoice.id)
        .join(Placement, ApplicationChoice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .join(Enterprise, Host.enterprise_id == Enterprise.id)
        .where(ApplicationChoice.application_id == Application.id, Enterprise.region_code == league)
    )
    return stmt.where(
        or_(exists(own), and_(Application.status.in_(SHOWN_TO_HOSTS), exists(hosted)))
    )


def visible_practices(user, teacher_id: int | None = None) -> Select:
    """Practice stints the user may view: the teacher's own, the school's teachers', those at
    the enterprise's hosts, or the admin's league's (by school or by enterprise)."""
    stmt = (
        select(Practice)
        .join(Teacher, Practice.teacher_id == Teacher.id)
        .join(School, Teacher.school_id == School.id)
        .join(Placement, Practice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .join(Enterprise, Host.enterprise_id == Enterprise.id)
        .options(
            selectinload(Practice.teacher),
            selectinload(Practice.placement).selectinload(Placement.host),
            selectinload(Practice.entries),
        )
        .order_by(case((Practice.status == "ongoing", 0), else_=1), Practice.id.desc())
    )
    if user.role == "teacher":
        return stmt.where(Practice.teacher_id == (teacher_id or 0))
    if user.role == "school":
        return stmt.where(Teacher.school_id == (user.school_id or 0))
    if user.role == "enterprise":
        return stmt.where(Host.enterprise_id == (user.enterprise_id or 0))
    league = _league_of(user)
    if league is None:
        return stmt
    return stmt.where(or_(School.region_code == league, Enterprise.region_code == league))


def visible_pairing_requests(user) -> Select:
    """Pairing requests the user may view: the school's own, or the admin's league's."""
    stmt = (
        select(PairingRequest)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .options(
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.major),
            selectinload(PairingRequest.occupations),
        )
        .order_by(PairingRequest.id.desc())
    )
    if user.role == "school":
        return stmt.where(SchoolMajor.school_id == (user.school_id or 0))
    if user.is_admin:
        league = _league_of(user)
        return stmt if league is None else stmt.where(School.region_code == league)
    return stmt.where(false())


# --- direct pairing proposals -------------------------------------------------------------


def open_pairing_requests(filters: BrowseFilters) -> Select:
    """Pairing requests of approved schools still looking for partners, soonest first.

    Filters: the school's league, an occupation, a preferred mode (requests without a
    preference match every mode) and period overlap.
    """
    stmt = (
        select(PairingRequest)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(School, SchoolMajor.school_id == School.id)
        .options(
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.school),
            selectinload(PairingRequest.school_major).selectinload(SchoolMajor.major),
            selectinload(PairingRequest.occupations),
        )
        .where(
            PairingRequest.status.in_(OPEN_REQUEST_STATUSES),
            School.status == "approved",
            SchoolMajor.active.is_(True),
        )
    )
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.occupation_code:
        stmt = stmt.where(
            exists().where(
                pairing_request_occupation.c.pairing_request_id == PairingRequest.id,
                pairing_request_occupation.c.occupation_code == filters.occupation_code,
            )
        )
    if filters.mode:
        modes = cast(PairingRequest.preferred_modes, String)
        stmt = stmt.where(or_(modes.like(f'%"{filters.mode}"%'), modes == "[]"))
    if filters.starts_on:
        stmt = stmt.where(PairingRequest.ends_on >= filters.starts_on)
    if filters.ends_on:
        stmt = stmt.where(PairingRequest.starts_on <= filters.ends_on)
    return stmt.order_by(PairingRequest.starts_on, PairingRequest.id)


def proposals_of(user, box: str | None = None, status: str | None = None) -> Select:
    """Proposals the user's school or enterprise sent or received (box 'sent'/'received'),
    newest first."""
    stmt = (
        select(Proposal)
        .join(SchoolMajor, Proposal.school_major_id == SchoolMajor.id)
        .join(Offer, Proposal.offer_id == Offer.id)
        .join(Host, Offer.host_id == Host.id)
        .options(
            selectinload(Proposal.school_major).selectinload(SchoolMajor.school),
            selectinload(Proposal.school_major).selectinload(SchoolMajor.major),
            selectinload(Proposal.offer).selectinload(Offer.host).selectinload(Host.enterprise),
        )
    )
    if user.role == "school":
        stmt = stmt.where(SchoolMajor.school_id == (user.school_id or 0))
        sent = "to_offer"
    elif user.role == "enterprise":
        stmt = stmt.where(Host.enterprise_id == (user.enterprise_id or 0))
        sent = "to_request"
    else:
        return stmt.where(Proposal.id.is_(None))
    if box == "sent":
        stmt = stmt.where(Proposal.direction == sent)
    elif box == "received":
        stmt = stmt.where(Proposal.direction != sent)
    if status in PROPOSAL_STATUSES:
        stmt = stmt.where(Proposal.status == status)
    return stmt.order_by(Proposal.id.desc())


def own_open_offers(enterprise_id: int) -> list[Offer]:
    """The enterprise's open offers with a free slot, for the proposal form."""
    stmt = (
        select(Offer)
        .join(Host, Offer.host_id == Host.id)
        .options(selectinload(Offer.host))
        .where(
            Host.enterprise_id == enterprise_id,
            Host.retired_at.is_(None),
            Offer.status == "open",
            Offer.slots_taken < Offer.slots,
        )
        .order_by(Offer.id)
    )
    return list(db.session.scalars(stmt))


# --- agreements ---------------------------------------------------------------------------

AGREEMENT_WHEN = ("ending", "ended")


def agreements_for(
    user, state: str | None = None, when: str | None = None, today: date | None = None
) -> Select:
    """Agreements the user's organisation signs (administrators: of their league), newest
    first; `state` filters by state, `when` by expiry: 'ending' within 30 days, 'ended'."""
    stmt = select(Agreement).options(
        selectinload(Agreement.school),
        selectinload(Agreement.enterprise),
        selectinload(Agreement.parties),
    )
    if user.role == "school":
        stmt = stmt.where(Agreement.school_id == (user.school_id or 0))
    elif user.role == "enterprise":
        stmt = stmt.where(Agreement.enterprise_id == (user.enterprise_id or 0))
    elif user.role == "teacher":
        stmt = stmt.join(Teacher, Agreement.teacher_id == Teacher.id).where(
            Teacher.user_id == user.id
        )
    elif user.role == "league_admin":
        stmt = stmt.where(Agreement.region_code == user.region_code)
    elif user.role != "region_admin":
        return stmt.where(Agreement.id.is_(None))
    if state in AGREEMENT_STATES:
        stmt = stmt.where(Agreement.state == state)
    if when in AGREEMENT_WHEN and today is not None:
        if when == "ending":
            stmt = stmt.where(
                Agreement.ends_on >= today, Agreement.ends_on <= today + timedelta(days=30)
            )
        else:
            stmt = stmt.where(Agreement.ends_on < today)
        return stmt.order_by(Agreement.ends_on, Agreement.id)
    return stmt.order_by(Agreement.id.desc())


def pairings_without_agreement(user, today: date, grace_days: int = 30) -> Select:
    """Active pairings started more than `grace_days` ago without an active agreement."""
    has_agreement = exists().where(Agreement.pairing_id == Pairing.id, Agreement.state == "active")
    stmt = pairings_of(user, "active").where(
        Pairing.started_on <= today - timedelta(days=grace_days), ~has_agreement
    )
    return stmt


def agreement_history(agreement: Agreement) -> list[Agreement]:
    """Every version of the agreement's subject, newest first."""
    column = getattr(Agreement, f"{agreement.subject}_id")
    value = getattr(agreement, f"{agreement.subject}_id")
    stmt = select(Agreement).where(column == value).order_by(Agreement.version.desc())
    return list(db.session.scalars(stmt))


def subject_agreements(kind: str, ids: list[int]) -> dict[int, Agreement]:
    """The newest agreement version of each subject id (for list pages)."""
    if not ids:
        return {}
    column = getattr(Agreement, f"{kind}_id")
    rows = db.session.scalars(select(Agreement).where(column.in_(ids)).order_by(Agreement.version))
    return {getattr(r, f"{kind}_id"): r for r in rows}


# --- feedback -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """An average rating (1–5) and how many answers it rests on."""

    average: float
    count: int


#: Answers about a host: the teacher on the placement, the school on the pairing.
ABOUT_HOST_SIDES = ("teacher", "school")


def host_ratings(host_ids: list[int]) -> dict[int, Rating]:
    """Average and count of the answers about each host (never the comments)."""
    if not host_ids:
        return {}
    rows = db.session.execute(
        select(Feedback.host_id, func.avg(Feedback.score), func.count(Feedback.id))
        .where(Feedback.host_id.in_(host_ids), Feedback.side.in_(ABOUT_HOST_SIDES))
        .group_by(Feedback.host_id)
    )
    return {h: Rating(round(float(a), 1), n) for h, a, n in rows}


def offer_ratings(offer_ids: list[int]) -> dict[int, Rating]:
    """Average and count of schools' answers about pairings under each offer."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(Feedback.offer_id, func.avg(Feedback.score), func.count(Feedback.id))
        .where(Feedback.offer_id.in_(offer_ids), Feedback.side == "school")
        .group_by(Feedback.offer_id)
    )
    return {o: Rating(round(float(a), 1), n) for o, a, n in rows}


def host_average_map() -> dict[int, float]:
    """Every host's average rating (for the matcher's optional feedback criterion)."""
    rows = db.session.execute(
        select(Feedback.host_id, func.avg(Feedback.score))
        .where(Feedback.side.in_(ABOUT_HOST_SIDES))
        .group_by(Feedback.host_id)
    )
    return {h: float(a) for h, a in rows}


def feedback_of(user) -> Select:
    """The user's own answers, newest first."""
    return (
        select(Feedback)
        .options(selectinload(Feedback.host))
        .where(Feedback.author_id == user.id)
        .order_by(Feedback.id.desc())
    )


def feedback_report(
    user, region_code: str | None = None, occupation_code: str | None = None
) -> Select:
    """Averages and counts by league, occupation and occasion within the admin's scope."""
    stmt = select(
        Feedback.region_code,
        Feedback.occupation_code,
        Feedback.occasion,
        func.count(Feedback.id).label("answers"),
        func.avg(Feedback.score).label("average"),
    )
    if user.role == "league_admin":
        stmt = stmt.where(Feedback.region_code == user.region_code)
    if region_code:
        stmt = stmt.where(Feedback.region_code == region_code)
    if occupation_code:
        stmt = stmt.where(Feedback.occupation_code == occupation_code)
    return stmt.group_by(
        Feedback.region_code, Feedback.occupation_code, Feedback.occasion
    ).order_by(Feedback.region_code, Feedback.occupation_code, Feedback.occasion)


def followed_applications(user, base: Select | None = None) -> Select:
    """The applications the caller's role follows: the administrator's league's, the school's
    teachers', the enterprise's endorsed applicants, or the teacher's own."""
    if user.is_admin:
        return admin_applications(user, base)
    if user.role == "school":
        return school_applications(user.school_id or 0, base=base)
    if user.role == "enterprise":
        return enterprise_applicants(user.enterprise_id or 0, base=base)
    teacher_id = db.session.scalar(select(Teacher.id).where(Teacher.user_id == user.id))
    return teacher_applications_stmt(teacher_id or 0, base)

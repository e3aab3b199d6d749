"""Columns of the cooperation lists' exports (app.common.exports streams them).

The teachers' and applications' exports read plain columns (one select with its joins, and one
keyed query per chunk of rows for their occupations or choices) rather than ORM objects: a row
costs a tuple, not a graph of objects. Their getters read the tuples `*_export_rows` yield.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.common.exports import Column, chunked_rows
from app.cooperation import queries
from app.cooperation.forms import STATUS_LABELS
from app.cooperation.models import SHOWN_TO_HOSTS, Application, ApplicationChoice, Placement
from app.extensions import db
from app.registry.models import Enterprise, Host, School, Teacher, teacher_occupation


def _status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def _edits_organisation(user, kind: str, org_id: int, region_code: str | None) -> bool:
    """What School.can_edit / Enterprise.can_edit decide, from the organisation's id and
    league (members, and administrators of its league)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    member = user.role == kind and getattr(user, f"{kind}_id") == org_id
    return member or user.administers_region(region_code)


def teacher_export_rows(user) -> Iterator[tuple]:
    """(id, name, title, occupation codes, confirmed at) of the teachers the user may view,
    in the list's order."""
    stmt = queries.visible_teachers(
        user, select(Teacher.id, Teacher.name, Teacher.title, Teacher.confirmed_at)
    )

    def enrich(chunk: list[Any]) -> Iterator[tuple]:
        codes: dict[int, list[str]] = defaultdict(list)
        keyed = (
            select(teacher_occupation.c.teacher_id, teacher_occupation.c.occupation_code)
            .where(teacher_occupation.c.teacher_id.in_([r.id for r in chunk]))
            .order_by(teacher_occupation.c.teacher_id, teacher_occupation.c.occupation_code)
        )
        for teacher_id, code in db.session.execute(keyed):
            codes[teacher_id].append(code)
        for r in chunk:
            yield (r.id, r.name, r.title, " ".join(codes.get(r.id, ())), r.confirmed_at)

    return chunked_rows(stmt, enrich)


def application_export_rows(user) -> Iterator[tuple]:
    """(id, teacher, school, status label, starts on, ends on, placements, note) of the applications
    the user's role follows, in the list's order; placements are the choices the user may see
    (Application.visible_choices: all for the teacher's side, a host's own once endorsed)."""
    author = aliased(Teacher)
    school = aliased(School)
    base = (
        select(
            Application.id,
            author.name,
            school.name.label("school_name"),
            Application.status,
            Application.starts_on,
            Application.ends_on,
            Application.note,
            author.user_id,
            author.school_id,
            school.region_code,
        )
        .join(author, Application.teacher_id == author.id)
        .join(school, author.school_id == school.id)
    )
    stmt = queries.followed_applications(user, base)
    user_id = getattr(user, "id", None)
    labels: dict[str, str] = {}  # each status translated once per export, not once a row

    def enrich(chunk: list[Any]) -> Iterator[tuple]:
        choices: dict[int, list[tuple]] = defaultdict(list)
        keyed = (
            select(
                ApplicationChoice.application_id,
                ApplicationChoice.placement_id,
                Host.enterprise_id,
                Enterprise.region_code,
            )
            .join(Placement, ApplicationChoice.placement_id == Placement.id)
            .join(Host, Placement.host_id == Host.id)
            .join(Enterprise, Host.enterprise_id == Enterprise.id)
            .where(ApplicationChoice.application_id.in_([r[0] for r in chunk]))
            .order_by(ApplicationChoice.application_id, ApplicationChoice.rank)
        )
        for application_id, placement_id, enterprise_id, region in db.session.execute(keyed):
            choices[application_id].append((placement_id, enterprise_id, region))
        for r in chunk:
            id_, teacher, school_name, status, starts, ends, note, author_id, school_id, league = r
            mine = choices.get(id_, ())
            if (user_id is not None and author_id == user_id) or _edits_organisation(
                user, "school", school_id, league
            ):
                shown = [c[0] for c in mine]
            elif status not in SHOWN_TO_HOSTS:
                shown = []
            else:
                shown = [c[0] for c in mine if _edits_organisation(user, "enterprise", c[1], c[2])]
            placements = " ".join(str(p) for p in shown)
            if status not in labels:
                labels[status] = _status(status)
            yield (id_, teacher, school_name, labels[status], starts, ends, placements, note)

    return chunked_rows(stmt, enrich)


def _at(index: int):
    return lambda row: row[index]


#: Rows are teacher_export_rows' tuples.
TEACHERS = [
    Column(_l("Id"), _at(0)),
    Column(_l("Name"), _at(1)),
    Column(_l("Title"), _at(2)),
    Column(_l("Occupations"), _at(3)),
    Column(_l("Confirmed at"), _at(4)),
]
#: Rows are application_export_rows' tuples.
APPLICATIONS = [
    Column(_l("Id"), _at(0)),
    Column(_l("Teacher"), _at(1)),
    Column(_l("School"), _at(2)),
    Column(_l("Status"), _at(3)),
    Column(_l("Starts on"), _at(4)),
    Column(_l("Ends on"), _at(5)),
    Column(_l("Placements"), _at(6)),
    Column(_l("Note"), _at(7)),
]
#: Rows are queries.behind_rule(..., plain=True)'s (teacher id, name, school name, days).
COMPLIANCE = [
    Column(_l("Id"), _at(0)),
    Column(_l("Name"), _at(1)),
    Column(_l("School"), _at(2)),
    Column(_l("Days of practice"), _at(3)),
]

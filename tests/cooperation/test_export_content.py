"""The teachers' and applications' exports read plain columns, yet say exactly what the
object-by-object export said: the same headers, rows, order and privacy for every caller."""

import pytest
from flask import g
from flask_babel import lazy_gettext as _l

from app.common.exports import Column, csv_stream
from app.common.privacy import current_viewer
from app.cooperation import queries
from app.cooperation.forms import STATUS_LABELS
from app.extensions import db
from tests.api.support import API, auth
from tests.cooperation import factories as f

MILLER = "6-18-01-02"

#: The columns as they were when each row was an ORM object (the reference the export keeps).
REFERENCE_TEACHERS = [
    Column(_l("Id"), lambda t: t.id),
    Column(_l("Name"), lambda t: t.name),
    Column(_l("Title"), lambda t: t.title),
    Column(_l("Occupations"), lambda t: " ".join(t.occupation_codes or [])),
    Column(_l("Confirmed at"), lambda t: t.confirmed_at),
]
REFERENCE_APPLICATIONS = [
    Column(_l("Id"), lambda a: a.id),
    Column(_l("Teacher"), lambda a: a.teacher.name),
    Column(_l("School"), lambda a: a.teacher.school.name),
    Column(_l("Status"), lambda a: str(STATUS_LABELS.get(a.status, a.status))),
    Column(_l("Starts on"), lambda a: a.starts_on),
    Column(_l("Ends on"), lambda a: a.ends_on),
    Column(
        _l("Placements"),
        lambda a: " ".join(str(c.placement_id) for c in a.visible_choices(current_viewer())),
    ),
    Column(_l("Note"), lambda a: a.note),
]
CALLERS = (
    "teacher",
    "school",
    "school_other",
    "enterprise",
    "enterprise_staff",
    "enterprise_other",
    "league_admin",
    "league_admin_other",
    "region_admin",
)


def _seed(world):
    """Teachers and applications on both sides of both leagues, in every status."""
    me = f.make_teacher(world.school, user=world.users["teacher"], name="本人")
    here = [
        me,
        f.make_teacher(world.school, name="=公式教师", confirmed=False),
        f.make_teacher(world.school, name="乙教师"),
    ]
    here[2].title = None
    here[2].occupations = f.occupations(MILLER, f.TURNER)
    there = [f.make_teacher(world.other_school, name="包头教师")]
    db.session.commit()
    mine = f.make_placement(world.host)
    mine2 = f.make_placement(world.host)
    theirs = f.make_placement(world.other_host)
    statuses = ("submitted", "endorsed", "matched", "withdrawn", "returned")
    for i, teacher in enumerate(here + there):
        for j, status in enumerate(statuses):
            choices = [[mine, theirs], [theirs, mine2, mine], [theirs], [mine2]][(i + j) % 4]
            application = f.make_application(teacher, choices, status=status)
            if j == 1:
                application.note = "-备注, 含逗号\n第二行"
    db.session.commit()


def _application_stmt(user):
    if user.is_admin:
        return queries.admin_applications(user)
    if user.role == "school":
        return queries.school_applications(user.school_id or 0)
    if user.role == "enterprise":
        return queries.enterprise_applicants(user.enterprise_id or 0)
    from app.cooperation import services

    teacher = services.teacher_of(user)
    return queries.teacher_applications_stmt(teacher.id if teacher else 0)


def _reference(app, user, stmt_of, columns) -> str:
    """Today's content: the ORM rows of the list's statement through the reference columns."""
    with app.test_request_context():
        g.api_user = user
        db.session.expire_all()
        return "".join(csv_stream(stmt_of(user), columns))


@pytest.mark.parametrize("caller", CALLERS)
def test_teachers_and_applications_exports_keep_their_content(app, client, world, caller):
    _seed(world)
    user = world.users[caller]
    headers = auth(client, user)
    cases = (
        ("teachers", queries.visible_teachers, REFERENCE_TEACHERS),
        ("applications", _application_stmt, REFERENCE_APPLICATIONS),
    )
    for path, stmt_of, columns in cases:
        response = client.get(f"{API}/{path}?format=csv", headers=headers)
        status = response.status_code
        if status == 403:  # the role does not list these at all
            continue
        assert status == 200, response.get_data(as_text=True)[:300]
        expected = _reference(app, db.session.get(type(user), user.id), stmt_of, columns)
        assert response.get_data(as_text=True) == expected
        assert expected.count("\n") > 1 or caller in ("enterprise_other",), (path, expected)


REFERENCE_COMPLIANCE = [
    Column(_l("Id"), lambda r: r[0].id),
    Column(_l("Name"), lambda r: r[0].name),
    Column(_l("School"), lambda r: r[0].school.name),
    Column(_l("Days of practice"), lambda r: r[1]),
]


@pytest.mark.parametrize("caller", ("league_admin", "league_admin_other", "region_admin"))
def test_practice_compliance_export_keeps_its_content(app, client, world, caller):
    from app.cooperation import services

    _seed(world)
    f.make_practice(
        f.make_teacher(world.school, name="=实践教师"), f.make_placement(world.host), days=3
    )
    user = world.users[caller]
    response = client.get(f"{API}/practice-compliance?format=csv", headers=auth(client, user))
    assert response.status_code == 200

    def stmt_of(viewer):
        return queries.behind_rule(viewer, services.today())

    expected = _reference(app, db.session.get(type(user), user.id), stmt_of, REFERENCE_COMPLIANCE)
    assert response.get_data(as_text=True) == expected
    assert expected.count("\n") > 1

"""`flask demo seed --scale …`: generated worlds for measuring, here at the tiny scale."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.common.models import AuditEvent
from app.cooperation.models import (
    Application,
    ApplicationChoice,
    Offer,
    Placement,
    offer_occupation,
    placement_occupation,
)
from app.demo import national
from app.extensions import db
from app.registry import uscc as uscc_mod
from app.registry.models import (
    Enterprise,
    Host,
    School,
    SchoolMajor,
    Teacher,
    host_occupation,
    teacher_occupation,
)
from tests import helpers

TINY = national.SCALES["tiny"]


def run(app, *args: str):
    """Invoke `flask demo seed` with the arguments; returns the click result."""
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    db.session.expire_all()
    return result


def generate_tiny(app) -> str:
    result = run(app, "--scale", "tiny")
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def count(what) -> int:
    return db.session.scalar(select(func.count()).select_from(what))


def table_counts() -> dict[str, int]:
    models = (School, Enterprise, Host, Teacher, User, SchoolMajor, Placement, Offer)
    counts = {m.__tablename__: count(m) for m in models}
    counts["application"] = count(Application)
    counts["application_choice"] = count(ApplicationChoice)
    for table in (host_occupation, teacher_occupation, placement_occupation, offer_occupation):
        counts[table.name] = count(table)
    return counts


def test_tiny_world_has_the_configured_counts(app):
    output = generate_tiny(app)
    assert "tiny world created" in output
    assert count(School) == TINY.schools
    assert count(Enterprise) == TINY.enterprises
    assert count(Host) == TINY.hosts
    assert count(Teacher) == TINY.teachers
    assert count(Placement) == TINY.placements
    assert count(Offer) == TINY.offers
    assert count(Application) == TINY.applications
    assert count(ApplicationChoice) == TINY.applications * TINY.choices
    # region admin, 14 league admins, one owner per organisation, one account per teacher
    assert count(User) == 1 + 14 + TINY.schools + TINY.enterprises + TINY.teachers
    # every league has an administrator; every enterprise has at least one host
    roles = Counter(db.session.scalars(select(User.role)))
    assert roles["league_admin"] == 14 and roles["region_admin"] == 1
    with_hosts = db.session.scalar(select(func.count(func.distinct(Host.enterprise_id))))
    assert with_hosts == TINY.enterprises


def test_applications_have_three_distinct_ranked_open_choices_and_are_endorsed(app):
    generate_tiny(app)
    for application in db.session.scalars(select(Application)):
        ranks = [c.rank for c in application.choices]
        placements = [c.placement for c in application.choices]
        assert ranks == [1, 2, 3]
        assert len({p.id for p in placements}) == 3
        assert all(p.status == "open" for p in placements)
        assert application.status == "endorsed" and application.endorsed_at is not None
        teacher = application.teacher
        assert teacher.confirmed
        endorser = db.session.get(User, application.endorsed_by_id)
        assert endorser.role == "school" and endorser.school_id == teacher.school_id
        assert application.ends_on >= application.starts_on
    # one application per teacher
    teachers = db.session.scalars(select(Application.teacher_id)).all()
    assert len(teachers) == len(set(teachers))


def test_records_point_at_existing_rows_and_codes_are_valid(app):
    generate_tiny(app)
    school_ids = set(db.session.scalars(select(School.id)))
    enterprise_ids = set(db.session.scalars(select(Enterprise.id)))
    for user in db.session.scalars(select(User)):
        assert user.email.endswith("@" + national.DOMAIN)
        if user.role == "school":
            assert user.school_id in school_ids and user.membership_role == "owner"
        elif user.role == "enterprise":
            assert user.enterprise_id in enterprise_ids and user.membership_role == "owner"
        elif user.role == "teacher":
            assert user.school_id in school_ids
    for teacher in db.session.scalars(select(Teacher)):
        assert teacher.user is not None and teacher.user.school_id == teacher.school_id
        assert teacher.school.status == "approved"
        assert teacher.occupations
    for host in db.session.scalars(select(Host)):
        assert host.enterprise_id in enterprise_ids
        assert host.region_code == host.enterprise.region_code
        assert host.occupations
    for placement in db.session.scalars(select(Placement)):
        assert placement.host.enterprise.status == "approved"
        assert {o.code for o in placement.occupations} == set(placement.host.occupation_codes)
    codes = [*db.session.scalars(select(Enterprise.uscc)), *db.session.scalars(select(School.uscc))]
    assert len(codes) == len(set(codes))
    assert all(uscc_mod.check(code).check_ok for code in codes)


@pytest.mark.parametrize(
    "role", ["region_admin", "league_admin", "school", "enterprise", "teacher"]
)
def test_printed_logins_work_through_the_login_page(app, client, role):
    output = generate_tiny(app)
    email = dict(national.logins())[role]
    assert email in output and national.PASSWORD in output
    response = client.post("/auth/login", data={"email": email, "password": national.PASSWORD})
    assert response.status_code == 302
    assert "/auth/login" not in response.headers["Location"]
    # generated people have accepted the current notice: pages open without the consent stop
    home = client.get("/")
    assert home.status_code == 200, home.headers.get("Location")
    wrong = app.test_client().post("/auth/login", data={"email": email, "password": "wrong-pass"})
    assert wrong.status_code != 302


def test_the_teacher_login_has_an_application_the_enterprise_login_receives(app):
    generate_tiny(app)
    teacher = db.session.scalar(
        select(User).where(User.email == national.TEACHER_EMAIL.format(n=1))
    )
    profile = db.session.scalar(select(Teacher).where(Teacher.user_id == teacher.id))
    application = db.session.scalar(select(Application).where(Application.teacher_id == profile.id))
    owner = db.session.scalar(
        select(User).where(User.email == national.ENTERPRISE_EMAIL.format(n=1))
    )
    first = application.choices[0].placement
    assert first.host.enterprise_id == owner.enterprise_id


def test_a_second_run_adds_nothing(app):
    generate_tiny(app)
    before = table_counts()
    events = count(AuditEvent)
    output = generate_tiny(app)
    assert "already present" in output
    assert table_counts() == before
    assert count(AuditEvent) == events == 1


def test_the_same_seed_gives_the_same_world(app):
    generate_tiny(app)
    first = sorted(db.session.scalars(select(Enterprise.name)))
    choices = db.session.execute(
        select(ApplicationChoice.application_id, ApplicationChoice.placement_id).order_by(
            ApplicationChoice.id
        )
    ).all()
    helpers.reset_database()
    generate_tiny(app)
    assert sorted(db.session.scalars(select(Enterprise.name))) == first
    again = db.session.execute(
        select(ApplicationChoice.application_id, ApplicationChoice.placement_id).order_by(
            ApplicationChoice.id
        )
    ).all()
    assert [p for _a, p in again] == [p for _a, p in choices]


def test_refuses_a_database_with_other_data(app):
    helpers.make_school()
    db.session.commit()
    result = run(app, "--scale", "tiny")
    assert result.exit_code != 0
    assert "other data" in result.output and "1 schools" in result.output
    assert count(School) == 1 and count(Enterprise) == 0 and count(Teacher) == 0


def test_refuses_a_database_with_accounts_only(app):
    helpers.make_user("region_admin")
    db.session.commit()
    result = run(app, "--scale", "tiny")
    assert result.exit_code != 0 and "other data" in result.output
    assert count(School) == 0


def test_refuses_a_world_of_another_scale(app):
    generate_tiny(app)
    before = table_counts()
    with pytest.raises(national.GenerateRefused, match="generated tiny world"):
        national.generate("region")
    db.session.rollback()
    assert table_counts() == before


def test_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with pytest.raises(national.GenerateRefused):
        national.generate("tiny")
    assert count(School) == 0


def test_unknown_scale_is_refused(app):
    with pytest.raises(ValueError, match="unknown scale"):
        national.generate("planet")
    result = run(app, "--scale", "planet")
    assert result.exit_code != 0

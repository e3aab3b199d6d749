"""`flask demo seed` and `flask demo logins`: the invented demo world in all 14 leagues."""

import hashlib
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.common.validators import LANDLINE_RE, MOBILE_RE
from app.demo import data
from app.demo.world import demo_present
from app.extensions import db
from app.reference.models import Region
from app.registry import uscc as uscc_mod
from app.registry.models import (
    HOST_CLASSES,
    SCHOOL_KINDS,
    Enterprise,
    Host,
    School,
    host_occupation,
)
from tests import helpers

ROLE_EMAILS = {
    "region_admin": data.REGION_ADMIN_EMAIL,
    "league_admin": data.LEAGUE_ADMIN_EMAIL.format(code=data.HOHHOT),
    "enterprise": data.ENTERPRISE_EMAIL,
    "school": data.SCHOOL_EMAIL,
    "teacher": data.TEACHER_EMAIL,
}


def seed(app) -> str:
    """Run `flask demo seed` and return its output."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    db.session.expire_all()
    return result.output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def grouped(column) -> dict:
    """Row counts per value of column."""
    return {k: n for k, n in db.session.execute(select(column, func.count()).group_by(column))}


def table_counts() -> dict[str, int]:
    """Rows in every table."""
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def world_digest() -> str:
    """A digest of the names, codes and emails the seed produced."""
    parts = sorted(
        f"e|{n}|{c}" for n, c in db.session.execute(select(Enterprise.name, Enterprise.uscc))
    )
    parts += sorted(
        f"s|{n}|{c}|{k}"
        for n, c, k in db.session.execute(select(School.name, School.uscc, School.kind))
    )
    parts += sorted(
        f"h|{n}|{k}|{c}"
        for n, k, c in db.session.execute(select(Host.name, Host.kind, Host.capacity))
    )
    parts += sorted(
        f"u|{e}|{n}|{r}" for e, n, r in db.session.execute(select(User.email, User.name, User.role))
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_seed_creates_the_minimum_world(app):
    output = seed(app)
    assert "demo data created" in output
    assert count(School) >= 30
    assert count(Enterprise) >= 150
    assert count(Host) >= 400
    teachers = db.session.scalars(select(User).where(User.role == "teacher")).all()
    assert len(teachers) >= 300
    assert all(t.school_id is not None and t.enterprise_id is None for t in teachers)


def test_every_league_has_schools_enterprises_and_hosts(app):
    seed(app)
    leagues = set(db.session.scalars(select(Region.code)))
    assert len(leagues) == 14
    assert set(db.session.scalars(select(School.region_code).distinct())) == leagues
    assert set(db.session.scalars(select(Enterprise.region_code).distinct())) == leagues
    assert set(db.session.scalars(select(Host.region_code).distinct())) == leagues
    approved = select(Enterprise.region_code).where(Enterprise.status == "approved").distinct()
    assert set(db.session.scalars(approved)) == leagues
    per_league = grouped(Enterprise.region_code)
    big = ("150100", "150200", "150400", "150500", "150600")
    assert min(per_league[c] for c in big) > max(per_league["150781"], per_league["152501"])


def test_credit_codes_are_well_formed_unique_and_checked(app):
    seed(app)
    enterprises = db.session.scalars(select(Enterprise)).all()
    schools = db.session.scalars(select(School)).all()
    codes = [e.uscc for e in enterprises] + [s.uscc for s in schools if s.uscc]
    assert len(codes) == len(set(codes))
    flagged = 0
    for org in [*enterprises, *schools]:
        if not org.uscc:
            continue
        result = uscc_mod.check(org.uscc)
        assert result.well_formed, org.uscc
        assert org.uscc[2:8] == org.region_code, (org.name, org.uscc)
        assert result.check_ok == org.uscc_check_ok, org.uscc
        if not result.check_ok:
            flagged += 1
            assert org.status == "pending" and org.needs_uscc_confirmation
    assert flagged >= 1
    assert all(e.uscc.startswith("91") for e in enterprises)


def test_kinds_statuses_and_rules(app):
    seed(app)
    assert set(db.session.scalars(select(School.kind).distinct())) == set(SCHOOL_KINDS)
    assert set(db.session.scalars(select(Host.kind).distinct())) == set(HOST_CLASSES)
    for model in (Enterprise, School):
        statuses = grouped(model.status)
        assert statuses["approved"] > 0.9 * count(model)
        assert statuses.get("pending", 0) >= 1
    rejected = db.session.scalars(select(Enterprise).where(Enterprise.status == "rejected")).all()
    assert rejected and all(e.review_reason for e in rejected)
    sections = grouped(Enterprise.industry_section)
    assert sum(sections.get(s, 0) for s in "CDBIGA") > 0.9 * count(Enterprise)
    for e in db.session.scalars(select(Enterprise)):
        assert MOBILE_RE.match(e.contact_phone), e.contact_phone
        assert e.contact_name and e.address.startswith(e.region.name)
    for s in db.session.scalars(select(School)):
        assert LANDLINE_RE.match(s.contact_phone) or MOBILE_RE.match(s.contact_phone)
    hosts = db.session.scalars(select(Host)).all()
    assert all(0 <= h.capacity <= 8 for h in hosts)
    assert all(h.occupations for h in hosts)
    for h in hosts:
        if h.kind == "workshop":
            assert h.teacher_capacity is not None and h.teacher_capacity >= 0 and h.equipment
        elif h.kind == "master_studio":
            assert h.master_name and h.honour and h.level in ("national", "regional", "league")
    assert any(h.partner_school_id for h in hosts if h.kind == "training_station")
    assert count(host_occupation) >= len(hosts)


def test_second_seed_changes_nothing(app):
    seed(app)
    before = table_counts()
    output = seed(app)
    assert "demo data already present" in output
    assert table_counts() == before


def test_seed_keeps_data_people_entered(app):
    mine = helpers.make_enterprise(name="我的企业", uscc=helpers.fake_uscc())
    owner = helpers.make_user("enterprise", enterprise=mine)
    seed(app)
    seed(app)
    assert db.session.get(Enterprise, mine.id).name == "我的企业"
    assert db.session.get(User, owner.id).enterprise_id == mine.id
    assert demo_present()


def test_seed_skips_a_demo_email_someone_took(app):
    someone = helpers.make_user("teacher", email=data.TEACHERS_EMAIL.format(n=7), name="先来者")
    output = seed(app)
    assert "skipped " + someone.email in output
    assert db.session.get(User, someone.id).name == "先来者"
    assert db.session.scalar(select(func.count()).where(User.email == someone.email)) == 1


def test_seed_is_deterministic(app):
    seed(app)
    first = world_digest()
    helpers.reset_database()
    assert not demo_present()
    seed(app)
    assert world_digest() == first


@pytest.mark.parametrize("role", list(ROLE_EMAILS))
def test_demo_logins_log_in(app, role):
    seed(app)
    user = db.session.scalar(select(User).where(User.email == ROLE_EMAILS[role]))
    assert user is not None and user.role == role
    client = app.test_client()
    assert client.get("/auth/password").status_code == 302
    response = helpers.login(client, user, data.DEMO_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 200


def test_demo_accounts_own_what_they_claim(app):
    seed(app)
    users = {
        r: db.session.scalar(select(User).where(User.email == e)) for r, e in ROLE_EMAILS.items()
    }
    assert users["league_admin"].region_code == "150100"
    assert users["enterprise"].enterprise.status == "approved"
    assert {h.kind for h in users["enterprise"].enterprise.hosts} == set(HOST_CLASSES)
    assert users["school"].school.status == "approved"
    assert users["school"].school.kind == "technician_college"
    assert users["teacher"].school_id == users["school"].school_id
    league_admins = db.session.scalars(select(User).where(User.role == "league_admin")).all()
    assert {u.region_code for u in league_admins} == set(db.session.scalars(select(Region.code)))
    pending_hohhot = db.session.scalars(
        select(Enterprise).where(Enterprise.region_code == "150100", Enterprise.status == "pending")
    ).all()
    assert any(e.needs_uscc_confirmation for e in pending_hohhot)


def test_demo_logins_command_names_every_role(app):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0
    out = result.output
    assert data.DEMO_PASSWORD in out
    for email in ROLE_EMAILS.values():
        assert email in out
    for label in ("自治区管理员", "盟市管理员", "企业", "学校", "教师"):
        assert label in out
    for label in ("Region admin", "League admin", "Enterprise", "School", "Teacher"):
        assert label in out


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_cooperation_counts(app):
    from app.cooperation.models import Application, Offer, Pairing, PairingRequest, Placement
    from app.registry.models import SchoolMajor, Teacher
    from app.rounds.models import Match, MatchRound

    seed(app)
    approved = db.session.scalars(select(School.id).where(School.status == "approved")).all()
    assert set(db.session.scalars(select(SchoolMajor.school_id).distinct())) == set(approved)
    teachers = db.session.scalars(select(Teacher)).all()
    confirmed = [t for t in teachers if t.confirmed]
    assert len(teachers) >= 180 and len(confirmed) >= 150 and len(confirmed) < len(teachers)
    assert all(t.occupations and t.user.school_id == t.school_id for t in teachers)
    assert grouped(Offer.status)["open"] >= 50 and grouped(Placement.status)["open"] >= 50
    requests = grouped(PairingRequest.status)
    assert requests["submitted"] >= 5 and requests["endorsed"] >= 5 and requests["matched"] >= 1
    assert grouped(Pairing.status)["active"] >= 10
    applications = grouped(Application.status)
    assert applications["submitted"] >= 5 and applications["endorsed"] >= 5
    assert applications["matched"] >= 10
    rounds = db.session.scalars(select(MatchRound)).all()
    assert [(r.kind, r.status) for r in rounds] == [("placement", "published")]
    matches = grouped(Match.status)
    assert matches["proposed"] >= 1 and matches["confirmed"] >= 5
    assert all(m.breakdown and 0 <= m.score <= 100 for m in rounds[0].matches)


def test_cooperation_respects_every_constraint(app):
    from app.cooperation.models import Offer, Pairing, Placement, Practice
    from app.rounds.models import Match

    seed(app)
    practices = db.session.scalars(select(Practice)).all()
    per_placement = Counter(p.placement_id for p in practices)
    for placement in db.session.scalars(select(Placement)):
        assert 0 <= placement.seats_taken <= placement.seats
        assert placement.seats_taken == per_placement[placement.id], placement.id
        assert placement.starts_on <= placement.ends_on
    active = Counter(
        p.offer_id for p in db.session.scalars(select(Pairing).where(Pairing.status == "active"))
    )
    for offer in db.session.scalars(select(Offer)):
        assert offer.slots_taken == active[offer.id] <= offer.slots
    for practice in practices:
        assert practice.days_confirmed == sum(e.confirmed for e in practice.entries)
        assert len({e.on_date for e in practice.entries}) == len(practice.entries)
        assert all(e.on_date <= date.today() for e in practice.entries)
        if practice.status == "completed":
            assert practice.ended_on and all(e.confirmed for e in practice.entries)
    for match in db.session.scalars(select(Match).where(Match.status == "confirmed")):
        assert match.application.status == "matched"
        assert db.session.scalar(select(Practice.id).where(Practice.match_id == match.id))


def test_cooperation_shows_the_practice_rule(app):
    from app.cooperation import queries
    from app.registry.models import Teacher

    seed(app)
    admin = _user(data.REGION_ADMIN_EMAIL)
    confirmed = db.session.scalar(
        select(func.count(Teacher.id)).where(Teacher.confirmed_at.is_not(None))
    )
    behind = db.session.scalar(
        select(func.count()).select_from(queries.behind_rule(admin, date.today()).subquery())
    )
    assert 0.5 * confirmed < behind < confirmed - 10  # most fall behind, some meet the rule
    teacher = db.session.scalar(
        select(Teacher).where(Teacher.user_id == _user(data.TEACHER_EMAIL).id)
    )
    ledger = queries.ledger(teacher, date.today())
    assert teacher.confirmed and ledger.days == 45 and ledger.shortfall == 135


def test_cooperation_gives_each_demo_login_something_to_do(app):
    from app.notifications.models import Notification

    seed(app)
    for email in (data.TEACHER_EMAIL, data.SCHOOL_EMAIL, data.ENTERPRISE_EMAIL):
        user = _user(email)
        unread = select(func.count(Notification.id)).where(Notification.user_id == user.id)
        assert db.session.scalar(unread) >= 1, email
    client = app.test_client()
    helpers.login_en(client, _user(data.TEACHER_EMAIL), data.DEMO_PASSWORD)
    assert "Proposed" in client.get("/rounds/matches/mine").get_data(as_text=True)
    assert 'id="ledger-days">45<' in client.get("/cooperation/ledger").get_data(as_text=True)
    client = app.test_client()
    helpers.login_en(client, _user(data.SCHOOL_EMAIL), data.DEMO_PASSWORD)
    assert "Endorse" in client.get("/cooperation/school/applications").get_data(as_text=True)
    assert ">Confirm<" in client.get("/cooperation/teachers").get_data(as_text=True)
    client = app.test_client()
    helpers.login_en(client, _user(data.ENTERPRISE_EMAIL), data.DEMO_PASSWORD)
    assert "Confirm logged days" in client.get(
        "/cooperation/practices/" + str(_ongoing_showcase_practice())
    ).get_data(as_text=True)
    mine = client.get("/rounds/matches/mine").get_data(as_text=True)
    assert "Accepted by the applicant" in mine and ">Accept<" in mine


def _ongoing_showcase_practice() -> int:
    from app.cooperation.models import Placement, Practice
    from app.registry.models import Host

    enterprise_id = _user(data.ENTERPRISE_EMAIL).enterprise_id
    return db.session.scalar(
        select(Practice.id)
        .join(Placement, Practice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .where(Host.enterprise_id == enterprise_id, Practice.status == "ongoing")
    )


def test_cooperation_seed_is_idempotent(app):
    from app.demo.cooperation import cooperation_present, seed_cooperation
    from app.registry.models import Teacher

    seed(app)
    assert cooperation_present()
    before = table_counts()
    assert not seed_cooperation().created
    assert table_counts() == before
    assert db.session.scalar(select(func.count(Teacher.id))) == before["teacher"]

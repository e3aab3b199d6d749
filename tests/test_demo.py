"""`flask demo seed` and `flask demo logins`: the invented demo world in all 14 leagues."""

import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.auth.models import User
from app.common.time import local_today, utcnow
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


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """The demo's resource files go to a temporary upload folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))


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
        assert all(e.on_date <= local_today() for e in practice.entries)
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
        select(func.count()).select_from(queries.behind_rule(admin, local_today()).subquery())
    )
    assert 0.5 * confirmed < behind < confirmed - 10  # most fall behind, some meet the rule
    teacher = db.session.scalar(
        select(Teacher).where(Teacher.user_id == _user(data.TEACHER_EMAIL).id)
    )
    ledger = queries.ledger(teacher, local_today())
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


# --- programme and resources -----------------------------------------------------------------


def test_programme_applications_respect_the_limits(app):
    from app.programme.models import SELECTED_STATUSES, Batch, BatchApplication

    seed(app)
    rows = db.session.scalars(select(BatchApplication)).all()
    per_school = Counter((r.batch_id, r.school_id) for r in rows)
    for (batch_id, _school_id), n in per_school.items():
        row = next(r for r in rows if r.batch_id == batch_id and r.school_id == _school_id)
        limit = db.session.get(Batch, batch_id).limit_for(row.school.kind)
        assert n <= limit
        slots = sorted(r.slot for r in rows if (r.batch_id, r.school_id) == (batch_id, _school_id))
        assert slots == list(range(1, n + 1))
    assert all(r.school.status == "approved" for r in rows)
    statuses = Counter(r.status for r in rows)
    for status in ("selected", "under_construction", "assessed", "demonstration", "rejected"):
        assert statuses[status] >= 1, status
    assert statuses["submitted"] >= 1
    assert all(r.reason for r in rows if r.status == "rejected")
    waiting = ("submitted", "recommended")
    assert statuses["recommended"] >= 1  # the region administrator has one to decide
    assert all(r.decided_at and r.decided_by_id for r in rows if r.status not in waiting)
    assert all(r.recommended_by_id for r in rows if r.status != "submitted")
    selected = [r for r in rows if r.status in SELECTED_STATUSES]
    assert all(r.batch.notice_published_at for r in selected)
    assert 10 <= len({r.school_major_id for r in selected}) <= 16
    assert 5 <= len({r.school_id for r in selected}) <= 9
    school = _user(data.SCHOOL_EMAIL).school
    assert any(r.school_id == school.id for r in selected)
    assert any(r.status == "submitted" and r.school.region_code == data.HOHHOT for r in rows)


def test_programme_teachers_and_nominations(app):
    from app.programme.models import (
        Indicator,
        Nomination,
        ResearchBase,
        TeacherStatus,
        TeachingHours,
        TrainingRecord,
    )

    seed(app)
    statuses = grouped(TeacherStatus.status)
    assert statuses["trained"] >= 30 and statuses["certified"] >= 20
    assert 60 <= statuses["trained"] + statuses["certified"] <= 130
    qualified = db.session.scalars(select(TeacherStatus)).all()
    assert all(s.teacher.confirmed for s in qualified)
    records = db.session.scalars(select(TrainingRecord)).all()
    bases = set(db.session.scalars(select(ResearchBase.id)))
    assert len(records) >= len(qualified)
    assert {r.research_base_id for r in records} - {None} == bases
    assert all(r.hours > 0 and r.completed_on <= local_today() for r in records)
    assert all(s.teacher_id in {r.teacher_id for r in records} for s in qualified)
    assert count(TeachingHours) >= 100
    nominations = db.session.scalars(select(Nomination)).all()
    by_status = Counter(n.status for n in nominations)
    assert by_status["published"] == 1 and by_status["scored"] >= 1 and by_status["submitted"] >= 1
    for n in nominations:
        if n.status == "submitted":
            assert not n.scores and n.total_score is None
            continue
        active = db.session.scalars(
            select(Indicator.id).where(Indicator.category == n.category, Indicator.active)
        ).all()
        assert {s.indicator_id for s in n.scores} == set(active)
        assert 0 <= n.total_score <= 100
    published = next(n for n in nominations if n.status == "published")
    assert published.published_at and published.school_id == _user(data.SCHOOL_EMAIL).school_id


def test_dashboard_shows_real_progress(app):
    seed(app)
    client = app.test_client()
    token = helpers.token_for(client, _user(data.REGION_ADMIN_EMAIL), data.DEMO_PASSWORD)
    body = client.get("/api/v1/dashboard", headers=helpers.bearer(token)).get_json()
    targets = body["targets"]
    assert 10 <= targets["majors"]["actual"] < targets["majors"]["target"]
    assert 5 <= targets["schools"]["actual"] < targets["schools"]["target"]
    assert 60 <= targets["teachers"]["actual"] < targets["teachers"]["target"]
    leagues = {r["region_code"]: r for r in body["by_league"]}
    assert sum(r["majors"] > 0 for r in leagues.values()) >= 5
    assert sum(r["teachers"] > 0 for r in leagues.values()) >= 10
    assert leagues[data.HOHHOT]["majors"] > 0 and leagues[data.HOHHOT]["teachers"] > 0
    *plan, current = body["by_phase"]  # the plan's phases are history; the demo's is current
    assert len(plan) == 3 and all(p["applications"] > 0 and p["majors"] > 0 for p in plan)
    assert current["applications"] > 0 and current["majors"] == 0  # awaiting decisions
    [round_] = body["rounds"]
    assert round_["kind"] == "placement" and round_["result"]["matched"] > 0
    assert round_["result"]["matched"] <= round_["result"]["demand"]
    client = app.test_client()
    league = _user(data.LEAGUE_ADMIN_EMAIL.format(code=data.HOHHOT))
    token = helpers.token_for(client, league, data.DEMO_PASSWORD)
    scoped = client.get("/api/v1/dashboard", headers=helpers.bearer(token)).get_json()
    assert scoped["scope"] == data.HOHHOT
    assert scoped["targets"]["majors"]["actual"] == leagues[data.HOHHOT]["majors"]


def test_dashboard_labels_the_published_round(app):
    from app.rounds.models import MatchRound

    seed(app)
    round_ = db.session.scalar(select(MatchRound))
    chosen = round_.metrics[round_.mode]
    client = app.test_client()
    helpers.login_en(client, _user(data.REGION_ADMIN_EMAIL), data.DEMO_PASSWORD)
    page = client.get("/programme/").get_data(as_text=True)
    table = page[page.index('id="rounds-table"') :]
    table = table[: table.index("</table>")]
    assert "Teacher practice placements" in table and "(Optimal)" in table
    assert f'data-figure="matched">{chosen["matched"]} of {round_.metrics["demand"]}<' in table
    assert f'data-figure="share">{chosen["share"] * 100:.1f}%<' in table
    assert f'data-figure="mean_score">{chosen["mean_score"]}<' in table
    assert f'data-figure="blocking_pairs">{chosen["blocking_pairs"]}<' in table
    for raw in (">placement<", "applicants:", "mode:", "hosts:"):
        assert raw not in table
    rounds_page = client.get("/rounds/").get_data(as_text=True)
    assert "<td>Optimal</td>" in rounds_page and "<td>optimal</td>" not in rounds_page
    audit_page = client.get("/programme/audit").get_data(as_text=True)
    assert "{&#34;" not in audit_page and '{"' not in audit_page
    assert 'class="audit-values' in audit_page


def test_resources_items_in_every_review_state(app):
    from app.resources import storage
    from app.resources.models import RESOURCE_STATUSES, ResourceItem, ReviewPanelMember

    seed(app)
    items = db.session.scalars(select(ResourceItem)).all()
    assert {i.status for i in items} == set(RESOURCE_STATUSES)
    for item in items:
        if item.status == "draft":
            assert not item.reviews
            continue
        assert item.files and item.reviews[-1].to_status == item.status
        assert item.reviews[0].action == "submit" and item.submitted_at
        with open(storage.path_of(item.files[0].stored_name), "rb") as fh:
            assert fh.read(5) == b"%PDF-"
        assert storage.detect(storage.path_of(item.files[0].stored_name), 10**6) == "pdf"
        for step in item.reviews:
            assert step.action in ("submit", "start", "approve", "revise", "reject")
        if item.status in ("returned", "rejected"):
            assert item.reviews[-1].comment
    [member] = db.session.scalars(select(ReviewPanelMember)).all()
    assert member.user.role == "league_admin"
    approved = next(i for i in items if i.status == "approved")
    client = app.test_client()
    helpers.login_en(client, _user(data.SCHOOL_EMAIL), data.DEMO_PASSWORD)
    page = client.get(f"/resources/{approved.id}").get_data(as_text=True)
    assert "Submitted for review" in page and "Review started" in page and "Approve" in page
    assert "· submit" not in page and "· start" not in page


def test_resources_venues_bookings_trainings_and_supervision(app):
    from app.cooperation.models import Offer, Pairing
    from app.resources.models import (
        VENUE_KINDS,
        Booking,
        Certification,
        SupervisionAction,
        TrainingProgramme,
        Venue,
    )

    seed(app)
    venues = db.session.scalars(select(Venue)).all()
    assert {v.kind for v in venues} == set(VENUE_KINDS)
    bookings = db.session.scalars(select(Booking)).all()
    statuses = Counter(b.status for b in bookings)
    assert statuses["pending"] >= 3 and statuses["confirmed"] >= 3
    for venue in venues:
        active = sorted(
            (
                b
                for b in bookings
                if b.venue_id == venue.id and b.status in ("pending", "confirmed")
            ),
            key=lambda b: b.starts_at,
        )
        for before, after in zip(active, active[1:], strict=False):
            assert before.ends_at <= after.starts_at, venue.name
    assert all(b.headcount <= b.venue.capacity and b.ends_at > b.starts_at for b in bookings)
    school = _user(data.SCHOOL_EMAIL).school_id
    assert any(b.school_id == school and b.status == "pending" for b in bookings)
    programmes = db.session.scalars(select(TrainingProgramme)).all()
    assert {p.host.kind for p in programmes} == {"training_station", "master_studio"}
    assert all(p.trainees for p in programmes)
    enterprise = _user(data.ENTERPRISE_EMAIL).enterprise_id
    assert any(p.host.enterprise_id == enterprise for p in programmes)
    for p in programmes:
        if p.kind == "apprenticeship":
            assert 365 <= (p.ends_on - p.starts_on).days <= 731
    certs = db.session.scalars(select(Certification)).all()
    assert len(certs) >= 20 and {c.outcome for c in certs} == {"passed", "failed"}
    for cert in certs:
        if cert.certifier_kind == "enterprise":
            paired = db.session.scalar(
                select(Pairing.id)
                .join(Offer, Offer.id == Pairing.offer_id)
                .join(Host, Host.id == Offer.host_id)
                .where(
                    Pairing.school_major_id == cert.school_major_id,
                    Pairing.status == "active",
                    Host.enterprise_id == cert.enterprise_id,
                )
                .limit(1)
            )
            assert paired is not None
    actions = db.session.scalars(select(SupervisionAction)).all()
    assert {a.status for a in actions} == {"open", "answered", "closed"}
    assert any(a.overdue for a in actions)
    assert all(a.answer for a in actions if a.status != "open")


def test_programme_and_resources_seed_once(app):
    from app.demo.programme import programme_present, seed_programme
    from app.demo.resources import resources_present, seed_resources

    seed(app)
    assert programme_present() and resources_present()
    before = table_counts()
    assert not seed_programme().created and not seed_resources().created
    assert table_counts() == before


def test_demo_organisations_have_a_staff_member_and_a_pending_invitation(app):
    from app.auth.models import Invitation

    seed(app)
    for owner_email, staff_email in (
        (data.ENTERPRISE_EMAIL, data.ENTERPRISE_STAFF_EMAIL),
        (data.SCHOOL_EMAIL, data.SCHOOL_STAFF_EMAIL),
    ):
        owner = db.session.scalar(select(User).where(User.email == owner_email))
        staff = db.session.scalar(select(User).where(User.email == staff_email))
        assert owner.membership_role == "owner" and staff.membership_role == "staff"
        assert owner.organisation is staff.organisation is not None
        invitations = [i for i in db.session.scalars(select(Invitation)) if i.pending]
        assert any(i.organisation is owner.organisation for i in invitations)
        client = app.test_client()
        assert helpers.login(client, staff, data.DEMO_PASSWORD).status_code == 302
    before = table_counts()
    seed(app)
    assert table_counts() == before
    assert (
        data.ENTERPRISE_STAFF_EMAIL in app.test_cli_runner().invoke(args=["demo", "logins"]).output
    )


def test_direct_cooperation_proposals_agreements_and_ratings(app):
    from app.cooperation.models import Agreement, AgreementParty, Feedback, Proposal

    output = seed(app)
    assert "demo data created" in output
    proposals = grouped(Proposal.status)
    assert proposals["pending"] >= 2 and proposals["accepted"] >= 1
    assert proposals["declined"] >= 1
    assert {p.direction for p in db.session.scalars(select(Proposal))} == {
        "to_request",
        "to_offer",
    }
    school = db.session.scalar(select(User).where(User.email == data.SCHOOL_EMAIL))
    received = db.session.scalars(
        select(Proposal).where(Proposal.status == "pending", Proposal.direction == "to_request")
    ).all()
    assert any(p.school_major.school_id == school.school_id for p in received)
    states = grouped(Agreement.state)
    assert states["pending"] >= 2 and states["active"] >= 2 and states["superseded"] >= 1
    partly = [
        a
        for a in db.session.scalars(select(Agreement).where(Agreement.state == "pending"))
        if a.has_file and any(p.confirmed_at for p in a.parties)
    ]
    assert partly, "one agreement waits for the second confirmation"
    for agreement in db.session.scalars(select(Agreement).where(Agreement.state == "active")):
        assert agreement.has_file
        assert all(p.confirmed_at for p in agreement.parties)
    unconfirmed = db.session.scalar(
        select(func.count())
        .select_from(AgreementParty)
        .join(Agreement, AgreementParty.agreement_id == Agreement.id)
        .where(Agreement.state == "active", AgreementParty.confirmed_at.is_(None))
    )
    assert unconfirmed == 0
    occasions = grouped(Feedback.occasion)
    assert occasions["placement"] >= 10 and occasions["practice"] >= 1
    assert occasions["pairing_year"] >= 1
    again = seed(app)
    assert "already present" in again
    assert grouped(Proposal.status) == proposals


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 17, 30, tzinfo=UTC),  # 01:30 in Beijing: the UTC date lags a day
        datetime(2029, 7, 15, 3, 0, tzinfo=UTC),
    ],
    ids=["beijing-past-midnight", "years-later"],
)
def test_demo_world_is_dated_from_the_day_it_is_seeded(app, moment):
    """Whatever day the demo is seeded, each login's first story can be walked that day."""
    from app.cooperation.models import PracticeEntry
    from app.programme.models import Batch, BatchApplication
    from app.registry.models import SchoolMajor
    from app.resources.models import Booking
    from app.rounds.models import MatchRound

    with time_machine.travel(moment, tick=False):
        seed(app)
        today, now = local_today(), utcnow()
        open_batches = [b for b in db.session.scalars(select(Batch)) if b.is_open(today)]
        assert len(open_batches) == 1 and open_batches[0].closes_on >= today + timedelta(days=7)
        school = _user(data.SCHOOL_EMAIL)
        applied = set(
            db.session.scalars(
                select(BatchApplication.school_major_id).where(
                    BatchApplication.school_id == school.school_id
                )
            )
        )
        free = db.session.scalar(
            select(SchoolMajor.id).where(
                SchoolMajor.school_id == school.school_id, SchoolMajor.id.not_in(applied)
            )
        )
        client = app.test_client()
        response = client.post(
            f"/api/v1/batches/{open_batches[0].id}/applications",
            json={"school_major_id": free},
            headers=helpers.bearer(helpers.token_for(client, school, data.DEMO_PASSWORD)),
        )
        assert response.status_code == 201, response.get_json()
        published = db.session.scalars(
            select(MatchRound).where(MatchRound.status == "published")
        ).all()
        assert published and all(_aware(r.deadline) > now for r in published)
        starts = [_aware(b.starts_at) for b in db.session.scalars(select(Booking))]
        assert any(now < s < now + timedelta(weeks=8) for s in starts)
        days = list(db.session.scalars(select(PracticeEntry.on_date)))
        assert days and max(days) < today
    phases = db.session.scalars(select(Batch.closes_on).order_by(Batch.opens_on)).all()
    assert phases[:3] == [date(2023, 7, 31), date(2024, 12, 31), date(2025, 7, 31)]  # history


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive UTC datetimes."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_readme_try_first_hints_are_what_make_run_prints():
    """The README's demo-login table repeats the hints `flask demo logins` prints, word for word."""
    from pathlib import Path

    from app.demo import DEMO_LOGINS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for _role, _zh, _en, email, hint_zh, hint_en in DEMO_LOGINS:
        row = next(line for line in readme.splitlines() if f"`{email}`" in line)
        assert hint_zh in row and hint_en in row, email


def test_demo_shows_a_pending_closure_request_and_accepted_notices(app):
    from app.auth.models import ClosureRequest
    from app.common.privacy import PRIVACY_NOTICE_VERSION
    from app.demo.privacy import CLOSING_TEACHER

    seed(app)
    [row] = db.session.scalars(select(ClosureRequest)).all()
    assert row.status == "pending" and row.user.email == CLOSING_TEACHER
    versions = set(db.session.scalars(select(User.privacy_version)))
    assert versions == {PRIVACY_NOTICE_VERSION}
    client = app.test_client()
    admin = db.session.scalar(select(User).where(User.email == ROLE_EMAILS["region_admin"]))
    helpers.login(client, admin, data.DEMO_PASSWORD)
    assert CLOSING_TEACHER in client.get("/account/closures").get_data(as_text=True)
    seed(app)  # a second run adds nothing
    assert db.session.scalar(select(func.count(ClosureRequest.id))) == 1

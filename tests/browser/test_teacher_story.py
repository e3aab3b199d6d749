"""A teacher keeps a profile, browses placements with filters, applies with ranked choices,
accepts a proposed placement, logs practice days, and follows the ledger and certificate."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.common.time import local_today
from app.cooperation import services as cooperation
from app.cooperation.models import Application, Practice
from app.extensions import db
from app.registry.models import Teacher
from tests.browser import records
from tests.browser.helpers import accept_dialogs, flash_text, log_in, nav, snap, submit
from tests.cooperation.factories import make_placement
from tests.helpers import make_enterprise, make_host, make_school, make_user, unique

LEAGUE = "150800"  # Bayannur: no other story works there, so the round sees only this story
TURNER, WELDER = "6-18-01-01", "6-18-02-04"


def _period() -> tuple:
    """The placements' period around the platform's today."""
    return local_today() - timedelta(days=20), local_today() + timedelta(days=100)


def _world() -> dict:
    school = make_school(region_code=LEAGUE, name=unique("巴彦淖尔技工学校"))
    staff = make_user("school", school=school)
    enterprise = make_enterprise(region_code=LEAGUE, name=unique("河套农机制造有限公司"))
    make_user("enterprise", enterprise=enterprise)
    workshop = make_host(enterprise, name=unique("农机车工班组"))
    studio = make_host(
        enterprise, kind="master_studio", name=unique("焊接大师工作室"), occupations=(WELDER,)
    )
    full = make_host(enterprise, name=unique("满员车工班组"))
    start, end = _period()
    first = make_placement(workshop, seats=2, starts_on=start, ends_on=end)
    make_placement(studio, seats=1, starts_on=start, ends_on=end, codes=(WELDER,))
    taken = make_placement(full, seats=1, starts_on=start, ends_on=end)
    taken.seats_taken = 1
    teacher = make_user("teacher", name=unique("孙老师"))
    return {
        "email": teacher.email,
        "name": teacher.name,
        "school_id": school.id,
        "school": school.name,
        "staff_id": staff.id,
        "workshop": workshop.name,
        "studio": studio.name,
        "full": full.name,
        "first_id": first.id,
    }


def _school_confirms(w: dict) -> None:
    staff = db.session.get(User, w["staff_id"])
    teacher = db.session.scalar(select(Teacher).where(Teacher.name == w["name"]))
    cooperation.confirm_teacher(staff, teacher)


def _school_endorses(w: dict) -> None:
    staff = db.session.get(User, w["staff_id"])
    application = db.session.scalar(
        select(Application).where(Application.teacher.has(name=w["name"]))
    )
    cooperation.endorse_application(staff, application)


def _enterprise_completes(w: dict) -> None:
    practice = db.session.scalar(select(Practice).where(Practice.teacher.has(name=w["name"])))
    owner = cooperation.enterprise_staff(practice.placement.host.enterprise_id)[0]
    cooperation.complete_practice(owner, practice)


def _rows(page) -> str:
    return " | ".join(page.locator("tr.placement-row").all_inner_texts())


def test_teacher_profile_apply_accept_log_and_ledger(page, in_live_db):
    w = in_live_db(_world)
    accept_dialogs(page)
    log_in(page, w["email"])

    # the profile: created, then waiting for the school's confirmation
    page.get_by_role("link", name="My applications").first.click()
    assert "Create your teacher profile first." in page.content()
    page.get_by_role("link", name="My teacher profile").first.click()
    page.select_option("select[name=school_id]", str(w["school_id"]))
    page.fill("input[name=name]", w["name"])
    page.fill("input[name=title]", "一体化教师")
    page.select_option("select[name=occupation_codes]", [TURNER])
    submit(page, "title")
    page.wait_for_load_state()
    assert "Your profile has been saved; your school will confirm it." in flash_text(page)
    assert f"Waiting for {w['school']} to confirm your profile." in page.content()
    in_live_db(_school_confirms, w)
    page.reload()
    assert f"Confirmed by {w['school']}." in page.content()
    assert page.locator("#nav-unread").inner_text().startswith("1")

    # browse with filters: league + occupation, then free places only, then kind of host
    nav(page, "Practice placements")
    page.select_option("#f-region", LEAGUE)
    page.select_option("#f-occupation", TURNER)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    rows = _rows(page)
    assert w["workshop"] in rows and w["full"] in rows and w["studio"] not in rows
    page.check("#f-free")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    rows = _rows(page)
    assert w["workshop"] in rows and w["full"] not in rows
    page.goto(f"/cooperation/placements?region_code={LEAGUE}&host_kind=master_studio")
    rows = _rows(page)
    assert w["studio"] in rows and w["workshop"] not in rows

    # apply: the workshop first (from its row), the studio second
    page.goto(f"/cooperation/placements?region_code={LEAGUE}&free_only=1")
    page.locator("tr.placement-row", has_text=w["workshop"]).get_by_role(
        "link", name="Apply"
    ).click()
    page.wait_for_url("**/cooperation/applications/new*")
    first_start = _period()[0].isoformat()
    assert page.input_value("input[name=starts_on]") == first_start  # the first choice's
    second = page.locator("#choice-2 option", has_text=w["studio"]).get_attribute("value")
    page.select_option("#choice-2", second)
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url("**/cooperation/applications/*")
    assert "Your application has been submitted to your school." in flash_text(page)
    choices = page.locator("ol.list-group li").all_inner_texts()
    assert w["workshop"] in choices[0] and w["studio"] in choices[1]
    assert "Submitted" in page.locator("h1").inner_text()

    snap(page, "teacher-application")
    # endorsed by the school, proposed by a round; the teacher accepts, then the enterprise
    in_live_db(_school_endorses, w)
    round_id = in_live_db(records.published_round, "placement", LEAGUE)
    page.get_by_role("link", name="My matches").first.click()
    card = page.locator(".card", has_text=w["workshop"])
    assert "Proposed" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Accepted. The match waits for the other side." in flash_text(page)
    assert "You accepted; waiting for the other side." in page.content()
    in_live_db(records.host_accepts, round_id)
    page.reload()
    assert "Confirmed" in page.locator(".card", has_text=w["workshop"]).inner_text()

    # log practice days: a future day is refused next to the field
    page.get_by_role("link", name="My applications").first.click()
    page.locator(".practice-row a").first.click()
    page.wait_for_url("**/cooperation/practices/*")
    page.fill("input[name=on_date]", (local_today() + timedelta(days=3)).isoformat())
    page.fill("textarea[name=description]", "学习数控车床编程")
    submit(page, "on_date")
    assert "A day in the future cannot be logged." in page.locator(".field-error").inner_text()
    for back, what in ((3, "跟岗学习数控车床编程"), (2, "参与轴类零件加工")):
        page.fill("input[name=on_date]", (local_today() - timedelta(days=back)).isoformat())
        page.fill("textarea[name=description]", what)
        submit(page, "on_date")
        page.wait_for_load_state()
        assert "The day has been logged." in flash_text(page)
    assert page.locator("tr.entry-row", has_text="Not yet").count() == 2

    # the ledger counts confirmed days only
    page.get_by_role("link", name="Practice ledger").first.click()
    assert page.locator("#ledger-days").inner_text() == "0"
    assert page.locator("#ledger-shortfall").inner_text() == "180"
    in_live_db(_enterprise_completes, w)
    page.reload()
    assert page.locator("#ledger-days").inner_text() == "2"
    assert "178 more days are needed to meet the rule." in page.content()

    snap(page, "teacher-ledger")
    # after completion: the certificate
    page.locator("table a", has_text=w["workshop"]).click()
    page.get_by_role("link", name="Completion certificate").click()
    page.wait_for_url("**/certificate")
    snap(page, "teacher-certificate")
    body = page.locator(".certificate-body").inner_text()
    assert w["name"] in body and w["school"] in body and "2 days confirmed" in body

    def state():
        teacher = db.session.scalar(select(Teacher).where(Teacher.name == w["name"]))
        application = db.session.scalar(select(Application).where(Application.teacher == teacher))
        practice = db.session.scalar(select(Practice).where(Practice.teacher == teacher))
        return {
            "teacher": (teacher.title, teacher.occupation_codes, teacher.confirmed),
            "application": (application.status, len(application.choices)),
            "practice": (practice.placement_id, practice.status, practice.days_confirmed),
            "matches": records.match_statuses(round_id),
        }

    assert in_live_db(state) == {
        "teacher": ("一体化教师", [TURNER], True),
        "application": ("matched", 2),
        "practice": (w["first_id"], "completed", 2),
        "matches": ["confirmed"],
    }

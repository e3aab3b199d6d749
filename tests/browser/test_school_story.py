"""A school registers an integrated major, requests a workshop pairing, confirms a teacher,
endorses and returns applications, and accepts a pairing proposed by a published round."""

from sqlalchemy import select

from app.cooperation.models import Application, Pairing, PairingRequest
from app.extensions import db
from app.reference.models import Major
from app.registry.models import SchoolMajor, Teacher
from tests.browser import records
from tests.browser.helpers import accept_dialogs, flash_text, log_in, snap, submit
from tests.cooperation.factories import make_application, make_placement, make_teacher
from tests.helpers import make_enterprise, make_host, make_school, make_user, unique
from tests.rounds.factories import make_offer

LEAGUE = "150700"  # Hulunbuir: no other story works there, so the round sees only this story


def _school() -> dict:
    school = make_school(region_code=LEAGUE, name=unique("呼伦贝尔技师学院"))
    user = make_user("school", school=school)
    newcomer = make_teacher(school, confirmed=False, name=unique("新教师"))
    enterprise = make_enterprise(region_code=LEAGUE, name=unique("呼伦贝尔乳业有限公司"))
    host = make_host(enterprise, name=unique("车工班组"))
    make_user("enterprise", enterprise=enterprise)
    make_offer(host, slots=1, mode="linkage")
    placement = make_placement(host, seats=2)
    applicants = []
    for prefix in ("赵老师", "钱老师"):
        teacher = make_teacher(school, name=unique(prefix))
        make_application(teacher, [placement], status="submitted")
        applicants.append(teacher.name)
    major = db.session.scalar(select(Major).where(Major.active.is_(True)).order_by(Major.id))
    return {
        "email": user.email,
        "school_id": school.id,
        "newcomer": newcomer.name,
        "applicants": applicants,
        "host": host.name,
        "enterprise": enterprise.name,
        "major_id": major.id,
        "major": major.name,
    }


def test_school_majors_pairing_teachers_and_applications(page, in_live_db):
    s = in_live_db(_school)
    accept_dialogs(page)
    log_in(page, s["email"])

    # register an integrated major; the same major at the same level again is refused
    page.get_by_role("link", name="Integrated majors").first.click()
    page.wait_for_url("**/cooperation/majors")
    assert "No integrated major yet" in page.content()
    for _ in range(2):
        page.select_option("select[name=major_id]", str(s["major_id"]))
        page.select_option("select[name=level]", "technician")
        page.fill("input[name=cohort_size]", "45")
        submit(page, "cohort_size")
        page.wait_for_load_state()
    assert "This major is already registered at this level." in page.content()
    row = page.locator("tr.major-row", has_text=s["major"])
    assert row.count() == 1 and "Technician" in row.inner_text() and "45" in row.inner_text()

    # request a workshop pairing for it
    row.get_by_role("link", name="Request a pairing").click()
    page.wait_for_url("**/cooperation/pairing-requests/new*")
    page.check("input[name=occupation_codes][value='6-18-01-01']")
    page.check("input[name=preferred_modes][value=linkage]")
    page.check(f"input[name=preferred_region_codes][value='{LEAGUE}']")
    page.fill("input[name=starts_on]", "2026-03-01")
    page.fill("input[name=ends_on]", "2026-12-31")
    page.fill("input[name=wanted]", "1")
    submit(page, "wanted")
    page.wait_for_url("**/cooperation/majors")
    assert "The pairing request has been submitted." in flash_text(page)
    request_row = page.locator("li.pairing-request-row", has_text=s["major"])
    assert (
        "Submitted" in request_row.inner_text() and "1 partners wanted" in request_row.inner_text()
    )

    snap(page, "school-majors")
    # confirm the teacher account that belongs to the school
    page.get_by_role("link", name="Teachers", exact=True).click()
    page.wait_for_url("**/cooperation/teachers")
    page.locator("tr.teacher-row", has_text=s["newcomer"]).get_by_role(
        "button", name="Confirm"
    ).click()
    page.wait_for_load_state()
    assert f"{s['newcomer']} is confirmed." in flash_text(page)
    assert "Confirmed" in page.locator("tr.teacher-row", has_text=s["newcomer"]).inner_text()

    # endorse the first application, return the second with a reason
    endorsed, returned = s["applicants"]
    page.goto("/cooperation/school/applications?status=submitted")
    assert page.locator("tr.application-row").count() == 2
    page.locator("tr.application-row", has_text=endorsed).get_by_role(
        "button", name="Endorse"
    ).click()
    page.wait_for_load_state()
    assert "The application is endorsed." in flash_text(page)
    assert page.locator("tr.application-row").count() == 1  # still on the "submitted" filter
    page.locator("tr.application-row", has_text=returned).get_by_role("link", name="Return").click()
    submit(page, "reason")
    assert "Give the reason." in page.locator(".field-error").inner_text()
    page.fill("textarea[name=reason]", "请补充近三年的教学任务说明")
    submit(page, "reason")
    page.wait_for_url("**/cooperation/school/applications")
    assert "The application has been returned to the teacher." in flash_text(page)
    assert "Returned" in page.locator("tr.application-row", has_text=returned).inner_text()
    assert "Endorsed" in page.locator("tr.application-row", has_text=endorsed).inner_text()

    # a round proposes the enterprise's offer for the request; the enterprise accepted already
    round_id = in_live_db(records.published_round, "pairing", LEAGUE)
    in_live_db(records.host_accepts, round_id)
    page.get_by_role("link", name="My matches").first.click()
    page.wait_for_url("**/rounds/matches/mine")
    card = page.locator(".card", has_text=s["host"])
    assert s["major"] in card.inner_text() and "Accepted by the host" in card.inner_text()
    card.locator("summary").click()
    assert "Occupation fit" in card.inner_text()  # the score's breakdown
    card.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Both sides accepted: the match is confirmed." in flash_text(page)
    assert "Confirmed" in page.locator(".card", has_text=s["host"]).inner_text()
    page.goto("/cooperation/pairings")
    assert s["host"] in page.content() and s["enterprise"] in page.content()

    def state():
        school_id = s["school_id"]
        request = db.session.scalar(
            select(PairingRequest).join(SchoolMajor).where(SchoolMajor.school_id == school_id)
        )
        pairing = db.session.scalar(select(Pairing).where(Pairing.pairing_request_id == request.id))
        newcomer = db.session.scalar(select(Teacher).where(Teacher.name == s["newcomer"]))
        apps = {
            a.teacher.name: (a.status, a.note)
            for a in db.session.scalars(
                select(Application).where(Application.teacher.has(school_id=school_id))
            )
        }
        return {
            "major": (request.school_major.level, request.school_major.cohort_size),
            "request": (request.status, request.preferred_modes, request.preferred_region_codes),
            "pairing": (pairing.status, pairing.offer.host.name),
            "newcomer_confirmed": newcomer.confirmed,
            "applications": apps,
            "matches": records.match_statuses(round_id),
        }

    assert in_live_db(state) == {
        "major": ("technician", 45),
        "request": ("matched", ["linkage"], [LEAGUE]),
        "pairing": ("active", s["host"]),
        "newcomer_confirmed": True,
        "applications": {
            endorsed: ("endorsed", None),
            returned: ("returned", "请补充近三年的教学任务说明"),
        },
        "matches": ["confirmed"],
    }

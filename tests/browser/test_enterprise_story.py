"""An enterprise posts an offer and a placement, sees who applied, accepts a teacher while
seats remain and confirms the teacher's logged practice days."""

from datetime import date, timedelta

from sqlalchemy import select

from app.common.time import local_today
from app.cooperation.models import Application, Offer, Placement, Practice, PracticeEntry
from app.extensions import db
from tests.browser.helpers import accept_dialogs, flash_text, log_in, snap, submit
from tests.cooperation.factories import make_application, make_teacher
from tests.helpers import make_enterprise, make_host, make_school, make_user, unique


def _enterprise_with_host() -> dict:
    enterprise = make_enterprise(name=unique("草原数控装备有限公司"))
    user = make_user("enterprise", enterprise=enterprise)
    host = make_host(enterprise, name=unique("数控车工班组"), capacity=6)
    return {"email": user.email, "host": host.name, "host_id": host.id}


def _two_endorsed_teachers(placement_id: int) -> list[str]:
    """Two confirmed teachers of a fresh school, each with an endorsed direct application."""
    school = make_school(name=unique("呼和浩特机电技师学院"))
    placement = db.session.get(Placement, placement_id)
    names = []
    for prefix in ("王老师", "李老师"):
        teacher = make_teacher(school, name=unique(prefix))
        make_application(teacher, [placement], status="endorsed")
        names.append(teacher.name)
    return names


def _log_days(teacher_name: str, days: int) -> None:
    """The teacher's practice gets `days` logged days up to yesterday (the teacher's part)."""
    practice = db.session.scalar(select(Practice).where(Practice.teacher.has(name=teacher_name)))
    for n in range(days):
        practice.entries.append(
            PracticeEntry(on_date=local_today() - timedelta(days=n + 1), description="车削轴类零件")
        )
    practice.started_on = local_today() - timedelta(days=days + 1)


def test_enterprise_posts_accepts_and_confirms(page, in_live_db):
    setup = in_live_db(_enterprise_with_host)
    accept_dialogs(page)
    log_in(page, setup["email"])

    page.get_by_role("link", name="Offers and placements").first.click()
    page.wait_for_url("**/cooperation/desk")
    assert "No teacher has applied yet." in page.content()

    # a cooperation offer; a period ending before it starts is refused next to the field
    page.get_by_role("link", name="Post an offer").click()
    page.select_option("select[name=host_id]", str(setup["host_id"]))
    page.select_option("select[name=mode]", "linkage")
    page.select_option("select[name=occupation_codes]", ["6-18-01-01"])
    page.fill("input[name=slots]", "2")
    page.fill("input[name=starts_on]", "2026-09-01")
    page.fill("input[name=ends_on]", "2026-08-01")
    page.fill("textarea[name=description]", "共建数控车工生产性实训车间")
    submit(page, "slots")
    assert "The end may not be before the start." in page.locator(".field-error").inner_text()
    page.fill("input[name=ends_on]", "2027-07-31")
    submit(page, "slots")
    page.wait_for_url("**/cooperation/desk")
    assert "The offer has been saved." in flash_text(page)
    offer_row = page.locator("tr.offer-row", has_text=setup["host"])
    assert "0 / 2" in offer_row.inner_text() and "Open" in offer_row.inner_text()

    # a teacher-practice placement with one seat
    page.get_by_role("link", name="Post a placement").click()
    page.select_option("select[name=host_id]", str(setup["host_id"]))
    page.select_option("select[name=occupation_codes]", ["6-18-01-01"])
    page.fill("input[name=seats]", "1")
    start = local_today() - timedelta(days=30)
    page.fill("input[name=starts_on]", start.isoformat())
    page.fill("input[name=ends_on]", (start + timedelta(days=120)).isoformat())
    page.fill("textarea[name=requirements]", "熟悉数控车床操作")
    submit(page, "seats")
    page.wait_for_url("**/cooperation/desk")
    assert "The placement has been saved." in flash_text(page)
    assert "0 / 1" in page.locator("tr.placement-row", has_text=setup["host"]).inner_text()

    placement_id = in_live_db(
        lambda: db.session.scalar(select(Placement.id).where(Placement.host_id == setup["host_id"]))
    )
    first, second = in_live_db(_two_endorsed_teachers, placement_id)

    # who applied: both endorsed teachers; accept the first while the one seat remains
    page.reload()
    applicants = page.locator("tr.applicant-row")
    assert applicants.count() == 2
    assert first in applicants.all_inner_texts()[0] + applicants.all_inner_texts()[1]
    row = page.locator("tr.applicant-row", has_text=first)
    row.get_by_role("button", name=f"Accept for {setup['host']}").click()
    page.wait_for_load_state()
    assert "Accepted: the practice has started." in flash_text(page)
    assert "1 / 1" in page.locator("tr.placement-row", has_text=setup["host"]).inner_text()
    # the seat is gone: the second teacher can no longer be accepted
    other = page.locator("tr.applicant-row", has_text=second)
    assert other.get_by_role("button").count() == 0
    assert f"No free seat left on {setup['host']}" in other.inner_text()
    assert "Matched" in page.locator("tr.applicant-row", has_text=first).inner_text()

    snap(page, "enterprise-desk")
    # the teacher logs two days; the enterprise confirms them
    in_live_db(_log_days, first, 2)
    page.reload()
    page.get_by_role("link", name=first).last.click()
    page.wait_for_url("**/cooperation/practices/*")
    assert "2 days logged, 0 confirmed" in page.content()
    page.get_by_role("button", name="Confirm logged days").click()
    page.wait_for_load_state()
    assert "The logged days are confirmed." in flash_text(page)
    assert "2 days logged, 2 confirmed" in page.content()
    assert page.locator("tr.entry-row", has_text="Yes").count() == 2

    def state():
        offer = db.session.scalar(select(Offer).where(Offer.host_id == setup["host_id"]))
        placement = db.session.get(Placement, placement_id)
        practice = db.session.scalar(select(Practice).where(Practice.placement_id == placement_id))
        statuses = sorted(
            db.session.scalars(
                select(Application.status).where(Application.choices.any(placement_id=placement_id))
            )
        )
        return {
            "offer": (offer.status, offer.slots, offer.mode, offer.ends_on),
            "seats": (placement.seats_taken, placement.seats),
            "practice": (practice.teacher.name, practice.days_confirmed, practice.status),
            "applications": statuses,
        }

    assert in_live_db(state) == {
        "offer": ("open", 2, "linkage", date(2027, 7, 31)),
        "seats": (1, 1),
        "practice": (first, 2, "ongoing"),
        "applications": ["endorsed", "matched"],
    }

"""A full placement round: create, run, preview, lock and exclude with reasons, publish, both
sides accept, a decline, and a follow-up round that never proposes the declined pair again."""

from sqlalchemy import select

from app.cooperation.models import Placement
from app.extensions import db
from app.rounds.models import Match, MatchRound
from tests.browser.helpers import accept_dialogs, flash_text, log_in, log_out, nav, snap
from tests.helpers import make_enterprise, make_host, make_school, make_user, unique
from tests.rounds.factories import make_application, make_placement, make_teacher

LEAGUE = "150900"  # Ulanqab: no other story works there, so the round sees only this story
WELDER = "6-18-02-04"


def _world() -> dict:
    """Two placements (2 seats and 1) and four endorsed teachers; the fourth teaches welding."""
    school = make_school(region_code=LEAGUE, name=unique("乌兰察布技工学校"))
    enterprise = make_enterprise(region_code=LEAGUE, name=unique("集宁重工有限公司"))
    owner = make_user("enterprise", enterprise=enterprise)
    big = make_placement(make_host(enterprise, name=unique("车工一班")), seats=2)
    small = make_placement(make_host(enterprise, name=unique("车工二班")), seats=1)
    teachers = {}
    for key, prefix, placement, occupations in (
        ("t1", "周老师", big, None),
        ("t2", "吴老师", big, None),
        ("t3", "郑老师", small, None),
        ("t4", "冯老师", small, (WELDER,)),
    ):
        extra = {"occupations": occupations} if occupations else {}
        teacher = make_teacher(school, name=unique(prefix), **extra)
        make_application(teacher, [placement])
        teachers[key] = {"name": teacher.name, "email": teacher.user.email}
    admin = make_user("region_admin")
    return {
        "admin": admin.email,
        "owner": owner.email,
        "big": big.host.name,
        "small": small.host.name,
        "small_id": small.id,
        "big_id": big.id,
        **teachers,
    }


def _row(page, teacher: str):
    return page.locator("tbody tr", has_text=teacher)


def _run(page) -> None:
    page.get_by_role("button", name="Run").first.click()
    page.wait_for_load_state()
    assert "The preview is ready." in flash_text(page)


def test_round_create_run_preview_publish_answer_follow_up(page, in_live_db):
    w = in_live_db(_world)
    t1, t2, t3, t4 = w["t1"]["name"], w["t2"]["name"], w["t3"]["name"], w["t4"]["name"]
    accept_dialogs(page)
    log_in(page, w["admin"])

    # create the round
    nav(page, "Match rounds")
    page.goto("/rounds/new")
    page.select_option("select[name=kind]", "placement")
    page.select_option("select[name=region_code]", LEAGUE)
    page.select_option("select[name=mode]", "optimal")
    page.get_by_role("button", name="Open the round").click()
    page.wait_for_url("**/rounds/*")
    assert "The round is open. Run it to see a preview." in flash_text(page)
    assert "Not run yet." in page.content()
    round_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # run: the preview with breakdowns, metrics side by side, the unmatched with reasons
    _run(page)
    assert "Optimal and stable side by side" in page.content()
    assert "3 / 4" in page.locator("table", has_text="Blocking pairs").inner_text()
    for teacher in (t1, t2, t3):
        assert "Preview" in _row(page, teacher).inner_text()
    _row(page, t1).locator("summary").click()
    assert "Occupation fit" in _row(page, t1).inner_text()
    assert "Unmatched (1)" in page.content() and t4 in page.locator(".list-group").inner_text()

    # lock one pair, exclude another (both with a reason), and run again
    _row(page, t1).locator("input[name=reason]").first.fill("学校重点推荐")
    _row(page, t1).get_by_role("button", name="Lock").click()
    page.wait_for_load_state()
    assert "The pair is locked." in flash_text(page)
    assert "Locked" in _row(page, t1).inner_text() and "学校重点推荐" in page.content()
    _row(page, t3).locator("input[name=reason]").last.fill("该教师本学期已有教学任务")
    _row(page, t3).get_by_role("button", name="Exclude").click()
    page.wait_for_load_state()
    assert "The pair is excluded" in flash_text(page)
    assert "Excluded" in _row(page, t3).inner_text()
    page.get_by_role("button", name="Run again").click()
    page.wait_for_load_state()
    assert "Preview" in _row(page, t4).inner_text() and w["small"] in _row(page, t4).inner_text()
    assert "Locked" in _row(page, t1).inner_text()

    snap(page, "round-preview")
    # publish: read-only history
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "The round is published; both sides have been notified." in flash_text(page)
    assert "Published: this round is read-only history." in page.content()
    assert page.get_by_role("button", name="Lock").count() == 0
    log_out(page)

    # both sides accept t1's proposal
    log_in(page, w["t1"]["email"])
    page.get_by_role("link", name="My matches").first.click()
    page.locator(".card", has_text=w["big"]).get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Accepted. The match waits for the other side." in flash_text(page)
    log_out(page)
    log_in(page, w["owner"])
    page.get_by_role("link", name="My matches").first.click()
    assert page.locator(".card").count() == 3
    card = page.locator(".card", has_text=t1)
    assert "Accepted by the applicant" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "Both sides accepted: the match is confirmed." in flash_text(page)
    assert "Confirmed" in page.locator(".card", has_text=t1).inner_text()
    log_out(page)

    snap(page, "round-my-matches")
    # t4 declines with a reason
    log_in(page, w["t4"]["email"])
    page.get_by_role("link", name="My matches").first.click()
    card = page.locator(".card", has_text=w["small"])
    card.locator("input[name=reason]").fill("时间与学校教学安排冲突")
    card.get_by_role("button", name="Decline").click()
    page.wait_for_load_state()
    assert "Declined." in flash_text(page)
    card = page.locator(".card", has_text=w["small"])
    assert "Declined" in card.inner_text() and "时间与学校教学安排冲突" in card.inner_text()
    log_out(page)

    # a follow-up round: the declined place goes to t3, never again to t4
    log_in(page, w["admin"])
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="Follow-up round").click()
    assert f"Follow-up of round {round_id}" in page.content()
    assert page.locator("select[name=region_code]").input_value() == LEAGUE
    page.get_by_role("button", name="Open the round").click()
    page.wait_for_url("**/rounds/*")
    assert f"follows round {round_id}" in page.content()
    _run(page)
    assert "Preview" in _row(page, t3).inner_text() and w["small"] in _row(page, t3).inner_text()
    assert _row(page, t4).count() == 0 and _row(page, t2).count() == 0
    unmatched = page.locator(".list-group", has_text=t4).inner_text()
    assert "a pair was declined or expired before" in unmatched

    def state():
        rounds = db.session.scalars(
            select(MatchRound).where(MatchRound.region_code == LEAGUE).order_by(MatchRound.id)
        ).all()
        first = {
            m.application.teacher.name: (m.status, m.locked, m.decision_reason)
            for m in db.session.scalars(select(Match).where(Match.round_id == round_id))
        }
        follow = [
            (m.application.teacher.name, m.placement_id, m.status)
            for m in db.session.scalars(select(Match).where(Match.round_id == rounds[1].id))
        ]
        big = db.session.get(Placement, w["big_id"])
        return {
            "rounds": [(r.status, r.parent_id) for r in rounds],
            "first": first,
            "follow": follow,
            "big_seats": (big.seats_taken, big.seats),
        }

    assert in_live_db(state) == {
        "rounds": [("published", None), ("previewed", round_id)],
        "first": {
            t1: ("confirmed", True, "学校重点推荐"),
            t2: ("proposed", False, None),
            t3: ("preview", False, "该教师本学期已有教学任务"),
            t4: ("declined", False, "时间与学校教学安排冲突"),
        },
        "follow": [(t3, w["small_id"], "preview")],
        "big_seats": (1, 2),
    }

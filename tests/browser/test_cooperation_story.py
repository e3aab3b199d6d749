"""Direct cooperation: an enterprise finds a school's pairing request and proposes an offer,
the school accepts and the pairing starts; both sides confirm their agreement with the signed
scan uploaded; the teacher rates a completed practice, whose certificate carries a QR code
that the public check confirms without login."""

from sqlalchemy import select

from app.cooperation.models import Agreement, Feedback, Pairing, PairingRequest, Proposal
from app.extensions import db
from tests.browser.helpers import accept_dialogs, flash_text, log_in, log_out, nav, snap, submit
from tests.cooperation import factories as f
from tests.helpers import make_enterprise, make_host, make_school, make_user, unique

LEAGUE = "152900"  # Alxa: no other story works there


def _world() -> dict:
    school = make_school(region_code=LEAGUE, name=unique("阿拉善技工学校"))
    school_user = make_user("school", school=school)
    major = f.make_school_major(school)
    request = f.make_pairing_request(major)
    enterprise = make_enterprise(region_code=LEAGUE, name=unique("阿拉善盐化有限公司"))
    enterprise_user = make_user("enterprise", enterprise=enterprise)
    host = make_host(enterprise, name=unique("化工班组"))
    offer = f.make_offer(host, slots=1)
    teacher_user = make_user("teacher", school=school)
    teacher = f.make_teacher(school, user=teacher_user, name=unique("孙老师"))
    practice = f.make_practice(
        teacher, f.make_placement(host), days=4, confirmed=True, status="completed"
    )
    return {
        "school": school.name,
        "school_email": school_user.email,
        "enterprise_email": enterprise_user.email,
        "teacher_email": teacher_user.email,
        "teacher": teacher.name,
        "request_id": request.id,
        "offer_id": offer.id,
        "host": host.name,
        "major": major.major.name,
        "practice_id": practice.id,
        "certificate_no": practice.certificate_no,
    }


def test_enterprise_proposes_school_accepts_certificate_checks(page, in_live_db, tmp_path):
    w = in_live_db(_world)
    accept_dialogs(page)

    # the enterprise browses the schools' requests of the league and proposes its offer
    log_in(page, w["enterprise_email"])
    nav(page, "Pairing requests")
    page.wait_for_url("**/cooperation/pairing-requests")
    page.select_option("select[name=region_code]", LEAGUE)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("tr.request-row", has_text=w["school"])
    assert w["major"] in row.inner_text()
    snap(page, "coop-requests-1280")
    row.get_by_role("link", name=w["school"]).click()
    page.wait_for_url(f"**/cooperation/pairing-requests/{w['request_id']}")
    page.select_option("select[name=offer_id]", str(w["offer_id"]))
    page.fill("textarea[name=note]", "欢迎来班组参观")
    submit(page, "offer_id")
    page.wait_for_url("**/cooperation/proposals?box=sent")
    assert "sent to the school" in flash_text(page)
    assert w["host"] in page.locator("tr.proposal-row").first.inner_text()
    log_out(page)

    # the school sees it among the proposals received and accepts
    log_in(page, w["school_email"])
    nav(page, "Pairing proposals")
    page.get_by_role("link", name="Received").click()
    page.wait_for_url("**/cooperation/proposals?box=received")
    row = page.locator("tr.proposal-row", has_text=w["host"])
    assert "欢迎来班组参观" in row.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "coop-proposals-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    assert "the pairing has started" in flash_text(page)

    def _state():
        proposal = db.session.scalar(select(Proposal).where(Proposal.offer_id == w["offer_id"]))
        pairing = db.session.scalar(select(Pairing).where(Pairing.offer_id == w["offer_id"]))
        request = db.session.get(PairingRequest, w["request_id"])
        return proposal.status, pairing is not None, request.status

    assert in_live_db(_state) == ("accepted", True, "matched")

    # the school records the agreement of the new pairing and uploads the signed scan
    page.locator("tr.proposal-row", has_text=w["host"]).get_by_role("link", name="Pairings").click()
    page.wait_for_url("**/cooperation/pairings")
    page.locator("tr.pairing-row", has_text=w["host"]).get_by_role(
        "link", name="Record the agreement"
    ).click()
    page.wait_for_url("**/cooperation/agreements/new**")
    page.fill("input[name=title]", "阿拉善结对合作协议")
    page.fill("input[name=starts_on]", "2026-12-01")
    page.fill("input[name=ends_on]", "2027-11-30")
    page.fill("textarea[name=terms]", "企业提供化工班组岗位；学校每学期派出教师两名。")
    submit(page, "terms")
    page.wait_for_url("**/cooperation/agreements/*")
    scan = tmp_path / "协议扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("input[name=file]", str(scan))
    submit(page, "file")
    page.wait_for_load_state()
    assert "uploaded" in flash_text(page)
    page.get_by_role("button", name="Confirm the agreement for my side").click()
    page.wait_for_load_state()
    assert page.locator("#agreement-state").inner_text() == "Waiting for confirmation"
    log_out(page)

    # the enterprise confirms too: the agreement comes into force
    log_in(page, w["enterprise_email"])
    nav(page, "Agreements")
    page.get_by_role("link", name="阿拉善结对合作协议").click()
    assert "协议扫描件.pdf" in page.locator("#agreement-scan").inner_text()
    page.get_by_role("button", name="Confirm the agreement for my side").click()
    page.wait_for_load_state()
    assert page.locator("#agreement-state").inner_text() == "In force"
    snap(page, "coop-agreement-1280")
    states = in_live_db(
        lambda: [
            a.state
            for a in db.session.scalars(
                select(Agreement).where(Agreement.title == "阿拉善结对合作协议")
            )
        ]
    )
    assert states == ["active"]
    log_out(page)

    # the teacher rates the completed practice
    log_in(page, w["teacher_email"])
    nav(page, "Feedback")
    page.locator("#feedback-due").get_by_role("link", name="Rate").first.click()
    page.wait_for_url("**/cooperation/feedback/new**")
    page.select_option("select[name=score_guidance]", "5")
    page.select_option("select[name=score_learning]", "4")
    page.select_option("select[name=score_conditions]", "4")
    page.fill("textarea[name=comment]", "师傅指导细致")
    submit(page, "comment")
    page.wait_for_url("**/cooperation/feedback")
    assert "rating has been saved" in flash_text(page)
    rated = in_live_db(
        lambda: [
            (r.occasion, r.score)
            for r in db.session.scalars(
                select(Feedback).where(Feedback.practice_id == w["practice_id"])
            )
        ]
    )
    assert rated == [("placement", 4.33)]

    # the teacher's certificate carries the number and the QR code of the public check
    page.goto(f"/cooperation/practices/{w['practice_id']}/certificate")
    assert w["certificate_no"] in page.content()
    assert page.locator(".certificate-qr svg path").count() == 1
    snap(page, "coop-certificate-1280")
    log_out(page)

    # anyone checks it without logging in; a wrong number shows nothing
    page.goto(f"/verify/{w['certificate_no']}")
    assert page.locator("#certificate-genuine").is_visible()
    assert w["teacher"] in page.locator("#certificate-facts").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "coop-verify-390")
    response = page.goto("/verify/GX-2222-3333-4444")
    assert response.status == 404
    assert page.locator("#certificate-unknown").is_visible()
    assert w["teacher"] not in page.content()

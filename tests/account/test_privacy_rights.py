"""The privacy notice, consent at sign-up and registration, re-acceptance, one's own data and
account closure (HTML and API)."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import ClosureRequest, User
from app.common.models import AuditEvent
from app.common.privacy import PRIVACY_NOTICE_VERSION
from app.common.time import utcnow
from app.cooperation.models import Application, Practice
from app.extensions import db
from app.notifications.models import Notification
from app.registry.models import Enterprise, School, Teacher
from tests.api.support import enterprise_body, school_body
from tests.cooperation import factories as f
from tests.helpers import (
    PASSWORD,
    bearer,
    login,
    login_en,
    make_user,
    token_for,
    use_english,
)
from tests.registry.payloads import enterprise_form, school_form

API = "/api/v1"


def _signup_data(**overrides) -> dict:
    data = {
        "name": "王老师",
        "email": "wang@example.cn",
        "role": "teacher",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "accept_privacy": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the notice ------------------------------------------------------------------------------


def test_privacy_notice_is_public_versioned_and_linked_from_every_page_footer(client, world):
    use_english(client)
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Version {PRIVACY_NOTICE_VERSION}" in text
    for heading in ("What is collected", "Why", "Who sees it", "How long it is kept"):
        assert heading in text
    assert "133****7036" in text  # the masked form the policy gives other signed-in users
    for path in ("/", "/auth/login", "/auth/signup", "/registry/enterprises"):
        body = client.get(path).get_data(as_text=True)
        footer = body[body.index("<footer") :]
        assert 'href="/privacy"' in footer, path
    login_en(client, world.users["teacher"])
    body = client.get("/account/data").get_data(as_text=True)
    assert 'href="/privacy"' in body[body.index("<footer") :]


# --- consent at sign-up ------------------------------------------------------------------------


def test_signup_without_consent_is_refused_next_to_the_checkbox(client):
    use_english(client)
    response = client.post("/auth/signup", data=_signup_data(accept_privacy=None))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    box = text.index('name="accept_privacy"')
    error = text.index("Accept the privacy notice to continue.")
    assert 0 < error - box < 800  # the message sits with the checkbox
    assert _user("wang@example.cn") is None


def test_signup_records_the_notice_version_and_time(client):
    before = utcnow()
    assert client.post("/auth/signup", data=_signup_data()).status_code == 302
    user = _user("wang@example.cn")
    assert user.privacy_version == PRIVACY_NOTICE_VERSION
    accepted = user.privacy_accepted_at
    if accepted.tzinfo is None:
        accepted = accepted.replace(tzinfo=before.tzinfo)
    assert before - timedelta(seconds=1) <= accepted <= utcnow()
    # a new account is not sent to the re-acceptance page
    assert client.get("/registry/enterprises").status_code == 200


def test_api_signup_requires_accept_privacy_true(client):
    body = {"email": "api@example.cn", "password": PASSWORD, "role": "teacher", "name": "甲"}
    for value in (None, False, "yes"):
        payload = body if value is None else {**body, "accept_privacy": value}
        response = client.post(f"{API}/accounts", json=payload)
        assert response.status_code == 422, value
        assert "accept_privacy" in response.get_json()["error"]["fields"], value
    assert _user("api@example.cn") is None
    response = client.post(f"{API}/accounts", json={**body, "accept_privacy": True})
    assert response.status_code == 201
    assert _user("api@example.cn").privacy_version == PRIVACY_NOTICE_VERSION


# --- consent when an organisation is registered ----------------------------------------------


def test_enterprise_form_says_the_contact_is_shown_and_requires_consent(client, world):
    login_en(client, world.users["enterprise_new"])
    page = client.get("/registry/enterprises/new").get_data(as_text=True)
    assert "The contact person and phone you give are shown to others" in page
    assert 'href="/privacy"' in page
    response = client.post("/registry/enterprises/new", data=enterprise_form(accept_privacy=None))
    assert response.status_code == 200
    assert "Accept the privacy notice to continue." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enterprise.id))) == 3  # nothing saved
    response = client.post("/registry/enterprises/new", data=enterprise_form())
    assert response.status_code == 302
    org = db.session.scalar(select(Enterprise).where(Enterprise.name == "赛罕精密机械有限公司"))
    assert org.privacy_version == PRIVACY_NOTICE_VERSION and org.privacy_accepted_at


def test_school_form_requires_consent(client, world):
    login_en(client, world.users["school_new"])
    data = {k: v for k, v in school_form().items() if k != "accept_privacy"}
    response = client.post("/registry/schools/new", data=data)
    assert "Accept the privacy notice to continue." in response.get_data(as_text=True)
    assert db.session.scalar(select(School).where(School.name == "新城技工学校")) is None
    assert client.post("/registry/schools/new", data=school_form()).status_code == 302
    school = db.session.scalar(select(School).where(School.name == "新城技工学校"))
    assert school.privacy_version == PRIVACY_NOTICE_VERSION


def test_api_registration_refuses_without_consent_naming_the_field(client, world):
    headers = bearer(token_for(client, world.users["enterprise_new"]))
    body = {k: v for k, v in enterprise_body().items() if k != "accept_privacy"}
    response = client.post(f"{API}/enterprises", json=body, headers=headers)
    assert response.status_code == 422
    assert "accept_privacy" in response.get_json()["error"]["fields"]
    response = client.post(
        f"{API}/enterprises", json={**body, "accept_privacy": False}, headers=headers
    )
    assert response.status_code == 422
    assert "accept_privacy" in response.get_json()["error"]["fields"]
    headers = bearer(token_for(client, world.users["school_new"]))
    body = {k: v for k, v in school_body().items() if k != "accept_privacy"}
    response = client.post(f"{API}/schools", json=body, headers=headers)
    assert "accept_privacy" in response.get_json()["error"]["fields"]
    response = client.post(f"{API}/schools", json=school_body(), headers=headers)
    assert response.status_code == 201
    school = db.session.get(School, response.get_json()["id"])
    assert school.privacy_version == PRIVACY_NOTICE_VERSION


# --- re-acceptance when the notice changes -------------------------------------------------


def test_an_older_acceptance_is_asked_again_before_any_page(client, world):
    user = world.users["teacher"]
    user.privacy_version = "2020-01-01"
    db.session.commit()
    login_en(client, user)
    response = client.get("/registry/enterprises?page=2")
    assert response.status_code == 302
    assert "/privacy/accept" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2020-01-01" in page and PRIVACY_NOTICE_VERSION in page
    assert client.get("/privacy").status_code == 200  # the notice itself stays readable
    assert client.get("/account/data").status_code == 200  # and one's data, and closure
    refused = client.post("/privacy/accept", data={"next": "/registry/enterprises?page=2"})
    assert "Accept the privacy notice to continue." in refused.get_data(as_text=True)
    assert db.session.get(User, user.id).privacy_version == "2020-01-01"
    done = client.post(
        "/privacy/accept",
        data={"accept_privacy": "y", "next": "/registry/enterprises?page=2"},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/registry/enterprises?page=2")
    assert db.session.get(User, user.id).privacy_version == PRIVACY_NOTICE_VERSION
    assert client.get("/registry/enterprises").status_code == 200
    [event] = _audits("account.privacy_accept")
    assert event.after == {"privacy_version": PRIVACY_NOTICE_VERSION}


def test_an_account_that_never_accepted_is_asked_too(client, world):
    user = world.users["school"]
    user.privacy_version = None
    db.session.commit()
    login(client, user)
    assert "/privacy/accept" in client.get("/registry/mine").headers["Location"]


def test_the_api_reports_an_outdated_consent_and_accepts_it(client, world):
    user = world.users["teacher"]
    user.privacy_version = "2020-01-01"
    db.session.commit()
    headers = bearer(token_for(client, user))
    me = client.get(f"{API}/me", headers=headers).get_json()
    assert me["privacy_notice"]["needs_acceptance"] is True
    assert me["privacy_notice"]["current_version"] == PRIVACY_NOTICE_VERSION
    assert client.get(f"{API}/enterprises", headers=headers).status_code == 200  # not blocked
    response = client.post(
        f"{API}/me/privacy-consent", json={"accept_privacy": False}, headers=headers
    )
    assert response.status_code == 422
    assert "accept_privacy" in response.get_json()["error"]["fields"]
    response = client.post(
        f"{API}/me/privacy-consent", json={"accept_privacy": True}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["needs_acceptance"] is False
    assert db.session.get(User, user.id).privacy_version == PRIVACY_NOTICE_VERSION


# --- one's own data --------------------------------------------------------------------------


def _teacher_with_records(world, user):
    teacher = f.make_teacher(world.school, user=user, name="自己的名字")
    placement = f.make_placement(world.host)
    application = f.make_application(teacher, [placement], status="submitted")
    practice = f.make_practice(teacher, placement, days=3, confirmed=True, status="completed")
    db.session.add(Notification(user_id=user.id, kind="teacher_confirmed", params={"school": "X"}))
    db.session.commit()
    return teacher, application, practice


def test_my_data_holds_my_records_and_nothing_of_others(client, world):
    me = world.users["teacher"]
    other = make_user("teacher", school=world.school, email="someone-else@example.cn")
    _teacher, application, practice = _teacher_with_records(world, me)
    other_teacher = f.make_teacher(world.school, user=other, name="别人的名字")
    f.make_application(other_teacher, [f.make_placement(world.host)], status="submitted")
    db.session.add(Notification(user_id=other.id, kind="teacher_confirmed", params={}))
    db.session.commit()

    login_en(client, me)
    download = client.get("/account/data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.get_data(as_text=True))
    assert data["account"]["email"] == me.email
    assert data["teacher_profile"]["name"] == "自己的名字"
    assert [a["id"] for a in data["applications"]] == [
        application.id,
        practice.application_id,
    ]
    assert data["practice"][0]["days_confirmed"] == 3
    assert data["practice"][0]["certificate_no"] == practice.certificate_no
    assert len(data["notifications"]) == 1
    text = download.get_data(as_text=True)
    assert "someone-else@example.cn" not in text and "别人的名字" not in text
    page = client.get("/account/data").get_data(as_text=True)
    assert me.email in page and "自己的名字" in page and "别人的名字" not in page
    api = client.get(f"{API}/me/data", headers=bearer(token_for(client, me))).get_json()
    assert api["account"]["email"] == me.email
    assert [a["id"] for a in api["applications"]] == [a["id"] for a in data["applications"]]


def test_my_data_bounds_the_notifications(client, world):
    from app.account.services import MAX_NOTIFICATIONS

    me = world.users["school"]
    db.session.add_all(
        Notification(user_id=me.id, kind="teacher_confirmed", params={})
        for _ in range(MAX_NOTIFICATIONS + 5)
    )
    db.session.commit()
    data = client.get(f"{API}/me/data", headers=bearer(token_for(client, me))).get_json()
    assert len(data["notifications"]) == MAX_NOTIFICATIONS
    assert data["counts"]["notifications"] == MAX_NOTIFICATIONS + 5
    assert data["memberships"][0]["id"] == world.school.id


# --- account closure -----------------------------------------------------------------------


def _ask(client, user, **overrides):
    login_en(client, user)
    data = {"password": PASSWORD, "confirm": "y", "reason": "离职"}
    data.update(overrides)
    return client.post("/account/close", data={k: v for k, v in data.items() if v is not None})


def test_closure_request_needs_the_password_and_confirmation(client, world):
    teacher = world.users["teacher"]
    response = _ask(client, teacher, password="wrong-password")
    assert "The password is wrong." in response.get_data(as_text=True)
    response = _ask(client, teacher, confirm=None)
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ClosureRequest.id))) == 0
    assert _ask(client, teacher).status_code == 302
    [row] = db.session.scalars(select(ClosureRequest)).all()
    assert row.status == "pending" and row.user_id == teacher.id
    assert "closure-pending" in client.get("/account/close").get_data(as_text=True)


def test_only_region_administrators_see_and_decide_closures(client, world):
    _ask(client, world.users["teacher"])
    row = db.session.scalar(select(ClosureRequest))
    for role in ("league_admin", "school", "teacher"):
        login(client, world.users[role])
        assert client.get("/account/closures").status_code == 403
        assert client.post(f"/account/closures/{row.id}/complete").status_code == 403
        headers = bearer(token_for(client, world.users[role]))
        api = client.post(f"{API}/closure-requests/{row.id}/complete", headers=headers)
        assert api.status_code == 403
    assert db.session.get(ClosureRequest, row.id).status == "pending"
    login_en(client, world.users["region_admin"])
    page = client.get("/account/closures").get_data(as_text=True)
    assert world.users["teacher"].email in page and "离职" in page


def test_completing_a_closure_erases_the_person_but_keeps_the_programme_figures(client, world):
    me = world.users["teacher"]
    old_email, old_name = me.email, me.name
    teacher, _application, practice = _teacher_with_records(world, me)
    login(client, me)
    client.get("/")  # an audited login exists before the closure
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))
    _ask(client, me)
    row = db.session.scalar(select(ClosureRequest))
    login_en(client, world.users["region_admin"])
    response = client.post(f"/account/closures/{row.id}/complete")
    assert response.status_code == 302

    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert user.name.startswith("已注销用户-") and user.name != old_name
    assert user.email != old_email and user.email.endswith("@closed.invalid")
    assert not user.active and user.closed_at is not None
    assert login(client, user, PASSWORD).status_code == 401
    assert (
        client.post(
            f"{API}/auth/token", json={"email": old_email, "password": PASSWORD}
        ).status_code
        == 401
    )
    teacher = db.session.get(Teacher, teacher.id)
    assert teacher.name == user.name and teacher.title is None
    kept = db.session.get(Practice, practice.id)
    assert kept.days_confirmed == 3 and kept.certificate_no == practice.certificate_no
    statuses = {a.status for a in db.session.scalars(select(Application))}
    assert statuses == {"withdrawn", "matched"}  # the open one withdrawn, the matched one kept
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.get(ClosureRequest, row.id).status == "completed"
    # the audit trail keeps every earlier event and gains the closure, without personal fields
    assert db.session.scalar(select(func.count(AuditEvent.id))) > events_before
    [event] = _audits("closure.complete")
    recorded = json.dumps([event.before, event.after], ensure_ascii=False)
    assert old_email not in recorded and old_name not in recorded
    assert event.after["pseudonym"] == user.name


def test_closing_a_member_ends_the_membership(client, world):
    staff = world.users["enterprise_staff"]
    _ask(client, staff)
    row = db.session.scalar(select(ClosureRequest))
    headers = bearer(token_for(client, world.users["region_admin"]))
    response = client.post(f"{API}/closure-requests/{row.id}/complete", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "completed"
    user = db.session.get(User, staff.id)
    assert user.enterprise_id is None and user.membership_role is None


def test_the_last_owner_of_an_organisation_with_members_is_refused(client, world):
    owner = world.users["enterprise"]  # the Hohhot enterprise also has a staff member
    response = _ask(client, owner)
    assert "make another member owner first" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ClosureRequest.id))) == 0
    headers = bearer(token_for(client, owner))
    api = client.post(
        f"{API}/me/closure-request",
        json={"password": PASSWORD, "confirm": True},
        headers=headers,
    )
    assert api.status_code == 409


def test_the_last_region_administrator_cannot_close_and_nobody_decides_their_own(client, world):
    admin = world.users["region_admin"]
    response = _ask(client, admin)
    assert "last region administrator" in response.get_data(as_text=True)
    second = make_user("region_admin")
    assert _ask(client, admin).status_code == 302
    row = db.session.scalar(select(ClosureRequest))
    login(client, admin)
    assert client.post(f"/account/closures/{row.id}/complete").status_code == 403
    login(client, second)
    assert client.post(f"/account/closures/{row.id}/complete").status_code == 302
    assert db.session.get(User, admin.id).closed_at is not None


def test_a_refusal_needs_a_reason_and_tells_the_person(client, world):
    teacher = world.users["teacher"]
    _ask(client, teacher)
    row = db.session.scalar(select(ClosureRequest))
    headers = bearer(token_for(client, world.users["region_admin"]))
    response = client.post(f"{API}/closure-requests/{row.id}/refuse", json={}, headers=headers)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    response = client.post(
        f"{API}/closure-requests/{row.id}/refuse",
        json={"reason": "实践尚未结束"},
        headers=headers,
    )
    assert response.status_code == 200 and response.get_json()["status"] == "refused"
    assert db.session.get(User, teacher.id).closed_at is None
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == teacher.id))
    assert note.kind == "closure_refused" and note.params == {"reason": "实践尚未结束"}
    listed = client.get(f"{API}/closure-requests?closure_status=refused", headers=headers)
    assert [r["id"] for r in listed.get_json()["items"]] == [row.id]


# --- one rule for teacher emails, reviewers' names and the audit export ----------------------


def test_teacher_email_follows_one_rule_in_the_api_and_the_page(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    email = world.users["teacher"].email
    for role, shown in (("school", True), ("league_admin", True), ("league_admin_other", False)):
        headers = bearer(token_for(client, world.users[role]))
        response = client.get(f"{API}/teachers/{teacher.id}", headers=headers)
        if response.status_code == 200:
            assert (response.get_json()["email"] == email) is shown, role
        else:
            assert not shown, role
    login(client, world.users["school"])
    assert email in client.get("/cooperation/teachers").get_data(as_text=True)


def test_audit_export_labels_the_ip_address(client, world):
    login_en(client, world.users["region_admin"])
    response = client.get("/programme/audit?format=csv")
    assert response.status_code == 200
    header = response.get_data(as_text=True).splitlines()[0]
    assert "IP address" in header and ",Address" not in header


def test_my_data_json_is_not_shown_to_anonymous_callers(client, world):
    assert client.get("/account/data.json").status_code == 302
    assert client.get(f"{API}/me/data").status_code == 401


def test_the_audit_log_shows_a_closed_account_under_its_pseudonym(client, world):
    me = world.users["school_staff"]
    old_email = me.email
    login(client, me)  # audited login under the real email
    _ask(client, me)
    row = db.session.scalar(select(ClosureRequest))
    admin = world.users["region_admin"]
    headers = bearer(token_for(client, admin))
    assert (
        client.post(f"{API}/closure-requests/{row.id}/complete", headers=headers).status_code == 200
    )
    pseudonym = db.session.get(User, me.id).name
    # the stored events are untouched (append-only) ...
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.actor_email == old_email)
    )
    # ... but every view of the trail names the pseudonym, not the erased email
    login_en(client, admin)
    page = client.get("/programme/audit").get_data(as_text=True)
    export = client.get("/programme/audit?format=csv").get_data(as_text=True)
    api = client.get(f"{API}/audit?per_page=100", headers=headers).get_data(as_text=True)
    for body in (page, export):
        assert old_email not in body and pseudonym in body
    assert old_email not in api


def test_review_history_names_people_by_one_rule_in_the_page_and_the_api(client, world):
    from app.resources.models import ResourceReview
    from tests.resources import factories as fx

    fx.use_temp_uploads()
    admin = world.users["region_admin"]
    admin.name = "评审专家甲"
    item = fx.make_item(world.school, status="approved", partners=[world.enterprise])
    db.session.add(
        ResourceReview(
            item_id=item.id,
            actor_id=admin.id,
            action="approve",
            from_status="under_review",
            to_status="approved",
            comment="同意使用",
        )
    )
    db.session.commit()
    # the item's own school and the reviewers see the name; a partner enterprise and any other
    # signed-in account see the step without it, in the page and in the API alike
    for role, named in (
        ("school", True),
        ("region_admin", True),
        ("enterprise", False),
        ("teacher", False),
    ):
        login(client, world.users[role])
        page = client.get(f"/resources/{item.id}").get_data(as_text=True)
        history = client.get(
            f"{API}/resources/{item.id}", headers=bearer(token_for(client, world.users[role]))
        ).get_json()["history"]
        assert ("评审专家甲" in page) is named, role
        assert (history[0]["actor_name"] == "评审专家甲") is named, role
        if not named:
            assert history[0]["actor_name"] is None

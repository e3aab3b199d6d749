"""An enterprise signs up, registers, adds hosts, edits and retires one; review makes it public."""

from sqlalchemy import func, select

from app.common.models import AuditEvent
from app.extensions import db
from app.registry.models import Enterprise, Host
from tests.helpers import BAOTOU, HOHHOT, PASSWORD, login_en, make_school, make_user, use_english
from tests.registry.payloads import enterprise_form, host_form

MISMATCH = "91110000600037341X"  # well-formed, check character wrong


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _signup(client, email="boss@example.cn"):
    response = client.post(
        "/auth/signup",
        data={
            "name": "王经理",
            "email": email,
            "role": "enterprise",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "accept_privacy": "y",
        },
    )
    assert response.status_code == 302
    use_english(client)


def test_my_organisation_sends_a_new_account_to_the_profile_form(client):
    _signup(client)
    response = client.get("/registry/mine")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/registry/enterprises/new")
    page = client.get("/registry/enterprises/new").get_data(as_text=True)
    assert "Register your enterprise" in page
    assert 'name="uscc"' in page


def test_malformed_credit_code_is_refused_next_to_the_field(client):
    _signup(client)
    response = client.post(
        "/registry/enterprises/new", data=enterprise_form(uscc="91350200776O49653A")
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page
    assert "Only digits and capital letters" in page
    assert _count(Enterprise) == 0

    response = client.post("/registry/enterprises/new", data=enterprise_form(uscc="123"))
    assert "exactly 18 characters" in response.get_data(as_text=True)
    assert _count(Enterprise) == 0


def test_bad_phone_is_refused_and_nothing_saved(client):
    _signup(client)
    response = client.post("/registry/enterprises/new", data=enterprise_form(contact_phone="12345"))
    assert "Enter a mainland mobile number" in response.get_data(as_text=True)
    assert _count(Enterprise) == 0


def test_duplicate_credit_code_is_refused(client):
    other = make_user("enterprise")
    client2 = client.application.test_client()
    login_en(client2, other)
    assert client2.post("/registry/enterprises/new", data=enterprise_form()).status_code == 302
    _signup(client)
    response = client.post("/registry/enterprises/new", data=enterprise_form(name="另一家"))
    assert "already registered" in response.get_data(as_text=True)
    assert _count(Enterprise) == 1


def test_enterprise_full_flow(client, app):
    school = make_school(region_code=HOHHOT, name="呼和浩特职业技师学院")
    _signup(client)

    # register with a check-character mismatch: saved, pending, with a warning
    response = client.post(
        "/registry/enterprises/new",
        data=enterprise_form(uscc=MISMATCH.lower(), status="approved"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    enterprise = db.session.scalar(select(Enterprise))
    assert enterprise is not None
    assert enterprise.uscc == MISMATCH
    assert enterprise.status == "pending"  # a posted status is ignored
    assert not enterprise.uscc_check_ok
    assert "赛罕精密机械有限公司" in page
    assert "check character does not match" in page
    assert "Pending review" in page

    # the new enterprise is not public yet
    anonymous = app.test_client()
    assert anonymous.get(f"/registry/enterprises/{enterprise.id}").status_code == 404
    assert "赛罕精密" not in anonymous.get("/registry/enterprises").get_data(as_text=True)

    # a second registration is not possible: the form sends back to the profile
    assert client.get("/registry/enterprises/new").status_code == 302

    base = f"/registry/enterprises/{enterprise.id}/hosts/new"
    form_page = client.get(base + "?kind=master_studio").get_data(as_text=True)
    assert 'data-kind-only="master_studio"' in form_page
    assert "data-host-kind" in form_page

    # workshop
    response = client.post(
        base,
        data=host_form("workshop", teacher_capacity="2", equipment="五轴加工中心", master_name="x"),
    )
    assert response.status_code == 302
    # training station with a partner school
    response = client.post(
        base,
        data=host_form(
            "training_station",
            name="企业培训工作站",
            occupation_codes=["6-18-01-01", "6-18-01-02"],
            partner_school_id=str(school.id),
        ),
    )
    assert response.status_code == 302
    # master studio without a master's name: field error, nothing saved
    response = client.post(
        base, data=host_form("master_studio", name="王师傅技能大师工作室", level="regional")
    )
    assert response.status_code == 200
    assert "Required for a master studio." in response.get_data(as_text=True)
    assert _count(Host) == 2
    # now complete
    response = client.post(
        base,
        data=host_form(
            "master_studio",
            name="王师傅技能大师工作室",
            master_name="王大师",
            honour="全国技术能手",
            level="national",
        ),
    )
    assert response.status_code == 302
    hosts = {h.kind: h for h in db.session.scalars(select(Host))}
    assert set(hosts) == {"workshop", "training_station", "master_studio"}
    assert hosts["workshop"].teacher_capacity == 2
    assert hosts["workshop"].equipment == "五轴加工中心"
    assert hosts["workshop"].master_name is None  # other kinds' fields are not stored
    assert hosts["training_station"].partner_school_id == school.id
    assert hosts["training_station"].occupation_codes == ["6-18-01-01", "6-18-01-02"]
    assert hosts["master_studio"].master_name == "王大师"
    assert hosts["master_studio"].level == "national"

    # my organisation lists the hosts with edit and retire buttons
    page = client.get("/registry/mine").get_data(as_text=True)
    for name in ("数控车间", "企业培训工作站", "王师傅技能大师工作室", "王大师"):
        assert name in page
    assert f"/registry/hosts/{hosts['workshop'].id}/retire" in page
    assert "data-confirm" in page

    # edit the workshop (its kind stays, even if another is posted)
    workshop = hosts["workshop"]
    edit_page = client.get(f"/registry/hosts/{workshop.id}/edit").get_data(as_text=True)
    assert "五轴加工中心" in edit_page
    response = client.post(
        f"/registry/hosts/{workshop.id}/edit",
        data=host_form("master_studio", name="数控一车间", capacity="9", teacher_capacity="3"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    workshop = db.session.get(Host, workshop.id)
    assert (workshop.kind, workshop.name, workshop.capacity) == ("workshop", "数控一车间", 9)
    assert workshop.teacher_capacity == 3

    # retire it, then reinstate it
    assert client.get(f"/registry/hosts/{workshop.id}/retire").status_code == 405
    client.post(f"/registry/hosts/{workshop.id}/retire")
    db.session.expire_all()
    assert db.session.get(Host, workshop.id).retired_at is not None
    page = client.get("/registry/mine").get_data(as_text=True)
    assert "Retired" in page
    assert f"/registry/hosts/{workshop.id}/reinstate" in page
    response = client.post(f"/registry/hosts/{workshop.id}/retire", follow_redirects=True)
    assert "already retired" in response.get_data(as_text=True)
    client.post(f"/registry/hosts/{workshop.id}/reinstate")
    db.session.expire_all()
    assert db.session.get(Host, workshop.id).retired_at is None
    client.post(f"/registry/hosts/{workshop.id}/retire")

    # the profile is still pending; another league's admin cannot review it
    enterprise = db.session.get(Enterprise, enterprise.id)
    assert enterprise.status == "pending"
    baotou_admin = make_user("league_admin", region_code=BAOTOU)
    other_admin = app.test_client()
    login_en(other_admin, baotou_admin)
    review_url = f"/registry/enterprises/{enterprise.id}/review"
    assert other_admin.get(review_url).status_code == 403
    assert (
        other_admin.post(review_url, data={"decision": "approve", "confirm_uscc": "y"}).status_code
        == 403
    )
    assert "赛罕精密" not in other_admin.get("/registry/review").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).status == "pending"

    # its own league's admin sees it in the queue and rejects it with a reason
    hohhot_admin = make_user("league_admin", region_code=HOHHOT)
    admin = app.test_client()
    login_en(admin, hohhot_admin)
    queue = admin.get("/registry/review").get_data(as_text=True)
    assert "赛罕精密机械有限公司" in queue
    assert "Credit code to confirm" in queue
    # the quick approve is not silently missing: shown disabled, with the reason
    assert "Check the credit code on the record before approving." in queue
    assert 'aria-disabled="true">Approve</span>' in queue
    review_page = admin.get(review_url).get_data(as_text=True)
    assert "check character does not match" in review_page
    assert 'name="confirm_uscc"' in review_page
    assert "王师傅技能大师工作室" in review_page
    response = admin.post(review_url, data={"decision": "reject", "reason": ""})
    assert "Give the reason for rejecting." in response.get_data(as_text=True)
    response = admin.post(review_url, data={"decision": "reject", "reason": "营业执照照片不清晰"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).status == "rejected"

    # the owner sees the reason
    page = client.get("/registry/mine").get_data(as_text=True)
    assert "Rejected" in page
    assert "营业执照照片不清晰" in page
    assert anonymous.get(f"/registry/enterprises/{enterprise.id}").status_code == 404

    # approving needs the credit-code confirmation: error next to the checkbox
    response = admin.post(review_url, data={"decision": "approve"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Confirm the credit code before approving." in page
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).status == "rejected"
    response = admin.post(review_url, data={"decision": "approve", "confirm_uscc": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, enterprise.id)
    assert enterprise.status == "approved"
    assert enterprise.uscc_confirmed
    assert enterprise.reviewed_by_id == hohhot_admin.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"enterprise.create", "host.create", "host.retire", "enterprise.reject"} <= actions
    assert "enterprise.approve" in actions

    # public directory and detail page; the retired workshop is not shown publicly
    use_english(anonymous)
    listing = anonymous.get("/registry/enterprises").get_data(as_text=True)
    assert "赛罕精密机械有限公司" in listing
    detail = anonymous.get(f"/registry/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "企业培训工作站" in detail
    assert "王大师" in detail
    assert "呼和浩特职业技师学院" in detail  # the partner school
    assert "数控一车间" not in detail
    assert "check character" not in detail  # the warning is for owner and reviewers
    assert "13912345678" not in detail  # contact details need a login

    # the owner edits the approved profile: back to review, out of the directory
    response = client.post(
        f"/registry/enterprises/{enterprise.id}/edit",
        data=enterprise_form(uscc=MISMATCH, name="赛罕精密机械股份公司"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, enterprise.id)
    assert enterprise.name == "赛罕精密机械股份公司"
    assert enterprise.status == "pending"
    assert "赛罕精密" not in anonymous.get("/registry/enterprises").get_data(as_text=True)


def test_region_admin_approves_with_one_click(client, app):
    owner = make_user("enterprise")
    login_en(client, owner)
    client.post("/registry/enterprises/new", data=enterprise_form(region_code=BAOTOU))
    enterprise = db.session.scalar(select(Enterprise))
    admin = app.test_client()
    login_en(admin, make_user("region_admin"))
    queue = admin.get("/registry/review").get_data(as_text=True)
    assert "赛罕精密机械有限公司" in queue
    assert 'name="decision" value="approve"' in queue
    response = admin.post(
        f"/registry/enterprises/{enterprise.id}/review",
        data={"decision": "approve", "next": "/registry/review?tab=enterprises"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/registry/review?tab=enterprises")
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).status == "approved"
    pending_queue = admin.get("/registry/review").get_data(as_text=True)
    assert "is approved" in pending_queue  # the flash message
    assert f"/registry/enterprises/{enterprise.id}/review" not in pending_queue
    approved = admin.get("/registry/review?status=approved").get_data(as_text=True)
    assert "赛罕精密机械有限公司" in approved
    # an outside `next` is ignored
    response = admin.post(
        f"/registry/enterprises/{enterprise.id}/review",
        data={"decision": "reject", "reason": "重复", "next": "https://evil.example/"},
    )
    assert "evil.example" not in response.headers["Location"]


def test_one_click_approve_is_not_offered_when_the_code_needs_confirmation(client, app):
    owner = make_user("enterprise")
    login_en(client, owner)
    client.post("/registry/enterprises/new", data=enterprise_form(uscc=MISMATCH))
    admin = app.test_client()
    login_en(admin, make_user("region_admin"))
    queue = admin.get("/registry/review").get_data(as_text=True)
    assert "赛罕精密机械有限公司" in queue
    assert 'name="decision" value="approve"' not in queue
    enterprise = db.session.scalar(select(Enterprise))
    response = admin.post(
        f"/registry/enterprises/{enterprise.id}/review", data={"decision": "approve"}
    )
    assert "Confirm the credit code before approving." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).status == "pending"

"""Permission rows: cooperation pages and API (offers, placements, majors, teachers,
applications, pairings, practice, the practice rule)."""

from app.common.time import local_today
from tests.cooperation import factories as f
from tests.helpers import World
from tests.permissions.common import Row, api_login, api_only, both, everyone, logged_in, only

API = "/api/v1"
ENTERPRISES = {"enterprise": 200, "enterprise_other": 200}
SCHOOLS = {"school": 200, "school_other": 200}
ADMINS = {"league_admin": 200, "league_admin_other": 200, "region_admin": 200}
# Records of the Hohhot school / enterprise: visible to them and to Hohhot's administrators.
HOHHOT_VIEW = {
    "*": 404,
    "anonymous": 302,
    "teacher": 200,
    "school": 200,
    "enterprise": 200,
    "league_admin": 200,
    "region_admin": 200,
}


def _own(role: str, status: int = 302, other: int = 404) -> dict[str, int]:
    """Only `role` (of the world's Hohhot organisation) acts; its `_other` twin gets `other`."""
    return only({role: status, f"{role}_other": other})


def _api_own(role: str, status: int = 200, other: int = 404) -> dict[str, int]:
    return api_only({role: status, f"{role}_other": other})


def _teacher(w: World):
    return f.make_teacher(w.school, user=w.users["teacher"])


def _application(w: World, status: str = "endorsed"):
    return f.make_application(_teacher(w), [f.make_placement(w.host)], status=status)


def _practice(w: World, status: str = "ongoing"):
    confirmed = status == "completed"
    return f.make_practice(
        _teacher(w), f.make_placement(w.host), days=2, confirmed=confirmed, status=status
    )


def _pairing(w: World):
    return f.make_pairing(f.make_school_major(w.school), f.make_offer(w.host))


def _pairing_request(w: World):
    return f.make_pairing_request(f.make_school_major(w.school))


def _proposal(w: World):
    return f.make_proposal(f.make_school_major(w.school), f.make_offer(w.host))


def _agreement(w: World):
    return f.make_agreement(_pairing(w))


def _agreement_body(w: World) -> dict:
    return {
        "subject": "pairing",
        "subject_id": _pairing(w).id,
        "title": "结对协议",
        "starts_on": "2026-03-01",
        "ends_on": "2027-02-28",
        "terms": "双方共同培养",
    }


AGREEMENT_VIEW = {
    "*": 404,
    "anonymous": 302,
    "school": 200,
    "enterprise": 200,
    "league_admin": 200,
    "region_admin": 200,
}


def _feedback(w: World):
    return f.make_feedback(_practice(w, "completed"), w.users["teacher"])


def _rate_url(w: World) -> str:
    practice = _practice(w, "completed")
    return f"/cooperation/feedback/new?occasion=placement&subject_id={practice.id}"


RATERS = {"teacher": 200, **SCHOOLS, **ENTERPRISES}
RATER_ROLES_404 = {"school": 404, "school_other": 404, "enterprise": 404, "enterprise_other": 404}
PLACEMENT_SCORES = {"guidance": 5, "learning": 4, "conditions": 4}


def _unconfirmed(w: World):
    return f.make_teacher(w.school, confirmed=False)


def _posting_body(w: World, **extra) -> dict:
    return {
        "host_id": w.host.id,
        "occupation_codes": [f.TURNER],
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
        **extra,
    }


HOST_VIEW_API = {**{k: v for k, v in HOHHOT_VIEW.items() if k != "anonymous"}, "anonymous": 401}

ROWS: dict[str, Row] = {
    # public browsing
    "GET cooperation.placements": Row("GET", "/cooperation/placements", everyone()),
    "GET cooperation.placement_detail": Row(
        "GET", lambda w: f"/cooperation/placements/{f.make_placement(w.host).id}", everyone()
    ),
    "GET cooperation.offers": Row("GET", "/cooperation/offers", everyone()),
    "GET cooperation.offer_detail": Row(
        "GET", lambda w: f"/cooperation/offers/{f.make_offer(w.host).id}", everyone()
    ),
    # enterprise
    "GET cooperation.enterprise_desk": Row("GET", "/cooperation/desk", only(ENTERPRISES)),
    **both("cooperation.offer_new", "/cooperation/offers/new", only(ENTERPRISES)),
    **both("cooperation.placement_new", "/cooperation/placements/new", only(ENTERPRISES)),
    "POST cooperation.offer_action": Row(
        "POST",
        lambda w: f"/cooperation/offers/{f.make_offer(w.host, status='draft').id}/publish",
        _own("enterprise"),
    ),
    "POST cooperation.placement_action": Row(
        "POST",
        lambda w: f"/cooperation/placements/{f.make_placement(w.host).id}/close",
        _own("enterprise", other=302),
    ),
    "POST cooperation.application_accept": Row(
        "POST",
        lambda w: f"/cooperation/applications/{_application(w).id}/accept",
        _own("enterprise"),
    ),
    "POST cooperation.practice_confirm": Row(
        "POST", lambda w: f"/cooperation/practices/{_practice(w).id}/confirm", _own("enterprise")
    ),
    "POST cooperation.practice_complete": Row(
        "POST", lambda w: f"/cooperation/practices/{_practice(w).id}/complete", _own("enterprise")
    ),
    # school
    **both("cooperation.school_majors", "/cooperation/majors", only(SCHOOLS)),
    **both("cooperation.pairing_request_new", "/cooperation/pairing-requests/new", only(SCHOOLS)),
    "POST cooperation.pairing_request_withdraw": Row(
        "POST",
        lambda w: f"/cooperation/pairing-requests/{_pairing_request(w).id}/withdraw",
        _own("school"),
    ),
    "GET cooperation.school_teachers": Row("GET", "/cooperation/teachers", only(SCHOOLS)),
    "POST cooperation.teacher_confirm": Row(
        "POST", lambda w: f"/cooperation/teachers/{_unconfirmed(w).id}/confirm", _own("school")
    ),
    "GET cooperation.school_applications": Row(
        "GET", "/cooperation/school/applications", only(SCHOOLS)
    ),
    "POST cooperation.application_endorse": Row(
        "POST",
        lambda w: f"/cooperation/applications/{_application(w, 'submitted').id}/endorse",
        _own("school"),
    ),
    **both(
        "cooperation.application_return",
        lambda w: f"/cooperation/applications/{_application(w, 'submitted').id}/return",
        _own("school", 200),
    ),
    "GET cooperation.pairings": Row(
        "GET", "/cooperation/pairings", only({**SCHOOLS, **ENTERPRISES})
    ),
    "POST cooperation.pairing_end": Row(
        "POST",
        lambda w: f"/cooperation/pairings/{_pairing(w).id}/end",
        only({"school": 302, "enterprise": 302, "school_other": 404, "enterprise_other": 404}),
    ),
    # direct pairing proposals
    "GET cooperation.pairing_requests": Row(
        "GET", "/cooperation/pairing-requests", only(ENTERPRISES)
    ),
    "GET cooperation.pairing_request_detail": Row(
        "GET",
        lambda w: f"/cooperation/pairing-requests/{_pairing_request(w).id}",
        only(ENTERPRISES),
    ),
    "POST cooperation.pairing_request_detail": Row(
        "POST",
        lambda w: f"/cooperation/pairing-requests/{_pairing_request(w).id}",
        only({"enterprise": 422, "enterprise_other": 422}),
    ),
    "POST cooperation.offer_propose": Row(
        "POST",
        lambda w: f"/cooperation/offers/{f.make_offer(w.host).id}/proposals",
        only({"school": 422, "school_other": 422}),
    ),
    "GET cooperation.proposals": Row(
        "GET", "/cooperation/proposals", only({**SCHOOLS, **ENTERPRISES})
    ),
    "POST cooperation.proposal_accept": Row(
        "POST",
        lambda w: f"/cooperation/proposals/{_proposal(w).id}/accept",
        only({"school": 302, "enterprise": 302, "school_other": 404, "enterprise_other": 404}),
    ),
    "GET cooperation.proposal_decline": Row(
        "GET",
        lambda w: f"/cooperation/proposals/{_proposal(w).id}/decline",
        only({"school": 200, "enterprise": 200, "school_other": 404, "enterprise_other": 404}),
    ),
    "POST cooperation.proposal_decline": Row(
        "POST",
        lambda w: f"/cooperation/proposals/{_proposal(w).id}/decline",
        only({"school": 422, "enterprise": 422, "school_other": 404, "enterprise_other": 404}),
    ),
    # agreements
    "GET cooperation.agreements": Row("GET", "/cooperation/agreements", logged_in()),
    "GET cooperation.agreement_new": Row(
        "GET", "/cooperation/agreements/new", only({**SCHOOLS, **ENTERPRISES})
    ),
    "POST cooperation.agreement_new": Row(
        "POST",
        "/cooperation/agreements/new",
        only({"school": 422, "school_other": 422, "enterprise": 422, "enterprise_other": 422}),
    ),
    "GET cooperation.agreement_detail": Row(
        "GET", lambda w: f"/cooperation/agreements/{_agreement(w).id}", AGREEMENT_VIEW
    ),
    "GET cooperation.agreement_file": Row(
        "GET", lambda w: f"/cooperation/agreements/{_agreement(w).id}/file", AGREEMENT_VIEW
    ),
    "POST cooperation.agreement_upload": Row(
        "POST",
        lambda w: f"/cooperation/agreements/{_agreement(w).id}/file",
        only({"school": 422, "enterprise": 422, "school_other": 404, "enterprise_other": 404}),
    ),
    "POST cooperation.agreement_confirm": Row(
        "POST",
        lambda w: f"/cooperation/agreements/{_agreement(w).id}/confirm",
        only(
            {
                "school": 302,
                "enterprise": 302,
                "school_other": 404,
                "enterprise_other": 404,
                "teacher": 404,
            }
        ),
    ),
    # feedback
    "GET cooperation.feedback": Row("GET", "/cooperation/feedback", only(RATERS)),
    "GET cooperation.feedback_new": Row(
        "GET", _rate_url, only({"teacher": 200, **RATER_ROLES_404})
    ),
    "POST cooperation.feedback_new": Row(
        "POST", _rate_url, only({"teacher": 422, **RATER_ROLES_404})
    ),
    "GET cooperation.feedback_edit": Row(
        "GET",
        lambda w: f"/cooperation/feedback/{_feedback(w).id}/edit",
        only({"teacher": 200, **RATER_ROLES_404}),
    ),
    "POST cooperation.feedback_edit": Row(
        "POST",
        lambda w: f"/cooperation/feedback/{_feedback(w).id}/edit",
        only({"teacher": 422, **RATER_ROLES_404}),
    ),
    "GET cooperation.feedback_report": Row("GET", "/cooperation/feedback/report", only(ADMINS)),
    # teacher
    **both("cooperation.teacher_profile", "/cooperation/profile", only({"teacher": 200})),
    **both("cooperation.apply", "/cooperation/applications/new", only({"teacher": 302})),
    "GET cooperation.my_applications": Row(
        "GET", "/cooperation/applications", only({"teacher": 200})
    ),
    "GET cooperation.application_detail": Row(
        "GET", lambda w: f"/cooperation/applications/{_application(w).id}", HOHHOT_VIEW
    ),
    "POST cooperation.application_withdraw": Row(
        "POST",
        lambda w: f"/cooperation/applications/{_application(w).id}/withdraw",
        only({"teacher": 302}),
    ),
    "GET cooperation.practice_detail": Row(
        "GET", lambda w: f"/cooperation/practices/{_practice(w).id}", HOHHOT_VIEW
    ),
    "POST cooperation.practice_log": Row(
        "POST", lambda w: f"/cooperation/practices/{_practice(w).id}/days", only({"teacher": 422})
    ),
    "GET cooperation.practice_certificate": Row(
        "GET",
        lambda w: f"/cooperation/practices/{_practice(w, 'completed').id}/certificate",
        HOHHOT_VIEW,
    ),
    "GET verify.certificate": Row(
        "GET",
        lambda w: f"/verify/{_practice(w, 'completed').certificate_no}",
        everyone(),
    ),
    "GET cooperation.practice_ledger": Row("GET", "/cooperation/ledger", only({"teacher": 200})),
    # administrators
    "GET cooperation.practice_compliance": Row("GET", "/cooperation/compliance", only(ADMINS)),
    # --- API ---------------------------------------------------------------------------------
    "GET api.school_major_list": Row(
        "GET", lambda w: f"{API}/schools/{w.school.id}/majors", everyone()
    ),
    "POST api.create_school_major": Row(
        "POST",
        lambda w: f"{API}/schools/{w.school.id}/majors",
        _api_own("school", 201, 403),
        lambda w: {"major_id": f.first_major().id, "level": "advanced", "cohort_size": 30},
    ),
    "POST api.create_teacher": Row(
        "POST",
        f"{API}/teachers",
        api_only({"teacher": 201}),
        lambda w: {"school_id": w.school.id, "name": "王老师", "occupation_codes": [f.TURNER]},
    ),
    "GET api.teacher_list": Row(
        "GET", f"{API}/teachers", api_only({"teacher": 200, **SCHOOLS, **ADMINS})
    ),
    "GET api.teacher": Row(
        "GET",
        lambda w: f"{API}/teachers/{_teacher(w).id}",
        {
            "*": 404,
            "anonymous": 401,
            "teacher": 200,
            "school": 200,
            "league_admin": 200,
            "region_admin": 200,
        },
    ),
    "POST api.confirm_teacher": Row(
        "POST", lambda w: f"{API}/teachers/{_unconfirmed(w).id}/confirm", _api_own("school")
    ),
    "GET api.offer_list": Row("GET", f"{API}/offers", everyone()),
    "GET api.placement_list": Row("GET", f"{API}/placements", everyone()),
    "POST api.create_offer": Row(
        "POST",
        f"{API}/offers",
        _api_own("enterprise", 201, 422),
        lambda w: _posting_body(w, mode="linkage", slots=2),
    ),
    "POST api.create_placement": Row(
        "POST",
        f"{API}/placements",
        _api_own("enterprise", 201, 422),
        lambda w: _posting_body(w, seats=3),
    ),
    "GET api.offer": Row("GET", lambda w: f"{API}/offers/{f.make_offer(w.host).id}", everyone()),
    "GET api.placement": Row(
        "GET", lambda w: f"{API}/placements/{f.make_placement(w.host).id}", everyone()
    ),
    "POST api.publish_offer": Row(
        "POST",
        lambda w: f"{API}/offers/{f.make_offer(w.host, status='draft').id}/publish",
        _api_own("enterprise"),
    ),
    "POST api.close_offer": Row(
        "POST",
        lambda w: f"{API}/offers/{f.make_offer(w.host).id}/close",
        _api_own("enterprise", other=403),
    ),
    "POST api.publish_placement": Row(
        "POST",
        lambda w: f"{API}/placements/{f.make_placement(w.host, status='draft').id}/publish",
        _api_own("enterprise"),
    ),
    "POST api.close_placement": Row(
        "POST",
        lambda w: f"{API}/placements/{f.make_placement(w.host).id}/close",
        _api_own("enterprise", other=403),
    ),
    "GET api.pairing_request_list": Row(
        "GET", f"{API}/pairing-requests", api_only({**SCHOOLS, **ENTERPRISES, **ADMINS})
    ),
    "POST api.create_pairing_request": Row(
        "POST",
        f"{API}/pairing-requests",
        _api_own("school", 201, 422),
        lambda w: {
            "school_major_id": f.make_school_major(w.school).id,
            "occupation_codes": [f.TURNER],
            "preferred_modes": ["linkage"],
            "preferred_region_codes": ["150100"],
            "starts_on": "2026-03-01",
            "ends_on": "2026-06-30",
            "wanted": 1,
        },
    ),
    "GET api.pairing_request": Row(
        "GET",
        lambda w: f"{API}/pairing-requests/{_pairing_request(w).id}",
        {
            "*": 404,
            "anonymous": 401,
            "school": 200,
            "league_admin": 200,
            "region_admin": 200,
            **ENTERPRISES,
        },
    ),
    "POST api.withdraw_pairing_request": Row(
        "POST",
        lambda w: f"{API}/pairing-requests/{_pairing_request(w).id}/withdraw",
        _api_own("school"),
    ),
    "GET api.pairing_list": Row(
        "GET", f"{API}/pairings", api_only({**SCHOOLS, **ENTERPRISES, **ADMINS})
    ),
    "POST api.end_pairing": Row(
        "POST",
        lambda w: f"{API}/pairings/{_pairing(w).id}/end",
        api_only({"school": 200, "enterprise": 200, "school_other": 404, "enterprise_other": 404}),
    ),
    "POST api.propose_offer": Row(
        "POST",
        lambda w: f"{API}/pairing-requests/{_pairing_request(w).id}/proposals",
        _api_own("enterprise", 201, 422),
        lambda w: {"offer_id": f.make_offer(w.host).id, "note": "欢迎"},
    ),
    "POST api.propose_major": Row(
        "POST",
        lambda w: f"{API}/offers/{f.make_offer(w.host).id}/proposals",
        _api_own("school", 201, 422),
        lambda w: {"school_major_id": f.make_school_major(w.school).id},
    ),
    "GET api.proposal_list": Row("GET", f"{API}/proposals", api_only({**SCHOOLS, **ENTERPRISES})),
    "GET api.proposal": Row(
        "GET",
        lambda w: f"{API}/proposals/{_proposal(w).id}",
        {
            "*": 404,
            "anonymous": 401,
            "school": 200,
            "enterprise": 200,
            "league_admin": 200,
            "region_admin": 200,
        },
    ),
    "POST api.accept_proposal": Row(
        "POST",
        lambda w: f"{API}/proposals/{_proposal(w).id}/accept",
        api_only({"enterprise": 200, "school": 403, "school_other": 404, "enterprise_other": 404}),
    ),
    "POST api.decline_proposal": Row(
        "POST",
        lambda w: f"{API}/proposals/{_proposal(w).id}/decline",
        api_only({"enterprise": 200, "school": 403, "school_other": 404, "enterprise_other": 404}),
        {"reason": "名额已满"},
    ),
    "GET api.agreement_list": Row("GET", f"{API}/agreements", api_login(200)),
    "POST api.create_agreement": Row(
        "POST",
        f"{API}/agreements",
        api_only({"school": 201, "enterprise": 201}),
        _agreement_body,
    ),
    "GET api.agreement": Row(
        "GET",
        lambda w: f"{API}/agreements/{_agreement(w).id}",
        {**AGREEMENT_VIEW, "anonymous": 401},
    ),
    "POST api.agreement_file_upload": Row(
        "POST",
        lambda w: f"{API}/agreements/{_agreement(w).id}/files",
        api_only({"school": 422, "enterprise": 422, "school_other": 404, "enterprise_other": 404}),
    ),
    "POST api.confirm_agreement": Row(
        "POST",
        lambda w: f"{API}/agreements/{_agreement(w).id}/confirm",
        api_only(
            {
                "school": 200,
                "enterprise": 200,
                "school_other": 404,
                "enterprise_other": 404,
                "teacher": 404,
            }
        ),
    ),
    "GET api.feedback_list": Row("GET", f"{API}/feedback", api_only(RATERS)),
    "POST api.create_feedback": Row(
        "POST",
        f"{API}/feedback",
        api_only(
            {
                "teacher": 201,
                "school": 403,
                "enterprise": 403,
                "school_other": 422,
                "enterprise_other": 422,
            }
        ),
        lambda w: {
            "occasion": "placement",
            "subject_id": _practice(w, "completed").id,
            "scores": PLACEMENT_SCORES,
        },
    ),
    "GET api.feedback_item": Row(
        "GET",
        lambda w: f"{API}/feedback/{_feedback(w).id}",
        {"*": 404, "anonymous": 401, "teacher": 200},
    ),
    "PUT api.update_feedback": Row(
        "PUT",
        lambda w: f"{API}/feedback/{_feedback(w).id}",
        api_only({"teacher": 200, **RATER_ROLES_404}),
        {"scores": PLACEMENT_SCORES},
    ),
    "GET api.feedback_report": Row("GET", f"{API}/feedback-report", api_only(ADMINS)),
    "GET api.application_list": Row(
        "GET", f"{API}/applications", api_only({"teacher": 200, **SCHOOLS, **ENTERPRISES, **ADMINS})
    ),
    "POST api.create_application": Row(
        "POST",
        f"{API}/applications",
        api_only({"teacher": 409}),
        lambda w: {
            "placement_ids": [f.make_placement(w.host).id],
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-30",
        },
    ),
    "GET api.application": Row(
        "GET", lambda w: f"{API}/applications/{_application(w).id}", HOST_VIEW_API
    ),
    "POST api.endorse_application": Row(
        "POST",
        lambda w: f"{API}/applications/{_application(w, 'submitted').id}/endorse",
        _api_own("school"),
    ),
    "POST api.return_application": Row(
        "POST",
        lambda w: f"{API}/applications/{_application(w, 'submitted').id}/return",
        _api_own("school"),
        {"reason": "请补充实践计划"},
    ),
    "POST api.withdraw_application": Row(
        "POST",
        lambda w: f"{API}/applications/{_application(w).id}/withdraw",
        api_only({"teacher": 200}),
    ),
    "POST api.accept_application": Row(
        "POST",
        lambda w: f"{API}/applications/{_application(w).id}/accept",
        _api_own("enterprise"),
    ),
    "GET api.practice_list": Row(
        "GET", f"{API}/practices", api_only({"teacher": 200, **SCHOOLS, **ENTERPRISES, **ADMINS})
    ),
    "GET api.practice": Row("GET", lambda w: f"{API}/practices/{_practice(w).id}", HOST_VIEW_API),
    "POST api.log_practice_day": Row(
        "POST",
        lambda w: f"{API}/practices/{_practice(w).id}/entries",
        api_only({"teacher": 201}),
        lambda w: {"on_date": local_today().isoformat(), "description": "装配"},
    ),
    "POST api.confirm_practice": Row(
        "POST", lambda w: f"{API}/practices/{_practice(w).id}/confirm", _api_own("enterprise")
    ),
    "POST api.complete_practice": Row(
        "POST", lambda w: f"{API}/practices/{_practice(w).id}/complete", _api_own("enterprise")
    ),
    "GET api.practice_ledger": Row(
        "GET",
        lambda w: (_teacher(w), f"{API}/practice-ledger")[1],
        api_only({"teacher": 200}),
    ),
    "GET api.practice_compliance": Row("GET", f"{API}/practice-compliance", api_only(ADMINS)),
}

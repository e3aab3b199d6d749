"""Permission rows: members, invitations, password reset and account administration."""

from app.auth import services
from app.auth.models import PasswordReset
from app.common.time import utcnow
from app.extensions import db
from tests.helpers import PASSWORD
from tests.permissions.common import (
    LEAGUE_ADMINS,
    REGION,
    Row,
    api_login,
    api_only,
    both,
    everyone,
    logged_in,
    only,
)

ADMINS = {**LEAGUE_ADMINS, "league_admin_other": 200}
ORG_ACCOUNTS_302 = {"enterprise": 302, "enterprise_other": 302, "school": 302, "school_other": 302}
ORG_ACCOUNTS = {"enterprise": 200, "enterprise_other": 200, "school": 200, "school_other": 200}


def _invitation(w):
    """A pending staff invitation of the Hohhot enterprise: (invitation, raw token)."""
    invitation, raw = services.invite(
        w.users["enterprise"], "invitee@example.cn", "staff", lambda raw: raw
    )
    db.session.commit()
    return invitation, raw


def _reset_token(w) -> str:
    """A valid password reset token of the Hohhot teacher."""
    from datetime import timedelta

    raw = "reset-token-for-the-permission-table"
    db.session.add(
        PasswordReset(
            user_id=w.users["teacher"].id,
            token_hash=services.ApiToken.hash(raw),
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.commit()
    return raw


def _org_claim(w) -> int:
    """A pending claim of a Hohhot enterprise without members."""
    from app.registry.models import Claim
    from tests.helpers import make_enterprise, make_user

    orphan = make_enterprise(name="无人企业")
    claimant = make_user("enterprise")
    claim = Claim(user_id=claimant.id, kind="enterprise", enterprise_id=orphan.id, name=orphan.name)
    db.session.add(claim)
    db.session.commit()
    return claim.id


def _teacher_claim(w) -> int:
    """A pending claim of an imported teacher record of the Hohhot school."""
    from app.registry.models import Claim, Teacher
    from tests.helpers import make_user

    db.session.add(Teacher(school_id=w.school.id, name="导入教师"))
    claimant = make_user("teacher")
    claim = Claim(user_id=claimant.id, kind="teacher", school_id=w.school.id, name="导入教师")
    db.session.add(claim)
    db.session.commit()
    return claim.id


def _closure_request(w) -> int:
    """A pending closure request of a new teacher account of the Hohhot school."""
    from app.auth.models import ClosureRequest
    from tests.helpers import make_user

    person = make_user("teacher", school=w.school)
    row = ClosureRequest(user_id=person.id, status="pending")
    db.session.add(row)
    db.session.commit()
    return row.id


ROWS: dict[str, Row] = {
    # claims of existing records
    **both("registry.claim_new", "/registry/claim", only({**ORG_ACCOUNTS_302})),
    "GET registry.claims": Row("GET", "/registry/claims", only(ADMINS)),
    "POST registry.claim_decide": Row(
        "POST",
        lambda w: f"/registry/claims/{_org_claim(w)}/decide",
        only({"league_admin": 302, "region_admin": 302, "league_admin_other": 404}),
        {"decision": "approve"},
    ),
    "POST registry.teacher_claim_decide": Row(
        "POST",
        lambda w: f"/registry/claims/{_teacher_claim(w)}/teacher",
        only({"school": 302, "school_other": 404}),
        {"decision": "reject", "reason": "不是本人"},
    ),
    # pages: members of one's organisation
    "GET registry.members": Row("GET", "/registry/members", only(ORG_ACCOUNTS)),
    "POST registry.members": Row(
        "POST",
        "/registry/members",
        only({**ORG_ACCOUNTS, "enterprise_staff": 403, "school_staff": 403}),
    ),
    "POST registry.member_remove": Row(
        "POST",
        lambda w: f"/registry/members/{w.users['enterprise_staff'].id}/remove",
        only(
            {
                "enterprise": 302,
                "enterprise_staff": 403,
                "enterprise_other": 404,
                "school": 404,
                "school_staff": 403,
                "school_other": 404,
            }
        ),
    ),
    "POST registry.member_role": Row(
        "POST",
        lambda w: f"/registry/members/{w.users['enterprise_staff'].id}/role",
        only(
            {
                "enterprise": 302,
                "enterprise_staff": 403,
                "enterprise_other": 404,
                "school": 404,
                "school_staff": 403,
                "school_other": 404,
            }
        ),
        {"role": "owner"},
    ),
    "POST registry.invitation_revoke": Row(
        "POST",
        lambda w: f"/registry/invitations/{_invitation(w)[0].id}/revoke",
        only(
            {
                "enterprise": 302,
                "enterprise_staff": 403,
                "enterprise_other": 404,
                "school": 404,
                "school_staff": 404,
                "school_other": 404,
            }
        ),
    ),
    # pages: invitation links and password reset (public; a logged-in account joins with itself)
    "GET auth.invitation": Row(
        "GET", lambda w: f"/auth/invitations/{_invitation(w)[1]}", everyone(200)
    ),
    "POST auth.invitation": Row(
        "POST",
        lambda w: f"/auth/invitations/{_invitation(w)[1]}",
        {"*": 409, "anonymous": 200},
    ),
    **both("auth.password_forgot", "/auth/password/forgot", everyone(200)),
    **both(
        "auth.password_reset", lambda w: f"/auth/password/reset/{_reset_token(w)}", everyone(200)
    ),
    # pages: account administration
    "GET auth.users": Row("GET", "/auth/users", only(ADMINS)),
    "POST auth.user_deactivate": Row(
        "POST",
        lambda w: f"/auth/users/{w.users['teacher'].id}/deactivate",
        only({"league_admin": 302, "region_admin": 302, "league_admin_other": 404}),
    ),
    "POST auth.user_reactivate": Row(
        "POST",
        lambda w: f"/auth/users/{w.users['teacher'].id}/reactivate",
        only({"league_admin": 302, "region_admin": 302, "league_admin_other": 404}),
    ),
    **both("auth.league_admin_new", "/auth/users/league-admins/new", only(REGION)),
    # API: members
    "GET api.enterprise_members": Row(
        "GET",
        lambda w: f"/api/v1/enterprises/{w.enterprise.id}/members",
        api_only({"enterprise": 200, **LEAGUE_ADMINS}),
    ),
    "GET api.school_members": Row(
        "GET",
        lambda w: f"/api/v1/schools/{w.school.id}/members",
        api_only({"school": 200, **LEAGUE_ADMINS}),
    ),
    "DELETE api.enterprise_member_remove": Row(
        "DELETE",
        lambda w: f"/api/v1/enterprises/{w.enterprise.id}/members/{w.users['enterprise_staff'].id}",
        api_only(
            {"enterprise": 204, "enterprise_staff": 403, "league_admin": 204, "region_admin": 204}
        ),
    ),
    "DELETE api.school_member_remove": Row(
        "DELETE",
        lambda w: f"/api/v1/schools/{w.school.id}/members/{w.users['school_staff'].id}",
        api_only({"school": 204, "school_staff": 403, "league_admin": 204, "region_admin": 204}),
    ),
    # API: invitations
    "POST api.invitation_create": Row(
        "POST",
        "/api/v1/invitations",
        api_only(
            {
                "enterprise": 201,
                "enterprise_staff": 403,
                "enterprise_other": 201,
                "school": 201,
                "school_staff": 403,
                "school_other": 201,
            }
        ),
        {"email": "colleague@example.cn", "role": "staff"},
    ),
    "GET api.invitation_list": Row("GET", "/api/v1/invitations", api_only(ORG_ACCOUNTS)),
    "DELETE api.invitation_revoke": Row(
        "DELETE",
        lambda w: f"/api/v1/invitations/{_invitation(w)[0].id}",
        api_only(
            {
                "enterprise": 204,
                "enterprise_staff": 403,
                "enterprise_other": 404,
                "school": 404,
                "school_staff": 404,
                "school_other": 404,
            }
        ),
    ),
    "POST api.invitation_accept": Row(
        "POST",
        "/api/v1/invitations/accept",
        {"*": 409, "anonymous": 201},
        lambda w: {
            "token": _invitation(w)[1],
            "name": "新同事",
            "password": PASSWORD,
            "accept_privacy": True,
        },
    ),
    # API: password reset (public)
    "POST api.password_reset": Row(
        "POST", "/api/v1/auth/password-reset", everyone(202), {"email": "nobody@example.cn"}
    ),
    "POST api.password_reset_confirm": Row(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        everyone(204),
        lambda w: {"token": _reset_token(w), "password": "Another-Passw0rd-9"},
    ),
    # API: account administration
    "GET api.users": Row("GET", "/api/v1/users", api_only(ADMINS)),
    "POST api.user_deactivate": Row(
        "POST",
        lambda w: f"/api/v1/users/{w.users['teacher'].id}/deactivate",
        api_only({"league_admin": 200, "region_admin": 200, "league_admin_other": 404}),
    ),
    "POST api.user_reactivate": Row(
        "POST",
        lambda w: f"/api/v1/users/{w.users['teacher'].id}/reactivate",
        api_only({"league_admin": 409, "region_admin": 409, "league_admin_other": 404}),
    ),
    # privacy notice, consent, one's own data, account closure
    "GET account.privacy": Row("GET", "/privacy", everyone()),
    **both("account.privacy_accept", "/privacy/accept", logged_in(200)),
    "GET account.my_data": Row("GET", "/account/data", logged_in(200)),
    "GET account.my_data_json": Row("GET", "/account/data.json", logged_in(200)),
    **both("account.close", "/account/close", logged_in(200)),
    "POST account.close_withdraw": Row("POST", "/account/close/withdraw", logged_in(302)),
    "GET account.closures": Row("GET", "/account/closures", only(REGION)),
    "POST account.closure_complete": Row(
        "POST",
        lambda w: f"/account/closures/{_closure_request(w)}/complete",
        only({"region_admin": 302}),
    ),
    "POST account.closure_refuse": Row(
        "POST",
        lambda w: f"/account/closures/{_closure_request(w)}/refuse",
        only({"region_admin": 302}),
        {"reason": "仍有未结束的实践"},
    ),
    "POST api.privacy_consent": Row("POST", "/api/v1/me/privacy-consent", api_login(400)),
    "GET api.my_data": Row("GET", "/api/v1/me/data", api_login(200)),
    "POST api.closure_request_create": Row("POST", "/api/v1/me/closure-request", api_login(400)),
    "GET api.closure_requests": Row("GET", "/api/v1/closure-requests", api_only(REGION)),
    "POST api.closure_request_complete": Row(
        "POST",
        lambda w: f"/api/v1/closure-requests/{_closure_request(w)}/complete",
        api_only(REGION),
    ),
    "POST api.closure_request_refuse": Row(
        "POST",
        lambda w: f"/api/v1/closure-requests/{_closure_request(w)}/refuse",
        api_only(REGION),
        {"reason": "仍有未结束的实践"},
    ),
}

"""Members of organisations, invitations, password reset and account administration."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.account import services as account_services
from app.api import bp
from app.api.auth import api_login_required, api_public, api_roles
from app.api.docs import operation
from app.api.helpers import api_user, arg, json_object, page_of, visible_or_404, writable
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import ACCEPT_PRIVACY, _text
from app.api.serializers import _time, account_json
from app.auth import services
from app.auth.login import link_limits, mark_login_failed, reset_limits
from app.auth.models import CLOSURE_STATUSES, MEMBER_ROLES, ROLES
from app.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from app.extensions import db
from app.registry.models import Enterprise, School

ADMINS = ("league_admin", "region_admin")
INVITATION_INPUT = {
    "email": _text(254, format="email"),
    "role": _text(
        enum=[*MEMBER_ROLES, "teacher"],
        description="owner or staff; schools may also invite a teacher.",
    ),
}
ACCEPT_INPUT = {
    "token": _text(200, "The token from the invitation link."),
    "name": _text(100, "Your name (new accounts)."),
    "password": _text(description="At least 8 characters, not a common password (new accounts)."),
    "accept_privacy": {
        **ACCEPT_PRIVACY,
        "description": "true: the privacy notice (/privacy) is accepted (new accounts).",
    },
}
RESET_INPUT = {"email": _text(254)}
RESET_CONFIRM_INPUT = {
    "token": _text(200, "The token from the reset link."),
    "password": _text(description="At least 8 characters, not a common password."),
}
QUERY_PARAMETERS["role"] = {
    "schema": {"type": "string", "enum": list(ROLES)},
    "description": "Account role.",
}

EXTRA_SCHEMAS.update(
    {
        "Member": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "email": {"type": "string"},
                "membership_role": {"type": "string", "enum": list(MEMBER_ROLES)},
                "active": {"type": "boolean"},
            },
            "required": ["id", "membership_role"],
        },
        "MemberList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "pages": {"type": "integer"},
                "total": {"type": "integer"},
            },
            "required": ["items", "page", "pages", "total"],
        },
        "InvitationRequest": {
            "type": "object",
            "properties": INVITATION_INPUT,
            "required": ["email", "role"],
        },
        "Invitation": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "role": {"type": "string"},
                "school_id": {"type": "integer", "nullable": True},
                "enterprise_id": {"type": "integer", "nullable": True},
                "expires_at": {"type": "string", "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            "required": ["id", "email", "role", "expires_at"],
        },
        "InvitationList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Invitation"}}
            },
            "required": ["items"],
        },
        "InvitationAccept": {
            "type": "object",
            "properties": ACCEPT_INPUT,
            "required": ["token"],
        },
        "PasswordResetRequest": {
            "type": "object",
            "properties": RESET_INPUT,
            "required": ["email"],
        },
        "PasswordResetConfirm": {
            "type": "object",
            "properties": RESET_CONFIRM_INPUT,
            "required": ["token", "password"],
        },
        "AccountList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "pages": {"type": "integer"},
                "total": {"type": "integer"},
            },
            "required": ["items", "page", "pages", "total"],
        },
    }
)


def member_json(user) -> dict[str, Any]:
    """A member of an organisation."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "membership_role": user.membership_role or "staff",
        "active": user.active,
    }


def invitation_json(invitation) -> dict[str, Any]:
    """An invitation without its token."""
    return {
        "id": invitation.id,
        "email": invitation.email,
        "role": invitation.role,
        "school_id": invitation.school_id,
        "enterprise_id": invitation.enterprise_id,
        "expires_at": _time(invitation.expires_at),
        "created_at": _time(invitation.created_at),
    }


def _text_fields(spec: dict, required: tuple[str, ...]) -> dict[str, Any]:
    """The body's known fields, checked for type; the required ones must be non-empty."""
    data = writable(json_object(), spec)
    missing = {k: _("This field is required.") for k in required if not data.get(k)}
    if missing:
        raise ValidationFailed(_("Some fields are missing."), missing)
    for key, value in data.items():
        if isinstance(value, str) and len(value) > spec[key].get("maxLength", 1000):
            raise ValidationFailed(_("Some fields are too long."), {key: _("Too long.")})
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                message = _("Text may not contain unpaired surrogates.")
                raise ValidationFailed(message, {key: message}) from exc
    return data


# --- members ----------------------------------------------------------------------------------


def _members(model, id: int) -> ResponseReturnValue:
    org = visible_or_404(model, id)
    if not services.can_see_members(api_user(), org):
        raise Forbidden(_("Only the organisation's members and its league's administrators."))
    return page_of(services.members_query(org), member_json)


def _remove(model, id: int, user_id: int) -> ResponseReturnValue:
    org = visible_or_404(model, id)
    if not services.can_see_members(api_user(), org):
        raise Forbidden(_("Only the organisation's members and its league's administrators."))
    services.remove_member(api_user(), org, user_id)
    db.session.commit()
    return "", 204


@bp.get("/enterprises/<int:id>/members")
@operation(
    "Members of an enterprise",
    tag="members",
    responses={200: "MemberList"},
    query=("page", "per_page"),
)
@api_login_required
def enterprise_members(id: int) -> ResponseReturnValue:
    """Members (owners first) of the enterprise: its members and its league's administrators."""
    return _members(Enterprise, id)


@bp.get("/schools/<int:id>/members")
@operation(
    "Members of a school", tag="members", responses={200: "MemberList"}, query=("page", "per_page")
)
@api_login_required
def school_members(id: int) -> ResponseReturnValue:
    """Members (owners first) of the school: its members and its league's administrators."""
    return _members(School, id)


@bp.delete("/enterprises/<int:id>/members/<int:user_id>")
@operation("Remove a member of an enterprise", tag="members", responses={204: None, 409: None})
@api_login_required
def enterprise_member_remove(id: int, user_id: int) -> ResponseReturnValue:
    """Owners (and the league's administrators) remove a member; one owner always stays."""
    return _remove(Enterprise, id, user_id)


@bp.delete("/schools/<int:id>/members/<int:user_id>")
@operation("Remove a member of a school", tag="members", responses={204: None, 409: None})
@api_login_required
def school_member_remove(id: int, user_id: int) -> ResponseReturnValue:
    """Owners (and the league's administrators) remove a member; one owner always stays."""
    return _remove(School, id, user_id)


# --- invitations ------------------------------------------------------------------------------


@bp.post("/invitations")
@operation(
    "Invite a person by email to your organisation",
    tag="members",
    body="InvitationRequest",
    responses={201: "Invitation", 409: None},
)
@api_roles("enterprise", "school")
def invitation_create() -> ResponseReturnValue:
    """An owner invites someone as owner or staff (a school also as teacher); the email
    carries a single-use link valid INVITATION_TTL_DAYS days."""
    data = _text_fields(INVITATION_INPUT, ("email", "role"))
    invitation, _raw = services.invite(
        api_user(),
        data["email"],
        data["role"],
        lambda raw: url_for("auth.invitation", token=raw, _external=True),
    )
    db.session.commit()
    return invitation_json(invitation), 201


@bp.get("/invitations")
@operation(
    "Pending invitations of your organisation", tag="members", responses={200: "InvitationList"}
)
@api_roles("enterprise", "school")
def invitation_list() -> ResponseReturnValue:
    """The pending invitations of the caller's organisation (members see them)."""
    org = api_user().organisation
    if org is None:
        raise NotFound(_("Your account does not belong to an organisation."))
    rows = db.session.scalars(services.pending_invitations_query(org)).all()
    return {"items": [invitation_json(i) for i in rows]}


@bp.delete("/invitations/<int:id>")
@operation("Withdraw a pending invitation", tag="members", responses={204: None, 409: None})
@api_roles("enterprise", "school")
def invitation_revoke(id: int) -> ResponseReturnValue:
    """An owner withdraws a pending invitation of the organisation."""
    services.revoke_invitation(api_user(), id)
    db.session.commit()
    return "", 204


@bp.post("/invitations/accept")
@operation(
    "Accept an invitation",
    tag="members",
    body="InvitationAccept",
    responses={201: "Account", 409: None, 429: None},
)
@api_public
@link_limits
def invitation_accept() -> ResponseReturnValue:
    """With a bearer token of an account without organisation: join with it. Otherwise a new
    account for the invited email with name and password. A bad, used or expired token: 409."""
    data = _text_fields(ACCEPT_INPUT, ("token",))
    user = api_user()
    try:
        account = services.accept_invitation(
            data["token"],
            data.get("name"),
            data.get("password"),
            account=user,
            privacy_accepted=data.get("accept_privacy") is True,
        )
    except ServiceError as exc:
        if "token" in exc.fields:
            mark_login_failed()
        raise
    db.session.commit()
    return account_json(account), 201


# --- password reset ---------------------------------------------------------------------------


@bp.post("/auth/password-reset")
@operation(
    "Ask for a password reset link",
    tag="auth",
    body="PasswordResetRequest",
    responses={202: None, 429: None},
)
@api_public
@reset_limits
def password_reset() -> ResponseReturnValue:
    """Always 202: when an active account has this email, it receives a single-use link valid
    PASSWORD_RESET_TTL_MINUTES minutes (no account enumeration)."""
    data = _text_fields(RESET_INPUT, ("email",))
    services.request_password_reset(
        data["email"], lambda raw: url_for("auth.password_reset", token=raw, _external=True)
    )
    db.session.commit()
    return "", 202


@bp.post("/auth/password-reset/confirm")
@operation(
    "Set a new password with a reset token",
    tag="auth",
    body="PasswordResetConfirm",
    responses={204: None, 409: None, 429: None},
)
@api_public
@link_limits
def password_reset_confirm() -> ResponseReturnValue:
    """Set the password; every session and API token of the account stops working. A bad,
    used or expired token: 409, nothing changes."""
    data = _text_fields(RESET_CONFIRM_INPUT, ("token", "password"))
    try:
        services.reset_password(data["token"], data["password"])
    except ServiceError as exc:
        if "token" in exc.fields:
            mark_login_failed()
        raise
    db.session.commit()
    return "", 204


# --- account administration -------------------------------------------------------------------


@bp.get("/users")
@operation(
    "Accounts (region administrators: all; league administrators: their league)",
    tag="accounts",
    responses={200: "AccountList"},
    query=("page", "per_page", "q", "role", "region_code"),
)
@api_roles(*ADMINS)
def users() -> ResponseReturnValue:
    """Search accounts by name, email or organisation; filter by role and league."""
    stmt = services.users_query(api_user(), arg("q"), arg("role"), arg("region_code"))
    return page_of(stmt, account_json, by_id=True)


@bp.post("/users/<int:id>/deactivate")
@operation("Deactivate an account", tag="accounts", responses={200: "Account", 409: None})
@api_roles(*ADMINS)
def user_deactivate(id: int) -> ResponseReturnValue:
    """The account cannot log in; its sessions and API tokens stop working at once."""
    user = services.deactivate(api_user(), id)
    db.session.commit()
    return account_json(user)


@bp.post("/users/<int:id>/reactivate")
@operation("Reactivate an account", tag="accounts", responses={200: "Account", 409: None})
@api_roles(*ADMINS)
def user_reactivate(id: int) -> ResponseReturnValue:
    """The account may log in again (old sessions and tokens stay dead)."""
    user = services.reactivate(api_user(), id)
    db.session.commit()
    return account_json(user)


# --- privacy: consent, one's own data, account closure ------------------------------------

CONSENT_INPUT = {"accept_privacy": ACCEPT_PRIVACY}
CLOSURE_INPUT = {
    "password": _text(128, "The account's password."),
    "confirm": {"type": "boolean", "description": "true: closing is final and understood."},
    "reason": _text(500, "Why (optional).", nullable=True),
}
REFUSE_INPUT = {"reason": _text(500, "Why the request is refused.")}
QUERY_PARAMETERS["closure_status"] = {
    "schema": {"type": "string", "enum": [*CLOSURE_STATUSES, "all"]},
    "description": "Status of closure requests (default pending).",
}
_when = {"type": "string", "nullable": True, "description": "Beijing time."}
EXTRA_SCHEMAS.update(
    {
        "PrivacyConsent": {
            "type": "object",
            "properties": CONSENT_INPUT,
            "required": ["accept_privacy"],
        },
        "PrivacyNotice": {
            "type": "object",
            "properties": {
                "accepted_version": {"type": "string", "nullable": True},
                "accepted_at": {"type": "string", "nullable": True, "format": "date-time"},
                "current_version": {"type": "string"},
                "needs_acceptance": {"type": "boolean"},
            },
            "required": ["current_version", "needs_acceptance"],
        },
        "PersonalData": {
            "type": "object",
            "description": "Everything held about the caller (long lists bounded, newest first).",
            "properties": {
                "privacy_notice_version": {"type": "string"},
                "generated_at": _when,
                "account": {"type": "object"},
                "memberships": {"type": "array", "items": {"type": "object"}},
                "teacher_profile": {"type": "object", "nullable": True},
                "applications": {"type": "array", "items": {"type": "object"}},
                "practice": {"type": "array", "items": {"type": "object"}},
                "notifications": {"type": "array", "items": {"type": "object"}},
                "api_tokens": {"type": "array", "items": {"type": "object"}},
                "closure_requests": {"type": "array", "items": {"type": "object"}},
                "audit_events": {"type": "array", "items": {"type": "object"}},
                "counts": {"type": "object"},
            },
            "required": ["account"],
        },
        "ClosureRequestCreate": {
            "type": "object",
            "properties": CLOSURE_INPUT,
            "required": ["password", "confirm"],
        },
        "ClosureRefusal": {"type": "object", "properties": REFUSE_INPUT, "required": ["reason"]},
        "ClosureRequest": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "user_id": {"type": "integer"},
                "user_name": {"type": "string"},
                "status": {"type": "string", "enum": list(CLOSURE_STATUSES)},
                "reason": {"type": "string", "nullable": True},
                "created_at": _when,
                "decided_at": _when,
                "refusal_reason": {"type": "string", "nullable": True},
            },
            "required": ["id", "user_id", "status"],
        },
        "ClosureRequestList": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ClosureRequest"},
                },
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "pages": {"type": "integer"},
                "total": {"type": "integer"},
            },
            "required": ["items", "page", "pages", "total"],
        },
    }
)


@bp.post("/me/privacy-consent")
@operation(
    "Accept the current privacy notice",
    tag="auth",
    body="PrivacyConsent",
    responses={200: "PrivacyNotice", 422: None},
)
@api_login_required
def privacy_consent() -> ResponseReturnValue:
    """Record that the caller accepts the current notice (GET /me says when it is needed)."""
    data = writable(json_object(), CONSENT_INPUT)
    account_services.accept_notice(api_user(), data.get("accept_privacy"))
    db.session.commit()
    return account_services.consent_json(api_user())


@bp.get("/me/data")
@operation("Everything held about the caller", tag="auth", responses={200: "PersonalData"})
@api_login_required
def my_data() -> ResponseReturnValue:
    """The caller's own data: account, memberships, teacher profile, applications, practice,
    notifications (newest 200), tokens, closure requests, own audit entries (newest 200)."""
    return account_services.personal_data(api_user())


@bp.post("/me/closure-request")
@operation(
    "Ask for one's account to be closed",
    tag="auth",
    body="ClosureRequestCreate",
    responses={201: "ClosureRequest", 409: None, 422: None},
)
@api_login_required
def closure_request_create() -> ResponseReturnValue:
    """A region administrator completes it; the password and confirm=true are required."""
    data = writable(json_object(), CLOSURE_INPUT)
    row = account_services.request_closure(
        api_user(), data.get("password"), data.get("confirm"), data.get("reason")
    )
    db.session.commit()
    return account_services.closure_json(row), 201


@bp.get("/closure-requests")
@operation(
    "Account closure requests (region administrators)",
    tag="accounts",
    responses={200: "ClosureRequestList"},
    query=("page", "per_page", "closure_status"),
)
@api_roles("region_admin")
def closure_requests() -> ResponseReturnValue:
    """Pending requests by default (?closure_status=completed|refused|all), oldest first."""
    status = arg("closure_status") or "pending"
    if status not in (*CLOSURE_STATUSES, "all"):
        message = _("Unknown status.")
        raise ValidationFailed(message, {"closure_status": message})
    stmt = account_services.closures_query(api_user(), None if status == "all" else status)
    return page_of(stmt, account_services.closure_json)


@bp.post("/closure-requests/<int:id>/complete")
@operation(
    "Close the account of a request",
    tag="accounts",
    responses={200: "ClosureRequest", 409: None},
)
@api_roles("region_admin")
def closure_request_complete(id: int) -> ResponseReturnValue:
    """Personal fields erased or pseudonymised; practice, figures and audit kept."""
    row = account_services.complete_closure(api_user(), id)
    db.session.commit()
    return account_services.closure_json(row)


@bp.post("/closure-requests/<int:id>/refuse")
@operation(
    "Refuse a closure request",
    tag="accounts",
    body="ClosureRefusal",
    responses={200: "ClosureRequest", 409: None, 422: None},
)
@api_roles("region_admin")
def closure_request_refuse(id: int) -> ResponseReturnValue:
    """The person is told the reason."""
    data = _text_fields(REFUSE_INPUT, ("reason",))
    row = account_services.refuse_closure(api_user(), id, data["reason"])
    db.session.commit()
    return account_services.closure_json(row)

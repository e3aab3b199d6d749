"""Privacy consent, a person's own data and account closure (flush, never commit)."""

import hashlib
import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth.models import ApiToken, ClosureRequest, Invitation, PasswordReset, User
from app.common import audit
from app.common.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from app.common.privacy import PRIVACY_NOTICE_VERSION
from app.common.time import format_local, utcnow
from app.extensions import db

#: Bounds of the personal data download: a person's own records are few, notifications and
#: audit entries can grow, so only the newest are included (the inbox pages through all).
MAX_NOTIFICATIONS = 200
MAX_AUDIT_EVENTS = 200
MAX_ROWS = 500
CLOSED_EMAIL_DOMAIN = "closed.invalid"


# --- consent --------------------------------------------------------------------------------


def consent_required_error(field: str = "accept_privacy") -> ValidationFailed:
    """The error for a missing acceptance of the privacy notice, naming the field."""
    message = str(_l("Accept the privacy notice to continue."))
    return ValidationFailed(message, {field: message})


def record_consent(subject, accepted: bool, field: str = "accept_privacy") -> None:
    """Note that `subject` (an account or an organisation) accepted the current notice now;
    ValidationFailed naming `field` when it did not."""
    if accepted is not True:
        raise consent_required_error(field)
    subject.privacy_version = PRIVACY_NOTICE_VERSION
    subject.privacy_accepted_at = utcnow()


def accept_notice(user: User, accepted: bool) -> User:
    """A signed-in person accepts the current privacy notice (audited once per version)."""
    before = {"privacy_version": user.privacy_version}
    record_consent(user, accepted)
    if before["privacy_version"] != PRIVACY_NOTICE_VERSION:
        audit.record(
            user,
            "account.privacy_accept",
            user,
            before=before,
            after={"privacy_version": PRIVACY_NOTICE_VERSION},
        )
    return user


def consent_json(subject) -> dict[str, Any]:
    """The version of the notice a person or organisation accepted, and when."""
    return {
        "accepted_version": subject.privacy_version,
        "accepted_at": subject.privacy_accepted_at.isoformat()
        if subject.privacy_accepted_at
        else None,
        "current_version": PRIVACY_NOTICE_VERSION,
        "needs_acceptance": subject.privacy_version != PRIVACY_NOTICE_VERSION,
    }


# --- a person's own data --------------------------------------------------------------------


def _when(moment) -> str | None:
    return format_local(moment, seconds=True) if moment else None


def _org_json(org) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"id": org.id, "name": org.name, "region_code": org.region_code}


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about the person, as one JSON-ready dict (times in
    Beijing time). Only their own records; long lists are bounded (see MAX_*)."""
    from app.common.models import AuditEvent
    from app.cooperation.models import Application, Practice
    from app.notifications.messages import render
    from app.notifications.models import Notification
    from app.registry.models import Teacher

    teacher = db.session.scalar(select(Teacher).where(Teacher.user_id == user.id))
    data: dict[str, Any] = {
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        "generated_at": _when(utcnow()),
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "region_code": user.region_code,
            "active": user.active,
            "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at),
            "privacy_version": user.privacy_version,
            "privacy_accepted_at": _when(user.privacy_accepted_at),
        },
        "memberships": [],
        "teacher_profile": None,
        "applications": [],
        "practice": [],
        "notifications": [],
        "api_tokens": [],
        "closure_requests": [],
        "audit_events": [],
    }
    org = user.school if user.school_id else user.enterprise
    if org is not None:
        kind = "school" if user.school_id else "enterprise"
        data["memberships"].append(
            {"kind": kind, **_org_json(org), "membership_role": user.membership_role}
        )
    if teacher is not None:
        data["teacher_profile"] = {
            "id": teacher.id,
            "name": teacher.name,
            "title": teacher.title,
            "school": _org_json(teacher.school),
            "occupation_codes": [o.code for o in teacher.occupations],
            "confirmed_at": _when(teacher.confirmed_at),
        }
        applications = db.session.scalars(
            select(Application)
            .where(Application.teacher_id == teacher.id)
            .order_by(Application.id)
            .limit(MAX_ROWS)
        )
        data["applications"] = [
            {
                "id": a.id,
                "status": a.status,
                "starts_on": a.starts_on.isoformat(),
                "ends_on": a.ends_on.isoformat(),
                "note": a.note,
                "created_at": _when(a.created_at),
                "endorsed_at": _when(a.endorsed_at),
                "choices": [
                    {
                        "rank": c.rank,
                        "placement_id": c.placement_id,
                        "placement": c.placement.title,
                        "enterprise": c.placement.host.enterprise.name,
                    }
                    for c in a.choices
                ],
            }
            for a in applications
        ]
        practices = db.session.scalars(
            select(Practice)
            .where(Practice.teacher_id == teacher.id)
            .order_by(Practice.id)
            .limit(MAX_ROWS)
        )
        data["practice"] = [
            {
                "id": p.id,
                "status": p.status,
                "placement": p.placement.title,
                "enterprise": p.placement.host.enterprise.name,
                "started_on": p.started_on.isoformat(),
                "ended_on": p.ended_on.isoformat() if p.ended_on else None,
                "days_confirmed": p.days_confirmed,
                "certificate_no": p.certificate_no if p.status == "completed" else None,
                "entries": [
                    {
                        "on_date": e.on_date.isoformat(),
                        "description": e.description,
                        "confirmed": e.confirmed,
                    }
                    for e in p.entries
                ],
            }
            for p in practices
        ]
    notifications = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(MAX_NOTIFICATIONS)
    )
    data["notifications"] = [
        {
            "text": render(n.kind, n.params),
            "created_at": _when(n.created_at),
            "read_at": _when(n.read_at),
        }
        for n in notifications
    ]
    data["api_tokens"] = [
        {
            "prefix": t.prefix,
            "created_at": _when(t.created_at),
            "expires_at": _when(t.expires_at),
            "revoked_at": _when(t.revoked_at),
            "last_used_at": _when(t.last_used_at),
        }
        for t in db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.id)
            .limit(MAX_ROWS)
        )
    ]
    data["closure_requests"] = [closure_json(r) for r in requests_of(user)]
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(MAX_AUDIT_EVENTS)
    )
    data["audit_events"] = [{"at": _when(e.at), "action": e.action, "ip": e.ip} for e in events]
    data["counts"] = {
        "notifications": db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id)
        ),
        "audit_events": db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.actor_id == user.id)
        ),
    }
    return data


# --- closure --------------------------------------------------------------------------------


def closure_json(row: ClosureRequest) -> dict[str, Any]:
    """A closure request (the requester by id and current, possibly pseudonymous, name)."""
    return {
        "id": row.id,
        "user_id": row.user_id,
        "user_name": row.user.name,
        "status": row.status,
        "reason": row.reason,
        "created_at": _when(row.created_at),
        "decided_at": _when(row.decided_at),
        "refusal_reason": row.refusal_reason,
    }


def requests_of(user: User) -> list[ClosureRequest]:
    """The person's closure requests, newest first (at most 20)."""
    return list(
        db.session.scalars(
            select(ClosureRequest)
            .where(ClosureRequest.user_id == user.id)
            .order_by(ClosureRequest.id.desc())
            .limit(20)
        )
    )


def pending_request(user: User) -> ClosureRequest | None:
    """The person's closure request waiting for an administrator, if any."""
    return db.session.scalar(
        select(ClosureRequest).where(
            ClosureRequest.user_id == user.id, ClosureRequest.status == "pending"
        )
    )


def closure_obstacle(user: User) -> str | None:
    """Why the account cannot be closed now, or None: the last region administrator, or the
    last owner of an organisation that still has other members."""
    from app.auth.services import _org_filter

    if user.role == "region_admin":
        others = db.session.scalar(
            select(func.count(User.id)).where(
                User.role == "region_admin", User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            return str(
                _l("The last region administrator cannot be closed: appoint another one first.")
            )
    org = user.organisation
    if org is not None and user.membership_role == "owner":
        members = db.session.scalars(select(User).where(_org_filter(org), User.id != user.id))
        others = [m for m in members if m.active]
        if others and not any(m.membership_role == "owner" for m in others):
            return str(
                _l(
                    "You are the last owner of %(org)s: make another member owner first.",
                    org=org.name,
                )
            )
    return None


def request_closure(user: User, password: str, confirm: bool, reason: str | None) -> ClosureRequest:
    """The person asks for their account to be closed (password and confirmation needed)."""
    from werkzeug.security import check_password_hash

    if confirm is not True:
        message = str(_l("Tick the box to confirm that you want your account closed."))
        raise ValidationFailed(message, {"confirm": message})
    if not isinstance(password, str) or not check_password_hash(user.password_hash, password):
        message = str(_l("The password is wrong."))
        raise ValidationFailed(message, {"password": message})
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if len(reason) > 500:
        message = str(_l("Use at most %(n)d characters.", n=500))
        raise ValidationFailed(message, {"reason": message})
    if pending_request(user) is not None:
        raise Conflict(str(_l("Your request to close the account is already waiting.")))
    obstacle = closure_obstacle(user)
    if obstacle:
        raise InvalidState(obstacle, {"confirm": obstacle})
    row = ClosureRequest(user_id=user.id, status="pending", reason=reason or None)
    db.session.add(row)
    db.session.flush()
    audit.record(user, "closure.request", row, after={"user_id": user.id})
    return row


def withdraw_closure(user: User) -> ClosureRequest:
    """The person withdraws their pending closure request."""
    row = pending_request(user)
    if row is None:
        raise NotFound(str(_l("You have no pending request to close your account.")))
    db.session.delete(row)
    audit.record(user, "closure.withdraw", user, after={"request_id": row.id})
    return row


def closures_query(actor: User, status: str | None = "pending"):
    """Closure requests for region administrators, oldest pending first."""
    if getattr(actor, "role", None) != "region_admin":
        raise Forbidden(str(_l("Only region administrators handle closure requests.")))
    stmt = select(ClosureRequest)
    if status:
        stmt = stmt.where(ClosureRequest.status == status)
    return stmt.order_by(ClosureRequest.created_at, ClosureRequest.id)


def _decidable(actor: User, request_id: int) -> ClosureRequest:
    if getattr(actor, "role", None) != "region_admin":
        raise Forbidden(str(_l("Only region administrators handle closure requests.")))
    row = db.session.get(ClosureRequest, request_id) if 0 < request_id < 2**31 else None
    if row is None:
        raise NotFound(str(_l("Not found.")))
    if row.user_id == actor.id:
        raise Forbidden(str(_l("Another region administrator decides on your own request.")))
    db.session.execute(
        select(ClosureRequest.id).where(ClosureRequest.id == row.id).with_for_update()
    ).all()
    db.session.refresh(row)
    if row.status != "pending":
        raise InvalidState(str(_l("This request has already been decided.")))
    return row


def pseudonym(user: User) -> str:
    """The name a closed account keeps: 已注销用户-<6 hex characters>, stable per account."""
    digest = hashlib.sha256(f"closed-account-{user.id}".encode()).hexdigest()[:6]
    return f"已注销用户-{digest}"


def refuse_closure(actor: User, request_id: int, reason: str) -> ClosureRequest:
    """A region administrator refuses a closure request, saying why."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 500:
        message = str(_l("Say why the request is refused (up to 500 characters)."))
        raise ValidationFailed(message, {"reason": message})
    row = _decidable(actor, request_id)
    row.status = "refused"
    row.refusal_reason = reason
    row.decided_by_id = actor.id
    row.decided_at = utcnow()
    audit.record(
        actor,
        "closure.refuse",
        row,
        before={"status": "pending"},
        after={"status": "refused", "user_id": row.user_id},
    )
    from app.notifications.services import notify

    notify([row.user], "closure_refused", {"reason": reason})
    return row


def complete_closure(actor: User, request_id: int) -> ClosureRequest:
    """Close the account: erase or pseudonymise its personal fields, end its memberships and
    sessions; records the programme keeps (practice, certificates, counts, the audit trail)
    stay, under the pseudonym."""
    from app.cooperation.models import Application
    from app.notifications.models import Notification
    from app.registry.models import Teacher

    row = _decidable(actor, request_id)
    user = row.user
    obstacle = closure_obstacle(user)
    if obstacle:
        raise InvalidState(obstacle)
    name = pseudonym(user)
    user.name = name
    user.email = f"closed-{user.id}-{secrets.token_hex(4)}@{CLOSED_EMAIL_DOMAIN}"
    user.password_hash = "!closed:" + secrets.token_hex(32)
    user.active = False
    user.closed_at = utcnow()
    user.school_id = None
    user.enterprise_id = None
    user.membership_role = None
    user.rotate_session()
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    for reset in db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)):
        db.session.delete(reset)
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.accepted_by_id == user.id)
    ):
        invitation.email = user.email
    for notification in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
    ):
        db.session.delete(notification)
    teacher = db.session.scalar(select(Teacher).where(Teacher.user_id == user.id))
    withdrawn = 0
    if teacher is not None:
        teacher.name = name
        teacher.title = None
        for application in db.session.scalars(
            select(Application).where(
                Application.teacher_id == teacher.id,
                Application.status.in_(("submitted", "returned", "endorsed")),
            )
        ):
            application.status = "withdrawn"
            application.note = None
            withdrawn += 1
    row.status = "completed"
    row.reason = None
    row.decided_by_id = actor.id
    row.decided_at = now
    db.session.flush()
    audit.record(
        actor,
        "closure.complete",
        row,
        before={"status": "pending"},
        after={
            "status": "completed",
            "user_id": user.id,
            "pseudonym": name,
            "applications_withdrawn": withdrawn,
        },
    )
    return row

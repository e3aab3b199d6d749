"""Accounts, passwords and API tokens (flush, never commit)."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import (
    ADMIN_ROLES,
    MEMBER_ROLES,
    ROLES,
    SELF_SIGNUP_ROLES,
    ApiToken,
    Invitation,
    PasswordReset,
    User,
)
from app.common import audit
from app.common.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from app.common.time import utcnow
from app.common.validators import COMMON_PASSWORDS, MAX_PASSWORD_LENGTH
from app.extensions import db
from app.reference.models import Region

# A hash to compare against when the account does not exist, so timing says nothing.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(raw: str) -> str:
    """Hash with scrypt (a cheaper pbkdf2 under tests, set by PASSWORD_HASH_METHOD)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(raw, method=method)


def check_password_rules(raw: str, field: str = "password") -> None:
    """Raise ValidationFailed when the password is short or common."""
    if not isinstance(raw, str) or len(raw) < 8:
        message = str(_l("Use at least 8 characters."))
        raise ValidationFailed(message, {field: message})
    if len(raw) > MAX_PASSWORD_LENGTH:
        message = str(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
        raise ValidationFailed(message, {field: message})
    if raw.lower() in COMMON_PASSWORDS:
        message = str(_l("This password is too common; choose another."))
        raise ValidationFailed(message, {field: message})


def find_by_email(email: str) -> User | None:
    """The account with this email (case-insensitive), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_account(
    email: str,
    password: str,
    role: str,
    name: str,
    *,
    self_signup: bool = True,
    region_code: str | None = None,
    privacy_accepted: bool | None = None,
) -> User:
    """Create an account; raises ValidationFailed or Conflict (duplicate email).

    `privacy_accepted` (sign-up forms): the notice's acceptance, recorded with its version;
    False refuses. None (administrators, invitations): the person accepts at first visit."""
    allowed = SELF_SIGNUP_ROLES if self_signup else ROLES
    if role not in allowed:
        message = str(_l("Choose enterprise, school or teacher."))
        raise ValidationFailed(message, {"role": message})
    check_password_rules(password)
    email = (email or "").strip().lower()
    if find_by_email(email) is not None:
        message = str(_l("An account with this email already exists."))
        raise Conflict(message, {"email": message})
    if region_code is not None and db.session.get(Region, region_code) is None:
        message = str(_l("Unknown league or city code."))
        raise ValidationFailed(message, {"region_code": message})
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        region_code=region_code,
        password_hash=hash_password(password),
    )
    if privacy_accepted is not None:
        from app.account.services import record_consent

        record_consent(user, privacy_accepted)
    db.session.add(user)
    db.session.flush()
    audit.record(
        user,
        "account.create",
        user,
        after={"email": email, "role": role, "privacy_version": user.privacy_version},
    )
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching email and password, or None (the failure is audited;
    over-long passwords are not hashed)."""
    if len(password or "") > MAX_PASSWORD_LENGTH:
        _audit_login_failed(None, email)
        return None
    user = find_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        _audit_login_failed(None, email)
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        _audit_login_failed(user, email)
        return None
    return user


def _audit_login_failed(user: User | None, email: str | None) -> None:
    """Audit a failed login: the account when known, else the email tried (never the password)."""
    tried = (email or "")[:254] if isinstance(email, str) else ""
    if "\x00" in tried:
        tried = tried.replace("\x00", "")
    try:
        tried.encode("utf-8")
    except UnicodeEncodeError:
        tried = tried.encode("utf-8", "replace").decode("utf-8")
    event = audit.record(
        user,
        "login.failure",
        user,
        after={"email": tried, "inactive": bool(user and not user.active)},
    )
    if user is None:
        event.target_type = "User"


def record_login(user: User) -> None:
    """Note the time of a successful login and audit it."""
    user.last_login_at = utcnow()
    audit.record(user, "login.success", user)


def change_password(user: User, current: str, new: str) -> None:
    """Change the password; every earlier session and token stops working."""
    if not check_password_hash(user.password_hash, current or ""):
        message = str(_l("The current password is wrong."))
        raise ValidationFailed(message, {"current": message})
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.rotate_session()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = utcnow()
    audit.record(user, "account.password_change", user)


def logout_everywhere(user: User, revoke_tokens: bool = False) -> None:
    """Invalidate every session cookie issued to the user (and its API tokens when asked)."""
    user.rotate_session()
    if revoke_tokens:
        revoked = _revoke_all_tokens(user)
        if revoked:
            audit.record(user, "token.revoke", user, after={"tokens": revoked, "all": True})


def _revoke_all_tokens(user: User) -> int:
    """Revoke every live API token of the user; returns how many."""
    count = 0
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = utcnow()
        count += 1
    return count


def live_token_count(user: User) -> int:
    """How many API tokens of the user still work."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    return sum(1 for t in tokens if t.usable)


def issue_token(user: User) -> str:
    """Create an API token for user and return it in the clear (stored only hashed)."""
    raw = secrets.token_urlsafe(32)
    ttl = current_app.config.get("API_TOKEN_TTL_DAYS")
    token = ApiToken(
        user=user,
        token_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        expires_at=utcnow() + timedelta(days=ttl) if ttl else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(user, "token.issue", user, after={"prefix": token.prefix})
    return raw


def token_user(raw: str) -> User | None:
    """The user behind a usable raw token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw)))
    if token is None or not token.usable or not token.user.active:
        return None
    return token.user


def revoke_token(user: User, raw: str) -> None:
    """Revoke the given token of the user; raises Forbidden when it is not theirs."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw)))
    if token is None or token.user_id != user.id:
        raise Forbidden(str(_l("This token is not yours.")))
    token.revoked_at = utcnow()
    audit.record(user, "token.revoke", user, after={"prefix": token.prefix})


def create_admin(email: str, password: str, name: str, league: str | None) -> User:
    """Create a region administrator, or a league administrator when league is given."""
    role = "league_admin" if league else "region_admin"
    return create_account(email, password, role, name, self_signup=False, region_code=league)


# --- members of a school or enterprise ----------------------------------------------------


def _org_filter(org):
    """Where-clause selecting the member accounts of a school or enterprise."""
    from app.registry.models import School

    if isinstance(org, School):
        return (User.school_id == org.id) & (User.role == "school")
    return (User.enterprise_id == org.id) & (User.role == "enterprise")


def members_query(org):
    """Select of the organisation's member accounts, owners first, then by name."""
    return (
        select(User)
        .where(_org_filter(org))
        .order_by((User.membership_role == "owner").desc(), User.name, User.id)
    )


def can_see_members(user, org) -> bool:
    """Members of the organisation and administrators of its league see its members."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return org.is_member(user) or user.administers_region(org.region_code)


def can_manage_members(user, org) -> bool:
    """Owners of the organisation and administrators of its league manage its members."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (org.is_member(user) and user.membership_role == "owner") or user.administers_region(
        org.region_code
    )


def _lock(org) -> None:
    """Lock the organisation's row until commit, so concurrent member changes serialise."""
    db.session.execute(select(type(org).id).where(type(org).id == org.id).with_for_update()).all()


def _owner_count(org) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(_org_filter(org), User.membership_role == "owner")
    )


def _member_of(org, user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not org.is_member(user):
        raise NotFound(str(_l("This person is not a member of the organisation.")))
    return user


def _keep_an_owner(org, member: User) -> None:
    if member.membership_role == "owner" and _owner_count(org) <= 1:
        message = str(
            _l("An organisation keeps at least one owner: make another member owner first.")
        )
        raise InvalidState(message, {"user_id": message})


def remove_member(actor: User, org, user_id: int) -> User:
    """Take a member out of the organisation (the account stays, without organisation)."""
    if not can_manage_members(actor, org):
        raise Forbidden(str(_l("Only the organisation's owners manage its members.")))
    _lock(org)
    member = _member_of(org, user_id)
    _keep_an_owner(org, member)
    before = {"membership_role": member.membership_role, "organisation": org.name}
    member.school_id = None
    member.enterprise_id = None
    member.membership_role = None
    member.rotate_session()
    db.session.flush()
    audit.record(actor, "member.remove", member, before=before, after={"organisation": None})
    return member


def set_member_role(actor: User, org, user_id: int, role: str) -> User:
    """Make a member owner or staff; the organisation keeps at least one owner."""
    if not can_manage_members(actor, org):
        raise Forbidden(str(_l("Only the organisation's owners manage its members.")))
    if role not in MEMBER_ROLES:
        message = str(_l("Choose owner or staff."))
        raise ValidationFailed(message, {"role": message})
    _lock(org)
    member = _member_of(org, user_id)
    if member.membership_role == role:
        return member
    if role == "staff":
        _keep_an_owner(org, member)
    before = {"membership_role": member.membership_role}
    member.membership_role = role
    db.session.flush()
    audit.record(actor, "member.role", member, before=before, after={"membership_role": role})
    return member


# --- invitations ----------------------------------------------------------------------------

INVALID_LINK = _l("This link is invalid, has expired or has already been used.")


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, ApiToken.hash(raw)


def _check_email(email) -> str:
    from email_validator import EmailNotValidError, validate_email

    email = (email or "").strip().lower() if isinstance(email, str) else ""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        message = str(_l("Enter a valid email address."))
        raise ValidationFailed(message, {"email": message}) from exc
    if len(email) > 254:
        message = str(_l("Enter a valid email address."))
        raise ValidationFailed(message, {"email": message})
    return email


def invitation_roles(org) -> tuple[str, ...]:
    """Roles an owner may invite to this organisation (schools may also invite teachers)."""
    from app.registry.models import School

    roles = ("staff", "owner")
    return (*roles, "teacher") if isinstance(org, School) else roles


def invite(actor: User, email: str, role: str, link_for) -> tuple[Invitation, str]:
    """Invite a person by email to the actor's organisation; returns (invitation, raw token).

    `link_for(raw)` builds the absolute link for the email.
    """
    org = actor.organisation if actor.is_authenticated else None
    if org is None or actor.membership_role != "owner":
        raise Forbidden(str(_l("Only the owners of a school or enterprise invite people.")))
    email = _check_email(email)
    if role not in invitation_roles(org):
        message = str(_l("Choose a role from the list."))
        raise ValidationFailed(message, {"role": message})
    existing = find_by_email(email)
    if existing is not None and org.is_member(existing):
        message = str(_l("This person is already a member."))
        raise Conflict(message, {"email": message})
    for earlier in db.session.scalars(
        pending_invitations_query(org).where(Invitation.email == email)
    ):
        earlier.revoked_at = utcnow()
    raw, digest = _new_token()
    days = current_app.config["INVITATION_TTL_DAYS"]
    invitation = Invitation(
        email=email,
        role=role,
        school_id=actor.school_id if actor.role == "school" else None,
        enterprise_id=actor.enterprise_id if actor.role == "enterprise" else None,
        invited_by_id=actor.id,
        token_hash=digest,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "invitation.send", invitation, after={"email": email, "role": role})
    from app.notifications.mail import queue_message

    queue_message(
        email,
        str(_l("Invitation to %(org)s on Gongxue", org=org.name)),
        str(
            _l(
                "%(name)s invites you to join %(org)s on Gongxue. Open this link within "
                "%(days)s days to accept (it works once):",
                name=actor.name,
                org=org.name,
                days=days,
            )
        )
        + "\n\n"
        + link_for(raw),
    )
    return invitation, raw


def pending_invitations_query(org):
    """Select of the organisation's invitations that can still be accepted, newest first."""
    from app.registry.models import School

    column = Invitation.school_id if isinstance(org, School) else Invitation.enterprise_id
    return (
        select(Invitation)
        .where(
            column == org.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id.desc())
    )


def revoke_invitation(actor: User, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation of the actor's organisation."""
    invitation = db.session.get(Invitation, invitation_id) if 0 < invitation_id < 2**31 else None
    org = invitation.organisation if invitation is not None else None
    if org is None or not can_see_members(actor, org):
        raise NotFound(str(_l("Not found.")))
    if not can_manage_members(actor, org):
        raise Forbidden(str(_l("Only the organisation's owners manage its members.")))
    if not invitation.pending:
        raise InvalidState(str(_l("This invitation is no longer pending.")))
    invitation.revoked_at = utcnow()
    audit.record(actor, "invitation.revoke", invitation, after={"email": invitation.email})
    return invitation


def find_invitation(raw) -> Invitation:
    """The pending invitation behind a raw token; InvalidState (one message) otherwise."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        raise InvalidState(str(INVALID_LINK), {"token": str(INVALID_LINK)})
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == ApiToken.hash(raw))
    )
    if invitation is None or not invitation.pending:
        raise InvalidState(str(INVALID_LINK), {"token": str(INVALID_LINK)})
    return invitation


def _claim_once(model, row_id: int, column: str, extra: dict) -> None:
    """Mark a one-use row used with a conditional update: a second use finds nothing."""
    done = db.session.execute(
        model.__table__.update()
        .where(model.__table__.c.id == row_id, model.__table__.c[column].is_(None))
        .values(**{column: utcnow()}, **extra)
    ).rowcount
    if done != 1:
        raise InvalidState(str(INVALID_LINK), {"token": str(INVALID_LINK)})


def accept_invitation(
    raw,
    name: str | None = None,
    password: str | None = None,
    account: User | None = None,
    privacy_accepted: bool = False,
) -> User:
    """Accept an invitation: join with `account` (which has no organisation) or create a new
    account with name and password for the invited email (the privacy notice must be
    accepted, as at sign-up). Raises InvalidState on a bad link."""
    invitation = find_invitation(raw)
    role = invitation.account_role
    if account is not None and getattr(account, "is_authenticated", False):
        if account.role != role:
            message = str(_l("This invitation is for another kind of account."))
            raise InvalidState(message, {"token": message})
        if account.school_id or account.enterprise_id:
            message = str(_l("Your account already belongs to a school or enterprise."))
            raise Conflict(message, {"token": message})
        user = account
    else:
        name = (name or "").strip() if isinstance(name, str) else ""
        if not name or len(name) > 100:
            message = str(_l("Enter your name (up to 100 characters)."))
            raise ValidationFailed(message, {"name": message})
        if find_by_email(invitation.email) is not None:
            message = str(
                _l("An account with this email already exists: log in, then open the link again.")
            )
            raise Conflict(message, {"token": message})
        user = create_account(
            invitation.email,
            password or "",
            role,
            name,
            self_signup=True,
            privacy_accepted=privacy_accepted is True,
        )
    _claim_once(Invitation, invitation.id, "accepted_at", {"accepted_by_id": user.id})
    if invitation.school_id:
        user.school_id = invitation.school_id
    else:
        user.enterprise_id = invitation.enterprise_id
    user.membership_role = None if role == "teacher" else invitation.role
    db.session.flush()
    audit.record(
        user,
        "invitation.accept",
        invitation,
        after={"user_id": user.id, "role": invitation.role},
    )
    return user


# --- password reset -------------------------------------------------------------------------


def request_password_reset(email, link_for) -> None:
    """Email a one-use reset link when an active account has this email; the same work either
    way, and the caller always answers the same (no account enumeration)."""
    raw, digest = _new_token()
    user = find_by_email(email) if isinstance(email, str) and "\x00" not in email else None
    try:
        (email or "").encode("utf-8")
    except (UnicodeEncodeError, AttributeError):
        user = None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, raw)
        return
    check_password_hash(_DUMMY_HASH, raw)
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    db.session.add(
        PasswordReset(
            user_id=user.id, token_hash=digest, expires_at=utcnow() + timedelta(minutes=minutes)
        )
    )
    audit.record(user, "password_reset.request", user)
    from app.notifications.mail import queue_message

    queue_message(
        user.email,
        str(_l("Reset your Gongxue password")),
        str(
            _l(
                "Someone asked to reset the password of your Gongxue account. Open this link "
                "within %(minutes)s minutes to choose a new password (it works once). If it was "
                "not you, ignore this email.",
                minutes=minutes,
            )
        )
        + "\n\n"
        + link_for(raw),
    )


def find_password_reset(raw) -> PasswordReset:
    """The unused, unexpired reset behind a raw token; InvalidState (one message) otherwise."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        raise InvalidState(str(INVALID_LINK), {"token": str(INVALID_LINK)})
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == ApiToken.hash(raw))
    )
    if reset is None or reset.used_at is not None or reset.expired or not reset.user.active:
        raise InvalidState(str(INVALID_LINK), {"token": str(INVALID_LINK)})
    return reset


def reset_password(raw, password) -> User:
    """Set a new password from a reset link; every session and API token of the account dies."""
    reset = find_password_reset(raw)
    check_password_rules(password if isinstance(password, str) else "")
    _claim_once(PasswordReset, reset.id, "used_at", {})
    user = reset.user
    user.password_hash = hash_password(password)
    user.rotate_session()
    _revoke_all_tokens(user)
    for other in db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        other.used_at = utcnow()
    audit.record(user, "password_reset.use", user)
    return user


# --- account administration -----------------------------------------------------------------


def _league_expr():
    """SQL expression of an account's league: its school's, its enterprise's, or its own."""
    from app.registry.models import Enterprise, School

    school_region = select(School.region_code).where(School.id == User.school_id).scalar_subquery()
    enterprise_region = (
        select(Enterprise.region_code).where(Enterprise.id == User.enterprise_id).scalar_subquery()
    )
    return func.coalesce(school_region, enterprise_region, User.region_code)


def users_query(actor: User, q: str | None = None, role: str | None = None, region_code=None):
    """Accounts the administrator may see (a league administrator: its league), filtered."""
    from app.registry.models import Enterprise, School

    if not actor.is_admin:
        raise Forbidden(str(_l("Only administrators list accounts.")))
    league = _league_expr()
    stmt = select(User).options(selectinload(User.school), selectinload(User.enterprise))
    if actor.role == "league_admin":
        stmt = stmt.where(league == actor.region_code)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.email).like(like)
            | func.lower(User.name).like(like)
            | User.school_id.in_(select(School.id).where(func.lower(School.name).like(like)))
            | User.enterprise_id.in_(
                select(Enterprise.id).where(func.lower(Enterprise.name).like(like))
            )
        )
    if role:
        if role not in ROLES:
            message = str(_l("Unknown role."))
            raise ValidationFailed(message, {"role": message})
        stmt = stmt.where(User.role == role)
    if region_code:
        stmt = stmt.where(league == region_code)
    return stmt.order_by(User.id)


def can_administer(actor: User, user: User) -> bool:
    """Region administrators administer every account but their own; league administrators
    the non-administrator accounts of their league."""
    if not getattr(actor, "is_authenticated", False) or actor.id == user.id:
        return False
    if actor.role == "region_admin":
        return True
    return (
        actor.role == "league_admin"
        and user.role not in ADMIN_ROLES
        and user.league_code == actor.region_code
    )


def _administered(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not actor.is_admin:
        raise NotFound(str(_l("Not found.")))
    if actor.role == "league_admin" and user.league_code != actor.region_code:
        raise NotFound(str(_l("Not found.")))
    if not can_administer(actor, user):
        raise Forbidden(str(_l("You may not administer this account.")))
    return user


def deactivate(actor: User, user_id: int) -> User:
    """Deactivate an account: it cannot log in, its sessions and API tokens stop at once."""
    user = _administered(actor, user_id)
    if not user.active:
        raise InvalidState(str(_l("This account is already deactivated.")))
    user.active = False
    user.rotate_session()
    revoked = _revoke_all_tokens(user)
    audit.record(
        actor,
        "account.deactivate",
        user,
        before={"active": True},
        after={"active": False, "tokens_revoked": revoked},
    )
    return user


def reactivate(actor: User, user_id: int) -> User:
    """Let a deactivated account log in again (its old sessions and tokens stay dead)."""
    user = _administered(actor, user_id)
    if user.active:
        raise InvalidState(str(_l("This account is active.")))
    user.active = True
    audit.record(
        actor, "account.reactivate", user, before={"active": False}, after={"active": True}
    )
    return user


def create_league_admin(actor: User, email: str, password: str, name: str, league: str) -> User:
    """A region administrator creates a league administrator."""
    if actor.role != "region_admin":
        raise Forbidden(str(_l("Only region administrators create league administrators.")))
    if not league:
        message = str(_l("Choose the league or city."))
        raise ValidationFailed(message, {"region_code": message})
    user = create_account(
        email, password, "league_admin", name, self_signup=False, region_code=league
    )
    audit.record(
        actor,
        "account.create_league_admin",
        user,
        after={"email": user.email, "region_code": league},
    )
    return user

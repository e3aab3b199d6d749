"""Accounts, passwords and API tokens (flush, never commit)."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ROLES, SELF_SIGNUP_ROLES, ApiToken, User
from app.common import audit
from app.common.errors import Conflict, Forbidden, ValidationFailed
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
) -> User:
    """Create an account; raises ValidationFailed or Conflict (duplicate email)."""
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
    db.session.add(user)
    db.session.flush()
    audit.record(user, "account.create", user, after={"email": email, "role": role})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching email and password, or None (over-long ones are not hashed)."""
    if len(password or "") > MAX_PASSWORD_LENGTH:
        return None
    user = find_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def record_login(user: User) -> None:
    """Note the time of a successful login."""
    user.last_login_at = utcnow()


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


def logout_everywhere(user: User) -> None:
    """Invalidate every session cookie issued to the user."""
    user.rotate_session()


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


def create_admin(email: str, password: str, name: str, league: str | None) -> User:
    """Create a region administrator, or a league administrator when league is given."""
    role = "league_admin" if league else "region_admin"
    return create_account(email, password, role, name, self_signup=False, region_code=league)

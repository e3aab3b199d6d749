"""Accounts and API tokens."""

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import TimestampMixin
from app.common.time import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.reference.models import Region
    from app.registry.models import Enterprise, School

ROLES = ("enterprise", "school", "teacher", "league_admin", "region_admin")
SELF_SIGNUP_ROLES = ("enterprise", "school", "teacher")
ADMIN_ROLES = ("league_admin", "region_admin")
#: Roles of a member inside its school or enterprise (负责人 / 经办人).
MEMBER_ROLES = ("owner", "staff")
#: Account roles that are members of an organisation (teachers belong to a school, not as members).
MEMBER_ACCOUNT_ROLES = ("enterprise", "school")


class User(UserMixin, TimestampMixin, db.Model):
    """A person's account; belongs to at most one school or enterprise."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('enterprise','school','teacher','league_admin','region_admin')",
            name="role_known",
        ),
        CheckConstraint(
            "NOT (school_id IS NOT NULL AND enterprise_id IS NOT NULL)", name="one_organisation"
        ),
        CheckConstraint(
            "role <> 'league_admin' OR region_code IS NOT NULL", name="league_admin_has_region"
        ),
        CheckConstraint(
            "membership_role IS NULL OR membership_role IN ('owner','staff')",
            name="membership_role_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="SET NULL", use_alter=True), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL", use_alter=True), index=True
    )
    #: Membership of the school or enterprise: owner (manages members and profile) or staff.
    membership_role: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Version of the privacy notice the person accepted, and when (UTC; shown in Beijing time).
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Set when the account was closed: personal fields erased, the account unusable.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    region: Mapped[Optional["Region"]] = relationship()
    school: Mapped[Optional["School"]] = relationship(foreign_keys=[school_id])
    enterprise: Mapped[Optional["Enterprise"]] = relationship(foreign_keys=[enterprise_id])

    def get_id(self) -> str:
        """Session identity: id plus a token that rotates at logout and password change."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_region_admin(self) -> bool:
        return self.role == "region_admin"

    @property
    def organisation(self):
        """The school or enterprise this account is a member of, or None."""
        if self.role == "enterprise":
            return self.enterprise
        if self.role == "school":
            return self.school
        return None

    @property
    def is_owner(self) -> bool:
        """True for an owner member of a school or enterprise."""
        return self.organisation is not None and self.membership_role == "owner"

    @property
    def league_code(self) -> str | None:
        """The league the account belongs to: its organisation's, or an administrator's own."""
        org = self.school if self.school_id else self.enterprise
        return org.region_code if org is not None else self.region_code

    def administers_region(self, region_code: str | None) -> bool:
        """True when this user may administer records of the given league or city."""
        if self.role == "region_admin":
            return True
        return (
            self.role == "league_admin"
            and region_code is not None
            and (region_code == self.region_code)
        )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def rotate_session(self) -> None:
        """Invalidate every session cookie issued so far."""
        self.session_token = secrets.token_hex(16)


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for the JSON API, stored as a SHA-256 hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(raw: str) -> str:
        """SHA-256 hex digest of a raw token."""
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        if self.expires_at is None:
            return True
        expires = self.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=utcnow().tzinfo)
        return expires > utcnow()


class _OneUseToken:
    """Columns and checks shared by emailed single-use links (only a hash is stored)."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def expired(self) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=utcnow().tzinfo)
        return expires <= utcnow()


class Invitation(_OneUseToken, TimestampMixin, db.Model):
    """An owner's invitation by email to join a school or enterprise (or a school as teacher)."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint("role IN ('owner','staff','teacher')", name="role_known"),
        CheckConstraint("(school_id IS NULL) <> (enterprise_id IS NULL)", name="one_organisation"),
        CheckConstraint("role <> 'teacher' OR school_id IS NOT NULL", name="teacher_at_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(10))
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    school: Mapped[Optional["School"]] = relationship()
    enterprise: Mapped[Optional["Enterprise"]] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def organisation(self):
        return self.school or self.enterprise

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.expired

    @property
    def account_role(self) -> str:
        """The account role the invitee gets: teacher, or the organisation's member role."""
        if self.role == "teacher":
            return "teacher"
        return "school" if self.school_id else "enterprise"


class PasswordReset(_OneUseToken, TimestampMixin, db.Model):
    """A single-use password reset link sent to an account's email."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


CLOSURE_STATUSES = ("pending", "completed", "refused")


class ClosureRequest(TimestampMixin, db.Model):
    """A person's request to close their account; a region administrator completes or refuses
    it. The row survives the closure (it refers to the pseudonymised account)."""

    __tablename__ = "closure_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending','completed','refused')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

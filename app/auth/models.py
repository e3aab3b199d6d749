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
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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

    def administers_region(self, region_code: str | None) -> bool:
        """True when this user may administer records of the given league or city."""
        if self.role == "region_admin":
            return True
        return (
            self.role == "league_admin"
            and region_code is not None
            and (region_code == self.region_code)
        )

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

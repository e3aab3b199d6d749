"""Organisations (schools, enterprises) and the enterprise hosts schools pair with."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.common.models import TimestampMixin
from app.extensions import db
from app.reference.models import Industry, Major, Occupation, Region

if TYPE_CHECKING:
    from app.auth.models import User

REVIEW_STATUSES = ("pending", "approved", "rejected")
SCHOOL_KINDS = ("technician_college", "senior_technical_school", "technical_school")
SIZE_BANDS = ("micro", "small", "medium", "large")
HOST_KINDS = ("workshop", "training_station", "master_studio")
STUDIO_LEVELS = ("national", "regional", "league")


class Reviewable(TimestampMixin):
    """Review status of an organisation profile and its league."""

    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    uscc_check_ok: Mapped[bool] = mapped_column(default=True)
    uscc_confirmed: Mapped[bool] = mapped_column(default=False)
    #: Version of the privacy notice accepted at registration (contact shown per the policy).
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def reviewed_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @declared_attr
    def region_code(cls) -> Mapped[str]:
        return mapped_column(ForeignKey("region.code"), index=True)

    @declared_attr
    def region(cls) -> Mapped[Region]:
        return relationship(Region)

    @property
    def is_public(self) -> bool:
        return self.status == "approved"

    @property
    def needs_uscc_confirmation(self) -> bool:
        """A credit code whose check character is wrong waits for an administrator."""
        return (
            bool(getattr(self, "uscc", None))
            and not self.uscc_check_ok
            and not (self.uscc_confirmed)
        )

    def is_member(self, user) -> bool:
        """True when the user belongs to this organisation (defined by each subclass)."""
        return False

    def can_view(self, user) -> bool:
        """Approved profiles are public; others only to members and their league's admins."""
        if self.is_public:
            return True
        return self.can_edit(user)

    def can_edit(self, user) -> bool:
        """Members edit their profile; administrators of its league may too."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return self.is_member(user) or user.administers_region(self.region_code)

    def can_manage(self, user) -> bool:
        """Owners change the profile and members; administrators of its league may too."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return (
            self.is_member(user) and user.membership_role == "owner"
        ) or user.administers_region(self.region_code)

    def can_review(self, user) -> bool:
        """Only administrators of the profile's league review it."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return user.administers_region(self.region_code)


class Enterprise(Reviewable, db.Model):
    """An enterprise identified by its unified social credit code (统一社会信用代码)."""

    __tablename__ = "enterprise"
    __table_args__ = (
        CheckConstraint("status IN ('pending','approved','rejected')", name="status_known"),
        CheckConstraint(
            "size_band IS NULL OR size_band IN ('micro','small','medium','large')",
            name="size_band_known",
        ),
        # covers the directory's order, so a deep page reads keys from the index only
        Index("ix_enterprise_status_name", "status", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    industry_section: Mapped[str] = mapped_column(ForeignKey("industry.section"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    size_band: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)

    industry: Mapped[Industry] = relationship()
    hosts: Mapped[list["Host"]] = relationship(
        back_populates="enterprise", order_by="Host.id", cascade="all, delete-orphan"
    )

    def is_member(self, user) -> bool:
        return user.role == "enterprise" and user.enterprise_id == self.id


class School(Reviewable, db.Model):
    """A technical school (技工院校) of one of three kinds."""

    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint("status IN ('pending','approved','rejected')", name="status_known"),
        CheckConstraint(
            "kind IN ('technician_college','senior_technical_school','technical_school')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)

    def is_member(self, user) -> bool:
        return user.role == "school" and user.school_id == self.id


host_occupation = Table(
    "host_occupation",
    db.metadata,
    Column("host_id", ForeignKey("host.id", ondelete="CASCADE"), primary_key=True),
    Column("occupation_code", ForeignKey("occupation.code"), primary_key=True, index=True),
)


class Host(TimestampMixin, db.Model):
    """A workshop, training station or master studio that an enterprise opens to schools."""

    __tablename__ = "host"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_non_negative"),
        CheckConstraint(
            "teacher_capacity IS NULL OR teacher_capacity >= 0",
            name="teacher_capacity_non_negative",
        ),
        CheckConstraint(
            "kind IN ('workshop','training_station','master_studio')", name="kind_known"
        ),
        CheckConstraint(
            "level IS NULL OR level IN ('national','regional','league')", name="level_known"
        ),
        Index("ix_host_enterprise_active", "enterprise_id", "retired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    capacity: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # workshop
    teacher_capacity: Mapped[int | None] = mapped_column()
    equipment: Mapped[str | None] = mapped_column(Text)
    # training station
    partner_school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="SET NULL")
    )
    # master studio
    master_name: Mapped[str | None] = mapped_column(String(50))
    honour: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(10))

    enterprise: Mapped[Enterprise] = relationship(back_populates="hosts")
    region: Mapped[Region] = relationship()
    partner_school: Mapped[School | None] = relationship()
    occupations: Mapped[list[Occupation]] = relationship(
        secondary=host_occupation, order_by=Occupation.code
    )

    __mapper_args__ = {"polymorphic_on": "kind"}

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def occupation_codes(self) -> list[str]:
        return [o.code for o in self.occupations]

    def can_view(self, user: "User | None") -> bool:
        """Hosts of public enterprises are public; others follow the enterprise."""
        return self.enterprise.can_view(user)

    def can_edit(self, user: "User | None") -> bool:
        """Only those who may edit the enterprise may edit its hosts."""
        return self.enterprise.can_edit(user)


class Workshop(Host):
    """车间班组: a workshop or production team."""

    __mapper_args__ = {"polymorphic_identity": "workshop"}


class TrainingStation(Host):
    """企业培训工作站: an enterprise training workstation."""

    __mapper_args__ = {"polymorphic_identity": "training_station"}


class MasterStudio(Host):
    """技能大师工作室: a skill-master studio."""

    __mapper_args__ = {"polymorphic_identity": "master_studio"}


HOST_CLASSES = {
    "workshop": Workshop,
    "training_station": TrainingStation,
    "master_studio": MasterStudio,
}


TRAINING_LEVELS = ("intermediate", "advanced", "technician")

teacher_occupation = Table(
    "teacher_occupation",
    db.metadata,
    Column("teacher_id", ForeignKey("teacher.id", ondelete="CASCADE"), primary_key=True),
    Column("occupation_code", ForeignKey("occupation.code"), primary_key=True, index=True),
)


class SchoolMajor(TimestampMixin, db.Model):
    """A school's integrated major (工学一体化专业): a catalogue major at a training level."""

    __tablename__ = "school_major"
    __table_args__ = (
        UniqueConstraint("school_id", "major_id", "level", name="uq_school_major_level"),
        CheckConstraint("cohort_size >= 0", name="cohort_size_non_negative"),
        CheckConstraint("level IN ('intermediate','advanced','technician')", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    major_id: Mapped[int] = mapped_column(ForeignKey("major.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    cohort_size: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    school: Mapped[School] = relationship()
    major: Mapped[Major] = relationship()

    @property
    def region_code(self) -> str:
        return self.school.region_code

    def can_view(self, user) -> bool:
        """Visible with its school."""
        return self.school.can_view(user)

    def can_edit(self, user) -> bool:
        """The school's staff and its league's administrators edit it."""
        return self.school.can_edit(user)


class Teacher(TimestampMixin, db.Model):
    """A teacher's profile, linked to an account and confirmed by the school's staff."""

    __tablename__ = "teacher"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    school: Mapped[School] = relationship()
    user: Mapped[Optional["User"]] = relationship(foreign_keys=[user_id])
    occupations: Mapped[list[Occupation]] = relationship(
        secondary=teacher_occupation, order_by=Occupation.code
    )

    @property
    def region_code(self) -> str:
        return self.school.region_code

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def occupation_codes(self) -> list[str]:
        return [o.code for o in self.occupations]

    def is_self(self, user) -> bool:
        """True when the user is this teacher."""
        return bool(user and getattr(user, "is_authenticated", False) and user.id == self.user_id)

    def can_view(self, user) -> bool:
        """The teacher, the school's staff and its league's administrators."""
        return self.is_self(user) or self.school.can_edit(user)

    def can_edit(self, user) -> bool:
        """The teacher edits the profile; staff confirm it."""
        return self.is_self(user) or self.school.can_edit(user)


# Teacher lists: pending profiles first, then by name. The index covers that order (and the
# columns the lists filter on), so a deep page's ids come from an index-only walk.
TEACHER_ORDER = (
    case((Teacher.confirmed_at.is_(None), literal_column("0")), else_=literal_column("1")),
    Teacher.name,
    Teacher.id,
)
Index(
    "ix_teacher_list_order",
    # TEACHER_ORDER's first key, spelt as PostgreSQL prints it back (so migrations compare equal)
    text("(\nCASE\n    WHEN confirmed_at IS NULL THEN 0\n    ELSE 1\nEND)"),
    Teacher.name,
    Teacher.id,
    Teacher.confirmed_at,
    Teacher.school_id,
)


CLAIM_KINDS = ("enterprise", "school", "teacher")
CLAIM_STATUSES = ("pending", "approved", "rejected")


class Claim(TimestampMixin, db.Model):
    """A person's request to take over an existing record: an organisation without members
    (decided by its league's administrators) or an imported teacher record (by the school)."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("kind IN ('enterprise','school','teacher')", name="kind_known"),
        CheckConstraint("status IN ('pending','approved','rejected')", name="status_known"),
        CheckConstraint("(school_id IS NULL) <> (enterprise_id IS NULL)", name="one_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    #: The name the claimant gave (an organisation's, or the teacher's own).
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    school: Mapped[Optional["School"]] = relationship()
    enterprise: Mapped[Optional["Enterprise"]] = relationship()

    @property
    def organisation(self):
        return self.school or self.enterprise

    @property
    def region_code(self) -> str:
        return self.organisation.region_code

"""Teaching resources and training: resource packages with their review, shared venues and
bookings, training programmes, skill certification records and supervision visits."""

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import TimestampMixin
from app.common.time import local_today, utcnow
from app.extensions import db
from app.reference.models import Occupation, Region
from app.registry.models import Enterprise, Host, School, SchoolMajor

RESOURCE_KINDS = ("textbook", "workbook", "case_library", "courseware", "video")
RESOURCE_ORIGINS = ("written", "selected")
RESOURCE_STATUSES = ("draft", "submitted", "under_review", "approved", "returned", "rejected")
REVIEW_ACTIONS = ("submit", "start", "comment", "approve", "revise", "reject")
VENUE_KINDS = ("public_training_base", "high_skill_base", "enterprise_host")
OWNER_KINDS = ("enterprise", "school", "region")
BOOKING_STATUSES = ("pending", "confirmed", "declined", "cancelled")
BLOCKING_BOOKING_STATUSES = ("pending", "confirmed")
TRAINING_KINDS = ("apprenticeship", "urgent_occupation", "high_skill")
TRAINEE_OUTCOMES = ("in_training", "completed", "certified", "withdrawn")
SKILL_LEVELS = ("level_5", "level_4", "level_3", "level_2", "level_1")
CERT_OUTCOMES = ("passed", "failed")
CERTIFIER_KINDS = ("school", "enterprise")
#: The basis of a certification: the integrated-major route (视同认定, a graduate of a selected
#: integrated major who passes) or an examination.
CERT_BASES = ("route", "examination")
ACTION_STATUSES = ("open", "answered", "closed")


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _school_staff(user, school_id: int) -> bool:
    return _signed_in(user) and user.role == "school" and user.school_id == school_id


def _enterprise_staff(user, enterprise_id: int | None) -> bool:
    return (
        _signed_in(user)
        and enterprise_id is not None
        and user.role == "enterprise"
        and user.enterprise_id == enterprise_id
    )


def _in_sql(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# --- resource packages ---------------------------------------------------------------------

resource_item_enterprise = Table(
    "resource_item_enterprise",
    db.metadata,
    Column("item_id", ForeignKey("resource_item.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_resource_item_enterprise_enterprise", "enterprise_id"),
)


class ReviewPanelMember(TimestampMixin, db.Model):
    """An account an administrator appointed to the resource review panel."""

    __tablename__ = "review_panel_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    appointed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User", foreign_keys=[user_id])


def is_reviewer(user) -> bool:
    """Region administrators and appointed panel members review resources."""
    if not _signed_in(user):
        return False
    if user.role == "region_admin":
        return True
    return (
        db.session.scalar(
            db.select(ReviewPanelMember.id).where(ReviewPanelMember.user_id == user.id)
        )
        is not None
    )


class ResourceItem(TimestampMixin, db.Model):
    """One item of an integrated major's teaching resource package."""

    __tablename__ = "resource_item"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in_sql(RESOURCE_KINDS)})", name="kind_known"),
        CheckConstraint(f"status IN ({_in_sql(RESOURCE_STATUSES)})", name="status_known"),
        CheckConstraint(
            f"origin IS NULL OR origin IN ({_in_sql(RESOURCE_ORIGINS)})", name="origin_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(10))
    authors: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str] = mapped_column(String(20), default="1.0")
    description: Mapped[str | None] = mapped_column(Text)
    share: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(15), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    school_major: Mapped[SchoolMajor] = relationship()
    partners: Mapped[list[Enterprise]] = relationship(
        secondary=resource_item_enterprise, order_by=Enterprise.name
    )
    files: Mapped[list["ResourceFile"]] = relationship(
        back_populates="item", order_by="ResourceFile.number.desc()", cascade="all, delete-orphan"
    )
    reviews: Mapped[list["ResourceReview"]] = relationship(
        back_populates="item", order_by="ResourceReview.id", cascade="all, delete-orphan"
    )

    @property
    def school(self) -> School:
        return self.school_major.school

    @property
    def region_code(self) -> str:
        return self.school_major.region_code

    @property
    def needs_review(self) -> bool:
        """凡编必审、凡选必审: textbooks and shared items pass review before use."""
        return self.kind == "textbook" or self.share

    @property
    def editable(self) -> bool:
        """Drafts and items returned for revision may change."""
        return self.status in ("draft", "returned")

    def is_own(self, user) -> bool:
        """The school's staff and its teachers."""
        if not _signed_in(user) or user.school_id != self.school_major.school_id:
            return False
        return user.role in ("school", "teacher")

    def is_partner(self, user) -> bool:
        """Staff of a partner enterprise credited as co-author."""
        return (
            _signed_in(user)
            and user.role == "enterprise"
            and any(e.id == user.enterprise_id for e in self.partners)
        )

    def can_view(self, user) -> bool:
        """Approved items: every signed-in user; others: own school, partners, admins, panel."""
        if not _signed_in(user):
            return False
        if self.status == "approved" or self.is_own(user) or self.is_partner(user):
            return True
        if user.administers_region(self.region_code):
            return True
        return self.status in ("submitted", "under_review", "returned", "rejected") and is_reviewer(
            user
        )

    def can_edit(self, user) -> bool:
        """The school's staff change the item and submit it."""
        return _school_staff(user, self.school_major.school_id)

    def can_contribute(self, user) -> bool:
        """The school's staff and partner enterprises add files."""
        return self.can_edit(user) or self.is_partner(user)

    def can_review(self, user) -> bool:
        """Reviewers, except members of the item's own school or partners."""
        return is_reviewer(user) and not self.is_own(user) and not self.is_partner(user)


class ResourceFile(db.Model):
    """One uploaded file of an item; each upload is a new numbered version, never overwritten."""

    __tablename__ = "resource_file"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_resource_file_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("resource_item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    file_type: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(db.BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[ResourceItem] = relationship(back_populates="files")
    uploaded_by = relationship("User")


class ResourceReview(db.Model):
    """One step of an item's history: submission, comment or decision, with its comment."""

    __tablename__ = "resource_review"
    __table_args__ = (
        CheckConstraint(f"action IN ({_in_sql(REVIEW_ACTIONS)})", name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("resource_item.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    from_status: Mapped[str] = mapped_column(String(15))
    to_status: Mapped[str] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[ResourceItem] = relationship(back_populates="reviews")
    actor = relationship("User")


# --- venues and bookings -------------------------------------------------------------------


class Venue(TimestampMixin, db.Model):
    """A shared training venue with its equipment and capacity."""

    __tablename__ = "venue"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in_sql(VENUE_KINDS)})", name="kind_known"),
        CheckConstraint(f"owner_kind IN ({_in_sql(OWNER_KINDS)})", name="owner_kind_known"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "(owner_kind = 'enterprise' AND enterprise_id IS NOT NULL AND school_id IS NULL)"
            " OR (owner_kind = 'school' AND school_id IS NOT NULL AND enterprise_id IS NULL)"
            " OR (owner_kind = 'region' AND school_id IS NULL AND enterprise_id IS NULL)",
            name="owner_consistent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(25), index=True)
    owner_kind: Mapped[str] = mapped_column(String(10))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True
    )
    host_id: Mapped[int | None] = mapped_column(ForeignKey("host.id", ondelete="SET NULL"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    equipment: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    enterprise: Mapped[Enterprise | None] = relationship()
    school: Mapped[School | None] = relationship()
    host: Mapped[Host | None] = relationship()
    region: Mapped[Region] = relationship()

    @property
    def owner_name(self) -> str:
        if self.enterprise is not None:
            return self.enterprise.name
        if self.school is not None:
            return self.school.name
        return self.region.name

    def can_view(self, user) -> bool:
        """Venues are listed publicly."""
        return True

    def can_edit(self, user) -> bool:
        """The owning organisation's staff, or the league's administrators."""
        if not _signed_in(user):
            return False
        if _enterprise_staff(user, self.enterprise_id):
            return True
        if self.school_id is not None and _school_staff(user, self.school_id):
            return True
        return user.administers_region(self.region_code)


class Booking(TimestampMixin, db.Model):
    """A school's booking of a venue for [starts_at, ends_at); overlaps are refused by the DB."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_ordered"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint(f"status IN ({_in_sql(BOOKING_STATUSES)})", name="status_known"),
        Index("ix_booking_venue_period", "venue_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(300))
    headcount: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    booked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(500))

    venue: Mapped[Venue] = relationship()
    school: Mapped[School] = relationship()

    @property
    def region_code(self) -> str:
        return self.venue.region_code

    def can_view(self, user) -> bool:
        """The booking school's staff and the venue's managers."""
        return _school_staff(user, self.school_id) or self.venue.can_edit(user)

    def can_decide(self, user) -> bool:
        """The venue's owner confirms or declines."""
        return self.venue.can_edit(user)

    def can_cancel(self, user) -> bool:
        """The booking school cancels."""
        return _school_staff(user, self.school_id)


#: PostgreSQL: the exclusion constraint needs btree_gist for the `venue_id WITH =` part.
BOOKING_PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
BOOKING_PG_EXCLUDE = (
    "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
    "(venue_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
    "WHERE (status IN ('pending','confirmed'))"
)
BOOKING_PG_EXCLUDE_DROP = "ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_no_overlap"
_SQLITE_OVERLAP = (
    "SELECT RAISE(ABORT, 'booking_no_overlap') WHERE NEW.status IN ('pending','confirmed') "
    "AND EXISTS (SELECT 1 FROM booking b WHERE b.venue_id = NEW.venue_id AND b.id IS NOT NEW.id "
    "AND b.status IN ('pending','confirmed') "
    "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at);"
)
#: SQLite: triggers refuse an overlapping pending/confirmed booking of the same venue.
BOOKING_SQLITE_INSERT_TRIGGER = (
    f"CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking BEGIN {_SQLITE_OVERLAP} END"
)
BOOKING_SQLITE_UPDATE_TRIGGER = (
    f"CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE ON booking BEGIN {_SQLITE_OVERLAP} END"
)
BOOKING_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update",
)

event.listen(
    Booking.__table__,
    "before_create",
    DDL(BOOKING_PG_EXTENSION).execute_if(dialect="postgresql"),
)
event.listen(
    Booking.__table__, "after_create", DDL(BOOKING_PG_EXCLUDE).execute_if(dialect="postgresql")
)
for _ddl in (BOOKING_SQLITE_INSERT_TRIGGER, BOOKING_SQLITE_UPDATE_TRIGGER):
    event.listen(Booking.__table__, "after_create", DDL(_ddl).execute_if(dialect="sqlite"))


# --- training programmes -------------------------------------------------------------------


class TrainingProgramme(TimestampMixin, db.Model):
    """Vocational training run at a training station or master studio."""

    __tablename__ = "training_programme"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in_sql(TRAINING_KINDS)})", name="kind_known"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    partner_school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="SET NULL"), index=True
    )
    masters: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    host: Mapped[Host] = relationship()
    occupation: Mapped[Occupation] = relationship()
    partner_school: Mapped[School | None] = relationship()
    trainees: Mapped[list["Trainee"]] = relationship(
        back_populates="programme", order_by="Trainee.id", cascade="all, delete-orphan"
    )

    @property
    def region_code(self) -> str:
        return self.host.region_code

    def can_view(self, user) -> bool:
        """Visible with its host."""
        return self.host.can_view(user)

    def can_edit(self, user) -> bool:
        """The host's enterprise and its league's administrators."""
        return self.host.can_edit(user)

    def can_see_trainees(self, user) -> bool:
        """Trainees' names: editors and the partner school's staff."""
        if self.can_edit(user):
            return True
        return self.partner_school_id is not None and _school_staff(user, self.partner_school_id)


class Trainee(TimestampMixin, db.Model):
    """A trainee of a programme (no national ID number is stored) and the outcome."""

    __tablename__ = "trainee"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_in_sql(TRAINEE_OUTCOMES)})", name="outcome_known"),
        CheckConstraint(f"level IS NULL OR level IN ({_in_sql(SKILL_LEVELS)})", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("training_programme.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(15), default="in_training")
    level: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(300))

    programme: Mapped[TrainingProgramme] = relationship(back_populates="trainees")

    @property
    def region_code(self) -> str:
        return self.programme.region_code


# --- skill certification -------------------------------------------------------------------


class Certification(TimestampMixin, db.Model):
    """A graduate's skill certification at one of the five levels, and who certified it."""

    __tablename__ = "certification"
    __table_args__ = (
        CheckConstraint(f"level IN ({_in_sql(SKILL_LEVELS)})", name="level_known"),
        CheckConstraint(f"outcome IN ({_in_sql(CERT_OUTCOMES)})", name="outcome_known"),
        CheckConstraint(f"basis IN ({_in_sql(CERT_BASES)})", name="basis_known"),
        CheckConstraint(
            "(certifier_kind = 'school' AND enterprise_id IS NULL)"
            " OR (certifier_kind = 'enterprise' AND enterprise_id IS NOT NULL)",
            name="certifier_consistent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    graduate_name: Mapped[str] = mapped_column(String(50))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
    certified_on: Mapped[date] = mapped_column(Date)
    certificate_no: Mapped[str | None] = mapped_column(String(50))
    basis: Mapped[str] = mapped_column(
        String(12), default="examination", server_default="examination"
    )
    certifier_kind: Mapped[str] = mapped_column(String(10))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    school_major: Mapped[SchoolMajor] = relationship()
    occupation: Mapped[Occupation] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def region_code(self) -> str:
        return self.school_major.region_code

    def can_view(self, user) -> bool:
        """The school, the certifying enterprise and the league's administrators."""
        if not _signed_in(user):
            return False
        return (
            _school_staff(user, self.school_major.school_id)
            or _enterprise_staff(user, self.enterprise_id)
            or user.administers_region(self.region_code)
        )


# --- supervision ---------------------------------------------------------------------------


class SupervisionVisit(TimestampMixin, db.Model):
    """An administrator's supervision visit to a school, with findings."""

    __tablename__ = "supervision_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    school: Mapped[School] = relationship()
    recorded_by = relationship("User")
    actions: Mapped[list["SupervisionAction"]] = relationship(
        back_populates="visit", order_by="SupervisionAction.id", cascade="all, delete-orphan"
    )

    @property
    def region_code(self) -> str:
        return self.school.region_code

    def can_view(self, user) -> bool:
        """The school's staff and the league's administrators."""
        return _school_staff(user, self.school_id) or self.can_edit(user)

    def can_edit(self, user) -> bool:
        """Administrators of the school's league."""
        return _signed_in(user) and user.administers_region(self.region_code)


class SupervisionAction(TimestampMixin, db.Model):
    """A required action from a visit: the school answers, an administrator closes it."""

    __tablename__ = "supervision_action"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in_sql(ACTION_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_visit.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    visit: Mapped[SupervisionVisit] = relationship(back_populates="actions")

    @property
    def region_code(self) -> str:
        return self.visit.region_code

    @property
    def overdue(self) -> bool:
        return self.status == "open" and self.due_on < local_today()

    def can_view(self, user) -> bool:
        """As the visit."""
        return self.visit.can_view(user)

    def can_answer(self, user) -> bool:
        """The school's staff answer until the action is closed."""
        return self.status != "closed" and _school_staff(user, self.visit.school_id)

    def can_close(self, user) -> bool:
        """The league's administrators close it."""
        return self.status != "closed" and self.visit.can_edit(user)

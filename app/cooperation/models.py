"""Cooperation records: what enterprises offer, what schools and teachers ask for, and what
was agreed. Places are counted in `*_taken` columns that the database keeps within bounds."""

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.common.models import TimestampMixin
from app.extensions import db
from app.reference.models import Occupation
from app.registry.models import Enterprise, Host, SchoolMajor, Teacher

MODES = ("enterprise_in_school", "school_in_enterprise", "linkage", "enterprise_run")
POSTING_STATUSES = ("draft", "open", "closed")
REQUEST_STATUSES = ("submitted", "returned", "endorsed", "matched", "withdrawn")
#: Pairing requests still looking for partners (rounds and direct proposals use these).
OPEN_REQUEST_STATUSES = ("submitted", "endorsed")
PAIRING_STATUSES = ("active", "ended")
# Applications the hosts' side may see: endorsed by the school (or already matched).
SHOWN_TO_HOSTS = ("endorsed", "matched")
PRACTICE_STATUSES = ("ongoing", "completed")
PROPOSAL_DIRECTIONS = ("to_request", "to_offer")
PROPOSAL_STATUSES = ("pending", "accepted", "declined")
#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_certificate_no() -> str:
    """A certificate number with a random, unguessable part: GX-XXXX-XXXX-XXXX (about 59 bits)."""
    body = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(12))
    return f"GX-{body[:4]}-{body[4:8]}-{body[8:]}"


offer_occupation = Table(
    "offer_occupation",
    db.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("occupation_code", ForeignKey("occupation.code"), primary_key=True, index=True),
)
placement_occupation = Table(
    "placement_occupation",
    db.metadata,
    Column("placement_id", ForeignKey("placement.id", ondelete="CASCADE"), primary_key=True),
    Column("occupation_code", ForeignKey("occupation.code"), primary_key=True, index=True),
)
pairing_request_occupation = Table(
    "pairing_request_occupation",
    db.metadata,
    Column(
        "pairing_request_id", ForeignKey("pairing_request.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("occupation_code", ForeignKey("occupation.code"), primary_key=True, index=True),
)


def approved_enterprise_user(user) -> bool:
    """True for an enterprise account whose enterprise is approved."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role != "enterprise" or user.enterprise_id is None:
        return False
    enterprise = db.session.get(Enterprise, user.enterprise_id)
    return enterprise is not None and enterprise.status == "approved"


class Period:
    """starts_on / ends_on columns with ends_on ≥ starts_on enforced by the database."""

    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    def overlaps(self, other: "Period") -> bool:
        """True when the two periods share at least one day."""
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


class HostPosting(Period, TimestampMixin):
    """What an enterprise posts on one of its hosts: an offer or a placement."""

    @declared_attr
    def host_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def host(cls) -> Mapped[Host]:
        return relationship(Host)

    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)

    @property
    def region_code(self) -> str:
        return self.host.region_code

    def can_view(self, user) -> bool:
        """Posted ones are public with their host; drafts only to the owner and admins."""
        if self.status == "draft":
            return self.can_edit(user)
        return self.host.can_view(user)

    def can_edit(self, user) -> bool:
        """Those who may edit the host."""
        return self.host.can_edit(user)


class Offer(HostPosting, db.Model):
    """合作意向: an enterprise host offers to pair with `slots` integrated majors."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("slots >= 0", name="slots_non_negative"),
        CheckConstraint("slots_taken >= 0 AND slots_taken <= slots", name="slots_taken_in_bounds"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("status IN ('draft','open','closed')", name="status_known"),
        CheckConstraint(
            "mode IN ('enterprise_in_school','school_in_enterprise','linkage','enterprise_run')",
            name="mode_known",
        ),
        Index("ix_offer_status_starts_on", "status", "starts_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(30))
    slots: Mapped[int] = mapped_column(default=1)
    slots_taken: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(Text)

    occupations: Mapped[list[Occupation]] = relationship(
        secondary=offer_occupation, order_by=Occupation.code
    )

    @property
    def free(self) -> int:
        return self.slots - self.slots_taken


class Placement(HostPosting, db.Model):
    """教师企业实践岗位: seats for teachers' enterprise practice at a host."""

    __tablename__ = "placement"
    __table_args__ = (
        CheckConstraint("seats >= 0", name="seats_non_negative"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_taken_in_bounds"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("status IN ('draft','open','closed')", name="status_known"),
        # covers the public list's order, so a deep page reads keys from the index only
        Index("ix_placement_status_starts_on", "status", "starts_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(default=1)
    seats_taken: Mapped[int] = mapped_column(default=0)
    requirements: Mapped[str | None] = mapped_column(Text)

    occupations: Mapped[list[Occupation]] = relationship(
        secondary=placement_occupation, order_by=Occupation.code
    )

    @property
    def free(self) -> int:
        return self.seats - self.seats_taken


# covers the administrators' placement list (newest first, any host): ids from the index only
Index(
    "ix_placement_starts_on_id",
    Placement.starts_on.desc(),
    Placement.id,
    Placement.status,
    Placement.host_id,
)


class PairingRequest(Period, TimestampMixin, db.Model):
    """结对申请: a school asks to pair one of its integrated majors with enterprise hosts."""

    __tablename__ = "pairing_request"
    __table_args__ = (
        CheckConstraint("wanted >= 1", name="wanted_positive"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint(
            "status IN ('submitted','returned','endorsed','matched','withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    preferred_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    wanted: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)

    school_major: Mapped[SchoolMajor] = relationship()
    occupations: Mapped[list[Occupation]] = relationship(
        secondary=pairing_request_occupation, order_by=Occupation.code
    )

    @property
    def region_code(self) -> str:
        return self.school_major.region_code

    def can_view(self, user) -> bool:
        """The school's staff and its league's administrators; open requests also to the staff
        of approved enterprises, who may propose an offer to them."""
        if self.school_major.school.can_edit(user):
            return True
        return self.status in OPEN_REQUEST_STATUSES and approved_enterprise_user(user)

    def can_edit(self, user) -> bool:
        """The school's staff and its league's administrators."""
        return self.school_major.school.can_edit(user)


class Application(Period, TimestampMixin, db.Model):
    """A teacher's application for enterprise practice with up to five ranked placements."""

    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint(
            "status IN ('submitted','returned','endorsed','matched','withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    endorsed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    endorsed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    teacher: Mapped[Teacher] = relationship()
    choices: Mapped[list["ApplicationChoice"]] = relationship(
        back_populates="application",
        order_by="ApplicationChoice.rank",
        cascade="all, delete-orphan",
    )

    @property
    def region_code(self) -> str:
        return self.teacher.region_code

    @property
    def placement_ids(self) -> list[int]:
        return [c.placement_id for c in self.choices]

    def can_view(self, user) -> bool:
        """The teacher, the school's staff and its league's admins; once endorsed, also the
        owners (and their league's admins) of a chosen placement."""
        return self.teacher.can_view(user) or bool(self.visible_choices(user))

    def visible_choices(self, user) -> list["ApplicationChoice"]:
        """All ranked choices for the teacher's side; a host's side sees only its own
        placements, and only once the school has endorsed the application."""
        if self.teacher.can_view(user):
            return list(self.choices)
        if self.status not in SHOWN_TO_HOSTS:
            return []
        return [c for c in self.choices if c.placement.can_edit(user)]

    def can_edit(self, user) -> bool:
        """Only the teacher changes or withdraws the application."""
        return self.teacher.is_self(user)


class ApplicationChoice(db.Model):
    """One ranked placement (1 = first choice) of an application."""

    __tablename__ = "application_choice"
    __table_args__ = (
        UniqueConstraint("application_id", "rank", name="uq_application_choice_rank"),
        UniqueConstraint("application_id", "placement_id", name="uq_application_choice_placement"),
        CheckConstraint("rank BETWEEN 1 AND 5", name="rank_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column()

    application: Mapped[Application] = relationship(back_populates="choices")
    placement: Mapped[Placement] = relationship()


class Pairing(TimestampMixin, db.Model):
    """结对: an integrated major agreed to work with an enterprise host under an offer."""

    __tablename__ = "pairing"
    __table_args__ = (
        UniqueConstraint("school_major_id", "offer_id", name="uq_pairing_major_offer"),
        CheckConstraint("status IN ('active','ended')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    pairing_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing_request.id", ondelete="SET NULL")
    )
    match_id: Mapped[int | None] = mapped_column(ForeignKey("match.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    school_major: Mapped[SchoolMajor] = relationship()
    offer: Mapped[Offer] = relationship()

    @property
    def region_code(self) -> str:
        return self.school_major.region_code

    def can_view(self, user) -> bool:
        """Both partners and the administrators of either league."""
        return self.school_major.can_edit(user) or self.offer.can_edit(user)

    def can_edit(self, user) -> bool:
        """Both partners may end it."""
        return self.can_view(user)


class Practice(TimestampMixin, db.Model):
    """A teacher's practice stint at a placement; days are logged and confirmed by the host."""

    __tablename__ = "practice"
    __table_args__ = (
        UniqueConstraint("application_id", name="uq_practice_application"),
        CheckConstraint("status IN ('ongoing','completed')", name="status_known"),
        CheckConstraint("days_confirmed >= 0", name="days_confirmed_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )
    match_id: Mapped[int | None] = mapped_column(ForeignKey("match.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="ongoing", index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    days_confirmed: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    certificate_no: Mapped[str] = mapped_column(String(24), unique=True, default=new_certificate_no)

    teacher: Mapped[Teacher] = relationship()
    placement: Mapped[Placement] = relationship()
    entries: Mapped[list["PracticeEntry"]] = relationship(
        back_populates="practice", order_by="PracticeEntry.on_date", cascade="all, delete-orphan"
    )

    @property
    def region_code(self) -> str:
        return self.teacher.region_code

    def can_view(self, user) -> bool:
        """The teacher, the school's staff, the host's owner and the administrators."""
        return self.teacher.can_view(user) or self.placement.can_edit(user)

    def can_edit(self, user) -> bool:
        """The teacher logs days; the host's owner confirms them."""
        return self.teacher.is_self(user)


class PracticeEntry(TimestampMixin, db.Model):
    """One logged day (or part of a day) of practice."""

    __tablename__ = "practice_entry"
    __table_args__ = (UniqueConstraint("practice_id", "on_date", name="uq_practice_entry_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)

    practice: Mapped[Practice] = relationship(back_populates="entries")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view of the entry."""
        return {
            "on_date": self.on_date.isoformat(),
            "description": self.description,
            "confirmed": self.confirmed,
        }


class Proposal(TimestampMixin, db.Model):
    """结对提议: an enterprise proposes an offer to a pairing request (`to_request`), or a school
    proposes one of its majors to an offer (`to_offer`); the other side accepts or declines."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("direction IN ('to_request','to_offer')", name="direction_known"),
        CheckConstraint("status IN ('pending','accepted','declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(10))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    pairing_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing_request.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairing.id", ondelete="SET NULL"))

    offer: Mapped[Offer] = relationship()
    school_major: Mapped[SchoolMajor] = relationship()
    pairing_request: Mapped[PairingRequest | None] = relationship()

    @property
    def school_id(self) -> int:
        return self.school_major.school_id

    @property
    def enterprise_id(self) -> int:
        return self.offer.host.enterprise_id

    @property
    def answering_side(self) -> str:
        """Who answers: the school for an offer proposed to it, the enterprise otherwise."""
        return "school" if self.direction == "to_request" else "enterprise"

    def can_view(self, user) -> bool:
        """Both sides and the administrators of either league."""
        return self.school_major.school.can_edit(user) or self.offer.can_edit(user)

    def can_edit(self, user) -> bool:
        """Both sides (the receiving side answers)."""
        return self.can_view(user)


AGREEMENT_SUBJECTS = ("pairing", "practice", "programme")
AGREEMENT_STATES = ("pending", "active", "superseded")
AGREEMENT_PARTIES = ("school", "enterprise", "teacher")


class Agreement(TimestampMixin, db.Model):
    """合作协议: the written agreement of a pairing, a teacher's practice or a training programme.

    Each version is a row; a new version points to the one it replaces (`previous_id`) and,
    once every party has confirmed it, becomes `active` while the old one is `superseded`.
    """

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint("subject IN ('pairing','practice','programme')", name="subject_known"),
        CheckConstraint("state IN ('pending','active','superseded')", name="state_known"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(subject = 'pairing' AND pairing_id IS NOT NULL AND practice_id IS NULL "
            "AND programme_id IS NULL) OR (subject = 'practice' AND practice_id IS NOT NULL "
            "AND pairing_id IS NULL AND programme_id IS NULL) OR (subject = 'programme' AND "
            "programme_id IS NOT NULL AND pairing_id IS NULL AND practice_id IS NULL)",
            name="one_subject",
        ),
        UniqueConstraint("previous_id", name="uq_agreement_previous"),
        UniqueConstraint("pairing_id", "version", name="uq_agreement_pairing_version"),
        UniqueConstraint("practice_id", "version", name="uq_agreement_practice_version"),
        UniqueConstraint("programme_id", "version", name="uq_agreement_programme_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10), index=True)
    pairing_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_programme.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    terms: Mapped[str] = mapped_column(Text)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="SET NULL"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id", ondelete="SET NULL"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    file_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    file_original_name: Mapped[str | None] = mapped_column(String(255))
    file_content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column()
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_notice_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    pairing: Mapped[Pairing | None] = relationship()
    practice: Mapped[Practice | None] = relationship()
    programme = relationship("TrainingProgramme")
    school = relationship("School")
    enterprise = relationship("Enterprise")
    teacher: Mapped[Teacher | None] = relationship()
    previous: Mapped["Agreement | None"] = relationship(remote_side="Agreement.id")
    parties: Mapped[list["AgreementParty"]] = relationship(
        back_populates="agreement", order_by="AgreementParty.id", cascade="all, delete-orphan"
    )

    @property
    def subject_object(self):
        return getattr(self, self.subject)

    @property
    def has_file(self) -> bool:
        return self.file_stored_name is not None

    def party_of(self, user) -> str | None:
        """The party the user speaks for: 'school', 'enterprise', 'teacher', or None."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        if user.role == "school" and user.school_id and user.school_id == self.school_id:
            return "school"
        if (
            user.role == "enterprise"
            and user.enterprise_id
            and user.enterprise_id == self.enterprise_id
        ):
            return "enterprise"
        if user.role == "teacher" and self.teacher is not None and self.teacher.is_self(user):
            return "teacher"
        return None

    def can_view(self, user) -> bool:
        """The parties and the administrators of the agreement's league."""
        if self.party_of(user) is not None:
            return True
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.administers_region(self.region_code)
        )

    def can_edit(self, user) -> bool:
        """The school's and the enterprise's staff prepare it and upload the scan."""
        return self.party_of(user) in ("school", "enterprise")


class AgreementParty(db.Model):
    """One party of an agreement version and its confirmation in the platform."""

    __tablename__ = "agreement_party"
    __table_args__ = (
        UniqueConstraint("agreement_id", "party", name="uq_agreement_party"),
        CheckConstraint("party IN ('school','enterprise','teacher')", name="party_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(10))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    agreement: Mapped[Agreement] = relationship(back_populates="parties")


#: What each occasion rates, on a scale of 1–5 per criterion.
FEEDBACK_CRITERIA = {
    "placement": ("guidance", "learning", "conditions"),
    "practice": ("attitude", "skill", "contribution"),
    "pairing_year": ("communication", "commitment", "results"),
    "pairing_end": ("communication", "commitment", "results"),
}
FEEDBACK_OCCASIONS = tuple(FEEDBACK_CRITERIA)
FEEDBACK_SIDES = ("teacher", "school", "enterprise")
FEEDBACK_EDIT_DAYS = 14


class Feedback(TimestampMixin, db.Model):
    """评价反馈: one person's rating on one occasion — a teacher rates the placement and the
    enterprise the teacher's practice once it completes; school and enterprise rate a pairing
    once a year and when it ends. `occasion_key` names the occasion, unique per author."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("author_id", "occasion_key", name="uq_feedback_author_occasion"),
        CheckConstraint(
            "occasion IN ('placement','practice','pairing_year','pairing_end')",
            name="occasion_known",
        ),
        CheckConstraint("side IN ('teacher','school','enterprise')", name="side_known"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occasion: Mapped[str] = mapped_column(String(15), index=True)
    occasion_key: Mapped[str] = mapped_column(String(60))
    side: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    pairing_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing.id", ondelete="CASCADE"), index=True
    )
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer.id", ondelete="SET NULL"), index=True
    )
    year: Mapped[int | None] = mapped_column()
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    score: Mapped[float] = mapped_column()
    comment: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"), index=True)

    host: Mapped[Host] = relationship()
    practice: Mapped[Practice | None] = relationship()
    pairing: Mapped[Pairing | None] = relationship()

    @property
    def criteria(self) -> tuple[str, ...]:
        return FEEDBACK_CRITERIA[self.occasion]

    def editable_until(self) -> datetime:
        """The last moment the author may change the answer."""
        from datetime import UTC, timedelta

        created = self.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return created + timedelta(days=FEEDBACK_EDIT_DAYS)

    def can_view(self, user) -> bool:
        """Only the author sees an individual answer and its comment."""
        return bool(user is not None and getattr(user, "id", None) == self.author_id)

    def can_edit(self, user) -> bool:
        """Only the author edits it (within 14 days, checked by the service)."""
        return self.can_view(user)

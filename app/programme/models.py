"""Programme models: phases and batches, targets, teacher development and evaluations."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import TimestampMixin
from app.common.time import utcnow
from app.extensions import db
from app.reference.models import Occupation, Region
from app.registry.models import Enterprise, School, SchoolMajor, Teacher

#: A batch application's life: the league recommends or returns it, the region selects or
#: rejects a recommended one, an upheld objection withdraws a selection; then construction.
APPLICATION_STATUSES = (
    "submitted",
    "returned",
    "recommended",
    "rejected",
    "withdrawn",
    "selected",
    "under_construction",
    "assessed",
    "demonstration",
)
#: Statuses that count as "selected" for the targets (selected or any later stage).
SELECTED_STATUSES = ("selected", "under_construction", "assessed", "demonstration")
#: The next construction stage of a selected major.
NEXT_STAGE = {
    "selected": "under_construction",
    "under_construction": "assessed",
    "assessed": "demonstration",
}
TARGET_KEYS = ("majors", "schools", "teachers")
TEACHER_STATUSES = ("none", "trained", "certified")
QUALIFIED_STATUSES = ("trained", "certified")
EVALUATION_CATEGORIES = ("quality_classroom", "boutique_course", "demonstration_major")
NOMINATION_STATUSES = ("submitted", "scored", "published")
OBJECTION_STATUSES = ("open", "upheld", "dismissed")
#: Working days a public notice lasts unless the region administrator says otherwise.
NOTICE_DAYS = 5


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


class Phase(TimestampMixin, db.Model):
    """阶段: a period of the programme (the plan's three phases are seeded)."""

    __tablename__ = "programme_phase"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)

    batches: Mapped[list["Batch"]] = relationship(back_populates="phase", order_by="Batch.opens_on")


class Batch(TimestampMixin, db.Model):
    """批次: a window in a phase when schools apply their integrated majors."""

    __tablename__ = "programme_batch"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="period_ordered"),
        CheckConstraint("limit_technician_college >= 0", name="limit_tc_non_negative"),
        CheckConstraint("limit_other >= 0", name="limit_other_non_negative"),
        CheckConstraint(
            "demonstration_threshold IS NULL OR demonstration_threshold BETWEEN 0 AND 100",
            name="threshold_in_range",
        ),
        UniqueConstraint("phase_id", "name", name="uq_programme_batch_phase_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("programme_phase.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    limit_technician_college: Mapped[int] = mapped_column(default=3)
    limit_other: Mapped[int] = mapped_column(default=2)
    #: The public notice (公示) of the batch's selection: first and last day (Beijing days).
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    notice_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The mean assessment score (0–100) a major of this batch needs to become a demonstration
    #: major; None until the region administrator sets it (demonstration is refused until then).
    demonstration_threshold: Mapped[float | None] = mapped_column(Float)

    phase: Mapped[Phase] = relationship(back_populates="batches")

    def notice_running(self, today: date) -> bool:
        """True while the public notice is on (objections may be lodged)."""
        return bool(self.notice_starts_on and self.notice_starts_on <= today <= self.notice_ends_on)

    def notice_over(self, today: date) -> bool:
        """True once the notice period has ended."""
        return bool(self.notice_ends_on and self.notice_ends_on < today)

    def is_open(self, today: date) -> bool:
        """True while schools may apply."""
        return self.opens_on <= today <= self.closes_on

    def limit_for(self, school_kind: str) -> int:
        """How many majors a school of this kind may apply in this batch."""
        if school_kind == "technician_college":
            return self.limit_technician_college
        return self.limit_other


class BatchApplication(TimestampMixin, db.Model):
    """A school's integrated major applied to a batch, then selected and built.

    `slot` numbers a school's applications in a batch (1..limit); the unique constraint on
    (batch, school, slot) makes two concurrent applications unable to take the same place.
    """

    __tablename__ = "programme_batch_application"
    __table_args__ = (
        UniqueConstraint(
            "batch_id", "school_major_id", name="uq_programme_batch_application_major"
        ),
        UniqueConstraint(
            "batch_id", "school_id", "slot", name="uq_programme_batch_application_slot"
        ),
        CheckConstraint("slot >= 1", name="slot_positive"),
        CheckConstraint(_in("status", APPLICATION_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: The league's recommendation (or return) and its reason.
    recommendation_reason: Mapped[str | None] = mapped_column(Text)
    recommended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recommended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    batch: Mapped[Batch] = relationship()
    school: Mapped[School] = relationship()
    school_major: Mapped[SchoolMajor] = relationship()

    @property
    def region_code(self) -> str:
        return self.school.region_code

    @property
    def is_selected(self) -> bool:
        return self.status in SELECTED_STATUSES

    def can_view(self, user) -> bool:
        """The school's staff and the administrators of its league."""
        return self.school.can_edit(user)

    def can_recommend(self, user) -> bool:
        """Administrators of the school's league (and the region administrator)."""
        return bool(user and getattr(user, "is_authenticated", False)) and (
            user.is_admin and user.administers_region(self.region_code)
        )

    def can_decide(self, user) -> bool:
        """Only the autonomous region's administrator selects or rejects."""
        return bool(user and getattr(user, "is_authenticated", False)) and user.is_region_admin

    def can_advance(self, user) -> bool:
        """Administrators of the school's league follow construction."""
        return self.can_recommend(user)


class Objection(TimestampMixin, db.Model):
    """An objection lodged against a selection during the public notice, and its answer."""

    __tablename__ = "programme_objection"
    __table_args__ = (CheckConstraint(_in("status", OBJECTION_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch_application.id", ondelete="CASCADE"), index=True
    )
    lodged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    batch: Mapped[Batch] = relationship()
    application: Mapped[BatchApplication] = relationship()

    @property
    def region_code(self) -> str:
        return self.application.school.region_code


class LimitException(TimestampMixin, db.Model):
    """A per-school exception to a batch's limit ("原则上"), granted with a recorded reason."""

    __tablename__ = "programme_limit_exception"
    __table_args__ = (
        UniqueConstraint("batch_id", "school_id", name="uq_programme_limit_exception_school"),
        CheckConstraint("extra >= 1", name="extra_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    extra: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    batch: Mapped[Batch] = relationship()
    school: Mapped[School] = relationship()

    @property
    def region_code(self) -> str:
        return self.school.region_code


class Target(TimestampMixin, db.Model):
    """A programme target (majors, schools, teachers), editable by the region administrator."""

    __tablename__ = "programme_target"
    __table_args__ = (
        CheckConstraint(_in("key", TARGET_KEYS), name="key_known"),
        CheckConstraint("value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    value: Mapped[int] = mapped_column()
    due_on: Mapped[date | None] = mapped_column(Date)


class ResearchBase(TimestampMixin, db.Model):
    """师资研修基地: a teacher research base selected by the region."""

    __tablename__ = "programme_research_base"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: False once retired: kept for the training records that name it, no longer offered.
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship()


class TrainingRecord(TimestampMixin, db.Model):
    """A course a teacher completed (at a research base), with hours and certificate."""

    __tablename__ = "programme_training_record"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    research_base_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_research_base.id", ondelete="SET NULL"), index=True
    )
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[int] = mapped_column()
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    completed_on: Mapped[date] = mapped_column(Date)

    teacher: Mapped[Teacher] = relationship()
    research_base: Mapped[ResearchBase | None] = relationship()

    @property
    def region_code(self) -> str:
        return self.teacher.region_code


class TeacherStatus(TimestampMixin, db.Model):
    """A teacher's integrated-teacher status (none, trained, certified), one row per teacher."""

    __tablename__ = "programme_teacher_status"
    __table_args__ = (CheckConstraint(_in("status", TEACHER_STATUSES), name="status_known"),)

    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10), default="none", index=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    teacher: Mapped[Teacher] = relationship()

    @property
    def id(self) -> int:
        return self.teacher_id

    @property
    def region_code(self) -> str:
        return self.teacher.region_code


class TeachingHours(TimestampMixin, db.Model):
    """Teaching hours of a teacher in a term, split into ordinary and integrated-major hours."""

    __tablename__ = "programme_teaching_hours"
    __table_args__ = (
        UniqueConstraint("teacher_id", "term", name="uq_programme_teaching_hours_term"),
        CheckConstraint("ordinary_hours >= 0", name="ordinary_non_negative"),
        CheckConstraint("integrated_hours >= 0", name="integrated_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    term: Mapped[str] = mapped_column(String(20), index=True)
    ordinary_hours: Mapped[int] = mapped_column(default=0)
    integrated_hours: Mapped[int] = mapped_column(default=0)

    teacher: Mapped[Teacher] = relationship()

    @property
    def region_code(self) -> str:
        return self.teacher.region_code


class PartTimeTeacher(TimestampMixin, db.Model):
    """Enterprise high-skill talent registered as a part-time integrated teacher at a school."""

    __tablename__ = "programme_part_time_teacher"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    skill_title: Mapped[str] = mapped_column(String(100))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"))
    since: Mapped[date] = mapped_column(Date)
    #: False once the person no longer teaches at the school (the record is kept).
    active: Mapped[bool] = mapped_column(default=True)

    enterprise: Mapped[Enterprise] = relationship()
    school: Mapped[School] = relationship()
    occupation: Mapped[Occupation | None] = relationship()

    @property
    def region_code(self) -> str:
        return self.school.region_code

    def can_view(self, user) -> bool:
        """The school's staff and the administrators of its league."""
        return self.school.can_edit(user)

    def can_edit(self, user) -> bool:
        """The school's staff and the administrators of its league."""
        return self.school.can_edit(user)


class Indicator(TimestampMixin, db.Model):
    """An evaluation indicator with its weight, per category of nomination."""

    __tablename__ = "programme_indicator"
    __table_args__ = (
        CheckConstraint(_in("category", EVALUATION_CATEGORIES), name="category_known"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_in_range"),
        UniqueConstraint("category", "name", name="uq_programme_indicator_category_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)


class Nomination(TimestampMixin, db.Model):
    """A school's nomination for quality classroom, boutique course or demonstration major."""

    __tablename__ = "programme_nomination"
    __table_args__ = (
        CheckConstraint(_in("category", EVALUATION_CATEGORIES), name="category_known"),
        CheckConstraint(_in("status", NOMINATION_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    school_major_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_major.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    total_score: Mapped[float | None] = mapped_column(Float)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    school: Mapped[School] = relationship()
    school_major: Mapped[SchoolMajor | None] = relationship()
    scores: Mapped[list["NominationScore"]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan"
    )

    @property
    def region_code(self) -> str:
        return self.school.region_code

    def can_view(self, user) -> bool:
        """Published results are public; others to the school's staff and administrators."""
        return self.status == "published" or self.school.can_edit(user)


class NominationScore(TimestampMixin, db.Model):
    """An administrator's score (0–100) of a nomination on one indicator."""

    __tablename__ = "programme_nomination_score"
    __table_args__ = (
        UniqueConstraint("nomination_id", "indicator_id", name="uq_programme_score_indicator"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("programme_nomination.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicator.id"))
    score: Mapped[int] = mapped_column()
    scorer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    nomination: Mapped[Nomination] = relationship(back_populates="scores")
    indicator: Mapped[Indicator] = relationship()


class SentReminder(db.Model):
    """A reminder already sent, by occasion key (e.g. "batch_closing:3:12:week"): the periodic
    reminder command sends each occasion once."""

    __tablename__ = "programme_sent_reminder"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GraduateOutcome(TimestampMixin, db.Model):
    """A school's yearly return for one integrated major: graduates, certification, employment."""

    __tablename__ = "programme_graduate_outcome"
    __table_args__ = (
        UniqueConstraint("school_major_id", "year", name="uq_programme_graduate_outcome_year"),
        CheckConstraint("cohort >= 0", name="cohort_non_negative"),
        CheckConstraint(
            "certified_route >= 0 AND certified_exam >= 0 AND employed >= 0 "
            "AND employed_partner >= 0",
            name="figures_non_negative",
        ),
        CheckConstraint("certified_route + certified_exam <= cohort", name="certified_in_cohort"),
        CheckConstraint("employed <= cohort", name="employed_in_cohort"),
        CheckConstraint("employed_partner <= employed", name="partner_in_employed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_major_id: Mapped[int] = mapped_column(
        ForeignKey("school_major.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(index=True)
    cohort: Mapped[int] = mapped_column()
    #: Certified at a skill level by the integrated-major route (视同认定).
    certified_route: Mapped[int] = mapped_column(default=0)
    certified_exam: Mapped[int] = mapped_column(default=0)
    #: Employed within six months of graduating, and of those at a partner enterprise.
    employed: Mapped[int] = mapped_column(default=0)
    employed_partner: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    school_major: Mapped[SchoolMajor] = relationship()

    @property
    def region_code(self) -> str:
        return self.school_major.school.region_code

    def can_view(self, user) -> bool:
        """The school's staff and the administrators of its league."""
        return self.school_major.school.can_edit(user)


# --- assessment of construction (考核验收) ---------------------------------------------------

ASSESSMENT_STATUSES = ("open", "concluded")
ASSESSMENT_RESULTS = ("passed", "not_passed")
#: An assessment needs at least this many assessors, and as many submitted scores to conclude.
MIN_ASSESSORS = 3
#: The indicator category an assessment of a major's construction is scored on.
ASSESSMENT_CATEGORY = "demonstration_major"


class Assessment(TimestampMixin, db.Model):
    """考核验收: a panel's assessment of a selected major's construction, concluded by the region.

    The mean is the mean of the assessors' weighted totals once at least MIN_ASSESSORS have
    submitted; the region administrator concludes it as passed or not passed, with a note.
    """

    __tablename__ = "programme_assessment"
    __table_args__ = (
        CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="status_known"),
        CheckConstraint(
            "result IS NULL OR " + _in("result", ASSESSMENT_RESULTS), name="result_known"
        ),
        CheckConstraint(
            "(status = 'concluded') = (result IS NOT NULL)", name="result_when_concluded"
        ),
        CheckConstraint("mean_score IS NULL OR mean_score BETWEEN 0 AND 100", name="mean_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch_application.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    mean_score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    concluded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    application: Mapped[BatchApplication] = relationship()
    assessors: Mapped[list["AssessmentAssessor"]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="AssessmentAssessor.id",
    )

    @property
    def region_code(self) -> str:
        return self.application.school.region_code

    def assessor_of(self, user) -> "AssessmentAssessor | None":
        """The user's seat on the panel, or None."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return next((a for a in self.assessors if a.user_id == user.id), None)

    def can_manage(self, user) -> bool:
        """Only the region administrator opens, appoints and concludes (the region selects)."""
        return bool(user and getattr(user, "is_authenticated", False) and user.is_region_admin)

    def can_view(self, user) -> bool:
        """Administrators of the school's league, the panel, and once concluded the school."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.administers_region(self.region_code) or self.assessor_of(user) is not None:
            return True
        return self.status == "concluded" and self.application.school.is_member(user)

    def can_see_scores(self, user) -> bool:
        """Each assessor's scores: administrators of the league only (assessors see their own)."""
        return bool(user and getattr(user, "is_authenticated", False)) and user.administers_region(
            self.region_code
        )


class AssessmentAssessor(TimestampMixin, db.Model):
    """An account appointed to an assessment's panel, and the weighted total it submitted."""

    __tablename__ = "programme_assessment_assessor"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", name="uq_programme_assessment_assessor"),
        CheckConstraint("total IS NULL OR total BETWEEN 0 AND 100", name="total_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("programme_assessment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    total: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[Assessment] = relationship(back_populates="assessors")
    user = relationship("User")
    scores: Mapped[list["AssessmentScore"]] = relationship(
        back_populates="assessor", cascade="all, delete-orphan", order_by="AssessmentScore.id"
    )

    @property
    def region_code(self) -> str:
        return self.assessment.region_code


class AssessmentScore(db.Model):
    """One assessor's score (0–100) of one indicator."""

    __tablename__ = "programme_assessment_score"
    __table_args__ = (
        UniqueConstraint("assessor_id", "indicator_id", name="uq_programme_assessment_score"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(
        ForeignKey("programme_assessment_assessor.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicator.id"))
    score: Mapped[int] = mapped_column()

    assessor: Mapped[AssessmentAssessor] = relationship(back_populates="scores")
    indicator: Mapped[Indicator] = relationship()


# --- construction milestones (建设进度) ---------------------------------------------------

#: The five construction milestones of a selected integrated major, in the plan's order.
MILESTONE_KINDS = (
    "curriculum",
    "venue",
    "teachers_trained",
    "resources_reviewed",
    "first_cohort",
)


class Milestone(TimestampMixin, db.Model):
    """建设进度: one construction milestone reached by a finally selected integrated major."""

    __tablename__ = "programme_milestone"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", name="uq_programme_milestone_kind"),
        CheckConstraint(_in("kind", MILESTONE_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("programme_batch_application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    #: The Beijing day the milestone was reached (never in the future).
    achieved_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    application: Mapped[BatchApplication] = relationship()
    files: Mapped[list["MilestoneFile"]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="MilestoneFile.id"
    )

    @property
    def region_code(self) -> str:
        return self.application.school.region_code

    def can_view(self, user) -> bool:
        """Whoever may see the batch application (its school, its league, the region)."""
        return self.application.can_view(user)


class MilestoneFile(db.Model):
    """An evidence file of a milestone, stored as the teaching resources' files are."""

    __tablename__ = "programme_milestone_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("programme_milestone.id", ondelete="CASCADE"), index=True
    )
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

    milestone: Mapped[Milestone] = relationship(back_populates="files")

    @property
    def region_code(self) -> str:
        return self.milestone.region_code

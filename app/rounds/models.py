"""Match rounds and the matches they propose."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import TimestampMixin
from app.extensions import db

ROUND_KINDS = ("pairing", "placement")
ROUND_MODES = ("optimal", "stable")
ROUND_STATUSES = ("draft", "running", "previewed", "published", "failed")
MATCH_STATUSES = (
    "preview",
    "proposed",
    "accepted_applicant",
    "accepted_host",
    "confirmed",
    "declined",
    "expired",
)
#: Why an applicant was left unmatched (in a round's analysis).
UNMATCHED_REASONS = ("no_candidates", "capacity_taken", "places_left")
#: Statuses of a published match that still hold (or may come to hold) a place.
HOLDING_STATUSES = ("proposed", "accepted_applicant", "accepted_host")


class MatchRound(TimestampMixin, db.Model):
    """匹配轮次: one run of the matcher over a kind of request in a scope, with a deadline."""

    __tablename__ = "match_round"
    __table_args__ = (
        CheckConstraint("kind IN ('pairing','placement')", name="kind_known"),
        CheckConstraint("mode IN ('optimal','stable')", name="mode_known"),
        CheckConstraint(
            "status IN ('draft','running','previewed','published','failed')", name="status_known"
        ),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="optimal")
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    progress: Mapped[int] = mapped_column(default=0)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # deferred: it lists every unmatched applicant; lists of rounds never need it
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    error: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("match_round.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    matches: Mapped[list["Match"]] = relationship(
        back_populates="round", order_by="Match.id", cascade="all, delete-orphan"
    )

    @property
    def read_only(self) -> bool:
        """A published round is history."""
        return self.status == "published"

    def can_view(self, user) -> bool:
        """Region admins see every round; a league admin its league's rounds."""
        return self.can_edit(user)

    def can_edit(self, user) -> bool:
        """Region admins run any round; a league admin only rounds scoped to its league."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.role == "region_admin":
            return True
        return user.role == "league_admin" and self.region_code == user.region_code


class Match(TimestampMixin, db.Model):
    """A proposed pair: (application, placement) or (pairing request, offer)."""

    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("round_id", "application_id", "placement_id", name="uq_match_placement"),
        UniqueConstraint("round_id", "pairing_request_id", "offer_id", name="uq_match_offer"),
        CheckConstraint(
            "(application_id IS NOT NULL AND placement_id IS NOT NULL "
            "AND pairing_request_id IS NULL AND offer_id IS NULL) OR "
            "(application_id IS NULL AND placement_id IS NULL "
            "AND pairing_request_id IS NOT NULL AND offer_id IS NOT NULL)",
            name="one_kind_of_pair",
        ),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_in_range"),
        CheckConstraint(
            "status IN ('preview','proposed','accepted_applicant','accepted_host','confirmed',"
            "'declined','expired')",
            name="status_known",
        ),
        Index("ix_match_application_status", "application_id", "status"),
        Index("ix_match_pairing_request_status", "pairing_request_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("match_round.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE")
    )
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    pairing_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairing_request.id", ondelete="CASCADE")
    )
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column()
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="preview", index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    excluded: Mapped[bool] = mapped_column(default=False)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    applicant_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    host_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    round: Mapped[MatchRound] = relationship(back_populates="matches")
    application = relationship("Application")
    placement = relationship("Placement")
    pairing_request = relationship("PairingRequest")
    offer = relationship("Offer")

    @property
    def kind(self) -> str:
        return "placement" if self.placement_id is not None else "pairing"


class MatchReminder(db.Model):
    """Side table: when the deadline reminder for a match was sent (once per match)."""

    __tablename__ = "match_reminder"

    match_id: Mapped[int] = mapped_column(
        ForeignKey("match.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

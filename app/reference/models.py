"""Reference tables, loaded from data files and editable by region administrators."""

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import TimestampMixin
from app.extensions import db


class Region(db.Model):
    """A league or city of Inner Mongolia (GB/T 2260 code) with its seat's coordinates."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30))
    parent_code: Mapped[str | None] = mapped_column(String(6))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)

    def label(self, locale: str = "zh_CN") -> str:
        """Display name in the given locale."""
        return self.name_en if locale.startswith("en") else self.name


class Industry(db.Model):
    """A section (A–T) of the national industry classification GB/T 4754-2017."""

    __tablename__ = "industry"

    section: Mapped[str] = mapped_column(String(1), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Occupation(TimestampMixin, db.Model):
    """An occupation (职业/工种) with a code like 6-18-01-01."""

    __tablename__ = "occupation"
    __table_args__ = (
        CheckConstraint(
            "length(code) = 10",
            name="code_length",
        ),
    )

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def small_group(self) -> str:
        """The D-MM-SS prefix."""
        return self.code[:7]

    @property
    def middle_group(self) -> str:
        """The D-MM prefix."""
        return self.code[:4]


class Major(TimestampMixin, db.Model):
    """A catalogue major; candidates come from reference data and are not official."""

    __tablename__ = "major"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The candidate list's own name for the row, so a reload finds it after a rename.
    reference_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    category_code: Mapped[str] = mapped_column(String(4))
    category_name: Mapped[str] = mapped_column(String(50))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"))
    source: Mapped[str] = mapped_column(String(20), default="candidate")
    active: Mapped[bool] = mapped_column(default=True)

    occupation: Mapped[Occupation | None] = relationship()

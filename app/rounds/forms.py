"""Forms of match rounds; the API validates with them too."""

from datetime import UTC, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.time import LOCAL_TZ, utcnow
from app.common.validators import safe_text
from app.reference.queries import region_choices
from matching.scoring import CRITERIA, Weights

KIND_LABELS = {"placement": _l("Teacher practice placements"), "pairing": _l("Workshop pairings")}
MODE_LABELS = {
    "optimal": _l("Optimal (most matches, highest total score)"),
    "stable": _l("Stable (no pair would rather be together)"),
}
CRITERION_LABELS = {
    "occupation": _l("Occupation fit"),
    "distance": _l("Distance between leagues"),
    "mode": _l("Cooperation mode"),
    "period": _l("Period overlap"),
    "capacity": _l("Places cover the need"),
    "choice": _l("Rank of the choice"),
    "feedback": _l("Host's average rating (feedback)"),
}
ROUND_STATUS_LABELS = {
    "draft": _l("Draft"),
    "running": _l("Running"),
    "previewed": _l("Preview"),
    "published": _l("Published"),
    "failed": _l("Failed"),
}
MATCH_STATUS_LABELS = {
    "preview": _l("Preview"),
    "proposed": _l("Proposed"),
    "accepted_applicant": _l("Accepted by the applicant"),
    "accepted_host": _l("Accepted by the host"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
}
REASON_LABELS = {
    "no_candidates": _l("No eligible host"),
    "capacity_taken": _l("Its candidates' places went to better-scoring applicants"),
}
CAUSE_LABELS = {
    "not_open": _l("a choice is not open or lies outside the round's scope"),
    "declined_before": _l("a pair was declined or expired before"),
    "excluded": _l("a pair was excluded in this round"),
    "no_overlap": _l("a choice's period does not overlap the application"),
    "already_paired": _l("already paired with or proposed to that offer"),
    "other_league": _l("the offer lies outside the preferred leagues"),
    "no_open_offer": _l("no open offer in scope"),
}


def parse_deadline(value: str) -> datetime:
    """An ISO date (end of that day, Beijing time) or date-time; raises ValueError."""
    text = (value or "").strip()
    if len(text) == 10:
        day = datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 (a date only)
        return datetime.combine(day, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def _deadline(form, field) -> None:
    """Check the deadline's format and that it lies ahead."""
    try:
        moment = parse_deadline(field.data or "")
    except ValueError:
        raise ValidationError(_l("Give a date as YYYY-MM-DD (or an ISO date-time).")) from None
    if moment <= utcnow():
        raise ValidationError(_l("The deadline must lie in the future."))
    field.parsed = moment


class RoundForm(FlaskForm):
    """Open a match round: kind, scope, mode, deadline (weights per criterion in HTML)."""

    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validators=[DataRequired()])
    region_code = SelectField(_l("Scope"), validators=[Optional()])
    mode = SelectField(
        _l("Matching mode"), choices=list(MODE_LABELS.items()), validators=[DataRequired()]
    )
    deadline = StringField(
        _l("Answer deadline"),
        validators=[DataRequired(), _deadline],
        description=_l("Proposals not answered by then expire."),
    )
    parent_id = HiddenField()

    def __init__(self, *args, league: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_choices()
        if league:
            self.region_code.choices = [(c, n) for c, n in regions if c == league]
        else:
            self.region_code.choices = [("", _l("Whole region"))] + list(regions)


class WeightsMixin:
    """One weight field per scoring criterion (HTML only; the API sends a `weights` object)."""


_defaults = Weights().to_dict()
for _name in CRITERIA:
    setattr(
        WeightsMixin,
        f"weight_{_name}",
        FloatField(
            CRITERION_LABELS[_name],
            default=_defaults[_name],
            # optional criteria (off by default, e.g. feedback) may be left out: 0
            validators=[
                Optional() if not _defaults[_name] else InputRequired(),
                NumberRange(min=0, max=1000),
            ],
        ),
    )


class RoundPageForm(RoundForm, WeightsMixin):
    """The HTML form: the round plus its weights."""

    def weights(self) -> dict[str, float]:
        return {n: getattr(self, f"weight_{n}").data or 0 for n in CRITERIA}


class ReasonForm(FlaskForm):
    """A reason for locking, excluding or declining a match."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000), safe_text])

"""Forms of the resources domain (the API validates with the same forms)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import DateTimeLocalInput

from app.common.validators import safe_text

RESOURCE_KIND_LABELS = {
    "textbook": _l("Textbook"),
    "workbook": _l("Workbook (工作页)"),
    "case_library": _l("Case library"),
    "courseware": _l("Courseware"),
    "video": _l("Video"),
}
ORIGIN_LABELS = {"written": _l("Written by the school"), "selected": _l("Selected by the school")}
RESOURCE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "approved": _l("Approved"),
    "returned": _l("Returned for revision"),
    "rejected": _l("Rejected"),
}
DECISION_LABELS = {
    "approve": _l("Approve"),
    "revise": _l("Return for revision"),
    "reject": _l("Reject"),
}
VENUE_KIND_LABELS = {
    "public_training_base": _l("Public training base"),
    "high_skill_base": _l("High-skill talent training base"),
    "enterprise_host": _l("Enterprise host"),
}
BOOKING_STATUS_LABELS = {
    "pending": _l("Waiting for the owner"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
TRAINING_KIND_LABELS = {
    "apprenticeship": _l("New-type enterprise apprenticeship"),
    "urgent_occupation": _l("Urgently needed occupation"),
    "high_skill": _l("High-skill training"),
}
TRAINEE_OUTCOME_LABELS = {
    "in_training": _l("In training"),
    "completed": _l("Completed"),
    "certified": _l("Certified"),
    "withdrawn": _l("Dropped out"),
}
SKILL_LEVEL_LABELS = {
    "level_5": _l("Level 5 / Elementary worker"),
    "level_4": _l("Level 4 / Intermediate worker"),
    "level_3": _l("Level 3 / Senior worker"),
    "level_2": _l("Level 2 / Technician"),
    "level_1": _l("Level 1 / Senior technician"),
}
CERT_OUTCOME_LABELS = {"passed": _l("Passed"), "failed": _l("Failed")}
CERT_BASIS_LABELS = {
    "examination": _l("Examination"),
    "route": _l("Integrated-major route (视同认定)"),
}
ACTION_STATUS_LABELS = {
    "open": _l("Outstanding"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}


def _choices(labels: dict, blank: bool = False) -> list[tuple[str, str]]:
    items = list(labels.items())
    return [("", "—"), *items] if blank else items


def _id_select(label, required: bool = True) -> SelectField:
    """An id chosen from a list the view fills in; the view checks the choice itself."""
    validators = [InputRequired()] if required else [Optional()]
    return SelectField(
        label, coerce=_int_or_none, validate_choice=False, validators=validators, choices=[]
    )


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class LocalDateTimeField(Field):
    """A date and time: ISO 8601 with an offset, or local time of the app's time zone."""

    widget = DateTimeLocalInput()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.astimezone(_zone()).strftime("%Y-%m-%dT%H:%M") if self.data else ""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = datetime.fromisoformat(valuelist[0].strip().replace("Z", "+00:00"))
        except ValueError as exc:
            self.data = None
            raise ValueError(str(_l("Enter a date and time such as 2030-09-01T09:00."))) from exc
        self.data = value if value.tzinfo else value.replace(tzinfo=_zone())


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))


class ResourceItemForm(FlaskForm):
    """An item of a resource package."""

    school_major_id = _id_select(_l("Integrated major"))
    kind = SelectField(_l("Kind"), choices=_choices(RESOURCE_KIND_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), safe_text])
    origin = SelectField(
        _l("Textbook origin"),
        choices=_choices(ORIGIN_LABELS, blank=True),
        validators=[Optional()],
        description=_l("Textbooks written or selected by the school are reviewed before use."),
    )
    authors = StringField(
        _l("Authors"),
        validators=[Optional(), Length(max=500)],
        description=_l("Names of the school's and the enterprises' authors, separated by commas."),
    )
    version = StringField(_l("Version"), validators=[Optional(), Length(max=20)], default="1.0")
    partner_enterprise_ids = SelectMultipleField(
        _l("Partner enterprises"), coerce=int, validate_choice=False, choices=[]
    )
    share = BooleanField(_l("Share beyond our school and partners (needs review)"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class UploadForm(FlaskForm):
    """One file for an item."""

    file = FileField(_l("File"), validators=[FileRequired()])


class CommentForm(FlaskForm):
    """A comment (on submission or by a reviewer)."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class ReviewDecisionForm(FlaskForm):
    """A reviewer's decision."""

    decision = SelectField(_l("Decision"), choices=_choices(DECISION_LABELS))
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class PanelForm(FlaskForm):
    """Appoint an account to the review panel."""

    email = StringField(_l("Email of the account"), validators=[DataRequired(), Length(max=254)])


class VenueForm(FlaskForm):
    """A shared venue."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), safe_text])
    kind = SelectField(_l("Kind"), choices=_choices(VENUE_KIND_LABELS))
    region_code = SelectField(_l("League or city"), validators=[DataRequired()], choices=[])
    capacity = IntegerField(
        _l("Capacity (people)"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )
    equipment = TextAreaField(_l("Equipment"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    host_id = _id_select(_l("Enterprise host"), required=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.region_code.choices = regions


class BookingForm(FlaskForm):
    """A booking request."""

    starts_at = LocalDateTimeField(_l("Starts"), validators=[InputRequired()])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[InputRequired()])
    purpose = StringField(_l("Purpose"), validators=[DataRequired(), Length(max=300)])
    headcount = IntegerField(
        _l("Headcount"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )


class DecisionForm(FlaskForm):
    """Decline reason (optional)."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class TrainingForm(FlaskForm):
    """A training programme at a training station or master studio."""

    host_id = _id_select(_l("Training station or master studio"))
    kind = SelectField(_l("Kind"), choices=_choices(TRAINING_KIND_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    occupation_code = SelectField(_l("Occupation"), validators=[DataRequired()], choices=[])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(
        _l("Ends on"),
        validators=[InputRequired()],
        description=_l("An apprenticeship lasts one to two years."),
    )
    partner_school_id = _id_select(_l("Partner school"), required=False)
    masters = StringField(_l("Masters"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, occupations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if occupations is not None:
            self.occupation_code.choices = occupations


class TraineeForm(FlaskForm):
    """A trainee (name only: national ID numbers are not stored)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=50)])
    outcome = SelectField(_l("Outcome"), choices=_choices(TRAINEE_OUTCOME_LABELS))
    level = SelectField(
        _l("Level reached"),
        choices=_choices(SKILL_LEVEL_LABELS, blank=True),
        validators=[Optional()],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class OutcomeForm(FlaskForm):
    """A trainee's outcome."""

    outcome = SelectField(_l("Outcome"), choices=_choices(TRAINEE_OUTCOME_LABELS))
    level = SelectField(
        _l("Level reached"),
        choices=_choices(SKILL_LEVEL_LABELS, blank=True),
        validators=[Optional()],
    )


class CertificationForm(FlaskForm):
    """A graduate's skill certification."""

    school_major_id = _id_select(_l("Integrated major"))
    graduate_name = StringField(_l("Graduate"), validators=[DataRequired(), Length(max=50)])
    occupation_code = SelectField(_l("Occupation"), validators=[DataRequired()], choices=[])
    level = SelectField(_l("Skill level"), choices=_choices(SKILL_LEVEL_LABELS))
    outcome = SelectField(_l("Outcome"), choices=_choices(CERT_OUTCOME_LABELS))
    basis = SelectField(_l("Basis"), choices=_choices(CERT_BASIS_LABELS), default="examination")
    certified_on = DateField(_l("Date"), validators=[InputRequired()])
    certificate_no = StringField(_l("Certificate number"), validators=[Optional(), Length(max=50)])

    def __init__(self, *args, occupations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if occupations is not None:
            self.occupation_code.choices = occupations


class ActionForm(Form):
    """One required action of a visit (blank rows are skipped)."""

    text = TextAreaField(_l("Required action"), validators=[Optional(), Length(max=2000)])
    due_on = DateField(_l("Due on"), validators=[Optional()])


class VisitForm(FlaskForm):
    """A supervision visit with up to five required actions."""

    school_id = _id_select(_l("School"))
    visited_on = DateField(_l("Visited on"), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=10000)])
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=10)

    def validate_actions(self, field) -> None:
        """Each action with a description needs a due date."""
        for entry in field.entries:
            if (entry.text.data or "").strip() and not entry.due_on.data:
                entry.due_on.errors = [*entry.due_on.errors, _l("Give a due date.")]
                raise ValidationError(_l("Every required action needs a due date."))

    def action_rows(self) -> list[dict]:
        """The filled-in actions."""
        return [
            {"description": e.text.data.strip(), "due_on": e.due_on.data}
            for e in self.actions.entries
            if (e.text.data or "").strip()
        ]


class AnswerForm(FlaskForm):
    """The school's answer to a required action."""

    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])

"""Forms of the programme; the API validates with the same forms."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.common.validators import safe_text
from app.reference.queries import occupation_choices, region_choices

APPLICATION_STATUS_LABELS = {
    "submitted": _l("Awaiting the league"),
    "returned": _l("Returned by the league"),
    "recommended": _l("Recommended by the league"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Selection withdrawn"),
    "selected": _l("Selected"),
    "under_construction": _l("Under construction"),
    "assessed": _l("Assessed"),
    "demonstration": _l("Demonstration"),
}
TEACHER_STATUS_LABELS = {
    "none": _l("Not yet trained"),
    "trained": _l("Trained"),
    "certified": _l("Certified"),
}
CATEGORY_LABELS = {
    "quality_classroom": _l("Quality classroom"),
    "boutique_course": _l("Boutique course"),
    "demonstration_major": _l("Demonstration major"),
}
NOMINATION_STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "scored": _l("Scored"),
    "published": _l("Published"),
}
TARGET_LABELS = {
    "majors": _l("Integrated majors"),
    "schools": _l("Participating schools"),
    "teachers": _l("Trained integrated teachers"),
}
LEVEL_LABELS = {
    "intermediate": _l("Intermediate"),
    "advanced": _l("Advanced"),
    "technician": _l("Technician"),
}
TERM_RE = r"^\d{4}-\d{4}-[12]$"


class PhaseForm(FlaskForm):
    """A phase of the programme."""

    number = IntegerField(_l("Number"), validators=[InputRequired(), NumberRange(min=1, max=99)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000), safe_text]
    )


def _setting(name: str):
    """A default read from the application's settings when the form is built."""
    return lambda: current_app.config[name]


class BatchForm(FlaskForm):
    """A batch of applications within a phase, with the per-school limits."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    phase = SelectField(_l("Phase"), coerce=int, validators=[InputRequired()])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired()])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired()])
    limit_technician_college = IntegerField(
        _l("Limit for a technician college"),
        default=_setting("BATCH_LIMIT_TECHNICIAN_COLLEGE"),
        validators=[Optional(), NumberRange(min=0, max=50)],
    )
    limit_other = IntegerField(
        _l("Limit for other technical schools"),
        default=_setting("BATCH_LIMIT_OTHER_SCHOOL"),
        validators=[Optional(), NumberRange(min=0, max=50)],
    )
    demonstration_threshold = DecimalField(
        _l("Demonstration threshold (mean assessment score, 0–100)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Give a threshold from 0 to 100.")),
        ],
        description=_l("Left empty, no major of the batch can be named a demonstration major."),
    )

    def __init__(self, *args, phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.phase.choices = list(phases)


class ApplyForm(FlaskForm):
    """A school applies one of its integrated majors to a batch."""

    school_major_id = SelectField(_l("Integrated major"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, majors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_major_id.choices = list(majors)


OBJECTION_STATUS_LABELS = {
    "open": _l("Awaiting an answer"),
    "upheld": _l("Upheld"),
    "dismissed": _l("Dismissed"),
}


class RecommendForm(FlaskForm):
    """The league recommends an application to the region, or returns it with a reason."""

    decision = RadioField(
        _l("Recommendation"),
        choices=[
            ("recommend", _l("Recommend to the region")),
            ("return", _l("Return to the school")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000), safe_text])

    def validate(self, extra_validators=None) -> bool:
        """A return needs a reason."""
        ok = super().validate(extra_validators)
        if self.decision.data == "return" and not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors) + [_l("Give the reason for returning.")]
            ok = False
        return ok


class NoticeForm(FlaskForm):
    """Publish a batch's selection for a public notice."""

    days = IntegerField(
        _l("Notice period (working days)"),
        default=5,
        validators=[Optional(), NumberRange(min=1, max=30)],
    )


class ObjectionForm(FlaskForm):
    """An objection to one selected major, with its reason."""

    application_id = SelectField(_l("Selected major"), coerce=int, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000), safe_text])

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.application_id.choices = list(applications)


class AnswerForm(FlaskForm):
    """The region's answer to an objection."""

    outcome = RadioField(
        _l("Outcome"),
        choices=[
            ("dismissed", _l("Dismissed: the selection stands")),
            ("upheld", _l("Upheld: the selection is withdrawn")),
        ],
        validators=[DataRequired()],
    )
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000), safe_text])


class LimitExceptionForm(FlaskForm):
    """An exception to the batch's limit for one school, with the reason."""

    school_id = SelectField(_l("School"), coerce=int, validators=[InputRequired()])
    extra = IntegerField(
        _l("Majors above the limit"), default=1, validators=[InputRequired(), NumberRange(1, 10)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000), safe_text])

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = list(schools)


class OutcomeForm(FlaskForm):
    """A school's yearly figures for one integrated major."""

    school_major_id = SelectField(_l("Integrated major"), coerce=int, validators=[InputRequired()])
    year = IntegerField(
        _l("Graduating year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)]
    )
    cohort = IntegerField(_l("Graduates"), validators=[InputRequired(), NumberRange(min=0)])
    certified_route = IntegerField(
        _l("Certified by the integrated-major route (视同认定)"),
        default=0,
        validators=[Optional(), NumberRange(min=0)],
    )
    certified_exam = IntegerField(
        _l("Certified by examination"), default=0, validators=[Optional(), NumberRange(min=0)]
    )
    employed = IntegerField(
        _l("Employed within six months"), default=0, validators=[Optional(), NumberRange(min=0)]
    )
    employed_partner = IntegerField(
        _l("Employed at a partner enterprise"),
        default=0,
        validators=[Optional(), NumberRange(min=0)],
    )

    def __init__(self, *args, majors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_major_id.choices = list(majors)


class DecisionForm(FlaskForm):
    """Select, or reject with a reason the school will see."""

    decision = RadioField(
        _l("Decision"),
        choices=[("select", _l("Select")), ("reject", _l("Reject"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        """A rejection needs a reason."""
        ok = super().validate(extra_validators)
        if self.decision.data == "reject" and not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors) + [_l("Give the reason for rejecting.")]
            ok = False
        return ok


class TargetsForm(FlaskForm):
    """The programme's three targets."""

    majors = IntegerField(
        TARGET_LABELS["majors"], validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    schools = IntegerField(
        TARGET_LABELS["schools"], validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    teachers = IntegerField(
        TARGET_LABELS["teachers"], validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )


class ResearchBaseForm(FlaskForm):
    """A teacher research base (师资研修基地)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    region_code = SelectField(_l("League or city"), validators=[DataRequired()])
    organisation = StringField(_l("Run by"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000), safe_text]
    )
    active = BooleanField(
        _l("In use"), default=True, description=_l("Retired bases are no longer offered.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = region_choices()


class TrainingForm(FlaskForm):
    """A completed training course."""

    course = StringField(_l("Course"), validators=[DataRequired(), Length(max=200)])
    research_base_id = SelectField(_l("Research base"), coerce=int, validators=[Optional()])
    hours = IntegerField(_l("Hours"), validators=[InputRequired(), NumberRange(min=1, max=5000)])
    certificate_no = StringField(_l("Certificate number"), validators=[Optional(), Length(max=64)])
    completed_on = DateField(_l("Completed on"), validators=[InputRequired()])

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.research_base_id.choices = [(0, "—")] + list(bases)


class TeacherStatusForm(FlaskForm):
    """The integrated-teacher status."""

    status = SelectField(
        _l("Integrated-teacher status"),
        choices=list(TEACHER_STATUS_LABELS.items()),
        validators=[DataRequired()],
    )


class HoursForm(FlaskForm):
    """A teacher's teaching hours in a term."""

    term = StringField(
        _l("Term"),
        validators=[DataRequired(), Regexp(TERM_RE, message=_l("Write the term as 2024-2025-1."))],
        description=_l("School year and term, e.g. 2024-2025-1"),
    )
    ordinary_hours = IntegerField(
        _l("Ordinary hours"), validators=[InputRequired(), NumberRange(min=0, max=5000)]
    )
    integrated_hours = IntegerField(
        _l("Integrated-major hours"), validators=[InputRequired(), NumberRange(min=0, max=5000)]
    )


class PartTimeForm(FlaskForm):
    """Enterprise high-skill talent teaching part-time."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    enterprise_id = SelectField(_l("Enterprise"), coerce=int, validators=[InputRequired()])
    school_id = SelectField(_l("School"), coerce=int, validators=[InputRequired()])
    skill_title = StringField(
        _l("Skill title"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("e.g. senior technician (高级技师)"),
    )
    occupation_code = SelectField(_l("Occupation"), validators=[Optional()])
    since = DateField(_l("Teaching since"), validators=[InputRequired()])
    active = BooleanField(_l("Still teaching"), default=True)

    def __init__(self, *args, enterprises=(), schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise_id.choices = list(enterprises)
        self.school_id.choices = list(schools)
        self.occupation_code.choices = [("", "—")] + occupation_choices()


class IndicatorForm(FlaskForm):
    """An evaluation indicator and its weight."""

    category = SelectField(
        _l("Category"), choices=list(CATEGORY_LABELS.items()), validators=[DataRequired()]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    weight = IntegerField(
        _l("Weight"), validators=[InputRequired(), NumberRange(min=1, max=100)], default=10
    )
    active = BooleanField(_l("In use"), default=True)


class NominationForm(FlaskForm):
    """A nomination for an evaluation."""

    category = SelectField(
        _l("Category"), choices=list(CATEGORY_LABELS.items()), validators=[DataRequired()]
    )
    school_id = SelectField(_l("School"), coerce=int, validators=[InputRequired()])
    school_major_id = SelectField(_l("Integrated major"), coerce=int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000), safe_text]
    )

    def __init__(self, *args, schools=(), majors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = list(schools)
        self.school_major_id.choices = [(0, "—")] + list(majors)


class ImportForm(FlaskForm):
    """An .xlsx file to import."""

    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired()])


# --- assessment of construction ------------------------------------------------------------

ASSESSMENT_STATUS_LABELS = {"open": _l("In progress"), "concluded": _l("Concluded")}
ASSESSMENT_RESULT_LABELS = {"passed": _l("Passed"), "not_passed": _l("Not passed")}


class AssessmentOpenForm(FlaskForm):
    """The region opens an assessment and appoints its panel by the assessors' emails."""

    assessors = TextAreaField(
        _l("Assessors' emails"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l(
            "One email per line, at least three; nobody from the school or from an enterprise "
            "in an active partnership with it."
        ),
    )


class ConclusionForm(FlaskForm):
    """The region concludes an assessment: passed or not passed, with a note."""

    result = RadioField(
        _l("Result"),
        choices=list(ASSESSMENT_RESULT_LABELS.items()),
        validators=[InputRequired(message=_l("Choose passed or not passed."))],
    )
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000), safe_text])

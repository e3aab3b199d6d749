"""Forms of the cooperation domain; the JSON API validates with the same forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.validators import encodable, safe_text
from app.cooperation.models import MODES
from app.reference.queries import major_choices, occupation_choices, region_choices
from app.registry.models import TRAINING_LEVELS

MAX_CHOICES = 5
MODE_LABELS = {
    "enterprise_in_school": _l("Enterprise into school (引企驻校)"),
    "school_in_enterprise": _l("School into enterprise (引校进企)"),
    "linkage": _l("School–enterprise linkage (校企联动)"),
    "enterprise_run": _l("Enterprise-run schooling (企业办学)"),
}
LEVEL_LABELS = {
    "intermediate": _l("Intermediate worker"),
    "advanced": _l("Senior worker"),
    "technician": _l("Technician"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "endorsed": _l("Endorsed"),
    "matched": _l("Matched"),
    "withdrawn": _l("Withdrawn"),
    "active": _l("Active"),
    "ended": _l("Ended"),
    "ongoing": _l("Ongoing"),
    "completed": _l("Completed"),
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}
assert set(MODE_LABELS) == set(MODES)
assert set(LEVEL_LABELS) == set(TRAINING_LEVELS)


class IdListField(Field):
    """An ordered list of whole numbers from repeated form values (blank values skipped)."""

    def process_formdata(self, valuelist):
        self.raw = [v.strip() for v in valuelist if v and v.strip()]
        self.data = []
        for value in self.raw:
            try:
                number = int(value)
            except ValueError:
                self.data = None
                raise ValueError(_l("Give placement numbers only.")) from None
            self.data.append(number)

    def _value(self):
        return ""


class PeriodForm(FlaskForm):
    """A period: ends_on on or after starts_on."""

    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])

    def validate(self, extra_validators=None) -> bool:
        """Field checks plus: the end is not before the start."""
        ok = super().validate(extra_validators)
        if ok and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors = list(self.ends_on.errors) + [
                _l("The end may not be before the start.")
            ]
            ok = False
        return ok


def _occupations_field(label):
    return SelectMultipleField(
        label, validators=[DataRequired(_l("Choose at least one occupation."))]
    )


class PostingForm(PeriodForm):
    """Fields shared by offers and placements: host, occupations, period, draft or open."""

    host_id = SelectField(
        _l("Host"), coerce=int, validators=[DataRequired(_l("Choose one of your hosts."))]
    )
    occupation_codes = _occupations_field(_l("Occupations"))
    status = SelectField(
        _l("Publish"),
        choices=[("open", _l("Open now")), ("draft", _l("Save as draft"))],
        default="open",
        validators=[Optional()],
    )

    def __init__(self, *args, hosts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.host_id.choices = list(hosts or [])
        self.occupation_codes.choices = occupation_choices()


class OfferForm(PostingForm):
    """合作意向: an offer to pair `slots` integrated majors with a host."""

    mode = SelectField(
        _l("Cooperation mode"), choices=list(MODE_LABELS.items()), validators=[DataRequired()]
    )
    slots = IntegerField(
        _l("Majors it can pair with"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000), safe_text]
    )


class PlacementForm(PostingForm):
    """教师企业实践岗位: seats for teachers' enterprise practice."""

    seats = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(min=1, max=1000)])
    requirements = TextAreaField(
        _l("Requirements"), validators=[Optional(), Length(max=5000), safe_text]
    )


class SchoolMajorForm(FlaskForm):
    """A school's integrated major: catalogue major, training level, cohort size."""

    major_id = SelectField(_l("Catalogue major"), coerce=int, validators=[DataRequired()])
    level = SelectField(
        _l("Training level"), choices=list(LEVEL_LABELS.items()), validators=[DataRequired()]
    )
    cohort_size = IntegerField(
        _l("Cohort size"), validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.major_id.choices = major_choices()


class PairingRequestForm(PeriodForm):
    """结对申请: pair one integrated major with enterprise workshops."""

    school_major_id = SelectField(
        _l("Integrated major"), coerce=int, validators=[DataRequired(_l("Choose a major."))]
    )
    occupation_codes = _occupations_field(_l("Occupations"))
    preferred_modes = SelectMultipleField(
        _l("Preferred modes"), choices=list(MODE_LABELS.items()), validators=[Optional()]
    )
    preferred_region_codes = SelectMultipleField(
        _l("Preferred leagues or cities"), validators=[Optional()]
    )
    wanted = IntegerField(
        _l("Partners wanted"), default=1, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )

    def __init__(self, *args, majors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_major_id.choices = list(majors or [])
        self.occupation_codes.choices = occupation_choices()
        self.preferred_region_codes.choices = region_choices()


class TeacherProfileForm(FlaskForm):
    """A teacher's profile: school, name, occupations, title."""

    school_id = SelectField(_l("School"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    occupation_codes = _occupations_field(_l("Occupations taught"))
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=100)])
    claim_record = BooleanField(_l("That record is me: ask the school to link it to my account"))

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = list(schools or [])
        self.occupation_codes.choices = occupation_choices()


class ApplicationForm(PeriodForm):
    """A teacher's application: up to five ranked placements and the wished period."""

    placement_ids = IdListField(_l("Placements, first choice first"))

    def validate(self, extra_validators=None) -> bool:
        """Period checks plus: one to five distinct placements."""
        ok = super().validate(extra_validators)
        ids = self.placement_ids.data
        message = None
        if ids is None:
            ok = False
        elif not ids:
            message = _l("Choose at least one placement.")
        elif len(ids) > MAX_CHOICES:
            message = _l("Choose at most %(n)s placements.", n=MAX_CHOICES)
        elif len(set(ids)) != len(ids):
            message = _l("Each placement may be chosen only once.")
        if message:
            self.placement_ids.errors = list(self.placement_ids.errors) + [message]
            ok = False
        return ok


class ReasonForm(FlaskForm):
    """A reason the other side will read (returning an application)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=2000), encodable],
    )


class PracticeEntryForm(FlaskForm):
    """One logged day of practice."""

    on_date = DateField(_l("Date"), validators=[InputRequired()])
    description = TextAreaField(
        _l("What you did"), validators=[DataRequired(), Length(max=2000), safe_text]
    )


class ProposeOfferForm(FlaskForm):
    """An enterprise proposes one of its open offers to a school's pairing request."""

    offer_id = SelectField(_l("Your offer"), coerce=int, validators=[DataRequired()])
    note = TextAreaField(
        _l("Note"), validators=[Optional(), Length(max=2000), safe_text, encodable]
    )

    def __init__(self, *args, offers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_id.choices = list(offers or [])


class ProposeMajorForm(FlaskForm):
    """A school proposes one of its integrated majors to an enterprise's offer."""

    school_major_id = SelectField(
        _l("Integrated major"), coerce=int, validators=[DataRequired(_l("Choose a major."))]
    )
    note = TextAreaField(
        _l("Note"), validators=[Optional(), Length(max=2000), safe_text, encodable]
    )

    def __init__(self, *args, majors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_major_id.choices = list(majors or [])


AGREEMENT_SUBJECT_LABELS = {
    "pairing": _l("Pairing"),
    "practice": _l("Teacher practice"),
    "programme": _l("Training programme"),
}
AGREEMENT_STATE_LABELS = {
    "pending": _l("Waiting for confirmation"),
    "active": _l("In force"),
    "superseded": _l("Replaced by a newer version"),
}
AGREEMENT_PARTY_LABELS = {
    "school": _l("School"),
    "enterprise": _l("Enterprise"),
    "teacher": _l("Teacher"),
}


class AgreementForm(PeriodForm):
    """合作协议: title, period and terms of the agreement of a pairing, practice or programme."""

    subject = SelectField(
        _l("Agreement of"),
        choices=list(AGREEMENT_SUBJECT_LABELS.items()),
        validators=[DataRequired()],
    )
    subject_id = IntegerField(
        _l("Record number"), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200), safe_text, encodable]
    )
    terms = TextAreaField(_l("Terms"), validators=[DataRequired(), Length(max=20000), encodable])


class AgreementFileForm(FlaskForm):
    """The signed and sealed scan of an agreement (PDF or image)."""

    file = FileField(
        _l("Signed and sealed scan (PDF, PNG or JPEG)"),
        validators=[FileRequired(_l("Choose the scan to upload."))],
    )


FEEDBACK_OCCASION_LABELS = {
    "placement": _l("The placement (by the teacher)"),
    "practice": _l("The teacher's practice (by the enterprise)"),
    "pairing_year": _l("The pairing this year"),
    "pairing_end": _l("The pairing at its end"),
}
FEEDBACK_CRITERION_LABELS = {
    "guidance": _l("Guidance by the enterprise's masters"),
    "learning": _l("What I learned for my teaching"),
    "conditions": _l("Working conditions and arrangements"),
    "attitude": _l("Attitude and discipline"),
    "skill": _l("Professional skill"),
    "contribution": _l("Contribution to the work"),
    "communication": _l("Communication between the partners"),
    "commitment": _l("Commitment to what was agreed"),
    "results": _l("Results for teaching and production"),
}
SCORE_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


def feedback_form(criteria: tuple[str, ...], formdata=None, data: dict | None = None):
    """A form with a 1–5 choice per criterion of the occasion and a comment."""

    class FeedbackForm(FlaskForm):
        comment = TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=2000), safe_text, encodable]
        )

    for name in criteria:
        setattr(
            FeedbackForm,
            f"score_{name}",
            SelectField(
                FEEDBACK_CRITERION_LABELS[name],
                choices=SCORE_CHOICES,
                coerce=int,
                validators=[InputRequired(_l("Rate from 1 to 5."))],
            ),
        )
    kwargs = {"data": data} if data else {}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return FeedbackForm(**kwargs)

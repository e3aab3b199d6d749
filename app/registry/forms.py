"""Forms for organisation profiles, hosts and reviews; the API validates with them too."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.validators import phone, safe_text
from app.reference.queries import industry_choices, occupation_choices, region_choices

SCHOOL_KIND_LABELS = {
    "technician_college": _l("Technician college"),
    "senior_technical_school": _l("Senior technical school"),
    "technical_school": _l("Technical school"),
}
SIZE_BAND_LABELS = {
    "micro": _l("Micro (under 10 staff)"),
    "small": _l("Small (10–99 staff)"),
    "medium": _l("Medium (100–999 staff)"),
    "large": _l("Large (1,000 staff or more)"),
}
HOST_KIND_LABELS = {
    "workshop": _l("Workshop / production team"),
    "training_station": _l("Training workstation"),
    "master_studio": _l("Skill-master studio"),
}
STUDIO_LEVEL_LABELS = {
    "national": _l("National"),
    "regional": _l("Regional"),
    "league": _l("League / city"),
}
STATUS_LABELS = {
    "pending": _l("Pending review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}


class OrganisationForm(FlaskForm):
    """Fields common to enterprises and schools."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    region_code = SelectField(_l("League or city"), validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=50)])
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(), phone])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000), safe_text]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = region_choices()


class EnterpriseForm(OrganisationForm):
    """An enterprise profile."""

    uscc = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("18 characters, e.g. 91150100MA0N1234XX"),
    )
    industry = SelectField(_l("Industry section"), validators=[DataRequired()])
    size_band = SelectField(
        _l("Size"),
        choices=[("", "—")] + list(SIZE_BAND_LABELS.items()),
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = industry_choices()


class SchoolForm(OrganisationForm):
    """A school profile."""

    kind = SelectField(
        _l("Kind of school"), choices=list(SCHOOL_KIND_LABELS.items()), validators=[DataRequired()]
    )
    uscc = StringField(
        _l("Unified social credit code"),
        validators=[Optional(), Length(max=30)],
        description=_l("Optional; public schools' codes usually begin with 12."),
    )


class _Consent:
    """Registration only: the organisation accepts that its contact is shown per the notice."""

    accept_privacy = BooleanField(
        _l(
            "I have read the privacy notice and agree that the contact person and phone are "
            "shown to others as it describes"
        ),
        validators=[DataRequired(_l("Accept the privacy notice to continue."))],
    )


class NewEnterpriseForm(EnterpriseForm, _Consent):
    """Registering an enterprise: its profile plus acceptance of the privacy notice."""


class NewSchoolForm(SchoolForm, _Consent):
    """Registering a school: its profile plus acceptance of the privacy notice."""


class HostForm(FlaskForm):
    """A workshop, training station or master studio; kind-specific fields are checked."""

    kind = SelectField(
        _l("Kind of host"), choices=list(HOST_KIND_LABELS.items()), validators=[DataRequired()]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    occupation_codes = SelectMultipleField(
        _l("Occupations served"), validators=[DataRequired(_l("Choose at least one occupation."))]
    )
    capacity = IntegerField(
        _l("Student capacity (places)"),
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
    )
    region_code = SelectField(_l("League or city"), validators=[DataRequired()])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000), safe_text]
    )
    teacher_capacity = IntegerField(
        _l("Teacher capacity"), validators=[Optional(), NumberRange(min=0, max=10000)]
    )
    equipment = TextAreaField(_l("Equipment"), validators=[Optional(), Length(max=5000)])
    partner_school_id = SelectField(_l("Partner school"), coerce=int, validators=[Optional()])
    master_name = StringField(_l("Master's name"), validators=[Optional(), Length(max=50)])
    honour = StringField(_l("Honour"), validators=[Optional(), Length(max=200)])
    level = SelectField(
        _l("Level"),
        choices=[("", "—")] + list(STUDIO_LEVEL_LABELS.items()),
        validators=[Optional()],
    )

    def __init__(self, *args, partner_schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = region_choices()
        self.occupation_codes.choices = occupation_choices()
        self.partner_school_id.choices = [(0, "—")] + list(partner_schools or [])

    def validate(self, extra_validators=None) -> bool:
        """Field checks plus the fields each kind requires."""
        ok = super().validate(extra_validators)
        if self.kind.data == "master_studio":
            for field in (self.master_name, self.level):
                if not field.data:
                    field.errors = list(field.errors) + [_l("Required for a master studio.")]
                    ok = False
        return ok


class ReviewForm(FlaskForm):
    """Approve, or reject with a reason the owner will see."""

    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    confirm_uscc = BooleanField(_l("I have verified the credit code with the issuing authority"))

    def validate(self, extra_validators=None) -> bool:
        """A rejection needs a reason."""
        ok = super().validate(extra_validators)
        if self.decision.data == "reject" and not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors) + [_l("Give the reason for rejecting.")]
            ok = False
        return ok


class ClaimForm(FlaskForm):
    """Claim an organisation that has no members, by its name and credit code."""

    name = StringField(_l("Registered name"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=30)]
    )

"""Forms for editing catalogue majors and occupations."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.reference.queries import occupation_choices

SOURCE_LABELS = {
    "candidate": _l("Candidate list, not the official catalogue"),
    "admin": _l("Added by an administrator"),
}


class MajorForm(FlaskForm):
    """A catalogue major with its category and main occupation."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    category_code = StringField(
        _l("Category code"),
        validators=[
            DataRequired(),
            Length(max=4),
            Regexp(r"^\d{1,4}$", message=_l("Digits only.")),
        ],
    )
    category_name = StringField(_l("Category"), validators=[DataRequired(), Length(max=50)])
    occupation_code = SelectField(_l("Main occupation"), validators=[Optional()])
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.occupation_code.choices = [("", "—")] + occupation_choices(active_only=False)


class OccupationForm(FlaskForm):
    """An occupation (职业/工种); its code is set once, when it is created."""

    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=10)],
        description=_l("D-MM-SS-NN, e.g. 6-18-01-01"),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("In use"), default=True)

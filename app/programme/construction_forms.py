"""Forms of the construction pages: recording a milestone with its evidence files."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.programme.construction import MILESTONE_LABELS, NOTE_MAX


class MilestoneForm(FlaskForm):
    """One milestone: which, the day it was reached, a note and evidence files."""

    kind = SelectField(_l("Milestone"), validators=[InputRequired()])
    achieved_on = DateField(_l("Reached on"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    files = MultipleFileField(
        _l("Evidence files"),
        description=_l(
            "PDF, Word, Excel, PowerPoint, images or MP4; several may be chosen at once."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, str(v)) for k, v in MILESTONE_LABELS.items()]

"""Forms of the privacy notice, closure requests and their decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.common.validators import safe_text

CLOSURE_STATUS_LABELS = {
    "pending": _l("Waiting"),
    "completed": _l("Closed"),
    "refused": _l("Refused"),
}


def closure_status_label(status: str) -> str:
    """Translated label of a closure request's status."""
    return str(CLOSURE_STATUS_LABELS.get(status, status))


class ConsentForm(FlaskForm):
    """Accept the current privacy notice."""

    accept_privacy = BooleanField(
        _l("I have read and accept the privacy notice"),
        validators=[DataRequired(_l("Accept the privacy notice to continue."))],
    )


class ClosureForm(FlaskForm):
    """Ask for one's account to be closed: password and an explicit confirmation."""

    reason = TextAreaField(
        _l("Why (optional)"), validators=[Optional(), Length(max=500), safe_text]
    )
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=128)])
    confirm = BooleanField(
        _l(
            "I understand that closing is final: my name, email and password are erased and "
            "I cannot log in again"
        ),
        validators=[DataRequired(_l("Tick the box to confirm that you want your account closed."))],
    )


class RefuseForm(FlaskForm):
    """An administrator refuses a closure request, saying why."""

    reason = TextAreaField(
        _l("Reason for refusing"), validators=[DataRequired(), Length(max=500), safe_text]
    )


class PlainForm(FlaskForm):
    """A button-only form (CSRF token only)."""

"""Sign-up, login and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.common.validators import password_length, strong_password

ROLE_LABELS = {
    "enterprise": _l("Enterprise staff"),
    "school": _l("School staff"),
    "teacher": _l("Teacher"),
    "league_admin": _l("League administrator"),
    "region_admin": _l("Region administrator"),
}


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), password_length])


class SignupForm(FlaskForm):
    """Self sign-up for enterprise staff, school staff and teachers."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(
        _l("I am"),
        choices=[(r, ROLE_LABELS[r]) for r in ("enterprise", "school", "teacher")],
        validators=[DataRequired()],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), password_length])
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

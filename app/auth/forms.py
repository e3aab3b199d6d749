"""Sign-up, login and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
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

    accept_privacy = BooleanField(
        _l("I have read and accept the privacy notice"),
        validators=[DataRequired(_l("Accept the privacy notice to continue."))],
    )


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), password_length])
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


MEMBER_ROLE_LABELS = {
    "owner": _l("Owner (manages members and profile)"),
    "staff": _l("Staff (does the work)"),
    "teacher": _l("Teacher of the school"),
}


class InvitationForm(FlaskForm):
    """Invite a person by email to one's school or enterprise."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(
        _l("Role"),
        choices=[(r, MEMBER_ROLE_LABELS[r]) for r in ("staff", "owner", "teacher")],
        validators=[DataRequired()],
    )


class AcceptInvitationForm(FlaskForm):
    """A new account from an invitation: name, password and acceptance of the privacy notice."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    accept_privacy = BooleanField(
        _l("I have read and accept the privacy notice"),
        validators=[DataRequired(_l("Accept the privacy notice to continue."))],
    )


class ForgotPasswordForm(FlaskForm):
    """The email of the account whose password is forgotten."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    """A new password from a reset link."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class LeagueAdminForm(FlaskForm):
    """A region administrator creates a league administrator."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    region_code = SelectField(_l("League or city"), validators=[DataRequired()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), strong_password])


class LogoutForm(FlaskForm):
    """Log out, optionally revoking the account's API tokens."""

    revoke_tokens = BooleanField(_l("Also revoke all my API tokens"))

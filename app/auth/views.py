"""Sign-up, login, logout and password change pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services, throttle
from app.auth.decorators import login_required, public
from app.auth.forms import LoginForm, PasswordForm, SignupForm
from app.auth.login import touch_session
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import is_safe_local_path
from app.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _start_session(user) -> None:
    """Clear whatever the session held (keeping the language), then log the user in."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session.permanent = True
    login_user(user)
    touch_session()
    services.record_login(user)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log in with email and password; `next` may only be a local path."""
    form = LoginForm()
    next_url = request.args.get("next") or request.form.get("next")
    attempt = throttle.begin(request.form.get("email")) if request.method == "POST" else None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/login.html", form=form, next_url=next_url), 401
        attempt.succeeded()
        _start_session(user)
        db.session.commit()
        flash(_("Welcome, %(name)s.", name=user.name), "success")
        return redirect(next_url if is_safe_local_path(next_url) else url_for("main.home"))
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    """Create an enterprise, school or teacher account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_account(
                form.email.data, form.password.data, form.role.data, form.name.data
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            _start_session(user)
            db.session.commit()
            flash(_("Your account is ready."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/signup.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out; the old session cookie stops working everywhere."""
    services.logout_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; other sessions and API tokens stop working."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@public
def language(code: str):
    """Switch the interface language (zh_CN or en) and go back."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    target = request.form.get("next")
    return redirect(target if is_safe_local_path(target) else url_for("main.home"))

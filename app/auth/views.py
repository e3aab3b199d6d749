"""Sign-up, login, logout and password change pages."""

from flask import (
    Blueprint,
    abort,
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
from app.auth.decorators import admin_required, login_required, public, region_admin_required
from app.auth.forms import (
    ROLE_LABELS,
    AcceptInvitationForm,
    ForgotPasswordForm,
    LeagueAdminForm,
    LoginForm,
    LogoutForm,
    PasswordForm,
    ResetPasswordForm,
    SignupForm,
)
from app.auth.login import link_limits, mark_login_failed, reset_limits, touch_session
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import is_safe_local_path, page_arg
from app.common.views import acting_user
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
            db.session.commit()  # keep the audited failure
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
                form.email.data,
                form.password.data,
                form.role.data,
                form.name.data,
                privacy_accepted=bool(form.accept_privacy.data),
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


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Log out (the old session cookie stops working everywhere); the page offers to revoke
    the account's API tokens too."""
    form = LogoutForm()
    user = acting_user()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template(
            "auth/logout.html", form=form, tokens=services.live_token_count(user)
        )
    services.logout_everywhere(user, revoke_tokens=bool(form.revoke_tokens.data))
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


# --- invitations ----------------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def invitation(token: str):
    """Accept an invitation: a new account with name and password, or join with the
    logged-in account when it has no organisation. A bad link changes nothing."""
    try:
        invitation = services.find_invitation(token)
    except ServiceError as exc:
        db.session.rollback()
        return render_template("auth/link_invalid.html", message=exc.message), 404
    form = AcceptInvitationForm()
    joining = current_user.is_authenticated
    if request.method == "POST" and (joining or form.validate_on_submit()):
        try:
            user = services.accept_invitation(
                token,
                form.name.data,
                form.password.data,
                account=acting_user() if joining else None,
                privacy_accepted=bool(form.accept_privacy.data),
            )
        except ServiceError as exc:
            db.session.rollback()
            if "token" in exc.fields:
                return render_template("auth/link_invalid.html", message=exc.message), 409
            apply_errors(form, exc)
        else:
            if not joining:
                _start_session(user)
            db.session.commit()
            flash(_("Welcome to %(org)s.", org=invitation.organisation.name), "success")
            return redirect(url_for("main.home"))
    return render_template(
        "auth/invitation.html", form=form, invitation=invitation, joining=joining
    )


# --- password reset -------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@reset_limits
def password_forgot():
    """Ask for a reset link; the answer is the same whether the email has an account or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data,
            lambda raw: url_for("auth.password_reset", token=raw, _external=True),
        )
        db.session.commit()
        flash(
            _(
                "If an account has this email, a link to choose a new password is on its way. "
                "It works once, for %(minutes)s minutes.",
                minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"],
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/password_forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@link_limits
def password_reset(token: str):
    """Choose a new password from a reset link; every session and API token then dies."""
    try:
        services.find_password_reset(token)
    except ServiceError as exc:
        db.session.rollback()
        mark_login_failed()
        return render_template("auth/link_invalid.html", message=exc.message), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            if "token" in exc.fields:
                mark_login_failed()
                return render_template("auth/link_invalid.html", message=exc.message), 409
            apply_errors(form, exc)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form)


# --- account administration -----------------------------------------------------------------


@bp.route("/users")
@admin_required
def users():
    """Accounts an administrator may see, searchable by name, email or organisation."""
    from app.common.pagination import paginate_by_id
    from app.reference.queries import region_choices

    q = (request.args.get("q") or "").strip() or None
    role = request.args.get("role") or None
    region_code = request.args.get("region_code") or None
    admin = acting_user()
    try:
        stmt = services.users_query(admin, q, role if role in ROLE_LABELS else None, region_code)
    except ServiceError:
        stmt = services.users_query(admin, q)
    pagination = paginate_by_id(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "auth/users.html",
        pagination=pagination,
        q=q or "",
        role=role or "",
        region_code=region_code or "",
        roles=ROLE_LABELS,
        regions=region_choices(),
        can_administer=services.can_administer,
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def user_deactivate(user_id: int):
    """Deactivate an account: no login, its sessions and tokens stop at once."""
    return _account_action(services.deactivate, user_id, _("The account was deactivated."))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def user_reactivate(user_id: int):
    """Let a deactivated account log in again."""
    return _account_action(services.reactivate, user_id, _("The account was reactivated."))


def _account_action(service, user_id: int, message: str):
    try:
        service(acting_user(), user_id)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    target = request.form.get("next")
    return redirect(target if is_safe_local_path(target) else url_for("auth.users"))


@bp.route("/users/league-admins/new", methods=["GET", "POST"])
@region_admin_required
def league_admin_new():
    """A region administrator creates a league administrator."""
    from app.reference.queries import region_choices

    form = LeagueAdminForm()
    form.region_code.choices = [("", "—")] + region_choices()
    if form.validate_on_submit():
        try:
            services.create_league_admin(
                acting_user(),
                form.email.data,
                form.password.data,
                form.name.data,
                form.region_code.data,
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The league administrator can now log in."), "success")
            return redirect(url_for("auth.users", role="league_admin"))
    return render_template("auth/league_admin_form.html", form=form)

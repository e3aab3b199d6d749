"""The privacy notice, consent, one's own data, and account closure pages."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.account import services
from app.account.forms import ClosureForm, ConsentForm, PlainForm, RefuseForm
from app.auth.decorators import login_required, public, region_admin_required
from app.auth.models import CLOSURE_STATUSES
from app.common.errors import ServiceError
from app.common.exports import content_disposition
from app.common.forms import apply_errors
from app.common.http import is_safe_local_path, page_arg
from app.common.privacy import PRIVACY_NOTICE_VERSION, needs_privacy_consent
from app.common.time import local_today
from app.common.views import acting_user
from app.extensions import db
from app.registry.queries import paginate

bp = Blueprint("account", __name__)

#: Audit events are kept at least this many days (migration 0005 enforces it).
AUDIT_RETENTION_DAYS = 183

#: Pages a person who has not accepted the current notice may still open.
CONSENT_FREE = frozenset(
    {
        "static",
        "account.privacy",
        "account.privacy_accept",
        "account.my_data",
        "account.my_data_json",
        "account.close",
        "account.close_withdraw",
        "auth.logout",
        "auth.language",
        "main.healthz",
        "main.readyz",
    }
)


@bp.before_app_request
def ask_for_consent():
    """Send a signed-in person who has not accepted the current privacy notice to accept it
    (pages only: the API reports it in GET /api/v1/me)."""
    if request.blueprint == "api" or request.endpoint in CONSENT_FREE or not request.endpoint:
        return None
    if not needs_privacy_consent(current_user):
        return None
    target = request.full_path if request.query_string else request.path
    if request.method != "GET":
        target = None
    return redirect(url_for("account.privacy_accept", next=target))


@bp.route("/privacy")
@public
def privacy():
    """The privacy notice: what is collected, why, who sees it, how long it is kept."""
    return render_template(
        "account/privacy.html",
        version=PRIVACY_NOTICE_VERSION,
        retention_days=AUDIT_RETENTION_DAYS,
    )


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def privacy_accept():
    """Accept the current privacy notice (asked once per version of the notice)."""
    form = ConsentForm()
    next_url = request.args.get("next") or request.form.get("next")
    if form.validate_on_submit():
        services.accept_notice(acting_user(), bool(form.accept_privacy.data))
        db.session.commit()
        flash(_("Thank you: you have accepted the privacy notice."), "success")
        return redirect(next_url if is_safe_local_path(next_url) else url_for("main.home"))
    return render_template(
        "account/privacy_accept.html",
        form=form,
        next_url=next_url if is_safe_local_path(next_url) else None,
        version=PRIVACY_NOTICE_VERSION,
        previous=current_user.privacy_version,
    )


@bp.route("/account/data")
@login_required
def my_data():
    """The person's own data, readable, with a JSON download."""
    return render_template("account/data.html", data=services.personal_data(acting_user()))


@bp.route("/account/data.json")
@login_required
def my_data_json():
    """The person's own data as a JSON file."""
    data = services.personal_data(acting_user())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"gongxue-my-data-{local_today().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
def close():
    """Ask for one's account to be closed (password and confirmation); shows the request's
    state once asked."""
    user = acting_user()
    form = ClosureForm()
    pending = services.pending_request(user)
    if pending is None and form.validate_on_submit():
        try:
            services.request_closure(
                user, form.password.data, bool(form.confirm.data), form.reason.data
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Your request is sent; an administrator will close the account."), "success")
            return redirect(url_for("account.close"))
    return render_template(
        "account/close.html",
        form=form,
        pending=pending,
        obstacle=services.closure_obstacle(user) if pending is None else None,
        history=services.requests_of(user),
        withdraw_form=PlainForm(),
    )


@bp.route("/account/close/withdraw", methods=["POST"])
@login_required
def close_withdraw():
    """Withdraw one's pending closure request."""
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_closure(acting_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Your request to close the account is withdrawn."), "info")
    return redirect(url_for("account.close"))


@bp.route("/account/closures")
@region_admin_required
def closures():
    """Closure requests (pending first by default), paginated."""
    status = request.args.get("status", "pending")
    if status not in (*CLOSURE_STATUSES, "all"):
        status = "pending"
    stmt = services.closures_query(acting_user(), None if status == "all" else status)
    pagination = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "account/closures.html",
        pagination=pagination,
        status=status,
        statuses=CLOSURE_STATUSES,
        action_form=PlainForm(),
        refuse_form=RefuseForm(),
        obstacle=services.closure_obstacle,
    )


@bp.route("/account/closures/<int:request_id>/complete", methods=["POST"])
@region_admin_required
def closure_complete(request_id: int):
    """Close the account of a request: personal fields erased, records kept pseudonymised."""
    if not PlainForm().validate_on_submit():
        abort(400)
    return _decide(services.complete_closure, request_id, _("The account is closed."))


@bp.route("/account/closures/<int:request_id>/refuse", methods=["POST"])
@region_admin_required
def closure_refuse(request_id: int):
    """Refuse a closure request with a reason (the person is told)."""
    form = RefuseForm()
    if not form.validate_on_submit():
        flash(_("Say why the request is refused (up to 500 characters)."), "danger")
        return redirect(url_for("account.closures"))
    return _decide(
        lambda actor, rid: services.refuse_closure(actor, rid, form.reason.data),
        request_id,
        _("The request is refused."),
    )


def _decide(action, request_id: int, message: str):
    try:
        action(acting_user(), request_id)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("account.closures"))

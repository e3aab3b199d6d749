"""Pages of match rounds: list, create, run, preview, lock/exclude, publish; my matches."""

from datetime import UTC, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import admin_required, roles_required
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import page_arg
from app.common.pagination import Page
from app.common.time import utcnow
from app.common.views import acting_user as _user
from app.extensions import db
from app.reference.models import Occupation, Region
from app.registry.queries import paginate
from app.rounds import jobs, queries, services
from app.rounds.forms import (
    CAUSE_LABELS,
    CRITERION_LABELS,
    KIND_LABELS,
    LOCAL_TZ,
    MATCH_STATUS_LABELS,
    MODE_LABELS,
    REASON_LABELS,
    ROUND_STATUS_LABELS,
    ReasonForm,
    RoundPageForm,
)
from app.rounds.models import HOLDING_STATUSES, ROUND_KINDS, ROUND_STATUSES, Match, MatchRound

bp = Blueprint("rounds", __name__, url_prefix="/rounds")
SIDES = ("teacher", "school", "enterprise")
MATCH_PAGE = 50
UNMATCHED_PAGE = 50

from app.rounds import cli  # noqa: E402, F401  (flask rounds expire|remind|worker|run)


@bp.context_processor
def _labels() -> dict[str, Any]:
    """Translated labels of the rounds' coded values."""
    return {
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        "round_status_labels": ROUND_STATUS_LABELS,
        "match_status_labels": MATCH_STATUS_LABELS,
        "reason_labels": REASON_LABELS,
        "cause_labels": CAUSE_LABELS,
        "criterion_labels": CRITERION_LABELS,
        "local_tz": LOCAL_TZ,
        "utc_tz": UTC,
        "region_label": _region_label,
        "occupation_label": _occupation_label,
        "side_of": services.side_of,
        "holding": HOLDING_STATUSES,
    }


def _region_label(code: str) -> str:
    region = db.session.get(Region, code)
    return region.name if region else code


def _occupation_label(code: str | None) -> str:
    occupation = db.session.get(Occupation, code) if code else None
    return f"{code} {occupation.name}" if occupation else (code or "")


def _round(round_id: int) -> MatchRound:
    """The round, 404 unless the administrator may see it."""
    round_ = db.get_or_404(MatchRound, round_id)
    if not round_.can_view(current_user):
        abort(404)
    return round_


def _match(match_id: int, round_id: int | None = None) -> Match:
    """The match, 404 unless visible (and of the round, when given)."""
    match = db.get_or_404(Match, match_id)
    if round_id is not None and match.round_id != round_id:
        abort(404)
    if not services.can_view_match(current_user, match):
        abort(404)
    return match


def _expire() -> None:
    """Expire overdue proposals lazily when rounds or matches are read."""
    if services.expire_overdue():
        db.session.commit()


def _done(message: str, target: str):
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def _failed(exc: ServiceError, target: str):
    db.session.rollback()
    flash(exc.message, "danger")
    return redirect(target)


@bp.route("/")
@admin_required
def index():
    """Rounds in the administrator's scope with status and metrics."""
    _expire()
    kind = request.args.get("kind") if request.args.get("kind") in ROUND_KINDS else None
    status = request.args.get("status") if request.args.get("status") in ROUND_STATUSES else None
    stmt = queries.visible_rounds(_user(), kind, status)
    pagination = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("rounds/index.html", pagination=pagination, kind=kind, status=status)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """Open a round: kind, scope, mode, weights and deadline (a follow-up with ?parent=)."""
    user = _user()
    parent = _parent()
    league = user.region_code if user.role == "league_admin" else None
    form = RoundPageForm(league=league, data=_initial(parent, league))
    if form.validate_on_submit():
        try:
            round_ = services.create_round(
                user,
                form.kind.data,
                form.region_code.data or None,
                form.mode.data,
                form.weights(),
                form.deadline.parsed,
                parent=parent,
            )
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _done(_("The round is open. Run it to see a preview."), _detail(round_))
    return render_template("rounds/form.html", form=form, parent=parent)


def _parent() -> MatchRound | None:
    raw = request.values.get("parent") or request.values.get("parent_id")
    if not raw or not raw.isdigit():
        return None
    return _round(int(raw))


def _initial(parent: MatchRound | None, league: str | None) -> dict[str, Any] | None:
    if request.method == "POST":
        return None
    deadline = (utcnow() + timedelta(days=14)).astimezone(LOCAL_TZ).date().isoformat()
    if parent is None:
        return {"region_code": league or "", "deadline": deadline}
    data = {
        "kind": parent.kind,
        "region_code": parent.region_code or "",
        "mode": parent.mode,
        "deadline": deadline,
        "parent_id": parent.id,
    }
    data.update({f"weight_{k}": v for k, v in (parent.weights or {}).items()})
    return data


def _detail(round_: MatchRound) -> str:
    return url_for("rounds.detail", round_id=round_.id)


@bp.route("/<int:round_id>")
@admin_required
def detail(round_id: int):
    """The round: run, preview with breakdowns, unmatched, bottlenecks, metrics, publish."""
    _expire()
    round_ = _round(round_id)
    status = request.args.get("status") or None
    pagination = paginate(queries.round_matches(round_, status), page_arg(), MATCH_PAGE)
    data = queries.unmatched_page(round_, page_arg("upage"), UNMATCHED_PAGE)
    unmatched = Page(data["items"], data["page"], data["per_page"], data["total"])
    return render_template(
        "rounds/detail.html",
        round=round_,
        pagination=pagination,
        unmatched=unmatched,
        reason_form=ReasonForm(),
        editable=round_.can_edit(current_user) and not round_.read_only,
    )


@bp.route("/<int:round_id>/run", methods=["POST"])
@admin_required
def run(round_id: int):
    """Run the round inline, or queue it in the background when it is large."""
    round_ = _round(round_id)
    target = _detail(round_)
    try:
        queued = jobs.start(round_, _user())
    except ServiceError as exc:
        return _failed(exc, target)
    if queued:
        flash(_("The round runs in the background; this page shows its progress."), "info")
    else:
        flash(_("The preview is ready."), "success")
    return redirect(target)


@bp.route("/<int:round_id>/publish", methods=["POST"])
@admin_required
def publish(round_id: int):
    """Publish the preview: proposals go to both sides."""
    round_ = _round(round_id)
    try:
        services.publish_round(
            _user(), round_, require_proposals=request.form.get("confirm_empty") != "1"
        )
    except ServiceError as exc:
        return _failed(exc, _detail(round_))
    return _done(_("The round is published; both sides have been notified."), _detail(round_))


@bp.route("/<int:round_id>/matches/<int:match_id>/lock", methods=["POST"])
@admin_required
def lock(round_id: int, match_id: int):
    """Keep a preview pair in every re-run, with a reason."""
    return _decide(round_id, match_id, services.lock_match, _("The pair is locked."))


@bp.route("/<int:round_id>/matches/<int:match_id>/exclude", methods=["POST"])
@admin_required
def exclude(round_id: int, match_id: int):
    """Exclude a preview pair from this round, with a reason."""
    message = _("The pair is excluded; run the round again to fill its place.")
    return _decide(round_id, match_id, services.exclude_match, message)


def _decide(round_id: int, match_id: int, service, message: str):
    """Shared body of lock and exclude."""
    match = _match(match_id, round_id)
    target = _detail(match.round)
    if not match.round.can_edit(current_user):
        abort(403)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "danger")
        return redirect(target)
    try:
        service(_user(), match, form.reason.data)
    except ServiceError as exc:
        return _failed(exc, target)
    return _done(message, target)


# --- both sides ---------------------------------------------------------------------------


@bp.route("/matches/mine")
@roles_required(*SIDES)
def my_matches():
    """Proposed matches the user answers for, with their breakdown and accept/decline."""
    _expire()
    status = request.args.get("status") or None
    stmt = queries.my_matches(_user(), status)
    pagination = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "rounds/my_matches.html", pagination=pagination, status=status, reason_form=ReasonForm()
    )


@bp.route("/matches/<int:match_id>")
@roles_required(*SIDES, "league_admin", "region_admin")
def match_detail(match_id: int):
    """One match with its breakdown (the link of its notifications)."""
    _expire()
    match = _match(match_id)
    return render_template("rounds/match.html", match=match, reason_form=ReasonForm())


@bp.route("/matches/<int:match_id>/accept", methods=["POST"])
@roles_required(*SIDES)
def accept(match_id: int):
    """Accept a proposed match for the user's side."""
    match = _answer_target(match_id)
    try:
        services.accept_match(_user(), match)
    except ServiceError as exc:
        return _failed(exc, url_for("rounds.my_matches"))
    if match.status == "confirmed":
        message = _("Both sides accepted: the match is confirmed.")
    else:
        message = _("Accepted. The match waits for the other side.")
    return _done(message, url_for("rounds.my_matches"))


@bp.route("/matches/<int:match_id>/decline", methods=["POST"])
@roles_required(*SIDES)
def decline(match_id: int):
    """Decline a proposed match with a reason; the place is offered again later."""
    match = _answer_target(match_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for declining."), "danger")
        return redirect(url_for("rounds.my_matches"))
    try:
        services.decline_match(_user(), match, form.reason.data)
    except ServiceError as exc:
        return _failed(exc, url_for("rounds.my_matches"))
    return _done(_("Declined."), url_for("rounds.my_matches"))


def _answer_target(match_id: int) -> Match:
    """A match the user may answer: 404 unless visible, 403 unless one of its sides."""
    _expire()
    match = _match(match_id)
    if services.side_of(current_user, match) is None:
        abort(403)
    return match

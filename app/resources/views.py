"""Pages of the resources domain: resource packages and their review, shared venues and
bookings, training programmes, certifications and supervision."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import admin_required, login_required, public, roles_required
from app.common import exports
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import page_arg
from app.common.time import local_today
from app.common.views import acting_user as _user
from app.common.views import load_visible as _load
from app.extensions import db
from app.reference.queries import occupation_choices, region_choices
from app.registry.models import Host, School, SchoolMajor
from app.registry.queries import paginate
from app.resources import forms as f
from app.resources import queries, services, storage
from app.resources.models import (
    Booking,
    ResourceFile,
    ResourceItem,
    ReviewPanelMember,
    SupervisionAction,
    SupervisionVisit,
    Trainee,
    TrainingProgramme,
    Venue,
    is_reviewer,
)

bp = Blueprint("resources", __name__, url_prefix="/resources")

ADMINS = ("league_admin", "region_admin")
ORGS_AND_ADMINS = ("school", "enterprise", *ADMINS)
UPLOAD_ENDPOINTS = frozenset({"resources.item_upload"})


@bp.before_request
def _upload_limit() -> None:
    """Raise the body limit for the upload route only (documents and videos are large)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = storage.request_limit()


@bp.context_processor
def _labels() -> dict[str, Any]:
    """Translated labels of the domain's coded values."""
    return {
        "resource_kind_labels": f.RESOURCE_KIND_LABELS,
        "resource_status_labels": f.RESOURCE_STATUS_LABELS,
        "origin_labels": f.ORIGIN_LABELS,
        "venue_kind_labels": f.VENUE_KIND_LABELS,
        "booking_status_labels": f.BOOKING_STATUS_LABELS,
        "training_kind_labels": f.TRAINING_KIND_LABELS,
        "trainee_outcome_labels": f.TRAINEE_OUTCOME_LABELS,
        "skill_level_labels": f.SKILL_LEVEL_LABELS,
        "cert_outcome_labels": f.CERT_OUTCOME_LABELS,
        "action_status_labels": f.ACTION_STATUS_LABELS,
        "decision_labels": f.DECISION_LABELS,
    }


@bp.app_context_processor
def _host_programmes() -> dict[str, Any]:
    """`host_programmes(hosts)` for the enterprise page's host section."""
    return {"host_programmes": lambda hosts: queries.host_programmes([h.id for h in hosts])}


def _arg(name: str) -> str | None:
    return (request.args.get(name) or "").strip() or None


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def _page(stmt):
    return paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])


def _failed(form, exc: ServiceError) -> None:
    """Undo the unit of work and show the service's messages next to the fields."""
    db.session.rollback()
    if exc.status == 413:
        abort(413)
    if exc.status == 403:
        abort(403)
    apply_errors(form, exc)


def _render_form(form, title: str, back: str, status: int = 200, **extra):
    page = render_template("resources/form.html", form=form, title=title, back=back, **extra)
    return page, status


def _flash_error(exc: ServiceError) -> None:
    db.session.rollback()
    flash(exc.message, "error")


# --- resource packages ---------------------------------------------------------------------


@bp.route("/")
@login_required
def packages():
    """Resource items the user may see, with search and filters."""
    stmt = queries.visible_items(
        current_user,
        q=_arg("q"),
        kind=_arg("kind"),
        status=_arg("status"),
        school_major_id=_int_arg("school_major_id"),
    )
    return render_template(
        "resources/packages.html",
        pagination=_page(stmt),
        reviewer=is_reviewer(current_user),
    )


def _item_choices(form) -> None:
    majors = queries.school_majors_of(current_user)
    form.school_major_id.choices = [(m.id, f"{m.major.name} ({m.level})") for m in majors]
    form.partner_enterprise_ids.choices = queries.approved_enterprises()


def _item_data(form) -> dict[str, Any]:
    return {
        "kind": form.kind.data,
        "title": form.title.data.strip(),
        "origin": form.origin.data or None,
        "authors": (form.authors.data or "").strip() or None,
        "version": (form.version.data or "").strip() or "1.0",
        "description": form.description.data or None,
        "share": bool(form.share.data),
        "partner_enterprise_ids": form.partner_enterprise_ids.data or [],
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required("school")
def item_new():
    """Add an item to one of the school's integrated majors."""
    form = f.ResourceItemForm()
    _item_choices(form)
    if form.validate_on_submit():
        major = db.session.get(SchoolMajor, form.school_major_id.data)
        if major is None or major.school_id != current_user.school_id:
            form.school_major_id.errors.append(_("Choose one of your school's majors."))
        else:
            try:
                item = services.create_item(_user(), major, _item_data(form))
                db.session.commit()
                flash(_("The item was saved as a draft. Upload its files next."), "success")
                return redirect(url_for("resources.item_detail", item_id=item.id))
            except ServiceError as exc:
                _failed(form, exc)
    return _render_form(form, _("New teaching resource"), url_for("resources.packages"))


@bp.route("/<int:item_id>")
@login_required
def item_detail(item_id: int):
    """An item with its files, history and the actions open to the user."""
    item = _load(ResourceItem, item_id)
    return render_template(
        "resources/item_detail.html",
        item=item,
        upload_form=f.UploadForm(),
        comment_form=f.CommentForm(),
        review_form=f.ReviewDecisionForm(),
        can_edit=item.can_edit(current_user),
        can_contribute=item.can_contribute(current_user),
        can_review=item.can_review(current_user),
    )


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required("school")
def item_edit(item_id: int):
    """Change a draft or returned item."""
    item = _load(ResourceItem, item_id, edit=True)
    form = f.ResourceItemForm(obj=item)
    _item_choices(form)
    if request.method == "GET":
        form.partner_enterprise_ids.data = [e.id for e in item.partners]
    del form.school_major_id
    if form.validate_on_submit():
        try:
            services.update_item(_user(), item, _item_data(form))
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("resources.item_detail", item_id=item.id))
        except ServiceError as exc:
            _failed(form, exc)
    return _render_form(
        form,
        _("Edit %(title)s", title=item.title),
        url_for("resources.item_detail", item_id=item.id),
    )


@bp.route("/<int:item_id>/files", methods=["POST"])
@roles_required("school", "enterprise")
def item_upload(item_id: int):
    """Upload a file as the item's next version (older versions stay)."""
    item = _load(ResourceItem, item_id)
    if not item.can_contribute(current_user):
        abort(403)
    form = f.UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("resources.item_detail", item_id=item.id))
    upload = form.file.data
    try:
        row = services.add_file(_user(), item, upload.stream, upload.filename)
        db.session.commit()
        flash(
            _("Uploaded %(name)s as version %(n)s.", name=row.original_name, n=row.number),
            "success",
        )
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 413:
            abort(413)
        flash(exc.message, "error")
    return redirect(url_for("resources.item_detail", item_id=item.id))


@bp.route("/<int:item_id>/files/<int:file_id>")
@login_required
def file_download(item_id: int, file_id: int):
    """Download a file as an attachment (only to those who may see the item)."""
    item = _load(ResourceItem, item_id)
    row = db.get_or_404(ResourceFile, file_id)
    if row.item_id != item.id:
        abort(404)
    return send_stored(row)


def send_stored(row: ResourceFile):
    """The stored file as an attachment under its original name."""
    path = storage.path_of(row.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:item_id>/submit", methods=["POST"])
@roles_required("school")
def item_submit(item_id: int):
    """Send the item to review."""
    item = _load(ResourceItem, item_id, edit=True)
    form = f.CommentForm()
    form.validate_on_submit()
    return _transition(
        item,
        lambda: services.submit_item(_user(), item, form.comment.data),
        _("Submitted for review."),
    )


@bp.route("/<int:item_id>/take", methods=["POST"])
@login_required
def item_take(item_id: int):
    """A reviewer takes the item up for review."""
    item = _reviewable(item_id)
    return _transition(item, lambda: services.start_review(_user(), item), _("Review started."))


@bp.route("/<int:item_id>/review", methods=["POST"])
@login_required
def item_review(item_id: int):
    """A reviewer's decision: approve, return for revision or reject."""
    item = _reviewable(item_id)
    form = f.ReviewDecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision."), "error")
        return redirect(url_for("resources.item_detail", item_id=item.id))
    return _transition(
        item,
        lambda: services.review_item(_user(), item, form.decision.data, form.comment.data),
        _("Decision recorded; the school has been notified."),
    )


@bp.route("/<int:item_id>/comment", methods=["POST"])
@login_required
def item_comment(item_id: int):
    """A reviewer's comment, kept with the item's history."""
    item = _reviewable(item_id)
    form = f.CommentForm()
    form.validate_on_submit()
    return _transition(
        item, lambda: services.comment_item(_user(), item, form.comment.data), _("Comment added.")
    )


def _reviewable(item_id: int) -> ResourceItem:
    item = _load(ResourceItem, item_id)
    if not item.can_review(current_user):
        abort(403)
    return item


def _transition(item: ResourceItem, action, message: str):
    try:
        action()
        db.session.commit()
        flash(message, "success")
    except ServiceError as exc:
        _flash_error(exc)
    return redirect(url_for("resources.item_detail", item_id=item.id))


@bp.route("/reviews")
@login_required
def review_queue():
    """Items waiting for the review panel."""
    if not is_reviewer(current_user):
        abort(403)
    return render_template(
        "resources/packages.html",
        pagination=_page(queries.review_queue(current_user)),
        reviewer=True,
        queue=True,
    )


@bp.route("/panel", methods=["GET", "POST"])
@roles_required("region_admin")
def panel():
    """The review panel: appoint accounts, see members."""
    from app.auth.models import User

    form = f.PanelForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            form.email.errors.append(_("No account has this email."))
        else:
            try:
                services.appoint_reviewer(_user(), user)
                db.session.commit()
                flash(_("%(name)s joined the review panel.", name=user.name), "success")
                return redirect(url_for("resources.panel"))
            except ServiceError as exc:
                _failed(form, exc)
    return render_template("resources/panel.html", form=form, members=queries.panel_members())


@bp.route("/panel/<int:member_id>/remove", methods=["POST"])
@roles_required("region_admin")
def panel_remove(member_id: int):
    """Take an account off the review panel."""
    member = db.get_or_404(ReviewPanelMember, member_id)
    services.remove_reviewer(_user(), member)
    db.session.commit()
    flash(_("Removed from the review panel."), "success")
    return redirect(url_for("resources.panel"))


# --- venues and bookings -------------------------------------------------------------------


@bp.route("/venues")
@public
def venues():
    """Shared venues with their equipment and capacity."""
    stmt = queries.venues(q=_arg("q"), kind=_arg("kind"), region_code=_arg("region_code"))
    return render_template(
        "resources/venues.html", pagination=_page(stmt), regions=region_choices()
    )


def _venue_form(obj=None):
    form = f.VenueForm(obj=obj, regions=region_choices())
    hosts = []
    if current_user.role == "enterprise" and current_user.enterprise_id:
        hosts = db.session.scalars(
            select(Host).where(Host.enterprise_id == current_user.enterprise_id).order_by(Host.name)
        ).all()
    form.host_id.choices = [("", "—")] + [(h.id, h.name) for h in hosts]
    return form


def _venue_data(form) -> dict[str, Any]:
    return {
        "name": form.name.data.strip(),
        "kind": form.kind.data,
        "region_code": form.region_code.data,
        "capacity": form.capacity.data,
        "equipment": form.equipment.data or None,
        "address": form.address.data or None,
        "description": form.description.data or None,
    }


@bp.route("/venues/new", methods=["GET", "POST"])
@roles_required(*ORGS_AND_ADMINS)
def venue_new():
    """List a venue owned by the user's organisation (administrators: by the region)."""
    form = _venue_form()
    if form.validate_on_submit():
        host = db.session.get(Host, form.host_id.data) if form.host_id.data else None
        try:
            venue = services.create_venue(_user(), _venue_data(form), host)
            db.session.commit()
            flash(_("Venue listed."), "success")
            return redirect(url_for("resources.venue_detail", venue_id=venue.id))
        except ServiceError as exc:
            _failed(form, exc)
    return _render_form(form, _("List a venue"), url_for("resources.venues"))


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGS_AND_ADMINS)
def venue_edit(venue_id: int):
    """Change a venue's details (its kind stays)."""
    venue = _load(Venue, venue_id, edit=True)
    form = _venue_form(venue)
    form.kind.data = venue.kind
    if form.validate_on_submit():
        try:
            services.update_venue(_user(), venue, _venue_data(form))
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("resources.venue_detail", venue_id=venue.id))
        except ServiceError as exc:
            _failed(form, exc)
    return _render_form(
        form,
        _("Edit %(title)s", title=venue.name),
        url_for("resources.venue_detail", venue_id=venue.id),
        locked=("kind", "host_id"),
    )


def calendar_days(view: str, anchor: date) -> list[date]:
    """The days of the week (Monday first) or of the month grid (whole weeks) around anchor."""
    if view == "month":
        first = anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        next_month = (first + timedelta(days=32)).replace(day=1)
        end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
        return [start + timedelta(days=i) for i in range((end - start).days)]
    start = anchor - timedelta(days=anchor.weekday())
    return [start + timedelta(days=i) for i in range(7)]


def _anchor() -> date:
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return local_today()


@bp.route("/venues/<int:venue_id>")
@public
def venue_detail(venue_id: int):
    """A venue with its booking calendar (week or month)."""
    venue = _load(Venue, venue_id)
    view = "month" if request.args.get("view") == "month" else "week"
    anchor = _anchor()
    days = calendar_days(view, anchor)
    zone = f._zone()
    start = datetime.combine(days[0], time.min, zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, zone)
    by_day: dict[date, list[Booking]] = {d: [] for d in days}
    for booking in queries.bookings_between(venue, start, end):
        first = services.as_utc(booking.starts_at).astimezone(zone).date()
        last = (services.as_utc(booking.ends_at) - timedelta(seconds=1)).astimezone(zone).date()
        for d in days:
            if first <= d <= last:
                by_day[d].append(booking)
    step = timedelta(days=28 if view == "month" else 7)
    return render_template(
        "resources/venue_detail.html",
        venue=venue,
        view=view,
        anchor=anchor,
        days=days,
        by_day=by_day,
        zone=zone,
        utc=UTC,
        prev_date=(anchor - step).isoformat(),
        next_date=(anchor + step).isoformat(),
        manage=venue.can_edit(current_user),
        can_book=current_user.is_authenticated and current_user.role == "school",
    )


@bp.route("/venues/<int:venue_id>/book", methods=["GET", "POST"])
@roles_required("school")
def venue_book(venue_id: int):
    """A school asks for a time slot; the venue's owner confirms or declines."""
    venue = _load(Venue, venue_id)
    form = f.BookingForm()
    status = 200
    if form.validate_on_submit():
        data = {
            "starts_at": form.starts_at.data,
            "ends_at": form.ends_at.data,
            "purpose": form.purpose.data.strip(),
            "headcount": form.headcount.data,
        }
        try:
            services.book(_user(), venue, data)
            db.session.commit()
            flash(_("Booking requested; the venue's owner will confirm or decline."), "success")
            return redirect(url_for("resources.venue_detail", venue_id=venue.id))
        except ServiceError as exc:
            status = exc.status if exc.status == 409 else 200
            _failed(form, exc)
    return _render_form(
        form,
        _("Book %(name)s", name=venue.name),
        url_for("resources.venue_detail", venue_id=venue.id),
        status=status,
        venue=venue,
    )


@bp.route("/bookings")
@login_required
def bookings():
    """Bookings the user made or must decide on."""
    stmt = queries.bookings_for(current_user, status=_arg("status"))
    return render_template(
        "resources/bookings.html", pagination=_page(stmt), decision_form=f.DecisionForm()
    )


def _decide(booking_id: int, confirm: bool):
    booking = db.get_or_404(Booking, booking_id)
    if not booking.can_view(current_user):
        abort(404)
    if not booking.can_decide(current_user):
        abort(403)
    form = f.DecisionForm()
    form.validate_on_submit()
    try:
        services.decide_booking(_user(), booking, confirm, form.reason.data or None)
        db.session.commit()
        flash(_("Booking confirmed.") if confirm else _("Booking declined."), "success")
    except ServiceError as exc:
        _flash_error(exc)
    return redirect(url_for("resources.bookings"))


@bp.route("/bookings/<int:booking_id>/confirm", methods=["POST"])
@roles_required(*ORGS_AND_ADMINS)
def booking_confirm(booking_id: int):
    """The venue's owner confirms a pending booking."""
    return _decide(booking_id, True)


@bp.route("/bookings/<int:booking_id>/decline", methods=["POST"])
@roles_required(*ORGS_AND_ADMINS)
def booking_decline(booking_id: int):
    """The venue's owner declines a pending booking."""
    return _decide(booking_id, False)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required("school")
def booking_cancel(booking_id: int):
    """The booking school cancels."""
    booking = db.get_or_404(Booking, booking_id)
    if not booking.can_view(current_user):
        abort(404)
    if not booking.can_cancel(current_user):
        abort(403)
    try:
        services.cancel_booking(_user(), booking)
        db.session.commit()
        flash(_("Booking cancelled."), "success")
    except ServiceError as exc:
        _flash_error(exc)
    return redirect(url_for("resources.bookings"))


# --- training programmes -------------------------------------------------------------------


@bp.route("/trainings")
@public
def trainings():
    """Training programmes at training stations and master studios."""
    stmt = queries.trainings(current_user, q=_arg("q"), kind=_arg("kind"))
    return render_template("resources/trainings.html", pagination=_page(stmt))


def _training_form():
    form = f.TrainingForm(occupations=occupation_choices())
    form.host_id.choices = [(h.id, h.name) for h in queries.managed_hosts(current_user)]
    schools = db.session.execute(
        select(School.id, School.name).where(School.status == "approved").order_by(School.name)
    )
    form.partner_school_id.choices = [("", "—")] + [(s.id, s.name) for s in schools]
    return form


def training_data(form) -> dict[str, Any]:
    """Service input from a validated TrainingForm."""
    return {
        "kind": form.kind.data,
        "title": form.title.data.strip(),
        "occupation_code": form.occupation_code.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "partner_school_id": form.partner_school_id.data or None,
        "masters": form.masters.data or None,
        "description": form.description.data or None,
    }


@bp.route("/trainings/new", methods=["GET", "POST"])
@roles_required("enterprise", *ADMINS)
def training_new():
    """Record a programme at one of the user's training stations or master studios."""
    form = _training_form()
    if form.validate_on_submit():
        host = db.session.get(Host, form.host_id.data)
        if host is None or not host.can_edit(current_user):
            form.host_id.errors.append(_("Choose one of your training stations or studios."))
        else:
            try:
                programme = services.create_training(_user(), host, training_data(form))
                db.session.commit()
                flash(_("Programme recorded."), "success")
                return redirect(url_for("resources.training_detail", programme_id=programme.id))
            except ServiceError as exc:
                _failed(form, exc)
    return _render_form(form, _("New training programme"), url_for("resources.trainings"))


@bp.route("/trainings/<int:programme_id>")
@public
def training_detail(programme_id: int):
    """A programme; trainees are shown to its managers and the partner school."""
    from app.cooperation.services import latest_agreement, may_sign_programme

    programme = _load(TrainingProgramme, programme_id)
    agreement = latest_agreement("programme", programme.id)
    return render_template(
        "resources/training_detail.html",
        programme=programme,
        manage=programme.can_edit(current_user),
        agreement=agreement if agreement and agreement.can_view(current_user) else None,
        may_record_agreement=agreement is None and may_sign_programme(current_user, programme),
        see_trainees=programme.can_see_trainees(current_user),
        trainee_form=f.TraineeForm(),
        outcome_form=f.OutcomeForm(),
    )


@bp.route("/trainings/<int:programme_id>/trainees", methods=["POST"])
@roles_required("enterprise", *ADMINS)
def trainee_add(programme_id: int):
    """Add a trainee (name only)."""
    programme = _load(TrainingProgramme, programme_id, edit=True)
    form = f.TraineeForm()
    if form.validate_on_submit():
        services.add_trainee(_user(), programme, form.data)
        db.session.commit()
        flash(_("Trainee added."), "success")
    else:
        flash(_("Give the trainee's name and outcome."), "error")
    return redirect(url_for("resources.training_detail", programme_id=programme.id))


@bp.route("/trainees/<int:trainee_id>/outcome", methods=["POST"])
@roles_required("enterprise", *ADMINS)
def trainee_outcome(trainee_id: int):
    """Record a trainee's outcome."""
    trainee = db.get_or_404(Trainee, trainee_id)
    programme = _load(TrainingProgramme, trainee.programme_id, edit=True)
    form = f.OutcomeForm()
    if form.validate_on_submit():
        services.record_outcome(_user(), trainee, form.outcome.data, form.level.data)
        db.session.commit()
        flash(_("Outcome saved."), "success")
    return redirect(url_for("resources.training_detail", programme_id=programme.id))


# --- certification -------------------------------------------------------------------------

CERT_COLUMNS = [
    exports.Column("Graduate", lambda c: c.graduate_name),
    exports.Column("School", lambda c: c.school_major.school.name),
    exports.Column("Major", lambda c: c.school_major.major.name),
    exports.Column("Occupation", lambda c: f"{c.occupation_code} {c.occupation.name}"),
    exports.Column("Level", lambda c: str(f.SKILL_LEVEL_LABELS[c.level])),
    exports.Column("Outcome", lambda c: str(f.CERT_OUTCOME_LABELS[c.outcome])),
    exports.Column("Date", lambda c: c.certified_on),
    exports.Column("Certificate number", lambda c: c.certificate_no),
    exports.Column(
        "Certified by", lambda c: c.enterprise.name if c.enterprise else c.school_major.school.name
    ),
]


@bp.route("/certifications")
@roles_required(*ORGS_AND_ADMINS)
def certifications():
    """Skill certification records, with filters and CSV/XLSX export (?format=csv|xlsx)."""
    stmt = queries.certifications(
        current_user,
        q=_arg("q"),
        level=_arg("level"),
        outcome=_arg("outcome"),
        school_major_id=_int_arg("school_major_id"),
    )
    fmt = exports.requested_format()
    if fmt:
        return exports.export_response(stmt, CERT_COLUMNS, "certifications", fmt)
    return render_template(
        "resources/certifications.html",
        pagination=_page(stmt),
        can_record=current_user.role in ("school", "enterprise"),
    )


def certification_form(user):
    """The certification form with the majors and occupations the user may choose."""
    form = f.CertificationForm(occupations=occupation_choices())
    form.school_major_id.choices = [
        (m.id, f"{m.school.name} · {m.major.name}") for m in queries.certifiable_majors(user)
    ]
    return form


def certification_data(form) -> dict[str, Any]:
    """Service input from a validated CertificationForm."""
    return {
        "graduate_name": form.graduate_name.data.strip(),
        "occupation_code": form.occupation_code.data,
        "level": form.level.data,
        "outcome": form.outcome.data,
        "basis": form.basis.data,
        "certified_on": form.certified_on.data,
        "certificate_no": form.certificate_no.data or None,
    }


@bp.route("/certifications/new", methods=["GET", "POST"])
@roles_required("school", "enterprise")
def certification_new():
    """Record a certification (the school, or an enterprise paired with the major)."""
    form = certification_form(current_user)
    if form.validate_on_submit():
        major = db.session.get(SchoolMajor, form.school_major_id.data)
        if major is None or major.id not in {c[0] for c in form.school_major_id.choices}:
            form.school_major_id.errors.append(_("Choose a major you may certify for."))
        else:
            try:
                services.certify(_user(), major, certification_data(form))
                db.session.commit()
                flash(_("Certification recorded."), "success")
                return redirect(url_for("resources.certifications"))
            except ServiceError as exc:
                _failed(form, exc)
    return _render_form(form, _("Record a certification"), url_for("resources.certifications"))


# --- supervision ---------------------------------------------------------------------------


@bp.route("/supervision")
@roles_required("school", *ADMINS)
def supervision():
    """Supervision visits: administrators see their league's, schools their own."""
    stmt = queries.visits(current_user, status=_arg("status"))
    return render_template("resources/supervision.html", pagination=_page(stmt))


@bp.route("/supervision/new", methods=["GET", "POST"])
@admin_required
def visit_new():
    """Record a visit to a school of the administrator's league."""
    form = f.VisitForm()
    form.school_id.choices = queries.supervised_schools(current_user)
    if form.validate_on_submit():
        school = db.session.get(School, form.school_id.data)
        if school is None or not current_user.administers_region(school.region_code):
            form.school_id.errors.append(_("Choose a school of your league."))
        else:
            try:
                visit = services.record_visit(
                    _user(), school, form.visited_on.data, form.findings.data, form.action_rows()
                )
                db.session.commit()
                flash(_("Visit recorded; the school has been notified."), "success")
                return redirect(url_for("resources.supervision_detail", visit_id=visit.id))
            except ServiceError as exc:
                _failed(form, exc)
    return render_template("resources/visit_form.html", form=form)


@bp.route("/supervision/<int:visit_id>")
@roles_required("school", *ADMINS)
def supervision_detail(visit_id: int):
    """A visit with its required actions, answers and follow-up status."""
    visit = _load(SupervisionVisit, visit_id)
    return render_template(
        "resources/supervision_detail.html", visit=visit, answer_form=f.AnswerForm()
    )


def _action(action_id: int) -> SupervisionAction:
    action = db.get_or_404(SupervisionAction, action_id)
    if not action.can_view(current_user):
        abort(404)
    return action


@bp.route("/supervision/actions/<int:action_id>/answer", methods=["POST"])
@roles_required("school")
def action_answer(action_id: int):
    """The school answers a required action."""
    action = _action(action_id)
    form = f.AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write an answer."), "error")
    else:
        try:
            services.answer_action(_user(), action, form.answer.data)
            db.session.commit()
            flash(_("Answer sent."), "success")
        except ServiceError as exc:
            _flash_error(exc)
    return redirect(url_for("resources.supervision_detail", visit_id=action.visit_id))


@bp.route("/supervision/actions/<int:action_id>/close", methods=["POST"])
@admin_required
def action_close(action_id: int):
    """An administrator of the league closes a required action."""
    action = _action(action_id)
    try:
        services.close_action(_user(), action)
        db.session.commit()
        flash(_("Action closed."), "success")
    except ServiceError as exc:
        _flash_error(exc)
    return redirect(url_for("resources.supervision_detail", visit_id=action.visit_id))

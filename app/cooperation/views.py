"""Pages of the cooperation domain: offers, placements, majors, teachers, applications,
pairings, practice and the 6-months rule."""

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import admin_required, login_required, public, roles_required
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import is_safe_local_path, page_arg
from app.common.views import acting_user as _user
from app.common.views import load_visible as _load
from app.cooperation import queries, services
from app.cooperation.forms import (
    LEVEL_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    ApplicationForm,
    OfferForm,
    PairingRequestForm,
    PlacementForm,
    PracticeEntryForm,
    ReasonForm,
    SchoolMajorForm,
    TeacherProfileForm,
)
from app.cooperation.models import Application, Offer, Pairing, PairingRequest, Placement, Practice
from app.extensions import db
from app.reference.queries import occupation_choices, region_choices
from app.registry.forms import HOST_KIND_LABELS
from app.registry.models import Host, School, Teacher
from app.registry.queries import paginate

bp = Blueprint("cooperation", __name__, url_prefix="/cooperation")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    """Translated labels of the cooperation's coded values."""
    return {
        "mode_labels": MODE_LABELS,
        "level_labels": LEVEL_LABELS,
        "coop_status_labels": STATUS_LABELS,
        "host_kind_names": HOST_KIND_LABELS,
    }


def _back(default: str):
    """Redirect to a safe local ?next= or form next, else to default."""
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_local_path(target) else default)


def _act(service, *args, success: str, default: str):
    """Call one state-changing service, commit, flash and go back (errors are flashed)."""
    try:
        service(_user(), *args)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return _back(default)


def _save(form, service, *args):
    """Validate the form and call the service; returns the result or None (errors on form)."""
    if not form.validate_on_submit():
        return None
    try:
        result = service(_user(), *args)
    except ServiceError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return None
    db.session.commit()
    return result


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def browse_filters() -> queries.BrowseFilters:
    """Browse filters from the query string (bad values ignored)."""
    text = {n: (request.args.get(n) or "").strip() or None for n in ("region_code", "host_kind")}
    return queries.BrowseFilters(
        region_code=text["region_code"],
        occupation_code=(request.args.get("occupation_code") or "").strip() or None,
        host_kind=text["host_kind"],
        starts_on=_date_arg("starts_on"),
        ends_on=_date_arg("ends_on"),
        free_only=request.args.get("free_only") in ("1", "true", "on", "y"),
        mode=(request.args.get("mode") or "").strip() or None,
    )


def _page(stmt):
    return paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])


def _browse_context() -> dict[str, Any]:
    return {
        "filters": browse_filters(),
        "regions": region_choices(),
        "occupation_options": occupation_choices(),
    }


# --- public browsing ----------------------------------------------------------------------


@bp.route("/placements")
@public
def placements():
    """Open teacher-practice placements with filters and pagination."""
    pagination = _page(queries.open_placements(browse_filters()))
    return render_template(
        "cooperation/placements.html", pagination=pagination, **_browse_context()
    )


@bp.route("/placements/<int:placement_id>")
@public
def placement_detail(placement_id: int):
    """A placement; its owner sees the applicants."""
    placement = _load(Placement, placement_id)
    return render_template(
        "cooperation/placement_detail.html",
        placement=placement,
        manage=placement.can_edit(current_user),
    )


@bp.route("/offers")
@public
def offers():
    """Open cooperation offers with filters and pagination."""
    pagination = _page(queries.open_offers(browse_filters()))
    return render_template("cooperation/offers.html", pagination=pagination, **_browse_context())


@bp.route("/offers/<int:offer_id>")
@public
def offer_detail(offer_id: int):
    """A cooperation offer."""
    offer = _load(Offer, offer_id)
    return render_template(
        "cooperation/offer_detail.html", offer=offer, manage=offer.can_edit(current_user)
    )


# --- enterprise ---------------------------------------------------------------------------


def _own_hosts() -> list[tuple[int, str]]:
    enterprise_id = current_user.enterprise_id
    if enterprise_id is None:
        return []
    stmt = select(Host).where(Host.enterprise_id == enterprise_id, Host.retired_at.is_(None))
    return [(h.id, h.name) for h in db.session.scalars(stmt.order_by(Host.name))]


@bp.route("/desk")
@roles_required("enterprise")
def enterprise_desk():
    """The enterprise's offers, placements, applicants and practice stints."""
    if current_user.enterprise_id is None:
        flash(_("Register your enterprise first."), "info")
        return redirect(url_for("registry.my_organisation"))
    offers_, placements_ = queries.enterprise_postings(current_user.enterprise_id)
    applicants = _page(queries.enterprise_applicants(current_user.enterprise_id))
    return render_template(
        "cooperation/enterprise_desk.html",
        offers=offers_,
        placements=placements_,
        applicants=applicants,
        practices=queries.enterprise_practices(current_user.enterprise_id),
        acceptable=lambda a: services.acceptable_choice(_user(), a),
    )


def _posting_data(form) -> dict[str, Any]:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/offers/new", methods=["GET", "POST"])
@roles_required("enterprise")
def offer_new():
    """Post a cooperation offer on one of the enterprise's hosts."""
    form = OfferForm(hosts=_own_hosts())
    offer = _save(form, lambda user: services.create_offer(user, _posting_data(form)))
    if offer is not None:
        flash(_("The offer has been saved."), "success")
        return redirect(url_for("cooperation.enterprise_desk"))
    return render_template("cooperation/posting_form.html", form=form, kind="offer")


@bp.route("/placements/new", methods=["GET", "POST"])
@roles_required("enterprise")
def placement_new():
    """Post a teacher-practice placement on one of the enterprise's hosts."""
    form = PlacementForm(hosts=_own_hosts())
    placement = _save(form, lambda user: services.create_placement(user, _posting_data(form)))
    if placement is not None:
        flash(_("The placement has been saved."), "success")
        return redirect(url_for("cooperation.enterprise_desk"))
    return render_template("cooperation/posting_form.html", form=form, kind="placement")


def _posting_action(model, object_id: int, action: str):
    if action not in services.POSTING_MOVES:
        abort(404)
    posting = _load(model, object_id)
    message = _("Published.") if action == "publish" else _("Closed.")
    return _act(
        services.change_posting,
        posting,
        action,
        success=message,
        default=url_for("cooperation.enterprise_desk"),
    )


@bp.route("/offers/<int:offer_id>/publish", methods=["POST"], defaults={"action": "publish"})
@bp.route("/offers/<int:offer_id>/close", methods=["POST"], defaults={"action": "close"})
@roles_required("enterprise")
def offer_action(offer_id: int, action: str):
    """Publish a draft offer or close an open one."""
    return _posting_action(Offer, offer_id, action)


@bp.route(
    "/placements/<int:placement_id>/publish", methods=["POST"], defaults={"action": "publish"}
)
@bp.route("/placements/<int:placement_id>/close", methods=["POST"], defaults={"action": "close"})
@roles_required("enterprise")
def placement_action(placement_id: int, action: str):
    """Publish a draft placement or close an open one."""
    return _posting_action(Placement, placement_id, action)


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
@roles_required("enterprise")
def application_accept(application_id: int):
    """Accept an endorsed application for the enterprise's first-ranked placement."""
    application = _load(Application, application_id)
    return _act(
        services.accept_application,
        application,
        success=_("Accepted: the practice has started."),
        default=url_for("cooperation.enterprise_desk"),
    )


@bp.route("/practices/<int:practice_id>/confirm", methods=["POST"])
@roles_required("enterprise")
def practice_confirm(practice_id: int):
    """Confirm the days a teacher has logged."""
    practice = _load(Practice, practice_id)
    return _act(
        services.confirm_practice_days,
        practice,
        success=_("The logged days are confirmed."),
        default=url_for("cooperation.practice_detail", practice_id=practice.id),
    )


@bp.route("/practices/<int:practice_id>/complete", methods=["POST"])
@roles_required("enterprise")
def practice_complete(practice_id: int):
    """Confirm the remaining days and complete the stint."""
    practice = _load(Practice, practice_id)
    return _act(
        services.complete_practice,
        practice,
        success=_("The practice is completed."),
        default=url_for("cooperation.practice_detail", practice_id=practice.id),
    )


# --- school -------------------------------------------------------------------------------


def _own_school() -> School:
    """The school account's school; 404 before it is registered."""
    if current_user.school_id is None:
        abort(404)
    return db.session.get(School, current_user.school_id)


@bp.route("/majors", methods=["GET", "POST"])
@roles_required("school")
def school_majors():
    """The school's integrated majors and the form to register another."""
    if current_user.school_id is None:
        flash(_("Register your school first."), "info")
        return redirect(url_for("registry.my_organisation"))
    school = _own_school()
    form = SchoolMajorForm()
    saved = _save(form, lambda user: services.add_school_major(user, school, _posting_data(form)))
    if saved is not None:
        flash(_("The integrated major has been registered."), "success")
        return redirect(url_for("cooperation.school_majors"))
    return render_template(
        "cooperation/school_majors.html",
        school=school,
        majors=queries.school_majors(school.id),
        requests=queries.school_pairing_requests(school.id),
        form=form,
    )


@bp.route("/pairing-requests/new", methods=["GET", "POST"])
@roles_required("school")
def pairing_request_new():
    """Request a workshop pairing for one of the school's integrated majors."""
    school = _own_school()
    majors = [
        (m.id, f"{m.major.name} · {LEVEL_LABELS[m.level]}")
        for m in queries.school_majors(school.id)
    ]
    form = PairingRequestForm(majors=majors)
    if request.method == "GET" and request.args.get("school_major_id", "").isdigit():
        form.school_major_id.data = int(request.args["school_major_id"])
    saved = _save(form, lambda user: services.create_pairing_request(user, _posting_data(form)))
    if saved is not None:
        flash(_("The pairing request has been submitted."), "success")
        return redirect(url_for("cooperation.school_majors"))
    return render_template("cooperation/pairing_request_form.html", form=form, majors=majors)


@bp.route("/pairing-requests/<int:request_id>/withdraw", methods=["POST"])
@roles_required("school")
def pairing_request_withdraw(request_id: int):
    """Withdraw a pairing request not yet matched."""
    pairing_request = _load(PairingRequest, request_id)
    return _act(
        services.withdraw_pairing_request,
        pairing_request,
        success=_("The pairing request has been withdrawn."),
        default=url_for("cooperation.school_majors"),
    )


@bp.route("/teachers")
@roles_required("school")
def school_teachers():
    """The school's teachers, those waiting for confirmation first."""
    from app.registry.models import Claim
    from app.registry.services import teacher_records

    school = _own_school()
    pagination = _page(queries.school_teachers(school.id))
    claims = db.session.scalars(
        select(Claim)
        .where(Claim.school_id == school.id, Claim.kind == "teacher", Claim.status == "pending")
        .order_by(Claim.id)
        .limit(50)
    ).all()
    return render_template(
        "cooperation/school_teachers.html",
        school=school,
        pagination=pagination,
        claims=[(c, teacher_records(school.id, c.name)) for c in claims],
    )


@bp.route("/teachers/<int:teacher_id>/confirm", methods=["POST"])
@roles_required("school")
def teacher_confirm(teacher_id: int):
    """Confirm that a teacher account belongs to the school."""
    teacher = _load(Teacher, teacher_id)
    return _act(
        services.confirm_teacher,
        teacher,
        success=_("%(name)s is confirmed.", name=teacher.name),
        default=url_for("cooperation.school_teachers"),
    )


@bp.route("/school/applications")
@roles_required("school")
def school_applications():
    """Applications of the school's teachers, those waiting for the school first."""
    school = _own_school()
    status = request.args.get("status")
    status = status if status in STATUS_LABELS else None
    pagination = _page(queries.school_applications(school.id, status))
    return render_template(
        "cooperation/school_applications.html", pagination=pagination, status=status
    )


@bp.route("/applications/<int:application_id>/endorse", methods=["POST"])
@roles_required("school")
def application_endorse(application_id: int):
    """Endorse a teacher's application."""
    application = _load(Application, application_id)
    return _act(
        services.endorse_application,
        application,
        success=_("The application is endorsed."),
        default=url_for("cooperation.school_applications"),
    )


@bp.route("/applications/<int:application_id>/return", methods=["GET", "POST"])
@roles_required("school")
def application_return(application_id: int):
    """Return a teacher's application with a reason."""
    application = _load(Application, application_id)
    form = ReasonForm()
    saved = _save(
        form, lambda user: services.return_application(user, application, form.reason.data)
    )
    if saved is not None:
        flash(_("The application has been returned to the teacher."), "success")
        return redirect(url_for("cooperation.school_applications"))
    return render_template(
        "cooperation/application_return.html", form=form, application=application
    )


@bp.route("/pairings")
@roles_required("school", "enterprise")
def pairings():
    """Active (or ended) pairings of the school or enterprise with their partners."""
    status = "ended" if request.args.get("status") == "ended" else "active"
    pagination = _page(queries.pairings_of(_user(), status))
    return render_template("cooperation/pairings.html", pagination=pagination, status=status)


@bp.route("/pairings/<int:pairing_id>/end", methods=["POST"])
@roles_required("school", "enterprise")
def pairing_end(pairing_id: int):
    """End an active pairing."""
    pairing = _load(Pairing, pairing_id)
    return _act(
        services.end_pairing,
        pairing,
        success=_("The pairing has ended."),
        default=url_for("cooperation.pairings"),
    )


# --- teacher ------------------------------------------------------------------------------


def _approved_schools() -> list[tuple[int, str]]:
    stmt = select(School.id, School.name).where(School.status == "approved")
    return [(r.id, r.name) for r in db.session.execute(stmt.order_by(School.name))]


@bp.route("/profile", methods=["GET", "POST"])
@roles_required("teacher")
def teacher_profile():
    """The teacher's own profile: create it, or change it."""
    teacher = services.teacher_of(current_user)
    data = None
    if teacher is not None:
        data = {
            "school_id": teacher.school_id,
            "name": teacher.name,
            "title": teacher.title,
            "occupation_codes": teacher.occupation_codes,
        }
    form = TeacherProfileForm(schools=_approved_schools(), data=data)
    claim = services.pending_teacher_claim(current_user) if teacher is None else None
    if teacher is None and form.claim_record.data:
        from app.registry.services import claim_teacher_record

        claimed = _save(
            form, lambda u: claim_teacher_record(u, form.school_id.data, form.name.data)
        )
        if claimed is not None:
            flash(_("The school will check the record and link it to your account."), "success")
            return redirect(url_for("cooperation.teacher_profile"))
        saved = None
    elif teacher is None:
        saved = _save(form, lambda u: services.create_teacher_profile(u, _posting_data(form)))
    else:
        saved = _save(
            form, lambda u: services.update_teacher_profile(u, teacher, _posting_data(form))
        )
    if saved is not None:
        if saved.confirmed:
            flash(_("Your profile has been saved."), "success")
        else:
            flash(_("Your profile has been saved; your school will confirm it."), "success")
        return redirect(url_for("cooperation.teacher_profile"))
    return render_template(
        "cooperation/teacher_profile.html", form=form, teacher=teacher, claim=claim
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required("teacher")
def apply():
    """Apply for enterprise practice with up to five ranked placements."""
    teacher = services.teacher_of(current_user)
    if teacher is None or not teacher.confirmed:
        flash(_("Your teacher profile must be confirmed by your school before you apply."), "info")
        return redirect(url_for("cooperation.teacher_profile"))
    preselected = [int(v) for v in request.args.getlist("placement_id") if v.isdigit()][:5]
    form = ApplicationForm()
    if request.method == "GET" and preselected:
        first = db.session.get(Placement, preselected[0])
        if first is not None:
            form.starts_on.data, form.ends_on.data = first.starts_on, first.ends_on
    chosen = (form.placement_ids.data if request.method == "POST" else preselected) or []
    saved = _save(form, lambda user: services.submit_application(user, _posting_data(form)))
    if saved is not None:
        flash(_("Your application has been submitted to your school."), "success")
        return redirect(url_for("cooperation.application_detail", application_id=saved.id))
    return render_template(
        "cooperation/apply.html",
        form=form,
        choices=queries.placement_choices(chosen),
        chosen=chosen + [None] * (5 - len(chosen)),
    )


@bp.route("/applications")
@roles_required("teacher")
def my_applications():
    """The teacher's applications and practice stints."""
    teacher = services.teacher_of(current_user)
    return render_template(
        "cooperation/my_applications.html",
        teacher=teacher,
        applications=queries.teacher_applications(teacher.id) if teacher else [],
        practices=queries.teacher_practices(teacher.id) if teacher else [],
    )


@bp.route("/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    """An application with its ranked choices; actions for the teacher, school, enterprise."""
    application = _load(Application, application_id)
    user = _user()
    return render_template(
        "cooperation/application_detail.html",
        application=application,
        is_teacher=application.can_edit(user),
        is_school=user.role == "school" and user.school_id == application.teacher.school_id,
        acceptable=services.acceptable_choice(user, application),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles_required("teacher")
def application_withdraw(application_id: int):
    """Withdraw one's own application."""
    application = _load(Application, application_id)
    return _act(
        services.withdraw_application,
        application,
        success=_("Your application has been withdrawn."),
        default=url_for("cooperation.my_applications"),
    )


@bp.route("/practices/<int:practice_id>")
@login_required
def practice_detail(practice_id: int):
    """A practice stint: the teacher logs days, the host's enterprise confirms them."""
    practice = _load(Practice, practice_id)
    form = PracticeEntryForm(on_date=services.today())
    return _practice_page(practice, form)


def _practice_page(practice: Practice, form):
    user = _user()
    return render_template(
        "cooperation/practice_detail.html",
        practice=practice,
        form=form,
        is_teacher=practice.can_edit(user),
        is_host=user.role == "enterprise"
        and user.enterprise_id == practice.placement.host.enterprise_id,
    )


@bp.route("/practices/<int:practice_id>/days", methods=["POST"])
@roles_required("teacher")
def practice_log(practice_id: int):
    """Log one day of practice."""
    practice = _load(Practice, practice_id, edit=True)
    form = PracticeEntryForm()
    saved = _save(form, lambda user: services.log_practice_day(user, practice, _posting_data(form)))
    if saved is not None:
        flash(_("The day has been logged."), "success")
        return redirect(url_for("cooperation.practice_detail", practice_id=practice.id))
    return _practice_page(practice, form), 422


@bp.route("/practices/<int:practice_id>/certificate")
@login_required
def practice_certificate(practice_id: int):
    """A printable certificate of a completed stint."""
    practice = _load(Practice, practice_id)
    if practice.status != "completed" or not practice.days_confirmed:
        abort(404)
    return render_template("cooperation/certificate.html", practice=practice)


@bp.route("/ledger")
@roles_required("teacher")
def practice_ledger():
    """Confirmed enterprise-practice days over the rule's window, with the shortfall."""
    teacher = services.teacher_of(current_user)
    ledger = queries.ledger(teacher, services.today()) if teacher else None
    return render_template("cooperation/ledger.html", teacher=teacher, ledger=ledger)


# --- administrators -----------------------------------------------------------------------


@bp.route("/compliance")
@admin_required
def practice_compliance():
    """Schools and teachers falling behind the enterprise-practice rule."""
    today = services.today()
    user = _user()
    schools = queries.scope_schools(user)
    school_id = request.args.get("school_id", type=int)
    school_id = school_id if school_id in dict(schools) else None
    pagination = queries.paginate_rows(
        queries.behind_rule(user, today, school_id), page_arg(), current_app.config["PAGE_SIZE"]
    )
    required, years = queries.rule()
    return render_template(
        "cooperation/compliance.html",
        pagination=pagination,
        summary=queries.school_compliance(user, today),
        schools=schools,
        school_id=school_id,
        required=required,
        years=years,
    )

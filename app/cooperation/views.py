"""Pages of the cooperation domain: offers, placements, majors, teachers, applications,
pairings, practice and the 6-months rule."""

from datetime import date
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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import admin_required, login_required, public, roles_required
from app.common import exports
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import is_safe_local_path, page_arg
from app.common.time import utcnow
from app.common.views import acting_user as _user
from app.common.views import load_visible as _load
from app.cooperation import certificates, queries, services
from app.cooperation.forms import (
    AGREEMENT_PARTY_LABELS,
    AGREEMENT_STATE_LABELS,
    AGREEMENT_SUBJECT_LABELS,
    FEEDBACK_CRITERION_LABELS,
    FEEDBACK_OCCASION_LABELS,
    LEVEL_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    AgreementFileForm,
    AgreementForm,
    ApplicationForm,
    OfferForm,
    PairingRequestForm,
    PlacementForm,
    PracticeEntryForm,
    ProposeMajorForm,
    ProposeOfferForm,
    ReasonForm,
    SchoolMajorForm,
    TeacherProfileForm,
    feedback_form,
)
from app.cooperation.models import (
    FEEDBACK_CRITERIA,
    Agreement,
    Application,
    Feedback,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    Proposal,
    approved_enterprise_user,
)
from app.extensions import db, limiter
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


def _under_way() -> Application | None:
    """The signed-in teacher's application still under way (then no new one may start)."""
    if not (current_user.is_authenticated and current_user.role == "teacher"):
        return None
    return queries.open_application(services.teacher_of(current_user))


def _browse_context() -> dict[str, Any]:
    return {
        "filters": browse_filters(),
        "regions": region_choices(),
        "occupation_options": occupation_choices(),
        "under_way": _under_way(),
    }


# --- public browsing ----------------------------------------------------------------------

#: Who sees hosts' and offers' average ratings (never the individual comments).
RATING_VIEWERS = ("school", "teacher", "league_admin", "region_admin")


def _sees_ratings() -> bool:
    return getattr(current_user, "role", None) in RATING_VIEWERS


def _host_ratings(items) -> dict:
    if not _sees_ratings():
        return {}
    return queries.host_ratings(sorted({i.host_id for i in items}))


@bp.route("/placements")
@public
def placements():
    """Open teacher-practice placements with filters and pagination."""
    size = current_app.config["PAGE_SIZE"]
    pagination = queries.placements_page(browse_filters(), page_arg(), size)
    return render_template(
        "cooperation/placements.html",
        pagination=pagination,
        ratings=_host_ratings(pagination.items),
        **_browse_context(),
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
        under_way=_under_way(),
        rating=_host_ratings([placement]).get(placement.host_id),
    )


@bp.route("/offers")
@public
def offers():
    """Open cooperation offers with filters and pagination."""
    size = current_app.config["PAGE_SIZE"]
    pagination = queries.offers_page(browse_filters(), page_arg(), size)
    return render_template(
        "cooperation/offers.html",
        pagination=pagination,
        ratings=_host_ratings(pagination.items),
        offer_ratings=queries.offer_ratings([o.id for o in pagination.items])
        if _sees_ratings()
        else {},
        **_browse_context(),
    )


@bp.route("/offers/<int:offer_id>")
@public
def offer_detail(offer_id: int):
    """A cooperation offer; a school's staff may propose one of its majors to it."""
    offer = _load(Offer, offer_id)
    return _offer_page(offer, _propose_major_form())


def _own_major_choices() -> list[tuple[int, str]]:
    if getattr(current_user, "role", None) != "school" or current_user.school_id is None:
        return []
    return [
        (m.id, f"{m.major.name} · {LEVEL_LABELS[m.level]}")
        for m in queries.school_majors(current_user.school_id)
        if m.active
    ]


def _propose_major_form():
    majors = _own_major_choices()
    return ProposeMajorForm(majors=majors) if majors else None


def _offer_page(offer: Offer, form):
    return render_template(
        "cooperation/offer_detail.html",
        offer=offer,
        manage=offer.can_edit(current_user),
        propose_form=form if offer.status == "open" else None,
        rating=_host_ratings([offer]).get(offer.host_id),
        offer_rating=queries.offer_ratings([offer.id]).get(offer.id) if _sees_ratings() else None,
    )


@bp.route("/offers/<int:offer_id>/proposals", methods=["POST"])
@roles_required("school")
def offer_propose(offer_id: int):
    """Propose one of the school's integrated majors to an open offer."""
    offer = _load(Offer, offer_id)
    form = ProposeMajorForm(majors=_own_major_choices())
    saved = _save(form, lambda user: services.propose_major(user, offer, _posting_data(form)))
    if saved is not None:
        flash(_("Your proposal has been sent to the enterprise."), "success")
        return redirect(url_for("cooperation.proposals", box="sent"))
    return _offer_page(offer, form), 422


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
    agreements_ = queries.subject_agreements("pairing", [p.id for p in pagination.items])
    return render_template(
        "cooperation/pairings.html", pagination=pagination, status=status, agreements=agreements_
    )


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


# --- direct pairing proposals -------------------------------------------------------------


def _approved_enterprise_only() -> None:
    if not approved_enterprise_user(current_user):
        abort(403)


@bp.route("/pairing-requests")
@roles_required("enterprise")
def pairing_requests():
    """Open pairing requests of schools, for approved enterprises to propose offers to."""
    _approved_enterprise_only()
    pagination = _page(queries.open_pairing_requests(browse_filters()))
    return render_template(
        "cooperation/pairing_requests.html", pagination=pagination, **_browse_context()
    )


def _own_offer_choices() -> list[tuple[int, str]]:
    return [
        (o.id, f"#{o.id} {o.host.name} · {MODE_LABELS[o.mode]} · {o.free}/{o.slots}")
        for o in queries.own_open_offers(current_user.enterprise_id or 0)
    ]


@bp.route("/pairing-requests/<int:request_id>", methods=["GET", "POST"])
@roles_required("enterprise")
def pairing_request_detail(request_id: int):
    """An open pairing request and the form to propose one of the enterprise's offers."""
    _approved_enterprise_only()
    pairing_request = _load(PairingRequest, request_id)
    form = ProposeOfferForm(offers=_own_offer_choices())
    saved = _save(
        form, lambda user: services.propose_offer(user, pairing_request, _posting_data(form))
    )
    if saved is not None:
        flash(_("Your proposal has been sent to the school."), "success")
        return redirect(url_for("cooperation.proposals", box="sent"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cooperation/pairing_request_detail.html", request_=pairing_request, form=form
    ), status


@bp.route("/proposals")
@roles_required("school", "enterprise")
def proposals():
    """Proposals the school or enterprise sent and received, waiting ones first to answer."""
    box = request.args.get("box")
    box = box if box in ("sent", "received") else None
    status = request.args.get("status")
    status = status if status in ("pending", "accepted", "declined") else None
    pagination = _page(queries.proposals_of(_user(), box, status))
    return render_template(
        "cooperation/proposals.html",
        pagination=pagination,
        box=box,
        status=status,
        side_of=lambda p: services.proposal_side(_user(), p),
    )


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@roles_required("school", "enterprise")
def proposal_accept(proposal_id: int):
    """Accept a proposal received: the pairing starts."""
    proposal = _load(Proposal, proposal_id)
    return _act(
        services.accept_proposal,
        proposal,
        success=_("Accepted: the pairing has started."),
        default=url_for("cooperation.proposals", box="received"),
    )


@bp.route("/proposals/<int:proposal_id>/decline", methods=["GET", "POST"])
@roles_required("school", "enterprise")
def proposal_decline(proposal_id: int):
    """Decline a proposal received, with a reason the other side reads."""
    proposal = _load(Proposal, proposal_id)
    form = ReasonForm()
    saved = _save(form, lambda user: services.decline_proposal(user, proposal, form.reason.data))
    if saved is not None:
        flash(_("The proposal has been declined."), "success")
        return redirect(url_for("cooperation.proposals", box="received"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cooperation/proposal_decline.html", form=form, proposal=proposal
    ), status


# --- agreements ---------------------------------------------------------------------------

AGREEMENT_COLUMNS = [
    exports.Column(_l("Title"), lambda a: a.title),
    exports.Column(_l("Agreement of"), lambda a: str(AGREEMENT_SUBJECT_LABELS[a.subject])),
    exports.Column(_l("Version"), lambda a: a.version),
    exports.Column(_l("State"), lambda a: str(AGREEMENT_STATE_LABELS[a.state])),
    exports.Column(_l("School"), lambda a: a.school.name if a.school else ""),
    exports.Column(_l("Enterprise"), lambda a: a.enterprise.name if a.enterprise else ""),
    exports.Column(_l("Starts on"), lambda a: a.starts_on),
    exports.Column(_l("Ends on"), lambda a: a.ends_on),
    exports.Column(_l("Signed scan"), lambda a: a.file_original_name or ""),
]


@bp.app_context_processor
def _agreement_labels() -> dict[str, Any]:
    """Translated labels of agreements' coded values."""
    return {
        "agreement_subject_labels": AGREEMENT_SUBJECT_LABELS,
        "agreement_state_labels": AGREEMENT_STATE_LABELS,
        "agreement_party_labels": AGREEMENT_PARTY_LABELS,
    }


@bp.route("/agreements")
@roles_required("school", "enterprise", "teacher", "league_admin", "region_admin")
def agreements():
    """Agreements of the caller's organisation (administrators: their league) by state and
    expiry, with export; administrators also see pairings still without an agreement."""
    user = _user()
    today = services.today()
    state = request.args.get("state")
    when = request.args.get("when")
    view = request.args.get("view")
    is_admin = user.role in ("league_admin", "region_admin")
    if is_admin and view == "unsigned":
        pagination = _page(queries.pairings_without_agreement(user, today))
        return render_template(
            "cooperation/agreements.html",
            pagination=pagination,
            view="unsigned",
            state=None,
            when=None,
            is_admin=True,
        )
    stmt = queries.agreements_for(user, state, when, today)
    fmt = exports.requested_format()
    if fmt:
        return exports.export_response(stmt, AGREEMENT_COLUMNS, "agreements", fmt)
    return render_template(
        "cooperation/agreements.html",
        pagination=_page(stmt),
        view=None,
        state=state if state in AGREEMENT_STATE_LABELS else None,
        when=when if when in queries.AGREEMENT_WHEN else None,
        is_admin=is_admin,
        unsigned=queries.pairings_without_agreement(user, today) if is_admin else None,
        today=today,
    )


@bp.route("/agreements/new", methods=["GET", "POST"])
@roles_required("school", "enterprise")
def agreement_new():
    """Record the agreement (or its next version) of a pairing, practice or programme."""
    form = AgreementForm()
    if request.method == "GET":
        form.subject.data = request.args.get("subject")
        form.subject_id.data = request.args.get("subject_id", type=int)
        kind, subject_id = form.subject.data, form.subject_id.data
        if kind in AGREEMENT_SUBJECT_LABELS and subject_id:
            current = services.latest_agreement(kind, subject_id)
            if current is not None and current.can_view(current_user):
                form.title.data, form.terms.data = current.title, current.terms
                form.starts_on.data, form.ends_on.data = current.starts_on, current.ends_on
    saved = _save(form, lambda user: services.create_agreement(user, _posting_data(form)))
    if saved is not None:
        flash(_("The agreement is recorded; upload the signed scan next."), "success")
        return redirect(url_for("cooperation.agreement_detail", agreement_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("cooperation/agreement_form.html", form=form), status


@bp.route("/agreements/<int:agreement_id>")
@login_required
def agreement_detail(agreement_id: int):
    """The printable summary of an agreement version: parties, confirmations, history."""
    agreement = _load(Agreement, agreement_id)
    return _agreement_page(agreement, AgreementFileForm())


def _agreement_page(agreement: Agreement, file_form):
    user = _user()
    return render_template(
        "cooperation/agreement_detail.html",
        agreement=agreement,
        history=queries.agreement_history(agreement),
        party=agreement.party_of(user),
        can_edit=agreement.can_edit(user),
        file_form=file_form,
    )


@bp.route("/agreements/<int:agreement_id>/file", methods=["POST"])
@roles_required("school", "enterprise")
def agreement_upload(agreement_id: int):
    """Upload the signed and sealed scan."""
    agreement = _load(Agreement, agreement_id, edit=True)
    form = AgreementFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.upload_agreement_file(_user(), agreement, upload.stream, upload.filename)
        except ServiceError as exc:
            db.session.rollback()
            if exc.status == 413:
                abort(413)
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The signed scan has been uploaded."), "success")
            return redirect(url_for("cooperation.agreement_detail", agreement_id=agreement.id))
    return _agreement_page(agreement, form), 422


@bp.route("/agreements/<int:agreement_id>/file")
@login_required
def agreement_file(agreement_id: int):
    """Download the signed scan as an attachment (parties and administrators only)."""
    from app.resources import storage

    agreement = _load(Agreement, agreement_id)
    if not agreement.has_file:
        abort(404)
    path = storage.path_of(agreement.file_stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=agreement.file_content_type,
        as_attachment=True,
        download_name=agreement.file_original_name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/agreements/<int:agreement_id>/confirm", methods=["POST"])
@roles_required("school", "enterprise", "teacher")
def agreement_confirm(agreement_id: int):
    """Confirm the agreement for one's side."""
    agreement = _load(Agreement, agreement_id)
    return _act(
        services.confirm_agreement,
        agreement,
        success=_("Your side has confirmed the agreement."),
        default=url_for("cooperation.agreement_detail", agreement_id=agreement.id),
    )


# --- feedback -----------------------------------------------------------------------------

FEEDBACK_REPORT_COLUMNS = [
    exports.Column(_l("League or city"), lambda r: r.region_code),
    exports.Column(_l("Occupation"), lambda r: r.occupation_code or ""),
    exports.Column(_l("Occasion"), lambda r: str(FEEDBACK_OCCASION_LABELS[r.occasion])),
    exports.Column(_l("Answers"), lambda r: r.answers),
    exports.Column(_l("Average (1–5)"), lambda r: round(float(r.average), 2)),
]


@bp.app_context_processor
def _feedback_labels() -> dict[str, Any]:
    """Translated labels of feedback occasions and criteria."""
    return {
        "feedback_occasion_labels": FEEDBACK_OCCASION_LABELS,
        "feedback_criterion_labels": FEEDBACK_CRITERION_LABELS,
    }


@bp.route("/feedback")
@roles_required("teacher", "school", "enterprise")
def feedback():
    """What the user may rate now, and the answers already given (editable for 14 days)."""
    user = _user()
    return render_template(
        "cooperation/feedback.html",
        due=services.feedback_due(user),
        pagination=_page(queries.feedback_of(user)),
        now=utcnow(),
    )


def _feedback_data(form, criteria) -> dict[str, Any]:
    return {
        "scores": {n: getattr(form, f"score_{n}").data for n in criteria},
        "comment": form.comment.data,
    }


@bp.route("/feedback/new", methods=["GET", "POST"])
@roles_required("teacher", "school", "enterprise")
def feedback_new():
    """Rate a completed practice, a placement or a pairing (1–5 per criterion, a comment)."""
    occasion_name = request.values.get("occasion", "")
    subject_id = request.values.get("subject_id", type=int)
    try:
        occasion = services.feedback_occasion(_user(), occasion_name, subject_id)
    except ServiceError:
        abort(404)
    criteria = FEEDBACK_CRITERIA[occasion.occasion]
    form = feedback_form(criteria)
    saved = _save(
        form,
        lambda user: services.submit_feedback(
            user,
            {
                "occasion": occasion.occasion,
                "subject_id": occasion.subject_id,
                **_feedback_data(form, criteria),
            },
        ),
    )
    if saved is not None:
        flash(_("Thank you: your rating has been saved."), "success")
        return redirect(url_for("cooperation.feedback"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cooperation/feedback_form.html", form=form, occasion=occasion, criteria=criteria
    ), status


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
@roles_required("teacher", "school", "enterprise")
def feedback_edit(feedback_id: int):
    """Change one's answer within 14 days."""
    row = _load(Feedback, feedback_id, edit=True)
    criteria = row.criteria
    data = {f"score_{n}": row.scores.get(n) for n in criteria}
    data["comment"] = row.comment
    form = feedback_form(criteria, data=data if request.method == "GET" else None)
    saved = _save(
        form, lambda user: services.update_feedback(user, row, _feedback_data(form, criteria))
    )
    if saved is not None:
        flash(_("Your rating has been changed."), "success")
        return redirect(url_for("cooperation.feedback"))
    status = 422 if request.method == "POST" else 200
    occasion = services.FeedbackOccasion(
        row.occasion, row.side, row.occasion_key, row.practice, row.pairing, row.year
    )
    return render_template(
        "cooperation/feedback_form.html", form=form, occasion=occasion, criteria=criteria, row=row
    ), status


@bp.route("/feedback/report")
@admin_required
def feedback_report():
    """Average ratings and answer counts by league, occupation and occasion, with export."""
    user = _user()
    region_code = (request.args.get("region_code") or "").strip() or None
    occupation_code = (request.args.get("occupation_code") or "").strip() or None
    stmt = queries.feedback_report(user, region_code, occupation_code)
    fmt = exports.requested_format()
    if fmt:
        return exports.export_response(stmt, FEEDBACK_REPORT_COLUMNS, "feedback", fmt)
    pagination = queries.paginate_rows(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "cooperation/feedback_report.html",
        pagination=pagination,
        regions=region_choices(),
        occupation_options=occupation_choices(),
        region_code=region_code,
        occupation_code=occupation_code,
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


def _option_json(placement: Placement) -> dict[str, Any]:
    """A placement as the application form's picker shows it (no internal ids in the text)."""
    host = placement.host
    return {
        "value": placement.id,
        "text": queries.placement_label(placement),
        "host": host.name,
        "host_kind": str(HOST_KIND_LABELS.get(host.kind, host.kind)),
        "enterprise": host.enterprise.name,
        "league": host.region.label(str(get_locale())) if host.region else "",
        "period": f"{placement.starts_on.isoformat()} – {placement.ends_on.isoformat()}",
        "free": placement.free,
        "seats": placement.seats,
        "free_text": _(
            "%(free)s of %(seats)s seats free", free=placement.free, seats=placement.seats
        ),
        "keywords": " ".join(
            [host.name, host.enterprise.name]
            + ([host.region.name, host.region.name_en] if host.region else [])
            + [f"{o.code} {o.name}" for o in placement.occupations]
        ).lower(),
    }


def _search_text() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.route("/placements/options")
@roles_required("teacher")
def placement_options():
    """Placements a teacher may rank, 20 a page (?q= searches, ?page= pages): the picker's JSON."""
    teacher = services.teacher_of(current_user)
    pagination = paginate(queries.placement_options(teacher, _search_text()), page_arg(), 20)
    return {
        "items": [_option_json(p) for p in pagination.items],
        "page": pagination.page,
        "pages": pagination.pages,
        "total": pagination.total,
        "has_next": pagination.has_next,
    }


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required("teacher")
def apply():
    """Apply for enterprise practice with up to five ranked placements."""
    teacher = services.teacher_of(current_user)
    if teacher is None or not teacher.confirmed:
        flash(_("Your teacher profile must be confirmed by your school before you apply."), "info")
        return redirect(url_for("cooperation.teacher_profile"))
    under_way = queries.open_application(teacher)
    if under_way is not None:
        return render_template("cooperation/apply.html", under_way=under_way, form=None)
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
    q = _search_text()
    found = paginate(queries.placement_options(teacher, q), page_arg(), 30)
    picked = [p for p in (db.session.get(Placement, i) for i in chosen) if p is not None]
    options = picked + [p for p in found.items if p.id not in {c.id for c in picked}]
    return render_template(
        "cooperation/apply.html",
        form=form,
        under_way=None,
        options=[_option_json(p) for p in options],
        found=found,
        q=q,
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
        agreement=services.latest_agreement("practice", practice.id),
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
    """A printable certificate of a completed stint with the QR code of its public check."""
    practice = _load(Practice, practice_id)
    if practice.status != "completed" or not practice.days_confirmed:
        abort(404)
    url = certificates.verification_url(practice.certificate_no)
    return render_template(
        "cooperation/certificate.html",
        practice=practice,
        verify_url=url,
        qr=certificates.qr_drawing(url),
    )


# --- public certificate check -------------------------------------------------------------

verify_bp = Blueprint("verify", __name__, url_prefix="/verify")


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@verify_bp.route("/<path:number>")
@public
@limiter.limit(_verify_limit, scope="certificate-verify")
def certificate(number: str):
    """Public check of a practice certificate: genuine with its facts, or nothing (404)."""
    practice = services.verified_practice(number)
    if practice is None:
        return render_template("cooperation/verify.html", practice=None, number=None), 404
    return render_template("cooperation/verify.html", practice=practice, number=number)


@bp.route("/ledger")
@roles_required("teacher")
def practice_ledger():
    """Confirmed enterprise-practice days over the rule's window, with the shortfall."""
    teacher = services.teacher_of(current_user)
    ledger = queries.ledger(teacher, services.today()) if teacher else None
    return render_template("cooperation/ledger.html", teacher=teacher, ledger=ledger)


# --- administrators -----------------------------------------------------------------------


#: Schools in a compliance filter's choice list at most (beyond: the summary's links filter).
SCHOOL_CHOICES_MAX = 200


@bp.route("/compliance")
@admin_required
def practice_compliance():
    """Schools and teachers falling behind the enterprise-practice rule."""
    today = services.today()
    user = _user()
    size = current_app.config["PAGE_SIZE"]
    schools = queries.scope_schools(user)
    school_id = request.args.get("school_id", type=int)
    school_id = school_id if school_id in dict(schools) else None
    pagination = queries.behind_rule_page(user, today, school_id, page_arg(), size)
    required, years = queries.rule()
    return render_template(
        "cooperation/compliance.html",
        pagination=pagination,
        summary=queries.school_compliance_page(user, today, page_arg("schools_page"), size),
        # a choice list of every school only while it stays short; else the summary's links
        schools=schools if len(schools) <= SCHOOL_CHOICES_MAX else [],
        school_name=dict(schools).get(school_id),
        school_id=school_id,
        required=required,
        years=years,
    )

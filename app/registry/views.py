"""Registry pages: public directory, my organisation, hosts and the review queue."""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.auth.decorators import admin_required, public, roles_required
from app.common.errors import ServiceError
from app.common.exports import export_response, requested_format
from app.common.http import is_safe_local_path, page_arg
from app.common.privacy import contact_of
from app.common.ratelimit import limit_reads
from app.common.views import acting_user as _user
from app.common.views import load_visible as _load
from app.common.views import show_service_error as _service_failed
from app.extensions import db
from app.reference.queries import industry_choices, occupation_choices, region_choices
from app.registry import exports, queries, services
from app.registry.forms import (
    HOST_KIND_LABELS,
    SCHOOL_KIND_LABELS,
    SIZE_BAND_LABELS,
    STATUS_LABELS,
    STUDIO_LEVEL_LABELS,
    EnterpriseForm,
    HostForm,
    NewEnterpriseForm,
    NewSchoolForm,
    ReviewForm,
    SchoolForm,
)
from app.registry.models import HOST_KINDS, REVIEW_STATUSES, Enterprise, Host, School

bp = Blueprint("registry", __name__, url_prefix="/registry")

EDITORS = ("enterprise", "league_admin", "region_admin")
SCHOOL_EDITORS = ("school", "league_admin", "region_admin")
PROFILE_FIELDS = (
    "name",
    "kind",
    "uscc",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
    "size_band",
    "description",
)
KIND_FIELDS = {
    "workshop": ("teacher_capacity", "equipment"),
    "training_station": ("partner_school_id",),
    "master_studio": ("master_name", "honour", "level"),
}


bp.add_app_template_global(contact_of, "contact_of")


def directory_reads(view):
    """The directory lists and their exports are read-limited per caller."""
    return limit_reads(view, scope="directory-reads")


@bp.context_processor
def _labels() -> dict[str, Any]:
    """Translated labels of the registry's coded values."""
    return {
        "host_kind_labels": HOST_KIND_LABELS,
        "school_kind_labels": SCHOOL_KIND_LABELS,
        "size_band_labels": SIZE_BAND_LABELS,
        "studio_level_labels": STUDIO_LEVEL_LABELS,
        "host_kinds": HOST_KINDS,
    }


def _filters(*names: str) -> queries.DirectoryFilters:
    """Directory filters from the query string (blank values ignored)."""
    values = {n: (request.args.get(n) or "").strip() or None for n in names}
    return queries.DirectoryFilters(**values)


def _back_to(enterprise: Enterprise):
    """Where to go after changing an enterprise's hosts: members to their page, admins to it."""
    if enterprise.is_member(current_user):
        return redirect(url_for("registry.my_organisation"))
    return redirect(url_for("registry.enterprise_detail", enterprise_id=enterprise.id))


# --- public directory ---------------------------------------------------------------------


@bp.route("/enterprises")
@public
@directory_reads
def enterprises():
    """Approved enterprises, searchable by name and filterable by league, industry, hosts."""
    filters = _filters("q", "region_code", "industry", "occupation_code", "host_kind", "status")
    if requested_format():
        stmt = queries.visible_enterprises(current_user, filters)
        return export_response(stmt, exports.ENTERPRISES, "enterprises", requested_format())
    pagination = queries.directory_page(
        current_user, filters, page_arg(), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "registry/enterprises.html",
        pagination=pagination,
        filters=filters,
        regions=region_choices(),
        industries=industry_choices(),
        occupations=occupation_choices(),
        statuses=STATUS_LABELS,
    )


@bp.route("/enterprises/<int:enterprise_id>")
@public
def enterprise_detail(enterprise_id: int):
    """An enterprise's profile with its hosts grouped by kind."""
    enterprise = _load(Enterprise, enterprise_id)
    manage = enterprise.can_edit(current_user)
    hosts = queries.enterprise_hosts(enterprise, include_retired=manage)
    return render_template(
        "registry/enterprise_detail.html",
        enterprise=enterprise,
        hosts=hosts,
        manage=manage,
        warnings=services.uscc_warnings(enterprise) if manage else [],
    )


@bp.route("/schools")
@public
@directory_reads
def schools():
    """Approved schools, searchable by name and filterable by league and kind."""
    filters = _filters("q", "region_code", "kind", "status")
    stmt = queries.visible_schools(current_user, filters)
    if requested_format():
        return export_response(stmt, exports.SCHOOLS, "schools", requested_format())
    pagination = queries.paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "registry/schools.html",
        pagination=pagination,
        filters=filters,
        regions=region_choices(),
        statuses=STATUS_LABELS,
    )


@bp.route("/schools/<int:school_id>")
@public
def school_detail(school_id: int):
    """A school's profile."""
    school = _load(School, school_id)
    manage = school.can_edit(current_user)
    return render_template(
        "registry/school_detail.html",
        school=school,
        manage=manage,
        warnings=services.uscc_warnings(school) if manage else [],
    )


# --- my organisation ----------------------------------------------------------------------


@bp.route("/mine")
@roles_required("enterprise", "school")
def my_organisation():
    """The account's own enterprise or school, or the form to register it."""
    user = _user()
    if user.role == "enterprise":
        if user.enterprise_id is None:
            return redirect(url_for("registry.enterprise_new"))
        enterprise = db.session.get(Enterprise, user.enterprise_id)
        return render_template(
            "registry/enterprise_detail.html",
            enterprise=enterprise,
            hosts=queries.enterprise_hosts(enterprise, include_retired=True),
            manage=True,
            mine=True,
            warnings=services.uscc_warnings(enterprise),
        )
    if user.school_id is None:
        return redirect(url_for("registry.school_new"))
    school = db.session.get(School, user.school_id)
    return render_template(
        "registry/school_detail.html",
        school=school,
        manage=True,
        mine=True,
        warnings=services.uscc_warnings(school),
    )


def _enterprise_data(form: EnterpriseForm) -> dict[str, Any]:
    """The service's input from the enterprise form."""
    return {
        "name": form.name.data.strip(),
        "uscc": form.uscc.data,
        "industry": form.industry.data,
        "region_code": form.region_code.data,
        "address": form.address.data.strip(),
        "contact_name": form.contact_name.data.strip(),
        "contact_phone": form.contact_phone.data,
        "size_band": form.size_band.data or None,
        "description": (form.description.data or "").strip() or None,
    }


def _school_data(form: SchoolForm) -> dict[str, Any]:
    """The service's input from the school form."""
    return {
        "name": form.name.data.strip(),
        "kind": form.kind.data,
        "uscc": form.uscc.data,
        "region_code": form.region_code.data,
        "address": form.address.data.strip(),
        "contact_name": form.contact_name.data.strip(),
        "contact_phone": form.contact_phone.data,
        "description": (form.description.data or "").strip() or None,
    }


@bp.route("/enterprises/new", methods=["GET", "POST"])
@roles_required("enterprise")
def enterprise_new():
    """Register the account's enterprise; it then waits for review."""
    if current_user.enterprise_id is not None:
        return redirect(url_for("registry.my_organisation"))
    form = NewEnterpriseForm()
    if form.validate_on_submit():
        try:
            services.create_enterprise(
                _user(), _enterprise_data(form), consent=bool(form.accept_privacy.data)
            )
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_("Your enterprise is registered and waits for review."), "success")
            return redirect(url_for("registry.my_organisation"))
    return render_template("registry/organisation_form.html", form=form, kind="enterprise")


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def enterprise_edit(enterprise_id: int):
    """Change an enterprise profile; an owner's change goes back to review."""
    enterprise = _load(Enterprise, enterprise_id)
    if not enterprise.can_manage(current_user):
        abort(403)
    form = EnterpriseForm(data=_initial(enterprise, industry=enterprise.industry_section))
    if form.validate_on_submit():
        try:
            services.update_enterprise(_user(), enterprise, _enterprise_data(form))
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_saved_message(enterprise), "success")
            return _back_to(enterprise)
    return render_template(
        "registry/organisation_form.html", form=form, kind="enterprise", org=enterprise
    )


@bp.route("/schools/new", methods=["GET", "POST"])
@roles_required("school")
def school_new():
    """Register the account's school; it then waits for review."""
    if current_user.school_id is not None:
        return redirect(url_for("registry.my_organisation"))
    form = NewSchoolForm()
    if form.validate_on_submit():
        try:
            services.create_school(
                _user(), _school_data(form), consent=bool(form.accept_privacy.data)
            )
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_("Your school is registered and waits for review."), "success")
            return redirect(url_for("registry.my_organisation"))
    return render_template("registry/organisation_form.html", form=form, kind="school")


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@roles_required(*SCHOOL_EDITORS)
def school_edit(school_id: int):
    """Change a school profile; an owner's change goes back to review."""
    school = _load(School, school_id)
    if not school.can_manage(current_user):
        abort(403)
    form = SchoolForm(data=_initial(school))
    if form.validate_on_submit():
        try:
            services.update_school(_user(), school, _school_data(form))
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_saved_message(school), "success")
            if school.is_member(current_user):
                return redirect(url_for("registry.my_organisation"))
            return redirect(url_for("registry.school_detail", school_id=school.id))
    return render_template("registry/organisation_form.html", form=form, kind="school", org=school)


def _initial(obj, fields=PROFILE_FIELDS, **extra) -> dict[str, Any]:
    """Form data from an object's attributes, plus extra values."""
    return {f: getattr(obj, f) for f in fields if hasattr(obj, f)} | extra


def _saved_message(org) -> str:
    """Flash text after saving a profile, saying whether it went back to review."""
    if org.status == "pending":
        return _("Saved. The profile waits for review.")
    return _("Saved.")


# --- hosts --------------------------------------------------------------------------------


def _host_data(form: HostForm) -> dict[str, Any]:
    """The service's input from the host form; fields of other kinds are cleared."""
    kind = form.kind.data
    data: dict[str, Any] = {
        "kind": kind,
        "name": form.name.data.strip(),
        "occupation_codes": form.occupation_codes.data,
        "capacity": form.capacity.data,
        "region_code": form.region_code.data,
        "description": form.description.data,
    }
    for other, fields in KIND_FIELDS.items():
        for name in fields:
            data[name] = getattr(form, name).data if other == kind else None
    return data


@bp.route("/enterprises/<int:enterprise_id>/hosts/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def host_new(enterprise_id: int):
    """Add a workshop, training station or master studio to the enterprise."""
    enterprise = _load(Enterprise, enterprise_id, edit=True)
    kind = request.args.get("kind")
    form = HostForm(
        partner_schools=queries.approved_school_choices(),
        kind=kind if kind in HOST_KINDS else "workshop",
        region_code=enterprise.region_code,
    )
    if form.validate_on_submit():
        try:
            services.add_host(_user(), enterprise, _host_data(form))
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_("The host has been added."), "success")
            return _back_to(enterprise)
    return render_template("registry/host_form.html", form=form, enterprise=enterprise, host=None)


@bp.route("/hosts/<int:host_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def host_edit(host_id: int):
    """Change a host; its kind stays."""
    host = _load(Host, host_id, edit=True)
    partners = queries.approved_school_choices()
    if host.partner_school and host.partner_school_id not in dict(partners):
        partners.append((host.partner_school_id, host.partner_school.name))
    form = HostForm(
        partner_schools=partners,
        data=_initial(
            host,
            services.HOST_FIELDS + ("kind",),
            occupation_codes=host.occupation_codes,
            partner_school_id=host.partner_school_id or 0,
        ),
    )
    form.kind.data = host.kind
    if form.validate_on_submit():
        try:
            services.update_host(_user(), host, _host_data(form))
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_("The host has been saved."), "success")
            return _back_to(host.enterprise)
    return render_template(
        "registry/host_form.html", form=form, enterprise=host.enterprise, host=host
    )


@bp.route("/hosts/<int:host_id>/retire", methods=["POST"])
@roles_required(*EDITORS)
def host_retire(host_id: int):
    """Take a host out of service (its history stays)."""
    return _host_transition(host_id, services.retire_host, _("The host has been retired."))


@bp.route("/hosts/<int:host_id>/reinstate", methods=["POST"])
@roles_required(*EDITORS)
def host_reinstate(host_id: int):
    """Bring a retired host back into service."""
    return _host_transition(host_id, services.reinstate_host, _("The host is in service again."))


def _host_transition(host_id: int, service, message: str):
    """Load, check, call the service, commit, flash and go back."""
    host = _load(Host, host_id, edit=True)
    try:
        service(_user(), host)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return _back_to(host.enterprise)


# --- review -------------------------------------------------------------------------------


@bp.route("/review")
@admin_required
def review_queue():
    """Profiles to review in the administrator's league (all leagues for the region)."""
    tab = "schools" if request.args.get("tab") == "schools" else "enterprises"
    status = request.args.get("status")
    status = status if status in REVIEW_STATUSES else "pending"
    model = School if tab == "schools" else Enterprise
    stmt = queries.review_queue(current_user, model.__tablename__, status).options(
        selectinload(model.region)
    )
    pagination = queries.paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "registry/review_queue.html",
        pagination=pagination,
        tab=tab,
        status=status,
        statuses=STATUS_LABELS,
    )


def _review(org, detail_endpoint: str, id_arg: str):
    """GET shows the profile and the decision form; POST decides."""
    if not org.can_review(current_user):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.review(
                _user(), org, form.decision.data, form.reason.data, bool(form.confirm_uscc.data)
            )
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            if org.status == "approved":
                flash(_("%(name)s is approved.", name=org.name), "success")
            else:
                flash(_("%(name)s is rejected; the owner sees the reason.", name=org.name), "info")
            target = request.form.get("next")
            if is_safe_local_path(target):
                return redirect(target)
            return redirect(url_for("registry.review_queue", tab=f"{org.__tablename__}s"))
    return render_template(
        "registry/review.html",
        org=org,
        form=form,
        detail_url=url_for(detail_endpoint, **{id_arg: org.id}),
        warnings=services.uscc_warnings(org),
        hosts=queries.enterprise_hosts(org, include_retired=False)
        if isinstance(org, Enterprise)
        else [],
    )


@bp.route("/enterprises/<int:enterprise_id>/review", methods=["GET", "POST"])
@admin_required
def enterprise_review(enterprise_id: int):
    """Approve or reject an enterprise profile."""
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    return _review(enterprise, "registry.enterprise_detail", "enterprise_id")


@bp.route("/schools/<int:school_id>/review", methods=["GET", "POST"])
@admin_required
def school_review(school_id: int):
    """Approve or reject a school profile."""
    school = db.get_or_404(School, school_id)
    return _review(school, "registry.school_detail", "school_id")


# --- members and invitations --------------------------------------------------------------


def _my_org():
    """The current account's school or enterprise; 404 when it has none yet."""
    org = _user().organisation
    if org is None:
        abort(404)
    return org


@bp.route("/members", methods=["GET", "POST"])
@roles_required("enterprise", "school")
def members():
    """Members of one's organisation and its pending invitations; owners invite here."""
    from app.auth import services as accounts
    from app.auth.forms import MEMBER_ROLE_LABELS, InvitationForm

    org = _my_org()
    user = _user()
    owner = accounts.can_manage_members(user, org)
    form = InvitationForm()
    form.role.choices = [(r, MEMBER_ROLE_LABELS[r]) for r in accounts.invitation_roles(org)]
    if request.method == "POST":
        if not owner:
            abort(403)
        if form.validate_on_submit():
            try:
                accounts.invite(
                    user,
                    form.email.data,
                    form.role.data,
                    lambda raw: url_for("auth.invitation", token=raw, _external=True),
                )
            except ServiceError as exc:
                _service_failed(form, exc)
            else:
                db.session.commit()
                flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
                return redirect(url_for("registry.members"))
    pagination = queries.paginate(
        accounts.members_query(org), page_arg(), current_app.config["PAGE_SIZE"]
    )
    invitations = db.session.scalars(accounts.pending_invitations_query(org)).all()
    return render_template(
        "registry/members.html",
        org=org,
        pagination=pagination,
        invitations=invitations,
        form=form,
        owner=owner,
        role_labels=MEMBER_ROLE_LABELS,
    )


@bp.route("/members/<int:user_id>/remove", methods=["POST"])
@roles_required("enterprise", "school")
def member_remove(user_id: int):
    """An owner takes a member out of the organisation (at least one owner stays)."""
    from app.auth import services as accounts

    return _member_action(
        lambda org: accounts.remove_member(_user(), org, user_id), _("The member was removed.")
    )


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@roles_required("enterprise", "school")
def member_role(user_id: int):
    """An owner makes a member owner or staff (at least one owner stays)."""
    from app.auth import services as accounts

    role = request.form.get("role", "")
    return _member_action(
        lambda org: accounts.set_member_role(_user(), org, user_id, role),
        _("The member's role was changed."),
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles_required("enterprise", "school")
def invitation_revoke(invitation_id: int):
    """An owner withdraws a pending invitation."""
    from app.auth import services as accounts

    return _member_action(
        lambda org: accounts.revoke_invitation(_user(), invitation_id),
        _("The invitation was withdrawn."),
    )


def _member_action(action, message: str):
    """Run a member or invitation change of one's organisation, then back to the list."""
    org = _my_org()
    try:
        action(org)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("registry.members"))


# --- claims of existing records -----------------------------------------------------------


@bp.route("/claim", methods=["GET", "POST"])
@roles_required("enterprise", "school")
def claim_new():
    """Ask to take over an organisation that has no members (imported, or its last member left)."""
    from app.registry.forms import ClaimForm
    from app.registry.models import Claim

    user = _user()
    if user.organisation is not None:
        return redirect(url_for("registry.my_organisation"))
    pending = db.session.scalar(
        db.select(Claim).where(Claim.user_id == user.id, Claim.status == "pending")
    )
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            services.claim_organisation(user, form.name.data, form.uscc.data)
        except ServiceError as exc:
            _service_failed(form, exc)
        else:
            db.session.commit()
            flash(_("Your claim waits for the league's administrators."), "success")
            return redirect(url_for("registry.claim_new"))
    return render_template("registry/claim_form.html", form=form, pending=pending)


@bp.route("/claims")
@admin_required
def claims():
    """Pending claims of organisations in the administrator's league."""
    stmt = services.claims_to_review(_user())
    pagination = queries.paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("registry/claims.html", pagination=pagination)


@bp.route("/claims/<int:claim_id>/decide", methods=["POST"])
@admin_required
def claim_decide(claim_id: int):
    """Approve (the claimant becomes owner) or reject an organisation claim."""
    from app.registry.models import Claim

    claim = db.get_or_404(Claim, claim_id)
    if claim.kind == "teacher" or not claim.organisation.can_review(current_user):
        abort(404)
    return _claim_action(
        lambda: services.decide_claim(
            _user(), claim, request.form.get("decision", ""), request.form.get("reason")
        ),
        url_for("registry.claims"),
    )


@bp.route("/claims/<int:claim_id>/teacher", methods=["POST"])
@roles_required("school")
def teacher_claim_decide(claim_id: int):
    """The school links the chosen teacher record to the claimant, or rejects the claim."""
    from app.registry.models import Claim

    claim = db.get_or_404(Claim, claim_id)
    if claim.kind != "teacher" or claim.school_id != current_user.school_id:
        abort(404)
    teacher_id = request.form.get("teacher_id", "")
    return _claim_action(
        lambda: services.decide_teacher_claim(
            _user(),
            claim,
            request.form.get("decision", ""),
            int(teacher_id) if teacher_id.isdigit() else None,
            request.form.get("reason"),
        ),
        url_for("cooperation.school_teachers"),
    )


def _claim_action(action, default: str):
    try:
        claim = action()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        flash(exc.message, "danger")
    else:
        db.session.commit()
        if claim.status == "approved":
            flash(_("The claim is approved."), "success")
        else:
            flash(_("The claim is rejected."), "info")
    return redirect(default)

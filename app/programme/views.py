"""Pages of the programme: batches and selection, targets dashboard, teacher development,
evaluations, imports and the audit log."""

from datetime import date
from typing import Any

import click
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
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.decorators import (
    admin_required,
    login_required,
    public,
    region_admin_required,
    roles_required,
)
from app.common import audit_labels
from app.common.errors import ServiceError
from app.common.exports import (
    MIMETYPES,
    content_disposition,
    export_args,
    export_response,
    requested_format,
)
from app.common.forms import apply_errors
from app.common.http import page_arg
from app.common.pagination import paginate_by_id
from app.common.time import local_today
from app.common.views import acting_user as _user
from app.common.views import show_service_error as _failed
from app.extensions import db
from app.programme import exports, imports, queries, services
from app.programme.forms import (
    APPLICATION_STATUS_LABELS,
    CATEGORY_LABELS,
    LEVEL_LABELS,
    NOMINATION_STATUS_LABELS,
    OBJECTION_STATUS_LABELS,
    TARGET_LABELS,
    TEACHER_STATUS_LABELS,
    AnswerForm,
    ApplyForm,
    BatchForm,
    DecisionForm,
    HoursForm,
    ImportForm,
    IndicatorForm,
    LimitExceptionForm,
    NominationForm,
    NoticeForm,
    ObjectionForm,
    OutcomeForm,
    PartTimeForm,
    PhaseForm,
    RecommendForm,
    ResearchBaseForm,
    TargetsForm,
    TeacherStatusForm,
    TrainingForm,
)
from app.programme.models import (
    NEXT_STAGE,
    Batch,
    BatchApplication,
    Indicator,
    Nomination,
    Objection,
    PartTimeTeacher,
    Phase,
    ResearchBase,
    Target,
    TeacherStatus,
    TeachingHours,
)
from app.reference.queries import region_choices
from app.registry.models import Enterprise, School, SchoolMajor, Teacher
from app.registry.queries import paginate

bp = Blueprint("programme", __name__, url_prefix="/programme")

MEMBERS = ("school", "league_admin", "region_admin")
ADMINS = ("league_admin", "region_admin")


bp.add_app_template_global(export_args, "export_args")
bp.add_app_template_global(queries.published_results, "programme_results")
bp.add_app_template_global(lambda code: CATEGORY_LABELS.get(code, code), "programme_category_label")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "application_status_labels": APPLICATION_STATUS_LABELS,
        "teacher_status_labels": TEACHER_STATUS_LABELS,
        "category_labels": CATEGORY_LABELS,
        "nomination_status_labels": NOMINATION_STATUS_LABELS,
        "target_labels": TARGET_LABELS,
        "level_labels": LEVEL_LABELS,
        "next_stage": NEXT_STAGE,
        "action_label": audit_labels.action_label,
        "target_label": audit_labels.target_label,
        "field_label": audit_labels.field_label,
        "value_label": audit_labels.value_label,
        "objection_status_labels": OBJECTION_STATUS_LABELS,
    }


def _today() -> date:
    return local_today()


def _int_arg(name: str) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def _text_arg(name: str) -> str | None:
    return (request.args.get(name) or "").strip()[:100] or None


def _list_page(template: str, stmt, columns, basename: str, *, by_id: bool = False, **context):
    """Render a paginated list, or stream it as .xlsx/.csv when ?format= asks for a file
    (by_id: the page's ids first, then its rows, for long lists whose order an index covers)."""
    fmt = requested_format()
    if fmt:
        return export_response(stmt, columns, basename, fmt)
    per_page = current_app.config["PAGE_SIZE"]
    if len(stmt.column_descriptions) > 1:
        pagination = RowPagination(stmt, page_arg(), per_page)
    elif by_id:
        pagination = paginate_by_id(stmt, page_arg(), per_page)
    else:
        pagination = paginate(stmt, page_arg(), per_page)
    return render_template(template, pagination=pagination, **context)


class RowPagination:
    """A page of a multi-column select (Flask-SQLAlchemy's paginate keeps the first column)."""

    def __init__(self, stmt, page: int, per_page: int):
        self.total = db.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page)) if self.total else 0
        self.page = page
        offset = (page - 1) * per_page
        self.items = list(db.session.execute(stmt.limit(per_page).offset(offset)))
        self.has_prev, self.prev_num = page > 1, page - 1
        self.has_next, self.next_num = page < self.pages, page + 1


def _save_record(form, fields, save, obj, saved: str, back: str, title: str, **page):
    """Validate the form, call the save service and commit; else re-show it with the errors."""
    if form.validate_on_submit():
        data = {f: getattr(form, f).data for f in fields}
        try:
            save(_user(), data, obj)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(saved, "success")
            return redirect(url_for(back))
    return render_template("programme/form.html", form=form, title=title, **page)


def _visible_or_404(obj):
    if obj is None or not obj.can_view(current_user):
        abort(404)
    return obj


def _phase_choices() -> list[tuple[int, str]]:
    return [
        (p.id, f"{p.number} · {p.name}")
        for p in db.session.scalars(select(Phase).order_by(Phase.number))
    ]


def _teacher_or_404(teacher_id: int) -> Teacher:
    teacher = db.get_or_404(Teacher, teacher_id)
    user = current_user
    if user.role == "school" and teacher.school_id != user.school_id:
        abort(404)
    if user.is_admin and not user.administers_region(teacher.region_code):
        abort(404)
    return teacher


# --- dashboard and targets ----------------------------------------------------------------


@bp.route("/")
@admin_required
def dashboard():
    """Progress against the targets, by league and by phase, with the figures' sources."""
    figures = queries.dashboard(_user())
    rounds_link = url_for("rounds.index") if "rounds.index" in current_app.view_functions else None
    from app.rounds.forms import KIND_LABELS as round_kind_labels

    return render_template(
        "programme/dashboard.html",
        figures=figures,
        rounds_link=rounds_link,
        round_kind_labels=round_kind_labels,
    )


@bp.route("/targets", methods=["GET", "POST"])
@region_admin_required
def targets():
    """Edit the programme's targets."""
    current = {t.key: t.value for t in db.session.scalars(select(Target))}
    form = TargetsForm(data=current)
    if form.validate_on_submit():
        try:
            services.set_targets(_user(), {k: getattr(form, k).data for k in TARGET_LABELS})
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Targets saved."), "success")
            return redirect(url_for("programme.dashboard"))
    return render_template("programme/targets.html", form=form)


# --- phases and batches -------------------------------------------------------------------


@bp.route("/batches")
@roles_required(*MEMBERS)
def batches():
    """Phases and their batches; schools see which are open."""
    phase_id = _int_arg("phase")
    phases = list(db.session.scalars(select(Phase).order_by(Phase.number)))
    return _list_page(
        "programme/batches.html",
        queries.batches(phase_id),
        exports.BATCHES,
        "batches",
        phases=phases,
        phase_id=phase_id,
        today=_today(),
    )


def _save_phase(phase: Phase | None):
    return _save_record(
        PhaseForm(obj=phase),
        services.PHASE_FIELDS,
        services.save_phase,
        phase,
        _("Phase saved."),
        "programme.batches",
        _("Phase"),
    )


@bp.route("/phases/new", methods=["GET", "POST"])
@region_admin_required
def phase_new():
    """Define a phase."""
    return _save_phase(None)


@bp.route("/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@region_admin_required
def phase_edit(phase_id: int):
    """Change a phase."""
    return _save_phase(db.get_or_404(Phase, phase_id))


def _save_batch(batch: Batch | None):
    form = BatchForm(obj=batch, phases=_phase_choices())
    if batch is not None and request.method == "GET":
        form.phase.data = batch.phase_id
    if form.validate_on_submit():
        data = {
            "phase_id": form.phase.data,
            "name": form.name.data.strip(),
            "opens_on": form.opens_on.data,
            "closes_on": form.closes_on.data,
            "limit_technician_college": form.limit_technician_college.data,
            "limit_other": form.limit_other.data,
            "demonstration_threshold": form.demonstration_threshold.data,
        }
        try:
            services.save_batch(_user(), data, batch)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Batch saved."), "success")
            return redirect(url_for("programme.batches"))
    return render_template("programme/form.html", form=form, title=_("Batch"))


@bp.route("/batches/new", methods=["GET", "POST"])
@region_admin_required
def batch_new():
    """Open a batch in a phase."""
    return _save_batch(None)


@bp.route("/batches/<int:batch_id>/edit", methods=["GET", "POST"])
@region_admin_required
def batch_edit(batch_id: int):
    """Change a batch's dates or limits."""
    return _save_batch(db.get_or_404(Batch, batch_id))


@bp.route("/batches/<int:batch_id>")
@roles_required(*MEMBERS)
def batch_detail(batch_id: int):
    """A batch: its applications, and for a school the form to apply."""
    batch = db.get_or_404(Batch, batch_id)
    user = _user()
    form = None
    school = None
    if user.role == "school" and user.school_id:
        school = db.session.get(School, user.school_id)
        majors = queries.applicable_majors(user.school_id, batch)
        form = ApplyForm(majors=[(m.id, _major_label(m)) for m in majors])
    stmt = queries.applications(user, queries.ApplicationFilters(batch_id=batch.id))
    return render_template(
        "programme/batch_detail.html",
        batch=batch,
        school=school,
        form=form,
        applications=list(db.session.scalars(stmt)),
        is_open=batch.is_open(_today()),
        today=_today(),
        final=services.selection_final(batch, _today()),
        open_objections=services.open_objections(batch),
        notice_form=NoticeForm() if user.is_region_admin else None,
        exceptions=queries.limit_exceptions(batch) if user.is_admin else [],
    )


def _own_major_choices(user) -> list[tuple[int, str]]:
    """(id, label) of the user's school's integrated majors, for a form's major field."""
    majors = db.session.scalars(
        select(SchoolMajor)
        .options(selectinload(SchoolMajor.major))
        .where(SchoolMajor.school_id == (user.school_id or -1))
        .order_by(SchoolMajor.id)
    )
    return [(m.id, _major_label(m)) for m in majors]


def _major_label(major: SchoolMajor) -> str:
    return f"{major.major.name}（{LEVEL_LABELS.get(major.level, major.level)}）"


@bp.route("/batches/<int:batch_id>/apply", methods=["POST"])
@roles_required("school")
def batch_apply(batch_id: int):
    """Apply one of the school's integrated majors to the batch (within the limit)."""
    batch = db.get_or_404(Batch, batch_id)
    user = _user()
    majors = queries.applicable_majors(user.school_id or -1, batch)
    form = ApplyForm(majors=[(m.id, _major_label(m)) for m in majors])
    if form.validate_on_submit():
        major = db.session.get(SchoolMajor, form.school_major_id.data)
        try:
            services.apply_major(user, batch, major, _today())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(_("Application submitted."), "success")
    else:
        flash(_("Choose one of your integrated majors that is not yet applied."), "danger")
    return redirect(url_for("programme.batch_detail", batch_id=batch.id))


def _application_filters() -> queries.ApplicationFilters:
    return queries.ApplicationFilters(
        batch_id=_int_arg("batch"),
        phase_id=_int_arg("phase"),
        status=_text_arg("status"),
        region_code=_text_arg("region_code"),
        school_id=_int_arg("school"),
        q=_text_arg("q"),
    )


@bp.route("/applications")
@roles_required(*MEMBERS)
def applications():
    """Batch applications with filters (batch, phase, status, league, school name)."""
    filters = _application_filters()
    return _list_page(
        "programme/applications.html",
        queries.applications(_user(), filters),
        exports.APPLICATIONS,
        "batch-applications",
        filters=filters,
        phases=_phase_choices(),
        regions=region_choices(),
        today=_today(),
    )


def _application_or_404(application_id: int) -> BatchApplication:
    return _visible_or_404(db.session.get(BatchApplication, application_id))


@bp.route("/applications/<int:application_id>/recommend", methods=["GET", "POST"])
@admin_required
def application_recommend(application_id: int):
    """The league recommends an application to the region, or returns it with a reason."""
    application = _application_or_404(application_id)
    form = RecommendForm()
    if form.validate_on_submit():
        try:
            services.recommend(_user(), application, form.decision.data, form.reason.data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Recommendation saved."), "success")
            return redirect(url_for("programme.applications", batch=application.batch_id))
    return render_template(
        "programme/decide.html",
        form=form,
        application=application,
        heading=_("Recommend an application"),
    )


@bp.route("/applications/<int:application_id>/decide", methods=["GET", "POST"])
@region_admin_required
def application_decide(application_id: int):
    """The region selects a recommended application, or rejects it with a reason."""
    application = _application_or_404(application_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(_user(), application, form.decision.data, form.reason.data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Decision saved."), "success")
            return redirect(url_for("programme.applications", batch=application.batch_id))
    return render_template(
        "programme/decide.html",
        form=form,
        application=application,
        heading=_("Decide on an application"),
    )


@bp.route("/applications/<int:application_id>/advance", methods=["POST"])
@admin_required
def application_advance(application_id: int):
    """Move a finally selected major to its next stage of construction."""
    application = _application_or_404(application_id)
    try:
        services.advance_stage(_user(), application, _today())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_("Stage updated."), "success")
    return redirect(url_for("programme.applications", batch=application.batch_id))


# --- public notice, objections, limit exceptions ------------------------------------------


@bp.route("/batches/<int:batch_id>/notice", methods=["POST"])
@region_admin_required
def batch_notice(batch_id: int):
    """Publish the batch's selection for its public notice period."""
    batch = db.get_or_404(Batch, batch_id)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            services.publish_notice(_user(), batch, form.days.data, _today())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(_("The selection is published for public notice."), "success")
    else:
        flash(_("Give from 1 to 30 working days."), "danger")
    return redirect(url_for("programme.batch_detail", batch_id=batch.id))


@bp.route("/notices")
@public
def notices():
    """Public notices (公示) of selected schools and majors, newest first."""
    return _list_page("programme/notices.html", queries.notices(), exports.NOTICES, "notices")


def _objection_form(batch: Batch, selection: list[BatchApplication]) -> ObjectionForm:
    choices = [
        (a.id, f"{a.school.name} · {_major_label(a.school_major)}")
        for a in selection
        if a.is_selected
    ]
    return ObjectionForm(applications=choices)


@bp.route("/notices/<int:batch_id>")
@public
def notice_detail(batch_id: int):
    """One batch's public notice: the selected schools and majors and the notice period."""
    batch = db.get_or_404(Batch, batch_id)
    if batch.notice_published_at is None:
        abort(404)
    selection = queries.noticed_selection(batch)
    running = batch.notice_running(_today())
    form = _objection_form(batch, selection) if running and current_user.is_authenticated else None
    return render_template(
        "programme/notice.html",
        batch=batch,
        selection=selection,
        running=running,
        final=services.selection_final(batch, _today()),
        form=form,
    )


@bp.route("/notices/<int:batch_id>/objections", methods=["POST"])
@login_required
def notice_object(batch_id: int):
    """Any signed-in user lodges an objection to a selected major during the notice."""
    batch = db.get_or_404(Batch, batch_id)
    if batch.notice_published_at is None:
        abort(404)
    selection = queries.noticed_selection(batch)
    form = _objection_form(batch, selection)
    if form.validate_on_submit():
        application = db.session.get(BatchApplication, form.application_id.data)
        try:
            services.lodge_objection(_user(), application, form.reason.data, _today())
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Your objection has been lodged; the region will answer it."), "success")
            return redirect(url_for("programme.notice_detail", batch_id=batch.id))
    return render_template(
        "programme/notice.html",
        batch=batch,
        selection=selection,
        running=batch.notice_running(_today()),
        final=services.selection_final(batch, _today()),
        form=form,
    ), 422


@bp.route("/objections")
@admin_required
def objections():
    """Objections to selections, with their answers (filter by status and batch)."""
    status = _text_arg("status")
    if status not in OBJECTION_STATUS_LABELS:
        status = None
    return _list_page(
        "programme/objections.html",
        queries.objections(_user(), status, _int_arg("batch")),
        exports.OBJECTIONS,
        "objections",
        status=status,
    )


@bp.route("/objections/<int:objection_id>/answer", methods=["GET", "POST"])
@region_admin_required
def objection_answer(objection_id: int):
    """The region upholds (withdrawing the selection) or dismisses an objection."""
    objection = db.get_or_404(Objection, objection_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_objection(_user(), objection, form.outcome.data, form.answer.data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("The objection has been answered."), "success")
            return redirect(url_for("programme.objections"))
    return render_template("programme/answer.html", form=form, objection=objection)


@bp.route("/batches/<int:batch_id>/exception", methods=["GET", "POST"])
@region_admin_required
def batch_exception(batch_id: int):
    """Grant one school an exception to the batch's limit, with the reason."""
    batch = db.get_or_404(Batch, batch_id)
    form = LimitExceptionForm(schools=_school_choices())
    if form.validate_on_submit():
        school = db.session.get(School, form.school_id.data)
        try:
            services.grant_limit_exception(
                _user(), batch, school, form.extra.data, form.reason.data
            )
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("The exception is recorded."), "success")
            return redirect(url_for("programme.batch_detail", batch_id=batch.id))
    return render_template(
        "programme/form.html",
        form=form,
        title=_("Exception to the limit of %(batch)s", batch=batch.name),
        cancel=url_for("programme.batch_detail", batch_id=batch.id),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles_required("school")
def application_withdraw(application_id: int):
    """The school withdraws an application awaiting a decision."""
    application = _application_or_404(application_id)
    batch_id = application.batch_id
    try:
        services.withdraw_application(_user(), application)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_("Application withdrawn."), "success")
    return redirect(url_for("programme.batch_detail", batch_id=batch_id))


# --- graduate outcomes -------------------------------------------------------------------


@bp.route("/outcomes")
@roles_required(*MEMBERS)
def outcomes():
    """Graduate outcomes per integrated major and year (a school its own, admins their league)."""
    year = _int_arg("year")
    return _list_page(
        "programme/outcomes.html",
        queries.outcomes(_user(), year),
        exports.OUTCOMES,
        "graduate-outcomes",
        year=year,
    )


@bp.route("/outcomes/new", methods=["GET", "POST"])
@roles_required("school")
def outcome_new():
    """A school returns a year's figures for one of its integrated majors."""
    user = _user()
    form = OutcomeForm(majors=_own_major_choices(user))
    if form.validate_on_submit():
        major = db.session.get(SchoolMajor, form.school_major_id.data)
        data = {f: getattr(form, f).data for f in ("year", *services.OUTCOME_FIGURES)}
        try:
            services.save_outcome(user, major, data, _today())
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Figures saved."), "success")
            return redirect(url_for("programme.outcomes"))
    return render_template(
        "programme/form.html",
        form=form,
        title=_("Return graduate outcomes"),
        cancel=url_for("programme.outcomes"),
    )


# --- records behind the dashboard ---------------------------------------------------------


@bp.route("/majors")
@admin_required
def integrated_majors():
    """Integrated majors and whether each has an active workshop pairing."""
    paired = _text_arg("paired")
    region = _text_arg("region_code")
    return _list_page(
        "programme/majors.html",
        queries.integrated_majors(_user(), paired, region),
        exports.MAJORS,
        "integrated-majors",
        paired=paired,
    )


@bp.route("/placements")
@admin_required
def placements():
    """Published practice placements and their seats taken."""
    region = _text_arg("region_code")
    return _list_page(
        "programme/placements.html",
        queries.placements(_user(), region),
        exports.PLACEMENTS,
        "placements",
        by_id=True,
    )


# --- teacher development ------------------------------------------------------------------


@bp.route("/teachers")
@roles_required(*MEMBERS)
def teachers():
    """Teachers with their integrated-teacher status, practice days and training hours."""
    filters = queries.TeacherFilters(
        q=_text_arg("q"),
        region_code=_text_arg("region_code"),
        school_id=_int_arg("school"),
        status=_text_arg("status"),
        practice=_text_arg("practice"),
    )
    return _list_page(
        "programme/teachers.html",
        queries.teachers(_user(), filters),
        exports.TEACHERS,
        "teachers",
        filters=filters,
        regions=region_choices(),
        rule_days=current_app.config["PRACTICE_RULE_DAYS"],
    )


def _bases() -> list[tuple[int, str]]:
    stmt = select(ResearchBase).where(ResearchBase.active.is_(True)).order_by(ResearchBase.name)
    return [(b.id, b.name) for b in db.session.scalars(stmt)]


def _teacher_page(teacher: Teacher, **forms):
    status = db.session.get(TeacherStatus, teacher.id)
    forms.setdefault("training_form", TrainingForm(bases=_bases(), formdata=None))
    forms.setdefault(
        "status_form", TeacherStatusForm(formdata=None, status=status.status if status else "none")
    )
    forms.setdefault("hours_form", HoursForm(formdata=None))
    hours = queries.workload(_user(), None)
    hours = hours.where(TeachingHours.teacher_id == teacher.id)
    return render_template(
        "programme/teacher_detail.html",
        teacher=teacher,
        status=status.status if status else "none",
        records=queries.training_records(teacher.id),
        hours=list(db.session.execute(hours)),
        factor=queries.integrated_factor(),
        **forms,
    )


@bp.route("/teachers/<int:teacher_id>")
@roles_required(*MEMBERS)
def teacher_detail(teacher_id: int):
    """A teacher's training, status and teaching hours."""
    return _teacher_page(_teacher_or_404(teacher_id))


@bp.route("/teachers/<int:teacher_id>/training", methods=["POST"])
@admin_required
def teacher_training(teacher_id: int):
    """Record a completed training course."""
    teacher = _teacher_or_404(teacher_id)
    form = TrainingForm(bases=_bases())
    if form.validate_on_submit():
        data = {
            f: getattr(form, f).data for f in ("course", "hours", "certificate_no", "completed_on")
        }
        data["research_base_id"] = form.research_base_id.data or None
        try:
            services.add_training(_user(), teacher, data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Training recorded."), "success")
            return redirect(url_for("programme.teacher_detail", teacher_id=teacher.id))
    return _teacher_page(teacher, training_form=form)


@bp.route("/teachers/<int:teacher_id>/status", methods=["POST"])
@admin_required
def teacher_status(teacher_id: int):
    """Set the integrated-teacher status."""
    teacher = _teacher_or_404(teacher_id)
    form = TeacherStatusForm()
    if form.validate_on_submit():
        try:
            services.set_teacher_status(_user(), teacher, form.status.data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Status saved."), "success")
            return redirect(url_for("programme.teacher_detail", teacher_id=teacher.id))
    return _teacher_page(teacher, status_form=form)


@bp.route("/teachers/<int:teacher_id>/hours", methods=["POST"])
@roles_required(*MEMBERS)
def teacher_hours(teacher_id: int):
    """Record teaching hours of a term."""
    teacher = _teacher_or_404(teacher_id)
    form = HoursForm()
    if form.validate_on_submit():
        data = {f: getattr(form, f).data for f in ("term", "ordinary_hours", "integrated_hours")}
        try:
            services.set_teaching_hours(_user(), teacher, data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Teaching hours saved."), "success")
            return redirect(url_for("programme.teacher_detail", teacher_id=teacher.id))
    return _teacher_page(teacher, hours_form=form)


@bp.route("/workload")
@roles_required(*MEMBERS)
def workload():
    """Teaching workload per term; integrated-major hours count more (1.4× by default)."""
    term = _text_arg("term")
    return _list_page(
        "programme/workload.html",
        queries.workload(_user(), term, _text_arg("region_code")),
        exports.WORKLOAD,
        "workload",
        term=term,
        factor=queries.integrated_factor(),
    )


@bp.route("/research-bases")
@admin_required
def research_bases():
    """Teacher research bases (师资研修基地) and how many training records name each."""
    return _list_page(
        "programme/research_bases.html",
        queries.research_bases(),
        exports.RESEARCH_BASES,
        "research-bases",
    )


def _save_research_base(base: ResearchBase | None):
    return _save_record(
        ResearchBaseForm(obj=base),
        services.RESEARCH_BASE_FIELDS,
        services.save_research_base,
        base,
        _("Research base saved."),
        "programme.research_bases",
        _("Research base"),
        cancel=url_for("programme.research_bases"),
    )


@bp.route("/research-bases/new", methods=["GET", "POST"])
@region_admin_required
def research_base_new():
    """Add a teacher research base."""
    return _save_research_base(None)


@bp.route("/research-bases/<int:base_id>/edit", methods=["GET", "POST"])
@region_admin_required
def research_base_edit(base_id: int):
    """Change a teacher research base (or take it back into use)."""
    return _save_research_base(db.get_or_404(ResearchBase, base_id))


def _retired(outcome: str) -> None:
    if outcome == "deleted":
        flash(_("Deleted."), "success")
    else:
        flash(_("Retired: records that refer to it keep it; it is no longer offered."), "success")


@bp.route("/research-bases/<int:base_id>/retire", methods=["POST"])
@region_admin_required
def research_base_retire(base_id: int):
    """Delete an unused research base, or retire one that training records name."""
    base = db.get_or_404(ResearchBase, base_id)
    try:
        outcome = services.retire_research_base(_user(), base)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        _retired(outcome)
    return redirect(url_for("programme.research_bases"))


@bp.route("/part-time-teachers")
@roles_required(*MEMBERS)
def part_timers():
    """Enterprise high-skill talent teaching part-time (search by name; active or not)."""
    q, active = _text_arg("q"), _text_arg("active")
    return _list_page(
        "programme/part_timers.html",
        queries.part_timers(_user(), q, active),
        exports.PART_TIMERS,
        "part-time-teachers",
        q=q,
        active=active,
    )


def _school_choices() -> list[tuple[int, str]]:
    user = _user()
    stmt = select(School.id, School.name).order_by(School.name)
    if user.role == "school":
        stmt = stmt.where(School.id == (user.school_id or -1))
    elif user.role == "league_admin":
        stmt = stmt.where(School.region_code == user.region_code)
    return [(r.id, r.name) for r in db.session.execute(stmt)]


def _enterprise_choices(current: int | None = None) -> list[tuple[int, str]]:
    stmt = select(Enterprise.id, Enterprise.name).where(
        or_(Enterprise.status == "approved", Enterprise.id == (current or -1))
    )
    return [(r.id, r.name) for r in db.session.execute(stmt.order_by(Enterprise.name))]


def _save_part_timer(row: PartTimeTeacher | None):
    form = PartTimeForm(
        obj=row,
        enterprises=_enterprise_choices(row.enterprise_id if row else None),
        schools=_school_choices(),
    )
    return _save_record(
        form,
        services.PART_TIMER_FIELDS,
        services.save_part_timer,
        row,
        _("Part-time teacher saved."),
        "programme.part_timers",
        _("Part-time teacher"),
        cancel=url_for("programme.part_timers"),
    )


@bp.route("/part-time-teachers/new", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def part_timer_new():
    """Register enterprise talent as a part-time integrated teacher."""
    return _save_part_timer(None)


def _part_timer_or_404(part_timer_id: int) -> PartTimeTeacher:
    return _visible_or_404(db.session.get(PartTimeTeacher, part_timer_id))


@bp.route("/part-time-teachers/<int:part_timer_id>/edit", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def part_timer_edit(part_timer_id: int):
    """Change a part-time teacher's record."""
    return _save_part_timer(_part_timer_or_404(part_timer_id))


@bp.route("/part-time-teachers/<int:part_timer_id>/retire", methods=["POST"])
@roles_required(*MEMBERS)
def part_timer_retire(part_timer_id: int):
    """Mark a part-time teacher as no longer teaching (the record is kept)."""
    row = _part_timer_or_404(part_timer_id)
    try:
        services.retire_part_timer(_user(), row)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_("Marked as no longer teaching."), "success")
    return redirect(url_for("programme.part_timers"))


# --- evaluations --------------------------------------------------------------------------


@bp.route("/nominations")
@roles_required(*MEMBERS)
def nominations():
    """Nominations for quality classroom, boutique course and demonstration major."""
    category = _text_arg("category")
    status = _text_arg("status")
    return _list_page(
        "programme/nominations.html",
        queries.nominations(_user(), category, status),
        exports.NOMINATIONS,
        "nominations",
        category=category,
        status=status,
    )


@bp.route("/nominations/new", methods=["GET", "POST"])
@roles_required("school")
def nomination_new():
    """The school nominates a classroom, course or major."""
    user = _user()
    form = NominationForm(schools=_school_choices(), majors=_own_major_choices(user))
    if form.validate_on_submit():
        fields = ("category", "school_id", "school_major_id", "title", "description")
        try:
            services.nominate(user, {f: getattr(form, f).data for f in fields})
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Nomination submitted."), "success")
            return redirect(url_for("programme.nominations"))
    return render_template("programme/form.html", form=form, title=_("Nomination"))


def _active_indicators(category: str) -> list[Indicator]:
    stmt = select(Indicator).where(Indicator.category == category, Indicator.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Indicator.id)))


@bp.route("/nominations/<int:nomination_id>/score", methods=["GET", "POST"])
@region_admin_required
def nomination_score(nomination_id: int):
    """Score a nomination on each indicator (0–100); the total is weighted."""
    nomination = db.get_or_404(Nomination, nomination_id)
    indicators = _active_indicators(nomination.category)
    current = {s.indicator_id: s.score for s in nomination.scores}
    errors: dict[str, str] = {}
    if request.method == "POST":
        scores = {}
        for indicator in indicators:
            try:
                scores[indicator.id] = int(request.form.get(f"indicator_{indicator.id}", ""))
            except ValueError:
                errors[f"indicator_{indicator.id}"] = _("Give a score from 0 to 100.")
        if not errors:
            try:
                services.score_nomination(_user(), nomination, scores)
                db.session.commit()
            except ServiceError as exc:
                db.session.rollback()
                errors = exc.fields or {"form": exc.message}
            else:
                flash(_("Scores saved."), "success")
                return redirect(url_for("programme.nominations"))
        current = {**current, **scores}
    return render_template(
        "programme/score.html",
        nomination=nomination,
        indicators=indicators,
        current=current,
        errors=errors,
    )


@bp.route("/nominations/<int:nomination_id>/publish", methods=["POST"])
@region_admin_required
def nomination_publish(nomination_id: int):
    """Publish a scored nomination on the school's page."""
    nomination = db.get_or_404(Nomination, nomination_id)
    try:
        services.publish_nomination(_user(), nomination)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(_("Result published."), "success")
    return redirect(url_for("programme.nominations"))


@bp.route("/indicators")
@region_admin_required
def indicators():
    """Evaluation indicators and their weights, by category."""
    stmt = select(Indicator).order_by(Indicator.category, Indicator.id)
    return render_template("programme/indicators.html", indicators=list(db.session.scalars(stmt)))


def _save_indicator(indicator: Indicator | None):
    return _save_record(
        IndicatorForm(obj=indicator),
        ("category", "name", "weight", "active"),
        services.save_indicator,
        indicator,
        _("Indicator saved."),
        "programme.indicators",
        _("Indicator"),
        cancel=url_for("programme.indicators"),
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
@region_admin_required
def indicator_new():
    """Add an evaluation indicator."""
    return _save_indicator(None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@region_admin_required
def indicator_edit(indicator_id: int):
    """Change an indicator's name, weight or use."""
    return _save_indicator(db.get_or_404(Indicator, indicator_id))


@bp.route("/indicators/<int:indicator_id>/retire", methods=["POST"])
@region_admin_required
def indicator_retire(indicator_id: int):
    """Delete an unused indicator, or take one that scores use out of use."""
    indicator = db.get_or_404(Indicator, indicator_id)
    try:
        outcome = services.retire_indicator(_user(), indicator)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        _retired(outcome)
    return redirect(url_for("programme.indicators"))


# --- import -------------------------------------------------------------------------------


def _kind_or_404(kind: str) -> str:
    if kind not in imports.KINDS:
        abort(404)
    return kind


@bp.route("/import/<kind>/template")
@admin_required
def import_template(kind: str):
    """The .xlsx template of an import."""
    body = imports.template_workbook(_kind_or_404(kind))
    response = Response(body, mimetype=MIMETYPES["xlsx"])
    response.headers["Content-Disposition"] = content_disposition(f"{kind}-template.xlsx")
    return response


@bp.route("/import/<kind>", methods=["GET", "POST"])
@admin_required
def import_data(kind: str):
    """Import enterprises, schools or teachers from .xlsx: all rows or none."""
    kind = _kind_or_404(kind)
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            data = imports.read_upload(form.file.data.stream)
            report = imports.run_import(_user(), kind, data)
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status if exc.status == 413 else 400
        else:
            if report.ok:
                db.session.commit()
                flash(_("%(n)s rows imported.", n=report.saved), "success")
                return redirect(url_for("programme.import_data", kind=kind))
            db.session.rollback()
            status = 422
    return render_template("programme/import.html", form=form, kind=kind, report=report), status


# --- audit log ----------------------------------------------------------------------------


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/audit")
@region_admin_required
def audit_log():
    """Every administrator action and state change, searchable and exportable."""
    kind, number = _text_arg("kind"), _text_arg("number")
    target = _text_arg("target") or (f"{kind or ''}:{number or ''}" if kind or number else None)
    filters = queries.AuditFilters(
        actor=_text_arg("actor"),
        action=_text_arg("action"),
        target=target,
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
    )
    return _list_page(
        "programme/audit.html",
        queries.audit_events(filters),
        exports.AUDIT,
        "audit-log",
        filters=filters,
        kind=kind or "",
        number=number or "",
        actions=audit_labels.action_choices(queries.audit_actions()),
        kinds=audit_labels.record_choices(),
    )


# --- CLI ----------------------------------------------------------------------------------


@bp.cli.command("seed")
def seed_command() -> None:
    """Create the plan's phases, a batch each, targets, research bases and indicators."""
    created = services.seed_plan()
    db.session.commit()
    click.echo("programme: " + ", ".join(f"{k} {v}" for k, v in created.items()))


# Assessment of construction, the outcomes summary and the construction pages (milestones of
# selected majors) live in their own modules and register on this blueprint.
from app.programme import assessment_views, construction_views  # noqa: E402, F401

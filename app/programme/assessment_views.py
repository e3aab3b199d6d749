"""Pages of the assessment of construction (考核验收) and the graduate-outcomes summary export,
on the programme blueprint."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import admin_required, login_required, region_admin_required
from app.auth.models import User
from app.common.errors import ServiceError
from app.common.exports import FORMATS, export_response
from app.common.views import acting_user as _user
from app.common.views import show_service_error as _failed
from app.extensions import db
from app.programme import assessment as service
from app.programme import exports, outcome_summary
from app.programme.forms import (
    ASSESSMENT_RESULT_LABELS,
    ASSESSMENT_STATUS_LABELS,
    AssessmentOpenForm,
    ConclusionForm,
)
from app.programme.models import MIN_ASSESSORS, Assessment, BatchApplication
from app.programme.views import _int_arg, _list_page, _text_arg, _today, bp
from app.reference.queries import region_choices

MAX_EMAILS = 30


def _labels() -> dict:
    return {
        "assessment_status_labels": ASSESSMENT_STATUS_LABELS,
        "assessment_result_labels": ASSESSMENT_RESULT_LABELS,
        "min_assessors": MIN_ASSESSORS,
    }


def _filters() -> service.AssessmentFilters:
    status = _text_arg("status")
    result = _text_arg("result")
    return service.AssessmentFilters(
        status=status if status in ASSESSMENT_STATUS_LABELS else None,
        result=result if result in ASSESSMENT_RESULT_LABELS else None,
        batch_id=_int_arg("batch"),
        region_code=_text_arg("region_code"),
        q=_text_arg("q"),
    )


@bp.route("/assessments")
@admin_required
def assessments():
    """Assessments of construction with filters (the region all, a league its own)."""
    filters = _filters()
    return _list_page(
        "programme/assessment_list.html",
        service.assessments(_user(), filters),
        exports.ASSESSMENTS,
        "assessments",
        filters=filters,
        regions=region_choices(),
        mine=False,
        **_labels(),
    )


@bp.route("/my-assessments")
@login_required
def my_assessments():
    """The assessments the signed-in account sits on as an assessor."""
    if not service.is_assessor(current_user):
        abort(403)
    filters = _filters()
    return _list_page(
        "programme/assessment_list.html",
        service.assessments(_user(), filters, mine=True),
        exports.ASSESSMENTS,
        "my-assessments",
        filters=filters,
        regions=[],
        mine=True,
        **_labels(),
    )


def _emails(text: str) -> list[str]:
    parts = text.replace(",", "\n").replace("，", "\n").replace(";", "\n").splitlines()
    return [p.strip().lower() for p in parts if p.strip()]


def _panel_from(form: AssessmentOpenForm) -> list[User] | None:
    """The accounts named in the form, or None with the field's error set."""
    emails = _emails(form.assessors.data or "")
    if len(emails) > MAX_EMAILS:
        form.assessors.errors.append(_("At most %(n)s assessors.", n=MAX_EMAILS))
        return None
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    unknown = [e for e in emails if e not in users]
    if unknown:
        form.assessors.errors.append(_("No account has this email: %(email)s", email=unknown[0]))
        return None
    return [users[e] for e in emails]


@bp.route("/applications/<int:application_id>/assessments/new", methods=["GET", "POST"])
@region_admin_required
def assessment_new(application_id: int):
    """The region opens an assessment of a selected major and appoints its panel."""
    application = db.get_or_404(BatchApplication, application_id)
    form = AssessmentOpenForm()
    if form.validate_on_submit():
        panel = _panel_from(form)
        if panel is not None:
            try:
                row = service.open_assessment(_user(), application, panel, _today())
                db.session.commit()
            except ServiceError as exc:
                _failed(form, exc)
            else:
                flash(_("Assessment opened; the assessors have been notified."), "success")
                return redirect(url_for("programme.assessment_detail", assessment_id=row.id))
    return render_template(
        "programme/assessment_open.html",
        form=form,
        application=application,
        current=service.open_assessment_of(application.id),
        indicators=service.published_indicators(),
        **_labels(),
    )


def _visible(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not assessment.can_view(current_user):
        abort(404)
    return assessment


def _detail(assessment: Assessment, form: ConclusionForm | None = None, status: int = 200):
    user = _user()
    seat = assessment.assessor_of(user)
    if form is None and assessment.can_manage(user) and assessment.status == "open":
        form = ConclusionForm()
    indicators = service.published_indicators()
    scored = {s.indicator_id for a in assessment.assessors for s in a.scores}
    shown = indicators + [
        s.indicator
        for a in assessment.assessors
        for s in a.scores
        if s.indicator_id in scored and s.indicator not in indicators
    ]
    shown = list(dict.fromkeys(shown))
    return render_template(
        "programme/assessment_detail.html",
        assessment=assessment,
        application=assessment.application,
        seat=seat,
        see_scores=assessment.can_see_scores(user),
        indicators=shown,
        submitted=service.submitted_count(assessment),
        form=form,
        **_labels(),
    ), status


@bp.route("/assessments/<int:assessment_id>")
@login_required
def assessment_detail(assessment_id: int):
    """An assessment: the major, the panel, the scores and mean, and the conclusion."""
    return _detail(_visible(assessment_id))


@bp.route("/assessments/<int:assessment_id>/conclusion", methods=["POST"])
@region_admin_required
def assessment_conclude(assessment_id: int):
    """The region concludes the assessment as passed or not passed, with a note."""
    assessment = _visible(assessment_id)
    form = ConclusionForm()
    if form.validate_on_submit():
        try:
            service.conclude(_user(), assessment, form.result.data, form.note.data)
            db.session.commit()
        except ServiceError as exc:
            _failed(form, exc)
        else:
            flash(_("Assessment concluded; the school has been notified."), "success")
            return redirect(url_for("programme.assessment_detail", assessment_id=assessment.id))
    return _detail(db.session.get(Assessment, assessment_id), form, 422)


@bp.route("/assessments/<int:assessment_id>/score", methods=["GET", "POST"])
@login_required
def assessment_score(assessment_id: int):
    """An assessor scores each published indicator from 0 to its weight."""
    assessment = _visible(assessment_id)
    seat = assessment.assessor_of(current_user)
    if seat is None:
        abort(403)
    indicators = service.published_indicators()
    current = {s.indicator_id: s.score for s in seat.scores}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw: dict[int, object] = {}
        for indicator in indicators:
            value = (request.form.get(f"indicator_{indicator.id}") or "").strip()
            raw[indicator.id] = int(value) if value.isdigit() and len(value) < 6 else value
        try:
            service.submit_scores(_user(), assessment, raw)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            errors = exc.fields or {"form": exc.message}
            status = exc.status
        else:
            flash(_("Scores submitted."), "success")
            return redirect(url_for("programme.assessment_detail", assessment_id=assessment_id))
        assessment = db.session.get(Assessment, assessment_id)
        current = {**current, **raw}
    return render_template(
        "programme/assessment_score.html",
        assessment=assessment,
        application=assessment.application,
        indicators=indicators,
        current=current,
        errors=errors,
        total_weight=sum(i.weight for i in indicators),
        **_labels(),
    ), status


# --- graduate-outcomes summary export -----------------------------------------------------


@bp.route("/outcomes/summary/<fmt>")
@admin_required
def outcomes_summary_export(fmt: str):
    """The outcomes of a year against the year before, by league and by major, as a file."""
    if fmt not in FORMATS:
        abort(404)
    year = _int_arg("year") or outcome_summary.latest_year()
    if year is None or not 2000 <= year <= 2100:
        flash(_("No figures returned yet."), "warning")
        return redirect(url_for("programme.outcomes"))
    data = outcome_summary.summary(_user(), year)
    return export_response(
        outcome_summary.summary_rows(data),
        outcome_summary.summary_columns(year),
        f"graduate-outcomes-summary-{year}",
        fmt,
    )


def outcome_years() -> list[int]:
    """Graduating years with returned figures, newest first (for the export's year choice)."""
    from app.programme.models import GraduateOutcome

    stmt = select(GraduateOutcome.year).group_by(GraduateOutcome.year)
    return sorted(db.session.scalars(stmt), reverse=True)


bp.add_app_template_global(outcome_years, "programme_outcome_years")

"""Pages of the construction of selected integrated majors: the progress list, one major's
milestones with their evidence files, recording a milestone and downloading evidence.

Registered on the programme blueprint (imported at the end of app/programme/views.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.time import local_today
from app.common.views import acting_user as _user
from app.extensions import db
from app.programme import construction
from app.programme.construction_forms import MilestoneForm
from app.programme.models import MILESTONE_KINDS, SELECTED_STATUSES, Batch, BatchApplication
from app.programme.views import (
    MEMBERS,
    _application_or_404,
    _int_arg,
    _list_page,
    _phase_choices,
    _text_arg,
    bp,
)
from app.reference.queries import region_choices
from app.resources import storage
from app.resources.views import send_stored

UPLOAD_ENDPOINTS = frozenset({"programme.construction_record"})


@bp.before_request
def _evidence_upload_limit() -> None:
    """Raise the body limit for the milestone form only (evidence may be documents or video)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = storage.request_limit()


def _filters() -> construction.ConstructionFilters:
    return construction.ConstructionFilters(
        region_code=_text_arg("region_code"),
        phase_id=_int_arg("phase"),
        batch_id=_int_arg("batch"),
        status=_text_arg("status"),
        progress=_text_arg("progress"),
        q=_text_arg("q"),
    )


def _batch_choices() -> list[tuple[int, str]]:
    stmt = select(Batch.id, Batch.name).where(Batch.notice_published_at.is_not(None))
    return [(i, n) for i, n in db.session.execute(stmt.order_by(Batch.opens_on.desc()))]


@bp.route("/construction")
@roles_required(*MEMBERS)
def construction_list():
    """Finally selected majors with their construction progress (x of 5 milestones)."""
    filters = _filters()
    return _list_page(
        "programme/construction_list.html",
        construction.progress_list(_user(), filters, local_today()),
        construction.PROGRESS_COLUMNS,
        "construction-progress",
        filters=filters,
        phases=_phase_choices(),
        batches=_batch_choices(),
        regions=region_choices(),
        kinds=MILESTONE_KINDS,
        milestone_labels=construction.MILESTONE_LABELS,
        progress_labels=construction.PROGRESS_LABELS,
        statuses=SELECTED_STATUSES,
    )


def _detail(application: BatchApplication, form: MilestoneForm, status: int = 200):
    today = local_today()
    page = render_template(
        "programme/construction_detail.html",
        application=application,
        milestones=construction.milestones_of(application),
        kinds=MILESTONE_KINDS,
        milestone_labels=construction.MILESTONE_LABELS,
        accepts=construction.accepts_milestones(application, today),
        can_record=construction.can_record(current_user, application),
        form=form,
        today=today,
    )
    return page, status


@bp.route("/construction/<int:application_id>")
@roles_required(*MEMBERS)
def construction_detail(application_id: int):
    """One major's five milestones: done or not, the day, the note and the evidence."""
    application = _application_or_404(application_id)
    form = MilestoneForm(kind=request.args.get("kind"), achieved_on=local_today())
    return _detail(application, form)


@bp.route("/construction/<int:application_id>/milestones", methods=["POST"])
@roles_required("school")
def construction_record(application_id: int):
    """The school records a milestone (or corrects it) with evidence files."""
    application = _application_or_404(application_id)
    if not construction.can_record(current_user, application):
        abort(403)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _detail(application, form, 422)
    uploads = [construction.Upload(f.stream, f.filename) for f in form.files.data or []]
    data = {"kind": form.kind.data, "achieved_on": form.achieved_on.data, "note": form.note.data}
    try:
        milestone, created = construction.record_milestone(
            _user(), application, data, uploads, local_today()
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 413:
            abort(413)
        apply_errors(form, exc)
        return _detail(application, form, exc.status if exc.status in (409, 422) else 400)
    label = construction.milestone_label(milestone.kind)
    if created:
        flash(_("Recorded: %(milestone)s.", milestone=label), "success")
    else:
        flash(_("Updated: %(milestone)s.", milestone=label), "success")
    return redirect(url_for("programme.construction_detail", application_id=application.id))


@bp.route("/construction/<int:application_id>/files/<int:file_id>")
@roles_required(*MEMBERS)
def construction_file(application_id: int, file_id: int):
    """An evidence file as an attachment, only to those who may see the major's construction."""
    application = _application_or_404(application_id)
    row = construction.evidence_file(application, file_id)
    if row is None:
        abort(404)
    return send_stored(row)

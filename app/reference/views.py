"""Reference data pages: region administrators edit majors and occupations."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.decorators import region_admin_required
from app.common.errors import ServiceError
from app.common.forms import apply_errors
from app.common.http import page_arg
from app.extensions import db
from app.reference import services
from app.reference.forms import SOURCE_LABELS, MajorForm, OccupationForm
from app.reference.models import Major, Occupation
from app.registry.queries import paginate

bp = Blueprint("reference", __name__, url_prefix="/reference")


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _q() -> str:
    return (request.args.get("q") or "").strip()


@bp.context_processor
def _labels() -> dict:
    """Labels of a major's source."""
    return {"source_labels": SOURCE_LABELS}


@bp.route("/majors")
@region_admin_required
def majors():
    """The catalogue majors, searchable by name, category or occupation code."""
    stmt = select(Major).options(selectinload(Major.occupation))
    if q := _q():
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Major.name.ilike(pattern, escape="\\"),
                Major.category_name.ilike(pattern, escape="\\"),
                Major.occupation_code.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(Major.category_code, Major.name)
    pagination = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("reference/majors.html", pagination=pagination, q=_q())


def _save_major(major: Major | None):
    """Shared body of the new and edit pages of a major."""
    initial = None
    if major is not None:
        initial = {
            "name": major.name,
            "category_code": major.category_code,
            "category_name": major.category_name,
            "occupation_code": major.occupation_code or "",
            "active": major.active,
        }
    form = MajorForm(data=initial)
    if form.validate_on_submit():
        data = {
            "name": form.name.data,
            "category_code": form.category_code.data,
            "category_name": form.category_name.data,
            "occupation_code": form.occupation_code.data or None,
            "active": form.active.data,
        }
        try:
            saved = services.save_major(current_user._get_current_object(), data, major)
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The major %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for("reference.majors", q=saved.name))
    return render_template("reference/major_form.html", form=form, major=major)


@bp.route("/majors/new", methods=["GET", "POST"])
@region_admin_required
def major_new():
    """Add a major to the catalogue."""
    return _save_major(None)


@bp.route("/majors/<int:major_id>/edit", methods=["GET", "POST"])
@region_admin_required
def major_edit(major_id: int):
    """Change a catalogue major."""
    return _save_major(db.get_or_404(Major, major_id))


@bp.route("/occupations")
@region_admin_required
def occupations():
    """The occupations, searchable by code or name."""
    stmt = select(Occupation)
    if q := _q():
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Occupation.code.ilike(pattern, escape="\\"),
                Occupation.name.ilike(pattern, escape="\\"),
            )
        )
    pagination = paginate(
        stmt.order_by(Occupation.code), page_arg(), current_app.config["PAGE_SIZE"]
    )
    return render_template("reference/occupations.html", pagination=pagination, q=_q())


def _save_occupation(occupation: Occupation | None):
    """Shared body of the new and edit pages of an occupation."""
    initial = None
    if occupation is not None:
        initial = {"code": occupation.code, "name": occupation.name, "active": occupation.active}
    form = OccupationForm(data=initial)
    if form.validate_on_submit():
        data = {"name": form.name.data, "active": form.active.data}
        if occupation is None:
            data["code"] = form.code.data
        try:
            saved = services.save_occupation(current_user._get_current_object(), data, occupation)
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The occupation %(code)s has been saved.", code=saved.code), "success")
            return redirect(url_for("reference.occupations", q=saved.code))
    return render_template("reference/occupation_form.html", form=form, occupation=occupation)


@bp.route("/occupations/new", methods=["GET", "POST"])
@region_admin_required
def occupation_new():
    """Add an occupation."""
    return _save_occupation(None)


@bp.route("/occupations/<code>/edit", methods=["GET", "POST"])
@region_admin_required
def occupation_edit(code: str):
    """Change an occupation's name or whether it is in use (its code stays)."""
    return _save_occupation(db.get_or_404(Occupation, code))

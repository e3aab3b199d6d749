"""Loading and editing reference data (flush, never commit)."""

import csv
import re
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.common import audit
from app.common.errors import Conflict, ValidationFailed
from app.extensions import db
from app.reference.models import Industry, Major, Occupation, Region

DATA_DIR = Path(__file__).with_name("data")
OCCUPATION_CODE_PATTERN = r"^\d-\d{2}-\d{2}-\d{2}$"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _upsert(model, key: str, values: dict[str, Any], update: bool) -> bool:
    """Insert a row or (when update) refresh it; True when a row was inserted."""
    column = getattr(model, key)
    row = db.session.scalar(select(model).where(column == values[key]))
    if row is None:
        db.session.add(model(**values))
        return True
    if update:
        for name, value in values.items():
            setattr(row, name, value)
    return False


def _load_major(values: dict[str, Any], update: bool) -> bool:
    """Insert a candidate major unless present (by its reference key, else by name)."""
    row = db.session.scalar(select(Major).where(Major.reference_key == values["reference_key"]))
    if row is None:
        row = db.session.scalar(select(Major).where(Major.name == values["name"]))
        if row is None:
            db.session.add(Major(**values))
            return True
        row.reference_key = values["reference_key"]
    if update:
        for name, value in values.items():
            setattr(row, name, value)
    return False


def load_reference(update_editable: bool = False) -> dict[str, int]:
    """Load regions, industries, occupations and majors idempotently; returns rows inserted.

    Regions and industries are refreshed from the files; occupations and majors an
    administrator may have edited are only inserted when missing unless update_editable.
    """
    inserted = {"regions": 0, "industries": 0, "occupations": 0, "majors": 0}
    for r in _rows("regions.csv"):
        values = {
            "code": r["code"],
            "name": r["name"],
            "name_en": r["name_en"],
            "kind": r["kind"],
            "parent_code": r["parent_code"] or None,
            "lat": float(r["lat"]),
            "lng": float(r["lng"]),
        }
        inserted["regions"] += _upsert(Region, "code", values, update=True)
    for r in _rows("industries.csv"):
        inserted["industries"] += _upsert(Industry, "section", dict(r), update=True)
    for r in _rows("occupations.csv"):
        inserted["occupations"] += _upsert(Occupation, "code", dict(r), update=update_editable)
    db.session.flush()
    for r in _rows("majors-candidates.csv"):
        values = {
            "reference_key": r["major_name"],
            "name": r["major_name"],
            "category_code": r["category_code"],
            "category_name": r["category_name"],
            "occupation_code": r["occupation_code"],
            "source": "candidate",
        }
        inserted["majors"] += _load_major(values, update=update_editable)
    db.session.flush()
    return inserted


def save_occupation(
    actor, data: dict[str, Any], occupation: Occupation | None = None
) -> Occupation:
    """Create or change an occupation; raises ValidationFailed or Conflict."""
    code = (data.get("code") or "").strip()
    if occupation is None:
        if not re.match(OCCUPATION_CODE_PATTERN, code):
            message = str(_l("Use the form D-MM-SS-NN, e.g. 6-18-01-01."))
            raise ValidationFailed(message, {"code": message})
        if db.session.get(Occupation, code) is not None:
            message = str(_l("This occupation code exists already."))
            raise Conflict(message, {"code": message})
        occupation = Occupation(code=code)
        db.session.add(occupation)
        before = None
    else:
        before = {"name": occupation.name, "active": occupation.active}
    occupation.name = data["name"].strip()
    occupation.active = bool(data.get("active", True))
    db.session.flush()
    audit.record(
        actor,
        "occupation.save",
        occupation,
        before=before,
        after={"code": occupation.code, "name": occupation.name, "active": occupation.active},
    )
    return occupation


def save_major(actor, data: dict[str, Any], major: Major | None = None) -> Major:
    """Create or change a catalogue major; raises ValidationFailed or Conflict."""
    name = (data.get("name") or "").strip()
    clash = db.session.scalar(select(Major).where(Major.name == name))
    if clash is not None and clash is not major:
        message = str(_l("A major with this name exists already."))
        raise Conflict(message, {"name": message})
    code = data.get("occupation_code") or None
    if code and db.session.get(Occupation, code) is None:
        message = str(_l("Unknown occupation code."))
        raise ValidationFailed(message, {"occupation_code": message})
    before = None
    if major is None:
        major = Major(source="admin")
        db.session.add(major)
    else:
        before = {
            "name": major.name,
            "occupation_code": major.occupation_code,
            "active": major.active,
        }
    major.name = name
    major.category_code = (data.get("category_code") or "").strip()
    major.category_name = (data.get("category_name") or "").strip()
    major.occupation_code = code
    major.active = bool(data.get("active", True))
    db.session.flush()
    audit.record(
        actor,
        "major.save",
        major,
        before=before,
        after={"name": major.name, "occupation_code": code, "active": major.active},
    )
    return major

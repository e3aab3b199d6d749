"""Choice lists built from the reference tables."""

from sqlalchemy import select

from app.common.cache import cached, watch
from app.extensions import db
from app.reference.models import Industry, Major, Occupation, Region


def region_choices() -> list[tuple[str, str]]:
    """(code, name) for every league and city, in code order (cached)."""
    return cached("reference", "regions", _region_choices)


def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in db.session.scalars(select(Region).order_by(Region.code))]


def industry_choices() -> list[tuple[str, str]]:
    """(section, 'A 农、林、牧、渔业') for every industry section (cached)."""
    return cached("reference", "industries", _industry_choices)


def _industry_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Industry).order_by(Industry.section))
    return [(i.section, f"{i.section} {i.name}") for i in rows]


def occupation_choices(active_only: bool = True) -> list[tuple[str, str]]:
    """(code, 'code name') for the occupations (cached)."""
    return cached("reference", f"occupations:{active_only}", lambda: _occupations(active_only))


def _occupations(active_only: bool) -> list[tuple[str, str]]:
    stmt = select(Occupation).order_by(Occupation.code)
    if active_only:
        stmt = stmt.where(Occupation.active.is_(True))
    return [(o.code, f"{o.code} {o.name}") for o in db.session.scalars(stmt)]


watch("reference", Region, Industry, Occupation)


def major_choices() -> list[tuple[int, str]]:
    """(id, name) of the active catalogue majors."""
    stmt = select(Major).where(Major.active.is_(True)).order_by(Major.category_code, Major.name)
    return [(m.id, m.name) for m in db.session.scalars(stmt)]

"""Reference data: leagues and cities, industry sections, majors, occupations (public)."""

from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select

from app.api import bp
from app.api.auth import api_public
from app.api.docs import operation
from app.api.helpers import MAX_PER_PAGE, arg, page_of
from app.api.serializers import industry_json, major_json, occupation_json, region_json
from app.reference.models import Industry, Major, Occupation, Region

PAGE = ("page", "per_page")


@bp.get("/reference/regions")
@operation("Leagues and cities", tag="reference", responses={200: "RegionList"}, query=PAGE)
@api_public
def regions() -> ResponseReturnValue:
    """Every league and city with its GB/T 2260 code and coordinates."""
    return page_of(select(Region).order_by(Region.code), region_json, MAX_PER_PAGE)


@bp.get("/reference/industries")
@operation("Industry sections", tag="reference", responses={200: "IndustryList"}, query=PAGE)
@api_public
def industries() -> ResponseReturnValue:
    """The sections A–T of GB/T 4754-2017."""
    return page_of(select(Industry).order_by(Industry.section), industry_json, MAX_PER_PAGE)


@bp.get("/reference/majors")
@operation("Catalogue majors", tag="reference", responses={200: "MajorList"}, query=(*PAGE, "q"))
@api_public
def majors() -> ResponseReturnValue:
    """Active catalogue majors; `source` candidate means not an official list."""
    stmt = select(Major).where(Major.active.is_(True))
    if q := arg("q"):
        stmt = stmt.where(Major.name.contains(q, autoescape=True))
    stmt = stmt.order_by(Major.category_code, Major.name, Major.id)
    return page_of(stmt, major_json, MAX_PER_PAGE)


@bp.get("/reference/occupations")
@operation("Occupations", tag="reference", responses={200: "OccupationList"}, query=(*PAGE, "q"))
@api_public
def occupations() -> ResponseReturnValue:
    """Active occupations; q matches a code prefix or part of the name."""
    stmt = select(Occupation).where(Occupation.active.is_(True))
    if q := arg("q"):
        stmt = stmt.where(
            or_(
                Occupation.code.startswith(q, autoescape=True),
                Occupation.name.contains(q, autoescape=True),
            )
        )
    return page_of(stmt.order_by(Occupation.code), occupation_json, MAX_PER_PAGE)

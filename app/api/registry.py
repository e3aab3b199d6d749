"""Enterprises, schools, their review, and enterprise hosts."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import api_public, api_roles
from app.api.docs import operation
from app.api.helpers import (
    MAX_ID,
    api_user,
    arg,
    get_or_404,
    json_object,
    keyed_page_of,
    page_or_file,
    validated,
    visible_or_404,
    writable,
)
from app.api.schemas import (
    ENTERPRISE_CREATE_INPUT,
    ENTERPRISE_INPUT,
    HOST_INPUT,
    REVIEW_INPUT,
    SCHOOL_CREATE_INPUT,
    SCHOOL_INPUT,
)
from app.api.serializers import enterprise_json, host_json, school_json
from app.common.errors import Forbidden
from app.extensions import db
from app.registry import exports, services
from app.registry.forms import (
    EnterpriseForm,
    HostForm,
    NewEnterpriseForm,
    NewSchoolForm,
    ReviewForm,
    SchoolForm,
)
from app.registry.models import Enterprise, Host, School
from app.registry.queries import (
    DirectoryFilters,
    directory_page,
    enterprise_hosts,
    visible_enterprises,
    visible_schools,
)
from app.registry.uscc import normalise

ADMINS = ("league_admin", "region_admin")
PAGE = ("page", "per_page")
ENTERPRISE_FILTERS = (*PAGE, "q", "region_code", "industry", "occupation_code", "host_kind")
SCHOOL_FILTERS = (*PAGE, "q", "region_code", "kind")


def _editable(obj) -> None:
    """Forbidden unless the current user may edit obj (already known to be visible)."""
    if not obj.can_edit(api_user()):
        raise Forbidden(_("You may not change this."))


def _manageable(org) -> None:
    """Forbidden unless the current user may change the organisation's profile (owners)."""
    if not org.can_manage(api_user()):
        raise Forbidden(_("Only the organisation's owners change its profile."))


def _changes(data: dict[str, Any], current: dict[str, Any], spec: dict) -> dict[str, Any]:
    """The validated fields whose value differs from the current one ('' and None are equal)."""
    changed = {}
    for name in spec:
        if name not in data:
            continue
        new, old = data[name], current.get(name)
        if name == "uscc":
            new = normalise(new or "")
        if (new or None) != (old or None):
            changed[name] = data[name]
    return changed


def _enterprise_values(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "industry": enterprise.industry_section,
        "region_code": enterprise.region_code,
        "address": enterprise.address,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "size_band": enterprise.size_band,
        "description": enterprise.description,
    }


def _school_values(school: School) -> dict[str, Any]:
    return {
        "name": school.name,
        "kind": school.kind,
        "uscc": school.uscc,
        "region_code": school.region_code,
        "address": school.address,
        "contact_name": school.contact_name,
        "contact_phone": school.contact_phone,
        "description": school.description,
    }


def _host_values(host: Host) -> dict[str, Any]:
    values = {name: getattr(host, name) for name in HOST_INPUT if name != "occupation_codes"}
    values["occupation_codes"] = host.occupation_codes
    return values


def _pick(data: dict[str, Any], spec: dict) -> dict[str, Any]:
    return {name: data[name] for name in spec if name in data}


# Enterprises -------------------------------------------------------------------------------


@bp.get("/enterprises")
@operation(
    "Directory of enterprises",
    tag="enterprises",
    responses={200: "EnterpriseList"},
    query=(*ENTERPRISE_FILTERS, "status", "format"),
)
@api_public
def enterprises() -> ResponseReturnValue:
    """Approved enterprises for everyone; administrators also see their league's others."""
    filters = DirectoryFilters(
        q=arg("q"),
        region_code=arg("region_code"),
        industry=arg("industry"),
        occupation_code=arg("occupation_code"),
        host_kind=arg("host_kind"),
        status=arg("status"),
    )
    if arg("format") not in (None, "json"):
        stmt = visible_enterprises(api_user(), filters)
        return page_or_file(stmt, enterprise_json, exports.ENTERPRISES, "enterprises")
    user = api_user()
    return keyed_page_of(
        lambda page, size: directory_page(user, filters, page, size), enterprise_json
    )


@bp.post("/enterprises")
@operation(
    "Register an enterprise (pending review)",
    tag="enterprises",
    body="EnterpriseCreate",
    responses={201: "Enterprise", 403: None, 409: None},
)
@api_roles("enterprise", *ADMINS)
def create_enterprise() -> ResponseReturnValue:
    """Register an enterprise; a wrong check character is saved with a warning."""
    data = validated(NewEnterpriseForm, writable(json_object(), ENTERPRISE_CREATE_INPUT))
    enterprise = services.create_enterprise(
        api_user(), _pick(data, ENTERPRISE_INPUT), consent=bool(data["accept_privacy"])
    )
    db.session.commit()
    location = url_for("api.enterprise", id=enterprise.id)
    return enterprise_json(enterprise), 201, {"Location": location}


@bp.get("/enterprises/<int:id>")
@operation("An enterprise", tag="enterprises", responses={200: "Enterprise"})
@api_public
def enterprise(id: int) -> ResponseReturnValue:
    """An enterprise visible to the caller (404 otherwise)."""
    return enterprise_json(visible_or_404(Enterprise, id))


@bp.patch("/enterprises/<int:id>")
@operation(
    "Change an enterprise (an owner's change goes back to review)",
    tag="enterprises",
    body="EnterpriseUpdate",
    responses={200: "Enterprise", 409: None},
)
@api_roles("enterprise", *ADMINS)
def update_enterprise(id: int) -> ResponseReturnValue:
    """Merge the body into the profile, validate the whole, save the fields that changed."""
    enterprise = visible_or_404(Enterprise, id)
    _manageable(enterprise)
    current = _enterprise_values(enterprise)
    data = validated(EnterpriseForm, {**current, **writable(json_object(), ENTERPRISE_INPUT)})
    changes = _changes(data, current, ENTERPRISE_INPUT)
    if changes:
        services.update_enterprise(api_user(), enterprise, changes)
        db.session.commit()
    return enterprise_json(enterprise)


@bp.post("/enterprises/<int:id>/review")
@operation(
    "Approve, or reject with a reason",
    tag="enterprises",
    body="ReviewRequest",
    responses={200: "Enterprise", 409: None},
)
@api_roles(*ADMINS)
def review_enterprise(id: int) -> ResponseReturnValue:
    """Approving also confirms a credit code whose check character is wrong."""
    enterprise = get_or_404(Enterprise, id)
    return _review(enterprise, enterprise_json)


# Schools -----------------------------------------------------------------------------------


@bp.get("/schools")
@operation(
    "Directory of schools",
    tag="schools",
    responses={200: "SchoolList"},
    query=(*SCHOOL_FILTERS, "status", "format"),
)
@api_public
def schools() -> ResponseReturnValue:
    """Approved schools for everyone; administrators also see their league's others."""
    filters = DirectoryFilters(
        q=arg("q"), region_code=arg("region_code"), kind=arg("kind"), status=arg("status")
    )
    stmt = visible_schools(api_user(), filters)
    return page_or_file(stmt, school_json, exports.SCHOOLS, "schools")


@bp.post("/schools")
@operation(
    "Register a school (pending review)",
    tag="schools",
    body="SchoolCreate",
    responses={201: "School", 403: None, 409: None},
)
@api_roles("school", *ADMINS)
def create_school() -> ResponseReturnValue:
    """Register a school; its credit code is optional."""
    data = validated(NewSchoolForm, writable(json_object(), SCHOOL_CREATE_INPUT))
    school = services.create_school(
        api_user(), _pick(data, SCHOOL_INPUT), consent=bool(data["accept_privacy"])
    )
    db.session.commit()
    return school_json(school), 201, {"Location": url_for("api.school", id=school.id)}


@bp.get("/schools/<int:id>")
@operation("A school", tag="schools", responses={200: "School"})
@api_public
def school(id: int) -> ResponseReturnValue:
    """A school visible to the caller (404 otherwise)."""
    return school_json(visible_or_404(School, id))


@bp.patch("/schools/<int:id>")
@operation(
    "Change a school (an owner's change goes back to review)",
    tag="schools",
    body="SchoolUpdate",
    responses={200: "School", 409: None},
)
@api_roles("school", *ADMINS)
def update_school(id: int) -> ResponseReturnValue:
    """Merge the body into the profile, validate the whole, save the fields that changed."""
    school = visible_or_404(School, id)
    _manageable(school)
    current = _school_values(school)
    data = validated(SchoolForm, {**current, **writable(json_object(), SCHOOL_INPUT)})
    changes = _changes(data, current, SCHOOL_INPUT)
    if changes:
        services.update_school(api_user(), school, changes)
        db.session.commit()
    return school_json(school)


@bp.post("/schools/<int:id>/review")
@operation(
    "Approve, or reject with a reason",
    tag="schools",
    body="ReviewRequest",
    responses={200: "School", 409: None},
)
@api_roles(*ADMINS)
def review_school(id: int) -> ResponseReturnValue:
    """Approving also confirms a credit code whose check character is wrong."""
    school = get_or_404(School, id)
    return _review(school, school_json)


def _review(org, serialize) -> ResponseReturnValue:
    """Shared body of the review views: another league's administrator gets 403."""
    if not org.can_review(api_user()):
        raise Forbidden(_("Only administrators of this league review its records."))
    data = validated(ReviewForm, writable(json_object(), REVIEW_INPUT))
    services.review(api_user(), org, data["decision"], data["reason"], confirm_uscc=True)
    db.session.commit()
    return serialize(org)


# Hosts -------------------------------------------------------------------------------------


def _partner_schools(value: Any, current_id: int | None) -> list[tuple[int, str]]:
    """The choice list for partner_school_id: the requested school when the user may see it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return []
    school = db.session.get(School, value)
    if school is None or not (school.id == current_id or school.can_view(api_user())):
        return []
    return [(school.id, school.name)]


@bp.get("/enterprises/<int:id>/hosts")
@operation(
    "Hosts of an enterprise",
    tag="hosts",
    responses={200: "HostList"},
    query=("include_retired",),
)
@api_public
def enterprise_host_list(id: int) -> ResponseReturnValue:
    """Active hosts of a visible enterprise; editors may add ?include_retired=1."""
    enterprise = visible_or_404(Enterprise, id)
    include_retired = arg("include_retired") in ("1", "true", "yes") and enterprise.can_edit(
        api_user()
    )
    hosts = enterprise_hosts(enterprise, include_retired=include_retired)
    return {
        "items": [host_json(h) for h in hosts],
        "page": 1,
        "per_page": max(len(hosts), 1),
        "pages": 1 if hosts else 0,
        "total": len(hosts),
    }


@bp.post("/enterprises/<int:id>/hosts")
@operation(
    "Add a workshop, training station or master studio",
    tag="hosts",
    body="HostCreate",
    responses={201: "Host"},
)
@api_roles("enterprise", *ADMINS)
def create_host(id: int) -> ResponseReturnValue:
    """Add a host to an enterprise the caller may edit."""
    enterprise = visible_or_404(Enterprise, id)
    _editable(enterprise)
    body = writable(json_object(), HOST_INPUT)
    partners = _partner_schools(body.get("partner_school_id"), None)
    data = validated(HostForm, body, partner_schools=partners)
    host = services.add_host(api_user(), enterprise, _pick(data, HOST_INPUT))
    db.session.commit()
    return host_json(host), 201, {"Location": url_for("api.host", id=host.id)}


@bp.get("/hosts/<int:id>")
@operation("A host", tag="hosts", responses={200: "Host"})
@api_public
def host(id: int) -> ResponseReturnValue:
    """A host of an enterprise visible to the caller (404 otherwise)."""
    return host_json(visible_or_404(Host, id))


@bp.patch("/hosts/<int:id>")
@operation(
    "Change a host (its kind stays)", tag="hosts", body="HostUpdate", responses={200: "Host"}
)
@api_roles("enterprise", *ADMINS)
def update_host(id: int) -> ResponseReturnValue:
    """Merge the body into the host, validate the whole and save."""
    host = visible_or_404(Host, id)
    _editable(host)
    body = writable(json_object(), HOST_INPUT)
    merged = {**_host_values(host), **body, "kind": host.kind}
    partners = _partner_schools(merged.get("partner_school_id"), host.partner_school_id)
    data = validated(HostForm, merged, partner_schools=partners)
    services.update_host(api_user(), host, _pick(data, HOST_INPUT))
    db.session.commit()
    return host_json(host)


@bp.post("/hosts/<int:id>/retire")
@operation("Retire a host", tag="hosts", responses={200: "Host", 409: None})
@api_roles("enterprise", *ADMINS)
def retire_host(id: int) -> ResponseReturnValue:
    """Stop offering a host; its history stays."""
    host = visible_or_404(Host, id)
    _editable(host)
    services.retire_host(api_user(), host)
    db.session.commit()
    return host_json(host)


@bp.post("/hosts/<int:id>/reinstate")
@operation("Bring a retired host back", tag="hosts", responses={200: "Host", 409: None})
@api_roles("enterprise", *ADMINS)
def reinstate_host(id: int) -> ResponseReturnValue:
    """Offer a retired host again."""
    host = visible_or_404(Host, id)
    _editable(host)
    services.reinstate_host(api_user(), host)
    db.session.commit()
    return host_json(host)

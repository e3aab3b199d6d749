"""Rows to JSON-ready dicts (the OpenAPI schemas in app.api.openapi describe them)."""

from datetime import datetime
from typing import Any

from app.common.privacy import contact_of
from app.registry.services import uscc_warnings


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def account_json(user) -> dict[str, Any]:
    """An account without secrets."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "region_code": user.region_code,
        "school_id": user.school_id,
        "enterprise_id": user.enterprise_id,
        "membership_role": user.membership_role,
        "active": user.active,
    }


def _review(org) -> dict[str, Any]:
    return {
        "status": org.status,
        "review_reason": org.review_reason,
        "reviewed_at": _time(org.reviewed_at),
        "uscc_check_ok": org.uscc_check_ok,
        "uscc_confirmed": org.uscc_confirmed,
        "warnings": uscc_warnings(org),
        "created_at": _time(org.created_at),
        "updated_at": _time(org.updated_at),
    }


def enterprise_json(enterprise) -> dict[str, Any]:
    """An enterprise profile with its review state and the kinds of hosts it offers."""
    return {
        "id": enterprise.id,
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "industry": enterprise.industry_section,
        "region_code": enterprise.region_code,
        "address": enterprise.address,
        **contact_of(enterprise),
        "size_band": enterprise.size_band,
        "description": enterprise.description,
        "host_kinds": sorted({h.kind for h in enterprise.hosts if h.active}),
        **_review(enterprise),
    }


def school_json(school) -> dict[str, Any]:
    """A school profile with its review state."""
    return {
        "id": school.id,
        "name": school.name,
        "kind": school.kind,
        "uscc": school.uscc,
        "region_code": school.region_code,
        "address": school.address,
        **contact_of(school),
        "description": school.description,
        **_review(school),
    }


def host_json(host) -> dict[str, Any]:
    """A workshop, training station or master studio."""
    return {
        "id": host.id,
        "enterprise_id": host.enterprise_id,
        "kind": host.kind,
        "name": host.name,
        "occupation_codes": host.occupation_codes,
        "capacity": host.capacity,
        "region_code": host.region_code,
        "description": host.description,
        "teacher_capacity": host.teacher_capacity,
        "equipment": host.equipment,
        "partner_school_id": host.partner_school_id,
        "master_name": host.master_name,
        "honour": host.honour,
        "level": host.level,
        "active": host.active,
        "retired_at": _time(host.retired_at),
    }


def region_json(region) -> dict[str, Any]:
    """A league or city."""
    return {
        "code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "kind": region.kind,
        "parent_code": region.parent_code,
        "lat": region.lat,
        "lng": region.lng,
    }


def industry_json(industry) -> dict[str, Any]:
    """An industry section."""
    return {"section": industry.section, "name": industry.name}


def occupation_json(occupation) -> dict[str, Any]:
    """An occupation."""
    return {"code": occupation.code, "name": occupation.name, "active": occupation.active}


def major_json(major) -> dict[str, Any]:
    """A catalogue major; `source` says whether it is a candidate (never labelled official)."""
    return {
        "id": major.id,
        "name": major.name,
        "category_code": major.category_code,
        "category_name": major.category_name,
        "occupation_code": major.occupation_code,
        "source": major.source,
        "active": major.active,
    }

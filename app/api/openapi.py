"""The OpenAPI 3 document, built from the routes and the `operation` notes on each view."""

import re
from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.auth import api_public
from app.api.docs import operation
from app.api.schemas import (
    ACCOUNT_INPUT,
    ACCOUNT_REQUIRED,
    ENTERPRISE_CREATE_INPUT,
    ENTERPRISE_INPUT,
    ENTERPRISE_REQUIRED,
    HOST_INPUT,
    HOST_REQUIRED,
    REVIEW_INPUT,
    REVIEW_REQUIRED,
    SCHOOL_CREATE_INPUT,
    SCHOOL_INPUT,
    SCHOOL_REQUIRED,
    STATUS_ENUM,
    TOKEN_INPUT,
    TOKEN_REQUIRED,
)
from app.registry.models import HOST_KINDS, SCHOOL_KINDS

#: Schemas added by domain API modules (e.g. app/api/cooperation.py) at import time.
EXTRA_SCHEMAS: dict[str, dict] = {}
_RULE_ARG = re.compile(r"<(?:(?P<conv>[^:<>]+):)?(?P<name>[^<>]+)>")
ERROR_STATUSES = {
    400: "Malformed JSON, a body that is not an object, or an unusable argument.",
    401: "Missing, invalid, expired or revoked bearer token.",
    403: "Authenticated but not allowed.",
    404: "No such object, or not visible to you.",
    409: "Conflict: duplicate credit code or email, or an invalid state change.",
    422: "Validation failed; `fields` names each invalid field.",
    429: "Too many requests: failed logins, or reads beyond READ_RATE_LIMIT; wait a minute.",
}
QUERY_PARAMETERS: dict[str, dict] = {
    "page": {"schema": {"type": "integer", "minimum": 1}, "description": "Page number (1-based)."},
    "per_page": {
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        "description": "Items per page (at most 100).",
    },
    "q": {"schema": {"type": "string"}, "description": "Search in names (and credit codes)."},
    "region_code": {"schema": {"type": "string"}, "description": "League or city code."},
    "industry": {"schema": {"type": "string"}, "description": "Industry section letter."},
    "occupation_code": {
        "schema": {"type": "string"},
        "description": "Only enterprises with an active host serving this occupation.",
    },
    "host_kind": {
        "schema": {"type": "string", "enum": list(HOST_KINDS)},
        "description": "Only enterprises with an active host of this kind.",
    },
    "kind": {"schema": {"type": "string", "enum": list(SCHOOL_KINDS)}, "description": "Kind."},
    "status": {
        "schema": {"type": "string", "enum": STATUS_ENUM},
        "description": "Administrators: review status within their league.",
    },
    "include_retired": {
        "schema": {"type": "boolean"},
        "description": "Editors only: include retired hosts.",
    },
}


def _nullable(spec: dict) -> dict:
    return {**spec, "nullable": True}


def _object(properties: dict[str, dict], required: list[str] | None = None) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list_of(name: str) -> dict:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
        },
        ["items", "page", "pages", "total"],
    )


def _review_properties() -> dict[str, dict]:
    return {
        "status": {"type": "string", "enum": STATUS_ENUM},
        "review_reason": {"type": "string", "nullable": True},
        "reviewed_at": {"type": "string", "format": "date-time", "nullable": True},
        "uscc_check_ok": {"type": "boolean"},
        "uscc_confirmed": {"type": "boolean"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time", "nullable": True},
        "updated_at": {"type": "string", "format": "date-time", "nullable": True},
    }


CONTACT_OUTPUT = {
    "contact_name": {
        "type": "string",
        "nullable": True,
        "description": "Shown only when contact_access is full (app.common.privacy).",
    },
    "contact_phone": {
        "type": "string",
        "nullable": True,
        "description": "Full, masked (133****7036) or null, as contact_access says.",
    },
    "contact_access": {"type": "string", "enum": ["full", "masked", "none"]},
}


def _schemas() -> dict[str, dict]:
    integer = {"type": "integer"}
    text = {"type": "string"}
    enterprise = {
        "id": integer,
        **ENTERPRISE_INPUT,
        "host_kinds": {"type": "array", "items": {"type": "string", "enum": list(HOST_KINDS)}},
        **_review_properties(),
        **CONTACT_OUTPUT,
    }
    school = {"id": integer, **SCHOOL_INPUT, **_review_properties(), **CONTACT_OUTPUT}
    host = {
        "id": integer,
        "enterprise_id": integer,
        **HOST_INPUT,
        "active": {"type": "boolean"},
        "retired_at": {"type": "string", "format": "date-time", "nullable": True},
    }
    host_update = {k: v for k, v in HOST_INPUT.items() if k != "kind"}
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "code": text,
                        "message": text,
                        "fields": {"type": "object", "additionalProperties": text},
                        "request_id": {
                            "type": "string",
                            "nullable": True,
                            "description": "Quote it when reporting a problem (X-Request-ID).",
                        },
                    },
                    ["code", "message", "fields"],
                )
            },
            ["error"],
        ),
        "TokenRequest": _object(TOKEN_INPUT, TOKEN_REQUIRED),
        "Token": _object({"token": text, "token_type": text}, ["token"]),
        "AccountRequest": _object(ACCOUNT_INPUT, ACCOUNT_REQUIRED),
        "Account": _object(
            {
                "id": integer,
                "email": text,
                "name": text,
                "role": text,
                "region_code": _nullable(text),
                "school_id": _nullable(integer),
                "enterprise_id": _nullable(integer),
                "membership_role": {
                    "type": "string",
                    "enum": ["owner", "staff"],
                    "nullable": True,
                    "description": "Role inside the school or enterprise.",
                },
                "active": {"type": "boolean"},
                "privacy_notice": {
                    "type": "object",
                    "description": "GET /me only: the privacy notice accepted and whether the "
                    "current one still needs accepting (POST /me/privacy-consent).",
                    "properties": {
                        "accepted_version": _nullable(text),
                        "accepted_at": _nullable(text),
                        "current_version": text,
                        "needs_acceptance": {"type": "boolean"},
                    },
                },
            },
            ["id", "email", "role"],
        ),
        "Region": _object(
            {
                "code": text,
                "name": text,
                "name_en": text,
                "kind": text,
                "parent_code": _nullable(text),
                "lat": {"type": "number"},
                "lng": {"type": "number"},
            }
        ),
        "Industry": _object({"section": text, "name": text}),
        "Occupation": _object({"code": text, "name": text, "active": {"type": "boolean"}}),
        "Major": _object(
            {
                "id": integer,
                "name": text,
                "category_code": text,
                "category_name": text,
                "occupation_code": _nullable(text),
                "source": {"type": "string", "description": "candidate, or admin when added."},
                "active": {"type": "boolean"},
            }
        ),
        "RegionList": _list_of("Region"),
        "IndustryList": _list_of("Industry"),
        "OccupationList": _list_of("Occupation"),
        "MajorList": _list_of("Major"),
        "EnterpriseCreate": _object(
            ENTERPRISE_CREATE_INPUT, [*ENTERPRISE_REQUIRED, "accept_privacy"]
        ),
        "EnterpriseUpdate": _object(ENTERPRISE_INPUT),
        "Enterprise": _object(enterprise, ["id", "status", "warnings"]),
        "EnterpriseList": _list_of("Enterprise"),
        "SchoolCreate": _object(SCHOOL_CREATE_INPUT, [*SCHOOL_REQUIRED, "accept_privacy"]),
        "SchoolUpdate": _object(SCHOOL_INPUT),
        "School": _object(school, ["id", "status", "warnings"]),
        "SchoolList": _list_of("School"),
        "HostCreate": _object(HOST_INPUT, HOST_REQUIRED),
        "HostUpdate": _object(host_update),
        "Host": _object(host, ["id", "enterprise_id", "kind", "active"]),
        "HostList": _list_of("Host"),
        "ReviewRequest": _object(REVIEW_INPUT, REVIEW_REQUIRED),
        **EXTRA_SCHEMAS,
    }


def _error_response(status: int) -> dict:
    return {
        "description": ERROR_STATUSES.get(status, "Error."),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_path(rule: str) -> tuple[str, list[tuple[str, str]]]:
    """'/api/v1/hosts/<int:id>' -> ('/api/v1/hosts/{id}', [('id', 'int')])."""
    args = [(m.group("name"), m.group("conv") or "string") for m in _RULE_ARG.finditer(rule)]
    return _RULE_ARG.sub(lambda m: "{" + m.group("name") + "}", rule), args


def _operation(endpoint: str, method: str, view, args: list[tuple[str, str]]) -> dict:
    meta = view.openapi
    permission = getattr(view, "permission", "")
    op: dict[str, Any] = {
        "operationId": f"{endpoint.removeprefix('api.')}_{method}",
        "summary": meta["summary"],
        "tags": [meta["tag"]],
        "description": (view.__doc__ or "").strip() + f"\n\nPermission: `{permission}`.",
        "security": [{}, {"bearer": []}] if permission == "public" else [{"bearer": []}],
    }
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1} if conv == "int" else {"type": "string"},
        }
        for name, conv in args
    ]
    parameters += [{"$ref": f"#/components/parameters/{name}"} for name in meta["query"]]
    if parameters:
        op["parameters"] = parameters
    responses: dict[str, Any] = {}
    statuses = dict(meta["responses"])
    statuses.setdefault(401, None)
    if meta["body"]:
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{meta['body']}"}}
            },
        }
        statuses.setdefault(400, None)
        statuses.setdefault(422, None)
    if args:
        statuses.setdefault(404, None)
    if permission != "public":
        statuses.setdefault(403, None)
    if method == "get":
        statuses.setdefault(429, None)  # reads are limited per caller (READ_RATE_LIMIT)
    for status, schema in sorted(statuses.items()):
        if status >= 400:
            responses[str(status)] = _error_response(status)
        elif schema is None:
            responses[str(status)] = {"description": "No content."}
        elif schema == "object":
            responses[str(status)] = {
                "description": "OK.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        else:
            responses[str(status)] = {
                "description": "OK.",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            }
    op["responses"] = responses
    return op


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of every documented api.* route of the current app."""
    paths: dict[str, dict] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        if not hasattr(view, "openapi"):
            continue
        path, args = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, method.lower(), view, args
            )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Gongxue API",
            "version": "1.0.0",
            "description": (
                "JSON API v1 of Gongxue, the school–enterprise cooperation platform of Inner "
                "Mongolia's technical schools. Authenticate with POST /api/v1/auth/token and "
                "send `Authorization: Bearer <token>`. Errors have the shape "
                '{"error": {"code", "message", "fields"}}. Add ?lang=en for English messages.'
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
            "parameters": {
                name: {"name": name, "in": "query", "required": False, **spec}
                for name, spec in QUERY_PARAMETERS.items()
            },
        },
    }


@bp.get("/openapi.json")
@operation("This OpenAPI document", tag="meta", responses={200: "object"})
@api_public
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API."""
    return build_document()

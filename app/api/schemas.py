"""Field specifications of API bodies: one source for type checks and the OpenAPI document."""

from typing import Any

from app.registry.models import HOST_KINDS, REVIEW_STATUSES, SCHOOL_KINDS, SIZE_BANDS, STUDIO_LEVELS

STRING = "string"
INTEGER = "integer"
BOOLEAN = "boolean"
ARRAY = "array"


def _text(max_length: int | None = None, description: str | None = None, **extra) -> dict:
    spec: dict[str, Any] = {"type": STRING}
    if max_length:
        spec["maxLength"] = max_length
    if description:
        spec["description"] = description
    spec.update(extra)
    return spec


REGION_CODE = _text(6, "GB/T 2260 code of the league or city, e.g. 150100.")
ORGANISATION_INPUT: dict[str, dict] = {
    "name": _text(200),
    "region_code": REGION_CODE,
    "address": _text(300),
    "contact_name": _text(50),
    "contact_phone": _text(
        20, "Mainland mobile number (11 digits) or landline such as 0471-6661234."
    ),
    "description": _text(5000, nullable=True),
}
ENTERPRISE_INPUT: dict[str, dict] = {
    **ORGANISATION_INPUT,
    "uscc": _text(30, "Unified social credit code (统一社会信用代码), 18 characters."),
    "industry": _text(1, "Industry section letter (GB/T 4754-2017), A to T."),
    "size_band": _text(enum=list(SIZE_BANDS), nullable=True),
}
ENTERPRISE_REQUIRED = [
    "name",
    "uscc",
    "industry",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
]
SCHOOL_INPUT: dict[str, dict] = {
    **ORGANISATION_INPUT,
    "kind": _text(enum=list(SCHOOL_KINDS)),
    "uscc": _text(30, "Optional unified social credit code.", nullable=True),
}
SCHOOL_REQUIRED = ["name", "kind", "region_code", "address", "contact_name", "contact_phone"]
#: Acceptance of the privacy notice (/privacy): required true when registering; the contact
#: person and phone are shown to others as the notice describes.
ACCEPT_PRIVACY = {
    "type": BOOLEAN,
    "description": "true: the privacy notice (/privacy) is read and accepted. Required.",
}
ENTERPRISE_CREATE_INPUT = {**ENTERPRISE_INPUT, "accept_privacy": ACCEPT_PRIVACY}
SCHOOL_CREATE_INPUT = {**SCHOOL_INPUT, "accept_privacy": ACCEPT_PRIVACY}
HOST_INPUT: dict[str, dict] = {
    "kind": _text(enum=list(HOST_KINDS), description="Fixed once created."),
    "name": _text(200),
    "occupation_codes": {
        "type": ARRAY,
        "items": {"type": STRING, "maxLength": 10},
        "minItems": 1,
        "description": "Occupation codes such as 6-18-01-01.",
    },
    "capacity": {"type": INTEGER, "minimum": 0, "maximum": 100000, "description": "Places."},
    "region_code": REGION_CODE,
    "description": _text(5000, nullable=True),
    "teacher_capacity": {"type": INTEGER, "minimum": 0, "maximum": 10000, "nullable": True},
    "equipment": _text(5000, "Workshops only.", nullable=True),
    "partner_school_id": {
        "type": INTEGER,
        "nullable": True,
        "description": "Training stations only: an approved school.",
    },
    "master_name": _text(50, "Master studios only (required there).", nullable=True),
    "honour": _text(200, "Master studios only.", nullable=True),
    "level": _text(
        enum=list(STUDIO_LEVELS), description="Master studios only (required there).", nullable=True
    ),
}
HOST_REQUIRED = ["kind", "name", "occupation_codes", "capacity", "region_code"]
REVIEW_INPUT: dict[str, dict] = {
    "decision": _text(enum=["approve", "reject"]),
    "reason": _text(2000, "Required when rejecting; the owner sees it.", nullable=True),
}
REVIEW_REQUIRED = ["decision"]
ACCOUNT_INPUT: dict[str, dict] = {
    "email": _text(254, format="email"),
    "password": _text(128, "8 to 128 characters, not a common password."),
    "role": _text(enum=["enterprise", "school", "teacher"]),
    "name": _text(100),
    "accept_privacy": ACCEPT_PRIVACY,
}
ACCOUNT_REQUIRED = ["email", "password", "role", "name", "accept_privacy"]
TOKEN_INPUT: dict[str, dict] = {
    "email": _text(254),
    "password": _text(128),
}
TOKEN_REQUIRED = ["email", "password"]
STATUS_ENUM = list(REVIEW_STATUSES)


def type_errors(payload: dict[str, Any], spec: dict[str, dict]) -> dict[str, str]:
    """Field name to the JSON type expected, for values of the wrong type (None is allowed)."""
    from flask_babel import gettext as _

    errors: dict[str, str] = {}
    for name, value in payload.items():
        field = spec.get(name)
        if field is None or value is None:
            continue
        kind = field["type"]
        if kind == STRING and not isinstance(value, str):
            errors[name] = _("Expected text.")
        elif kind == INTEGER and (isinstance(value, bool) or not isinstance(value, int)):
            errors[name] = _("Expected a whole number.")
        elif kind == BOOLEAN and not isinstance(value, bool):
            errors[name] = _("Expected true or false.")
        elif kind == ARRAY and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            errors[name] = _("Expected a list of codes.")
        elif _has_nul(value):
            errors[name] = _("Text may not contain NUL characters.")
    return errors


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False

"""WTForms validators shared by the domains."""

import re
from pathlib import Path

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_COMMON = Path(__file__).with_name("common_passwords.txt")


def phone(form, field) -> None:
    """A mainland mobile number (11 digits) or a landline with area code (0471-1234567)."""
    value = (field.data or "").strip().replace(" ", "")
    if value and not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _l("Enter a mainland mobile number (11 digits) or a landline such as 0471-1234567.")
        )
    field.data = value


def _common_passwords() -> frozenset[str]:
    return frozenset(
        line.strip().lower() for line in _COMMON.read_text().splitlines() if line.strip()
    )


COMMON_PASSWORDS = _common_passwords()


def strong_password(form, field) -> None:
    """At least 8 characters and not one of the most common passwords."""
    value = field.data or ""
    if len(value) < 8:
        raise ValidationError(_l("Use at least 8 characters."))
    if value.lower() in COMMON_PASSWORDS:
        raise ValidationError(_l("This password is too common; choose another."))


def safe_text(form, field) -> None:
    """Refuse javascript: and data: URLs in free text that may be shown as a link."""
    value = (field.data or "").strip().lower()
    if value.startswith(("javascript:", "data:", "vbscript:")):
        raise ValidationError(_l("This kind of link is not allowed."))


def encodable(form, field) -> None:
    """Refuse text the database cannot store: NUL characters and lone surrogates."""
    value = field.data
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise ValidationError(_l("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_l("The text contains characters that cannot be stored.")) from None

"""Columns of the registry directory exports (app.common.exports streams them)."""

from flask_babel import lazy_gettext as _l

from app.common.exports import Column
from app.common.privacy import contact_of
from app.registry.forms import SCHOOL_KIND_LABELS, SIZE_BAND_LABELS, STATUS_LABELS


def _label(labels, value) -> str:
    return str(labels.get(value, value)) if value else ""


def _contact(field: str):
    """A contact column as the privacy policy lets the caller see it."""
    return lambda org: contact_of(org)[field] or ""


ENTERPRISES = [
    Column(_l("Id"), lambda e: e.id),
    Column(_l("Name"), lambda e: e.name),
    Column(_l("Unified social credit code"), lambda e: e.uscc),
    Column(_l("Industry section"), lambda e: e.industry_section),
    Column(_l("League or city"), lambda e: e.region.name),
    Column(_l("Address"), lambda e: e.address),
    Column(_l("Contact person"), _contact("contact_name")),
    Column(_l("Contact phone"), _contact("contact_phone")),
    Column(_l("Size"), lambda e: _label(SIZE_BAND_LABELS, e.size_band)),
    Column(_l("Hosts"), lambda e: len([h for h in e.hosts if h.active])),
    Column(_l("Status"), lambda e: _label(STATUS_LABELS, e.status)),
]
SCHOOLS = [
    Column(_l("Id"), lambda s: s.id),
    Column(_l("Name"), lambda s: s.name),
    Column(_l("Kind of school"), lambda s: _label(SCHOOL_KIND_LABELS, s.kind)),
    Column(_l("League or city"), lambda s: s.region.name),
    Column(_l("Address"), lambda s: s.address),
    Column(_l("Contact person"), _contact("contact_name")),
    Column(_l("Contact phone"), _contact("contact_phone")),
    Column(_l("Status"), lambda s: _label(STATUS_LABELS, s.status)),
]

"""Columns of the cooperation lists' exports (app.common.exports streams them)."""

from flask_babel import lazy_gettext as _l

from app.common.exports import Column
from app.cooperation.forms import STATUS_LABELS


def _choices(application) -> list:
    """The application's choices the caller may see (a host's side: only its own)."""
    from app.common.privacy import current_viewer

    return application.visible_choices(current_viewer())


def _status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


TEACHERS = [
    Column(_l("Id"), lambda t: t.id),
    Column(_l("Name"), lambda t: t.name),
    Column(_l("Title"), lambda t: t.title),
    Column(_l("Occupations"), lambda t: " ".join(t.occupation_codes or [])),
    Column(_l("Confirmed at"), lambda t: t.confirmed_at),
]
APPLICATIONS = [
    Column(_l("Id"), lambda a: a.id),
    Column(_l("Teacher"), lambda a: a.teacher.name),
    Column(_l("School"), lambda a: a.teacher.school.name),
    Column(_l("Status"), lambda a: _status(a.status)),
    Column(_l("Starts on"), lambda a: a.starts_on),
    Column(_l("Ends on"), lambda a: a.ends_on),
    Column(_l("Placements"), lambda a: " ".join(str(c.placement_id) for c in _choices(a))),
    Column(_l("Note"), lambda a: a.note),
]
#: Rows are (Teacher, days in the rule's window).
COMPLIANCE = [
    Column(_l("Id"), lambda r: r[0].id),
    Column(_l("Name"), lambda r: r[0].name),
    Column(_l("School"), lambda r: r[0].school.name),
    Column(_l("Days of practice"), lambda r: r[1]),
]

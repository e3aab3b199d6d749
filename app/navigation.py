"""The navigation bar and the start page's next steps, by role."""

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.registry.forms import STATUS_LABELS

#: (endpoint, label, who sees it: "all", "anon", "auth" or a role tuple)
NAV = (
    ("registry.enterprises", _l("Enterprises"), "all"),
    ("registry.schools", _l("Schools"), "all"),
    ("registry.my_organisation", _l("My organisation"), ("enterprise", "school")),
    ("registry.review_queue", _l("Review queue"), ("league_admin", "region_admin")),
    ("cooperation.placements", _l("Practice placements"), "all"),
    ("cooperation.offers", _l("Cooperation offers"), "all"),
    ("cooperation.school_majors", _l("Integrated majors"), ("school",)),
    ("cooperation.my_applications", _l("My applications"), ("teacher",)),
    ("cooperation.practice_ledger", _l("Practice ledger"), ("teacher",)),
    ("cooperation.enterprise_desk", _l("Offers and placements"), ("enterprise",)),
    ("cooperation.practice_compliance", _l("Practice rule"), ("league_admin", "region_admin")),
    ("rounds.index", _l("Match rounds"), ("league_admin", "region_admin")),
    ("rounds.my_matches", _l("My matches"), ("teacher", "school", "enterprise")),
    ("programme.dashboard", _l("Targets"), ("league_admin", "region_admin")),
    ("programme.batches", _l("Batches"), ("school", "league_admin", "region_admin")),
    (
        "resources.packages",
        _l("Teaching resources"),
        ("school", "enterprise", "league_admin", "region_admin"),
    ),
    ("resources.venues", _l("Venues"), "all"),
    ("programme.audit_log", _l("Audit log"), ("region_admin",)),
    ("reference.majors", _l("Majors"), ("region_admin",)),
    ("reference.occupations", _l("Occupations"), ("region_admin",)),
)

NEXT_STEPS = (
    (
        "registry.my_organisation",
        _l("Register or update your enterprise and its hosts"),
        ("enterprise",),
    ),
    ("registry.my_organisation", _l("Register or update your school"), ("school",)),
    ("registry.review_queue", _l("Review pending registrations"), ("league_admin", "region_admin")),
    ("registry.enterprises", _l("Browse enterprises and their hosts"), ("teacher",)),
)


def _visible(who) -> bool:
    if who == "all":
        return True
    if not current_user.is_authenticated:
        return who == "anon"
    return who == "auth" or current_user.role in who


def nav_items() -> list[tuple[str, str]]:
    """Menu entries the current user may open."""
    return [
        (e, label) for e, label, who in NAV if e in current_app.view_functions and _visible(who)
    ]


def next_steps() -> list[tuple[str, str]]:
    """Suggested actions for the current user."""
    return [
        (e, label)
        for e, label, who in NEXT_STEPS
        if e in current_app.view_functions and _visible(who)
    ]


def status_label(status: str) -> str:
    """Translated label of a review status."""
    return str(STATUS_LABELS.get(status, status))


def register(app: Flask) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(
        nav_items=nav_items, next_steps=next_steps, status_label=status_label
    )

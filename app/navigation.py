"""The navigation bar and the start page's next steps, by role."""

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.registry.forms import STATUS_LABELS

ADMINS = ("league_admin", "region_admin")
BROWSE = _l("Browse")
MANAGE = _l("Administration")

#: (menu group or None for a top-level link, endpoint, label, who sees it: "all", "anon",
#: "auth" or a role tuple). Groups become drop-down menus so the bar fits every role.
NAV = (
    (None, "registry.my_organisation", _l("My organisation"), ("enterprise", "school")),
    (None, "cooperation.enterprise_desk", _l("Offers and placements"), ("enterprise",)),
    (None, "cooperation.school_majors", _l("Integrated majors"), ("school",)),
    (None, "cooperation.my_applications", _l("My applications"), ("teacher",)),
    (None, "cooperation.practice_ledger", _l("Practice ledger"), ("teacher",)),
    (None, "rounds.my_matches", _l("My matches"), ("teacher", "school", "enterprise")),
    (None, "programme.batches", _l("Batches"), ("school",)),
    (None, "resources.packages", _l("Teaching resources"), ("school", "enterprise")),
    (BROWSE, "registry.enterprises", _l("Enterprises"), "all"),
    (BROWSE, "registry.schools", _l("Schools"), "all"),
    (BROWSE, "cooperation.placements", _l("Practice placements"), "all"),
    (BROWSE, "cooperation.offers", _l("Cooperation offers"), "all"),
    (BROWSE, "resources.venues", _l("Venues"), "all"),
    (MANAGE, "registry.review_queue", _l("Review queue"), ADMINS),
    (MANAGE, "registry.claims", _l("Claims"), ADMINS),
    (MANAGE, "rounds.index", _l("Match rounds"), ADMINS),
    (MANAGE, "programme.dashboard", _l("Targets"), ADMINS),
    (MANAGE, "programme.batches", _l("Batches"), ADMINS),
    (MANAGE, "cooperation.practice_compliance", _l("Practice rule"), ADMINS),
    (MANAGE, "resources.packages", _l("Teaching resources"), ADMINS),
    (MANAGE, "auth.users", _l("Accounts"), ADMINS),
    (MANAGE, "programme.audit_log", _l("Audit log"), ("region_admin",)),
    (MANAGE, "reference.majors", _l("Majors"), ("region_admin",)),
    (MANAGE, "reference.occupations", _l("Occupations"), ("region_admin",)),
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


def nav_items() -> list[tuple[str | None, list[tuple[str, str]]]]:
    """Menu entries the current user may open: (group label or None, [(endpoint, label)])."""
    menu: list[tuple[str | None, list[tuple[str, str]]]] = []
    for group, endpoint, label, who in NAV:
        if endpoint not in current_app.view_functions or not _visible(who):
            continue
        name = str(group) if group is not None else None
        if name is not None and menu and menu[-1][0] == name:
            menu[-1][1].append((endpoint, label))
        else:
            menu.append((name, [(endpoint, label)]))
    return menu


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


def live_api_tokens() -> int:
    """How many working API tokens the logged-in account has (logout then offers to revoke)."""
    if not current_user.is_authenticated:
        return 0
    from app.auth.services import live_token_count

    return live_token_count(current_user)


def register(app: Flask) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(
        nav_items=nav_items,
        next_steps=next_steps,
        status_label=status_label,
        live_api_tokens=live_api_tokens,
    )

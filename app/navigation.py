"""The navigation bar and the start page's next steps, by role."""

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.account.forms import closure_status_label
from app.common.audit_labels import action_label
from app.common.privacy import (
    PRIVACY_NOTICE_VERSION,
    audit_actor,
    audit_values,
    review_actor_name,
    teacher_email_of,
)
from app.registry.forms import STATUS_LABELS

ADMINS = ("league_admin", "region_admin")
ORGS = ("enterprise", "school")
BROWSE = _l("Browse")
MANAGE = _l("Administration")
COOPERATE = _l("Cooperation")
PROGRAMME = _l("Integrated majors programme")
TEACHERS = _l("Teachers")
RESOURCES = _l("Teaching resources")
ACCOUNT = _l("My account")

#: (menu group or None for a top-level link, endpoint, label, who sees it: "all", "anon",
#: "auth" or a role tuple; "assessor": any account on an assessment panel). Groups become
#: drop-down menus so the bar fits every role; a group's entries stay together.
#: tests/test_navigation.py checks that every page the permission table opens to a role is
#: reachable from here.
NAV = (
    (None, "registry.my_organisation", _l("My organisation"), ORGS),
    (None, "cooperation.enterprise_desk", _l("Offers and placements"), ("enterprise",)),
    (None, "cooperation.school_majors", _l("Integrated majors"), ("school",)),
    (None, "cooperation.my_applications", _l("My applications"), ("teacher",)),
    (None, "cooperation.practice_ledger", _l("Practice ledger"), ("teacher",)),
    (None, "cooperation.teacher_profile", _l("My teacher profile"), ("teacher",)),
    (None, "rounds.my_matches", _l("My matches"), ("teacher", "school", "enterprise")),
    (None, "cooperation.pairings", _l("Pairings"), ORGS),
    (COOPERATE, "cooperation.proposals", _l("Pairing proposals"), ORGS),
    (COOPERATE, "cooperation.agreements", _l("Agreements"), ("teacher", *ORGS)),
    (COOPERATE, "cooperation.feedback", _l("Feedback"), ("teacher", *ORGS)),
    (BROWSE, "registry.enterprises", _l("Enterprises"), "all"),
    (BROWSE, "registry.schools", _l("Schools"), "all"),
    (BROWSE, "cooperation.placements", _l("Practice placements"), "all"),
    (BROWSE, "cooperation.offers", _l("Cooperation offers"), "all"),
    (BROWSE, "cooperation.pairing_requests", _l("Pairing requests"), ("enterprise",)),
    (BROWSE, "resources.venues", _l("Venues"), "all"),
    (BROWSE, "resources.trainings", _l("Training programmes"), "all"),
    (BROWSE, "programme.notices", _l("Public notices"), "all"),
    (MANAGE, "registry.review_queue", _l("Review queue"), ADMINS),
    (MANAGE, "registry.claims", _l("Claims"), ADMINS),
    (MANAGE, "rounds.index", _l("Match rounds"), ADMINS),
    (MANAGE, "cooperation.practice_compliance", _l("Practice rule"), ADMINS),
    (MANAGE, "auth.users", _l("Accounts"), ADMINS),
    (MANAGE, "account.closures", _l("Closure requests"), ("region_admin",)),
    (MANAGE, "cooperation.agreements", _l("Agreements"), ADMINS),
    (MANAGE, "cooperation.feedback_report", _l("Feedback report"), ADMINS),
    (MANAGE, "programme.audit_log", _l("Audit log"), ("region_admin",)),
    (MANAGE, "reference.majors", _l("Majors"), ("region_admin",)),
    (MANAGE, "reference.occupations", _l("Occupations"), ("region_admin",)),
    (PROGRAMME, "programme.dashboard", _l("Targets"), ADMINS),
    (PROGRAMME, "programme.batches", _l("Batches"), ("school", *ADMINS)),
    (PROGRAMME, "programme.applications", _l("Batch applications"), ("school", *ADMINS)),
    (PROGRAMME, "programme.objections", _l("Objections"), ADMINS),
    (PROGRAMME, "programme.integrated_majors", _l("Integrated majors and pairings"), ADMINS),
    (PROGRAMME, "programme.placements", _l("Practice placements filled"), ADMINS),
    (PROGRAMME, "programme.nominations", _l("Evaluations"), ("school", *ADMINS)),
    (PROGRAMME, "programme.outcomes", _l("Graduate outcomes"), ("school", *ADMINS)),
    (PROGRAMME, "programme.indicators", _l("Evaluation indicators"), ("region_admin",)),
    (PROGRAMME, "programme.assessments", _l("Assessments of construction"), ADMINS),
    (PROGRAMME, "programme.my_assessments", _l("My assessment tasks"), "assessor"),
    (PROGRAMME, "programme.construction_list", _l("Construction progress"), ("school",)),
    (PROGRAMME, "programme.construction_list", _l("Construction overview"), ADMINS),
    (TEACHERS, "cooperation.school_teachers", _l("Teacher accounts"), ("school",)),
    (TEACHERS, "cooperation.school_applications", _l("Teachers' applications"), ("school",)),
    (TEACHERS, "programme.teachers", _l("Teacher development"), ("school", *ADMINS)),
    (TEACHERS, "programme.workload", _l("Teaching workload"), ("school", *ADMINS)),
    (TEACHERS, "programme.part_timers", _l("Part-time teachers"), ("school", *ADMINS)),
    (TEACHERS, "programme.research_bases", _l("Teacher research bases"), ADMINS),
    (RESOURCES, "resources.packages", _l("Teaching resources"), "auth"),
    (RESOURCES, "resources.review_queue", _l("Review queue"), ("region_admin",)),
    (RESOURCES, "resources.panel", _l("Review panel"), ("region_admin",)),
    (RESOURCES, "resources.bookings", _l("Bookings"), "auth"),
    (RESOURCES, "resources.certifications", _l("Skill certifications"), (*ORGS, *ADMINS)),
    (RESOURCES, "resources.supervision", _l("Supervision visits"), ("school", *ADMINS)),
    (ACCOUNT, "account.my_data", _l("My data"), "auth"),
    (ACCOUNT, "account.close", _l("Close account"), "auth"),
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
    if who == "assessor":
        from app.programme.assessment import is_assessor

        return is_assessor(current_user)
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


def role_label(role: str | None) -> str:
    """Translated label of an account role."""
    from app.auth.forms import ROLE_LABELS

    return str(ROLE_LABELS.get(role, role or ""))


def cooperation_status_label(status: str | None) -> str:
    """Translated label of an application's or practice's status."""
    from app.cooperation.forms import STATUS_LABELS as COOPERATION_STATUS_LABELS

    return str(COOPERATION_STATUS_LABELS.get(status, status or ""))


def member_role_label(role: str | None) -> str:
    """Translated label of a member's role (owner or staff); empty for none."""
    from app.auth.forms import MEMBER_ROLE_LABELS

    return str(MEMBER_ROLE_LABELS.get(role, "")) if role else ""


def register(app: Flask) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(
        nav_items=nav_items,
        next_steps=next_steps,
        status_label=status_label,
        live_api_tokens=live_api_tokens,
        teacher_email_of=teacher_email_of,
        review_actor_name=review_actor_name,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        role_label=role_label,
        cooperation_status_label=cooperation_status_label,
        member_role_label=member_role_label,
        action_label=action_label,
        closure_status_label=closure_status_label,
        audit_actor=audit_actor,
        shown_values=audit_values,
    )

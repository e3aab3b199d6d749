"""Who may see which personal field: one policy for the API, the pages and the exports.

Contact details (contact_name, contact_phone) of an enterprise or a school:

| caller                                                        | name | phone  |
|---------------------------------------------------------------|------|--------|
| administrators of its league (region administrators: all)     | yes  | full   |
| its own members (staff; for a school also its teachers)       | yes  | full   |
| partners in an active pairing, proposal (match), endorsed     | yes  | full   |
| application or ongoing practice with it                       |      |        |
| any other signed-in account                                   | no   | masked |
| anonymous                                                     | no   | no     |
"""

import re
from typing import Any

from flask import g, has_request_context

#: The privacy notice in force (/privacy). Changing it asks every signed-in person to accept
#: the new text before going on; keep the date of the text's last change.
PRIVACY_NOTICE_VERSION = "2026-12-01"

FULL = "full"
MASKED = "masked"
NONE = "none"

ACTIVE_MATCH_STATUSES = ("proposed", "accepted_applicant", "accepted_host", "confirmed")
ACTIVE_APPLICATION_STATUSES = ("endorsed", "matched")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2})(\d{1,2}-?\d{3,4})(\d{4})(?!\d)")


def mask_phone(value: str | None) -> str | None:
    """`13312347036` → `133****7036`; landlines keep their first 3 and last 4 digits."""
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) < 8:
        return "*" * max(len(digits) - 2, 2) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_phones_in(text: str) -> str:
    """Every mobile or landline number inside free text, masked."""
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return LANDLINE.sub(lambda m: mask_phone(m.group(0)) or "", text)


def current_viewer():
    """The caller: the API's token user inside the API, the signed-in user on pages."""
    if not has_request_context():
        return None
    if "api_user" in g:
        return g.api_user
    from flask_login import current_user

    return current_user if current_user.is_authenticated else None


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _teacher_profile(user):
    from app.registry.models import Teacher

    if user.role != "teacher":
        return None
    key = f"_privacy_teacher_{user.id}"
    if key not in g:
        from sqlalchemy import select

        from app.extensions import db

        g.setdefault(
            key, db.session.scalar(select(Teacher).where(Teacher.user_id == user.id).limit(1))
        )
    return g.get(key)


def _relation_selects():
    """(school_id, enterprise_id, teacher_id) of every active relation between the two."""
    from sqlalchemy import literal, select

    from app.cooperation.models import (
        Application,
        ApplicationChoice,
        Offer,
        Pairing,
        PairingRequest,
        Placement,
        Practice,
    )
    from app.registry.models import Host, SchoolMajor, Teacher
    from app.rounds.models import Match

    no_teacher = literal(None).label("teacher_id")
    pairing = (
        select(SchoolMajor.school_id, Host.enterprise_id, no_teacher)
        .select_from(Pairing)
        .join(SchoolMajor, Pairing.school_major_id == SchoolMajor.id)
        .join(Offer, Pairing.offer_id == Offer.id)
        .join(Host, Offer.host_id == Host.id)
        .where(Pairing.status == "active")
    )
    application = (
        select(Teacher.school_id, Host.enterprise_id, Teacher.id)
        .select_from(Application)
        .join(Teacher, Application.teacher_id == Teacher.id)
        .join(ApplicationChoice, ApplicationChoice.application_id == Application.id)
        .join(Placement, ApplicationChoice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .where(Application.status.in_(ACTIVE_APPLICATION_STATUSES))
    )
    practice = (
        select(Teacher.school_id, Host.enterprise_id, Teacher.id)
        .select_from(Practice)
        .join(Teacher, Practice.teacher_id == Teacher.id)
        .join(Placement, Practice.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .where(Practice.status == "ongoing")
    )
    placement_match = (
        select(Teacher.school_id, Host.enterprise_id, Teacher.id)
        .select_from(Match)
        .join(Application, Match.application_id == Application.id)
        .join(Teacher, Application.teacher_id == Teacher.id)
        .join(Placement, Match.placement_id == Placement.id)
        .join(Host, Placement.host_id == Host.id)
        .where(Match.status.in_(ACTIVE_MATCH_STATUSES))
    )
    offer_match = (
        select(SchoolMajor.school_id, Host.enterprise_id, no_teacher)
        .select_from(Match)
        .join(PairingRequest, Match.pairing_request_id == PairingRequest.id)
        .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
        .join(Offer, Match.offer_id == Offer.id)
        .join(Host, Offer.host_id == Host.id)
        .where(Match.status.in_(ACTIVE_MATCH_STATUSES))
    )
    return [pairing, application, practice, placement_match, offer_match]


def school_relation_selects():
    """Selects of (school_id, enterprise_id, teacher_id) for every active relation: the same
    relations that make partners here (an assessment panel excludes a school's partners)."""
    return _relation_selects()


def partners(user) -> tuple[frozenset[int], frozenset[int]]:
    """(school ids, enterprise ids) in an active relation with the user's organisation."""
    if not _signed_in(user):
        return frozenset(), frozenset()
    key = f"_privacy_partners_{user.id}"
    if has_request_context() and key in g:
        return g.get(key)
    from sqlalchemy import union_all

    from app.extensions import db

    selects = _relation_selects()
    schools: set[int] = set()
    enterprises: set[int] = set()
    if user.role == "enterprise" and user.enterprise_id:
        stmt = union_all(*(s.where(s.selected_columns[1] == user.enterprise_id) for s in selects))
        schools = {row[0] for row in db.session.execute(stmt)}
    elif user.role == "school" and user.school_id:
        stmt = union_all(*(s.where(s.selected_columns[0] == user.school_id) for s in selects))
        enterprises = {row[1] for row in db.session.execute(stmt)}
    elif user.role == "teacher":
        teacher = _teacher_profile(user)
        if teacher is not None:
            personal = [selects[i] for i in (1, 2, 3)]
            stmt = union_all(*(s.where(s.selected_columns[2] == teacher.id) for s in personal))
            enterprises = {row[1] for row in db.session.execute(stmt)}
    result = (frozenset(schools), frozenset(enterprises))
    if has_request_context():
        setattr(g, key, result)
    return result


def _is_own(user, org) -> bool:
    from app.registry.models import School

    if org.is_member(user):
        return True
    if isinstance(org, School) and user.role == "teacher":
        teacher = _teacher_profile(user)
        return user.school_id == org.id or (teacher is not None and teacher.school_id == org.id)
    return False


def contact_access(org, user=None) -> str:
    """FULL, MASKED or NONE: how much of org's contact details the user may see."""
    from app.registry.models import School

    if not _signed_in(user):
        return NONE
    if user.administers_region(org.region_code) or _is_own(user, org):
        return FULL
    school_ids, enterprise_ids = partners(user)
    related = school_ids if isinstance(org, School) else enterprise_ids
    return FULL if org.id in related else MASKED


def contact_of(org, user: Any = ...) -> dict[str, Any]:
    """The contact fields of org as the user (default: the caller) may see them."""
    if user is ...:
        user = current_viewer()
    access = contact_access(org, user)
    if access == FULL:
        name, phone = org.contact_name, org.contact_phone
    elif access == MASKED:
        name, phone = None, mask_phone(org.contact_phone)
    else:
        name, phone = None, None
    return {"contact_name": name, "contact_phone": phone, "contact_access": access}


PHONE_KEYS = ("phone", "mobile", "tel")


def mask_record(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Copy of an audit before/after dict with phone numbers masked."""
    if values is None:
        return None
    masked: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str):
            if any(word in key.lower() for word in PHONE_KEYS):
                value = mask_phone(value)
            else:
                value = mask_phones_in(value)
        masked[key] = value
    return masked


def needs_privacy_consent(user) -> bool:
    """True when a signed-in person has not accepted the current privacy notice."""
    return _signed_in(user) and getattr(user, "privacy_version", None) != PRIVACY_NOTICE_VERSION


def teacher_email_of(teacher, user: Any = ...) -> str | None:
    """A teacher account's email: to the teacher, the school's members and its league's
    administrators (those with a reason to write to them); nobody else."""
    if user is ...:
        user = current_viewer()
    account = teacher.user
    if account is None or not _signed_in(user) or account.closed_at is not None:
        return None
    if user.id == account.id or user.administers_region(teacher.school.region_code):
        return account.email
    if user.role == "school" and user.school_id == teacher.school_id:
        return account.email
    return None


def review_actor_name(review, item, user: Any = ...) -> str | None:
    """The name of the person behind a resource review step: shown to reviewers and to those
    who edit the item (its school's members); others see the step without a name."""
    from app.resources.models import is_reviewer

    if user is ...:
        user = current_viewer()
    if review.actor is None or not _signed_in(user):
        return None
    if is_reviewer(user) or item.can_edit(user):
        return review.actor.name
    return None


#: Keys of audit before/after values that name the person an event is about.
PERSON_KEYS = ("email", "name")


def audit_actor(event) -> str | None:
    """Who did it, as shown: a closed account under its pseudonym (the stored email of an
    audit event never changes; the account's personal fields were erased at closure)."""
    actor = event.actor
    if actor is not None and actor.closed_at is not None:
        return actor.name
    return event.actor_email


def _closed_account_ids() -> frozenset[str]:
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db

    key = "_privacy_closed_ids"
    if has_request_context() and key in g:
        return g.get(key)
    ids = frozenset(
        str(i) for i in db.session.scalars(select(User.id).where(User.closed_at.is_not(None)))
    )
    if has_request_context():
        setattr(g, key, ids)
    return ids


def audit_values(event, values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An event's before/after values as shown: when the event is about a closed account,
    its name and email are hidden (the stored event itself is never edited)."""
    if not values or event.target_type != "User" or event.target_id not in _closed_account_ids():
        return values
    return {k: ("—" if k in PERSON_KEYS else v) for k, v in values.items()}

"""State changes of organisations and hosts, shared by views, API and CLI (flush, never commit)."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common import audit
from app.common.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from app.common.time import utcnow
from app.extensions import db
from app.reference.models import Occupation
from app.registry import uscc as uscc_mod
from app.registry.models import HOST_CLASSES, Claim, Enterprise, Host, Reviewable, School

ENTERPRISE_FIELDS = (
    "name",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
    "description",
    "size_band",
)
SCHOOL_FIELDS = (
    "name",
    "kind",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
    "description",
)
HOST_FIELDS = (
    "name",
    "capacity",
    "region_code",
    "description",
    "teacher_capacity",
    "equipment",
    "partner_school_id",
    "master_name",
    "honour",
    "level",
)
USCC_ERRORS = {
    "length": _l("A credit code has exactly 18 characters."),
    "characters": _l("Only digits and capital letters other than I, O, S, V and Z are allowed."),
    "division": _l("Characters 3 to 8 must be digits (the division code)."),
}


def snapshot(obj, fields) -> dict[str, Any]:
    """The listed attributes of obj, for the audit trail."""
    return {f: getattr(obj, f, None) for f in fields}


def _apply_uscc(org: Reviewable, raw: str | None, required: bool) -> None:
    """Validate and set the credit code; raises ValidationFailed or Conflict."""
    if not raw or not raw.strip():
        if required:
            raise ValidationFailed(
                str(_l("Enter the credit code.")), {"uscc": str(_l("Required."))}
            )
        org.uscc = None
        org.uscc_check_ok = True
        return
    result = uscc_mod.check(raw)
    if result.error:
        message = str(USCC_ERRORS[result.error])
        raise ValidationFailed(message, {"uscc": message})
    if result.code != org.uscc:
        model = type(org)
        clash = db.session.scalar(select(model.id).where(model.uscc == result.code))
        if clash is not None and clash != org.id:
            message = str(_l("This credit code is already registered."))
            raise Conflict(message, {"uscc": message})
        org.uscc = result.code
        org.uscc_check_ok = result.check_ok
        org.uscc_confirmed = False


def _resubmit(org: Reviewable, actor) -> None:
    """A change by its owner sends the profile back to review."""
    if not actor.administers_region(org.region_code):
        org.status = "pending"
        org.review_reason = None
        org.reviewed_at = None
        org.reviewed_by_id = None


def _flush_unique(message: str, field: str) -> None:
    """Flush, turning a unique-constraint race into a Conflict (the session is rolled back)."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(message, {field: message}) from exc


def uscc_warnings(org: Reviewable) -> list[str]:
    """Warnings the owner and reviewer see about the profile."""
    if org.needs_uscc_confirmation:
        return [
            str(
                _l(
                    "The credit code's check character does not match; an administrator must "
                    "confirm the code before approval."
                )
            )
        ]
    return []


def _consent(org: Reviewable, consent: bool | None) -> None:
    if consent is not None:
        from app.account.services import record_consent

        record_consent(org, consent)


def create_enterprise(actor, data: dict[str, Any], consent: bool | None = None) -> Enterprise:
    """Register an enterprise owned by actor; raises ValidationFailed, Conflict or Forbidden.

    `consent` (registration forms): acceptance of the privacy notice, recorded with its
    version; False refuses. None (administrators' imports): nothing recorded."""
    if actor.role not in ("enterprise", "region_admin", "league_admin"):
        raise Forbidden(str(_l("Only enterprise accounts register enterprises.")))
    if actor.role == "enterprise" and actor.enterprise_id is not None:
        raise Conflict(str(_l("Your account already belongs to an enterprise.")))
    if actor.role == "league_admin" and data.get("region_code") != actor.region_code:
        raise Forbidden(str(_l("You may only register records in your own league.")))
    enterprise = Enterprise(status="pending", uscc=None)
    _consent(enterprise, consent)
    _fill_enterprise(enterprise, data)
    db.session.add(enterprise)
    _flush_unique(str(_l("This credit code is already registered.")), "uscc")
    if actor.role == "enterprise":
        actor.enterprise_id = enterprise.id
        actor.membership_role = "owner"
    audit.record(
        actor,
        "enterprise.create",
        enterprise,
        after=snapshot(enterprise, ENTERPRISE_FIELDS + ("uscc", "privacy_version")),
    )
    return enterprise


def _fill_enterprise(enterprise: Enterprise, data: dict[str, Any]) -> None:
    for field in ENTERPRISE_FIELDS:
        if field in data:
            setattr(
                enterprise,
                field,
                data[field] or None if field in ("description", "size_band") else data[field],
            )
    if "industry" in data:
        enterprise.industry_section = data["industry"]
    if "uscc" in data:
        _apply_uscc(enterprise, data["uscc"], required=True)


def _update_profile(actor, org: Reviewable, data: dict[str, Any], fill, fields, noun: str):
    """Apply data to a profile; a real change by its owner sends it back to review."""
    if not org.can_manage(actor):
        raise Forbidden(str(_l("Only the organisation's owners change its profile.")))
    if actor.role == "league_admin" and data.get("region_code", org.region_code) != (
        actor.region_code
    ):
        raise Forbidden(str(_l("You may only register records in your own league.")))
    before = snapshot(org, fields + ("uscc", "status"))
    fill(org, data)
    if snapshot(org, fields + ("uscc", "status")) != before:
        _resubmit(org, actor)
    _flush_unique(str(_l("This credit code is already registered.")), "uscc")
    after = snapshot(org, fields + ("uscc", "status"))
    if after != before:
        audit.record(actor, f"{noun}.update", org, before=before, after=after)
    return org


def update_enterprise(actor, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    """Change an enterprise profile; raises Forbidden, ValidationFailed or Conflict."""
    return _update_profile(
        actor,
        enterprise,
        data,
        _fill_enterprise,
        ENTERPRISE_FIELDS + ("industry_section",),
        "enterprise",
    )


def create_school(actor, data: dict[str, Any], consent: bool | None = None) -> School:
    """Register a school owned by actor; raises ValidationFailed, Conflict or Forbidden
    (`consent` as for create_enterprise)."""
    if actor.role not in ("school", "region_admin", "league_admin"):
        raise Forbidden(str(_l("Only school accounts register schools.")))
    if actor.role == "school" and actor.school_id is not None:
        raise Conflict(str(_l("Your account already belongs to a school.")))
    if actor.role == "league_admin" and data.get("region_code") != actor.region_code:
        raise Forbidden(str(_l("You may only register records in your own league.")))
    school = School(status="pending")
    _consent(school, consent)
    _fill_school(school, data)
    db.session.add(school)
    _flush_unique(str(_l("This credit code is already registered.")), "uscc")
    if actor.role == "school":
        actor.school_id = school.id
        actor.membership_role = "owner"
    audit.record(
        actor,
        "school.create",
        school,
        after=snapshot(school, SCHOOL_FIELDS + ("uscc", "privacy_version")),
    )
    return school


def _fill_school(school: School, data: dict[str, Any]) -> None:
    for field in SCHOOL_FIELDS:
        if field in data:
            setattr(school, field, data[field] or None if field == "description" else data[field])
    if "uscc" in data:
        _apply_uscc(school, data["uscc"], required=False)


def update_school(actor, school: School, data: dict[str, Any]) -> School:
    """Change a school profile; raises Forbidden, ValidationFailed or Conflict."""
    return _update_profile(actor, school, data, _fill_school, SCHOOL_FIELDS, "school")


def review(actor, org: Reviewable, decision: str, reason: str | None, confirm_uscc: bool = True):
    """Approve or reject a profile; raises Forbidden, ValidationFailed or InvalidState."""
    if not org.can_review(actor):
        raise Forbidden(str(_l("Only administrators of this league review its records.")))
    if decision not in ("approve", "reject"):
        raise ValidationFailed(
            str(_l("Decide approve or reject.")), {"decision": str(_l("Choose approve or reject."))}
        )
    reason = (reason or "").strip() or None
    if decision == "reject" and not reason:
        raise ValidationFailed(
            str(_l("Give the reason for rejecting.")),
            {"reason": str(_l("Give the reason for rejecting."))},
        )
    if decision == "approve" and org.needs_uscc_confirmation and not confirm_uscc:
        message = str(_l("Confirm the credit code before approving."))
        raise ValidationFailed(message, {"confirm_uscc": message})
    target = "approved" if decision == "approve" else "rejected"
    if org.status == target:
        raise InvalidState(str(_l("This profile has already been decided that way.")))
    before = {"status": org.status, "review_reason": org.review_reason}
    org.status = target
    org.review_reason = reason
    org.reviewed_at = utcnow()
    org.reviewed_by_id = actor.id
    if decision == "approve" and org.needs_uscc_confirmation:
        org.uscc_confirmed = True
    db.session.flush()
    audit.record(
        actor,
        f"{type(org).__name__.lower()}.{decision}",
        org,
        before=before,
        after={"status": org.status, "review_reason": reason, "uscc_confirmed": org.uscc_confirmed},
    )
    from app.notifications.services import notify_review_result

    notify_review_result(org)
    return org


def _occupations(codes: list[str]) -> list[Occupation]:
    """Occupation rows for codes; raises ValidationFailed naming unknown codes."""
    codes = sorted(set(codes or []))
    if not codes:
        raise ValidationFailed(
            str(_l("Choose at least one occupation.")),
            {"occupation_codes": str(_l("Choose at least one occupation."))},
        )
    rows = db.session.scalars(select(Occupation).where(Occupation.code.in_(codes))).all()
    unknown = sorted(set(codes) - {o.code for o in rows})
    if unknown:
        message = str(_l("Unknown occupation codes: %(codes)s", codes=", ".join(unknown)))
        raise ValidationFailed(message, {"occupation_codes": message})
    return list(rows)


def _fill_host(host: Host, data: dict[str, Any]) -> None:
    for field in HOST_FIELDS:
        if field in data:
            value = data[field]
            if field == "partner_school_id" and not value:
                value = None
            if isinstance(value, str) and field != "name":
                value = value.strip() or None
            setattr(host, field, value)
    if "occupation_codes" in data:
        host.occupations = _occupations(data["occupation_codes"])
    if (
        host.partner_school_id is not None
        and db.session.get(School, host.partner_school_id) is None
    ):
        message = str(_l("Unknown school."))
        raise ValidationFailed(message, {"partner_school_id": message})
    if host.kind == "master_studio" and not (host.master_name and host.level):
        message = str(_l("Required for a master studio."))
        raise ValidationFailed(
            message, {k: message for k in ("master_name", "level") if not getattr(host, k)}
        )


def add_host(actor, enterprise: Enterprise, data: dict[str, Any]) -> Host:
    """Add a host of data['kind'] to the enterprise; raises Forbidden or ValidationFailed."""
    if not enterprise.can_edit(actor):
        raise Forbidden(str(_l("You may not change this enterprise.")))
    kind = data.get("kind")
    if kind not in HOST_CLASSES:
        message = str(_l("Choose workshop, training station or master studio."))
        raise ValidationFailed(message, {"kind": message})
    host = HOST_CLASSES[kind](enterprise_id=enterprise.id, kind=kind)
    with db.session.no_autoflush:
        _fill_host(host, data)
    host.enterprise = enterprise
    db.session.add(host)
    db.session.flush()
    audit.record(
        actor, "host.create", host, after=snapshot(host, HOST_FIELDS + ("kind", "occupation_codes"))
    )
    return host


def update_host(actor, host: Host, data: dict[str, Any]) -> Host:
    """Change a host (its kind stays); raises Forbidden or ValidationFailed."""
    if not host.can_edit(actor):
        raise Forbidden(str(_l("You may not change this host.")))
    before = snapshot(host, HOST_FIELDS + ("occupation_codes",))
    data = {k: v for k, v in data.items() if k != "kind"}
    _fill_host(host, data)
    db.session.flush()
    audit.record(
        actor,
        "host.update",
        host,
        before=before,
        after=snapshot(host, HOST_FIELDS + ("occupation_codes",)),
    )
    return host


def retire_host(actor, host: Host) -> Host:
    """Retire a host: it is no longer offered but its history stays."""
    if not host.can_edit(actor):
        raise Forbidden(str(_l("You may not change this host.")))
    if host.retired_at is not None:
        raise InvalidState(str(_l("This host is already retired.")))
    host.retired_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "host.retire",
        host,
        before={"retired_at": None},
        after={"retired_at": host.retired_at},
    )
    return host


def reinstate_host(actor, host: Host) -> Host:
    """Bring a retired host back into service."""
    if not host.can_edit(actor):
        raise Forbidden(str(_l("You may not change this host.")))
    if host.retired_at is None:
        raise InvalidState(str(_l("This host is not retired.")))
    before = {"retired_at": host.retired_at}
    host.retired_at = None
    db.session.flush()
    audit.record(actor, "host.reinstate", host, before=before, after={"retired_at": None})
    return host


# --- claims of existing records -----------------------------------------------------------


def _has_members(org) -> bool:
    from app.auth.models import User

    column, role = (
        (User.school_id, "school")
        if isinstance(org, School)
        else (
            User.enterprise_id,
            "enterprise",
        )
    )
    return (
        db.session.scalar(select(User.id).where(column == org.id, User.role == role).limit(1))
        is not None
    )


def _same_name(a: str | None, b: str | None) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def claim_organisation(actor, name: str, uscc: str) -> Claim:
    """Ask to take over the school or enterprise (of the actor's kind) that has this name and
    credit code and no members; its league's administrators decide."""
    kind = getattr(actor, "role", None)
    if kind not in ("enterprise", "school"):
        raise Forbidden(str(_l("Only enterprise and school accounts claim organisations.")))
    if actor.enterprise_id or actor.school_id:
        raise Conflict(str(_l("Your account already belongs to a school or enterprise.")))
    if db.session.scalar(
        select(Claim.id).where(Claim.user_id == actor.id, Claim.status == "pending")
    ):
        raise Conflict(str(_l("You already have a claim waiting for a decision.")))
    name = (name or "").strip()
    if not name:
        message = str(_l("Enter the organisation's registered name."))
        raise ValidationFailed(message, {"name": message})
    result = uscc_mod.check(uscc or "")
    if result.error:
        message = str(USCC_ERRORS[result.error])
        raise ValidationFailed(message, {"uscc": message})
    model = School if kind == "school" else Enterprise
    org = db.session.scalar(select(model).where(model.uscc == result.code))
    if org is None or not _same_name(org.name, name):
        message = str(_l("No organisation with this name and credit code is registered."))
        raise ValidationFailed(message, {"uscc": message})
    if _has_members(org):
        message = str(_l("This organisation already has members: ask its owner to invite you."))
        raise Conflict(message, {"uscc": message})
    claim = Claim(
        user_id=actor.id,
        kind=kind,
        school_id=org.id if kind == "school" else None,
        enterprise_id=org.id if kind == "enterprise" else None,
        name=name,
        uscc=result.code,
        status="pending",
    )
    db.session.add(claim)
    db.session.flush()
    audit.record(actor, "claim.create", claim, after={"kind": kind, "organisation_id": org.id})
    return claim


def claims_to_review(actor):
    """Select of pending organisation claims in the administrator's league (all for the region)."""
    stmt = (
        select(Claim).where(Claim.status == "pending", Claim.kind != "teacher").order_by(Claim.id)
    )
    if actor.role == "league_admin":
        stmt = stmt.where(
            Claim.school_id.in_(select(School.id).where(School.region_code == actor.region_code))
            | Claim.enterprise_id.in_(
                select(Enterprise.id).where(Enterprise.region_code == actor.region_code)
            )
        )
    return stmt


def _decide(actor, claim: Claim, decision: str, reason: str | None) -> str | None:
    if decision not in ("approve", "reject"):
        message = str(_l("Choose approve or reject."))
        raise ValidationFailed(message, {"decision": message})
    if claim.status != "pending":
        raise InvalidState(str(_l("This claim has already been decided.")))
    reason = (reason or "").strip() or None
    if decision == "reject" and not reason:
        message = str(_l("Give the reason for rejecting."))
        raise ValidationFailed(message, {"reason": message})
    return reason


def decide_claim(actor, claim: Claim, decision: str, reason: str | None = None) -> Claim:
    """An administrator of the organisation's league approves (the claimant becomes its owner)
    or rejects an organisation claim."""
    if claim.kind == "teacher" or not actor.administers_region(claim.region_code):
        raise Forbidden(str(_l("Only administrators of this league decide its claims.")))
    reason = _decide(actor, claim, decision, reason)
    org = claim.organisation
    db.session.execute(select(type(org).id).where(type(org).id == org.id).with_for_update()).all()
    claimant = claim.user
    if decision == "approve":
        if _has_members(org):
            raise InvalidState(
                str(_l("This organisation has members now; the claim cannot be approved."))
            )
        if claimant.school_id or claimant.enterprise_id or not claimant.active:
            raise InvalidState(str(_l("The claimant's account cannot join an organisation now.")))
        if claim.kind == "school":
            claimant.school_id = org.id
        else:
            claimant.enterprise_id = org.id
        claimant.membership_role = "owner"
    claim.status = "approved" if decision == "approve" else "rejected"
    claim.reason = reason
    claim.decided_by_id = actor.id
    claim.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor, f"claim.{decision}", claim, after={"status": claim.status, "user_id": claimant.id}
    )
    return claim


def teacher_records(school_id: int, name: str) -> list:
    """Teacher records of the school without an account and with this name (e.g. imported)."""
    from app.registry.models import Teacher

    rows = db.session.scalars(
        select(Teacher).where(Teacher.school_id == school_id, Teacher.user_id.is_(None))
    ).all()
    return [t for t in rows if _same_name(t.name, name)]


def claim_teacher_record(actor, school_id: int, name: str) -> Claim:
    """A teacher asks the school to link an existing record with their name to their account."""
    from app.registry.models import Teacher

    if getattr(actor, "role", None) != "teacher":
        raise Forbidden(str(_l("Only teacher accounts claim teacher records.")))
    if db.session.scalar(select(Teacher.id).where(Teacher.user_id == actor.id)):
        raise Conflict(str(_l("You already have a teacher profile.")))
    if db.session.scalar(
        select(Claim.id).where(Claim.user_id == actor.id, Claim.status == "pending")
    ):
        raise Conflict(str(_l("You already have a claim waiting for a decision.")))
    if not teacher_records(school_id, name):
        message = str(_l("The school has no record with this name to claim."))
        raise ValidationFailed(message, {"name": message})
    claim = Claim(user_id=actor.id, kind="teacher", school_id=school_id, name=name.strip())
    db.session.add(claim)
    db.session.flush()
    audit.record(actor, "claim.create", claim, after={"kind": "teacher", "school_id": school_id})
    from app.cooperation.services import _link, school_staff
    from app.notifications.services import notify

    notify(
        school_staff(school_id),
        "teacher_registered",
        {"teacher": claim.name, "school": claim.school.name},
        _link("cooperation.school_teachers"),
    )
    return claim


def decide_teacher_claim(
    actor, claim: Claim, decision: str, teacher_id: int | None = None, reason: str | None = None
) -> Claim:
    """The school's members link the chosen record to the claimant (confirmed), or reject."""
    from app.registry.models import Teacher

    if (
        claim.kind != "teacher"
        or getattr(actor, "role", None) != "school"
        or actor.school_id != claim.school_id
    ):
        raise Forbidden(str(_l("Only the school's staff decide claims of its teacher records.")))
    reason = _decide(actor, claim, decision, reason)
    if decision == "approve":
        candidates = {t.id: t for t in teacher_records(claim.school_id, claim.name)}
        record = candidates.get(teacher_id or 0)
        if record is None:
            message = str(_l("Choose which record belongs to this teacher."))
            raise ValidationFailed(message, {"teacher_id": message})
        if db.session.scalar(select(Teacher.id).where(Teacher.user_id == claim.user_id)):
            raise InvalidState(str(_l("This teacher already has a profile.")))
        record.user_id = claim.user_id
        record.confirmed_at = utcnow()
        record.confirmed_by_id = actor.id
        claim.teacher_id = record.id
    claim.status = "approved" if decision == "approve" else "rejected"
    claim.reason = reason
    claim.decided_by_id = actor.id
    claim.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        f"claim.{decision}",
        claim,
        after={"status": claim.status, "teacher_id": claim.teacher_id},
    )
    return claim

"""Demo members: the demo enterprise and school each get a staff member beside their owner,
and one pending invitation."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.auth.models import ApiToken, Invitation, User
from app.auth.services import hash_password
from app.common.time import utcnow
from app.demo import data
from app.extensions import db


@dataclass
class MembersResult:
    """What the members seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def members_present() -> bool:
    """True when the demo staff members exist."""
    return (
        db.session.scalar(select(User.id).where(User.email == data.ENTERPRISE_STAFF_EMAIL))
        is not None
    )


def seed_members() -> MembersResult:
    """Add the demo staff members and invitations once (flushes, the caller commits); nothing
    when present or when the demo world is missing."""
    if members_present():
        return MembersResult(created=False)
    owners = [
        db.session.scalar(select(User).where(User.email == email))
        for email in (data.ENTERPRISE_EMAIL, data.SCHOOL_EMAIL)
    ]
    if any(o is None or o.organisation is None for o in owners):
        return MembersResult(created=False)
    password_hash = hash_password(data.DEMO_PASSWORD)
    days = current_app.config["INVITATION_TTL_DAYS"]
    made = {"staff members": 0, "invitations": 0}
    for owner, email, name in zip(
        owners,
        (data.ENTERPRISE_STAFF_EMAIL, data.SCHOOL_STAFF_EMAIL),
        ("白雪（经办人，演示）", "高峰（经办人，演示）"),
        strict=True,
    ):
        owner.membership_role = "owner"
        taken = db.session.scalar(select(User.id).where(User.email == email))
        if taken is None:
            db.session.add(
                User(
                    email=email,
                    name=name,
                    role=owner.role,
                    password_hash=password_hash,
                    school_id=owner.school_id,
                    enterprise_id=owner.enterprise_id,
                    membership_role="staff",
                )
            )
            made["staff members"] += 1
        db.session.add(
            Invitation(
                email=data.INVITED_EMAIL.format(kind=owner.role),
                role="staff",
                school_id=owner.school_id,
                enterprise_id=owner.enterprise_id,
                invited_by_id=owner.id,
                # Nobody knows this link: the invitation shows how pending ones look and are
                # withdrawn. Invite yourself to follow a link (it is printed to the log).
                token_hash=ApiToken.hash(secrets.token_urlsafe(32)),
                expires_at=utcnow() + timedelta(days=days),
            )
        )
        made["invitations"] += 1
    db.session.flush()
    return MembersResult(created=True, counts=made)

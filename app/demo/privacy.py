"""Demo privacy records: the demo accounts have accepted the current privacy notice, and one
demo teacher has asked for their account to be closed (so the region administrator's list of
closure requests is not empty)."""

from dataclasses import dataclass, field

from sqlalchemy import select, update

from app.auth.models import ClosureRequest, User
from app.common.privacy import PRIVACY_NOTICE_VERSION
from app.common.time import utcnow
from app.demo import data
from app.extensions import db

#: The demo teacher whose closure request waits for the region administrator.
CLOSING_TEACHER = data.TEACHERS_EMAIL.format(n=3)


@dataclass
class PrivacyResult:
    """What the privacy seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def seed_privacy() -> PrivacyResult:
    """Record the demo accounts' acceptance of the notice and add one pending closure request,
    once (flushes, the caller commits); nothing when the demo world is missing."""
    teacher = db.session.scalar(select(User).where(User.email == CLOSING_TEACHER))
    if teacher is None:
        return PrivacyResult(created=False)
    if db.session.scalar(select(ClosureRequest.id).where(ClosureRequest.user_id == teacher.id)):
        return PrivacyResult(created=False)
    accepted = db.session.execute(
        update(User)
        .where(User.email.like(f"%@{data.DEMO_DOMAIN}"), User.privacy_version.is_(None))
        .values(privacy_version=PRIVACY_NOTICE_VERSION, privacy_accepted_at=utcnow())
    ).rowcount
    db.session.add(
        ClosureRequest(
            user_id=teacher.id,
            status="pending",
            reason="已调离技工院校，不再参加企业实践（演示）",
        )
    )
    db.session.flush()
    return PrivacyResult(created=True, counts={"privacy consents": accepted, "closure requests": 1})

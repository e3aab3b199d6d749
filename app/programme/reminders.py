"""Programme reminders sent by the periodic reminder command (`flask rounds remind`): batches
closing for schools that have not applied, supervision actions due or overdue, objections
awaiting an answer, and each month the teachers behind the enterprise-practice rule. Each
occasion is sent once (its key is kept in programme_sent_reminder)."""

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.common.time import utcnow
from app.extensions import db
from app.notifications.services import notify, organisation_accounts
from app.programme.models import Batch, BatchApplication, Objection, SentReminder
from app.registry.models import School

#: Days before a supervision action is due when its school is reminded.
ACTION_DUE_WITHIN = 3


def _once(key: str, sent: set[str]) -> bool:
    """True (and the key recorded) the first time an occasion comes up."""
    if key in sent:
        return False
    sent.add(key)
    db.session.add(SentReminder(key=key, sent_at=utcnow()))
    return True


def _closing(today: date, sent: set[str]) -> int:
    """A week and a day before an open batch closes, to approved schools without an
    application in it."""
    count = 0
    batches = db.session.scalars(
        select(Batch).where(Batch.opens_on <= today, Batch.closes_on >= today)
    )
    for batch in batches:
        left = (batch.closes_on - today).days
        occasion = "day" if left <= 1 else "week" if left <= 7 else None
        if occasion is None:
            continue
        applied = select(BatchApplication.school_id).where(BatchApplication.batch_id == batch.id)
        schools = db.session.scalars(
            select(School).where(School.status == "approved", School.id.not_in(applied))
        )
        for school in schools:
            if _once(f"batch_closing:{batch.id}:{school.id}:{occasion}", sent):
                notify(
                    organisation_accounts(school),
                    "batch_closing_soon",
                    {"batch": batch.name, "closes_on": batch.closes_on.isoformat()},
                    link=f"/programme/batches/{batch.id}",
                )
                count += 1
    return count


def _supervision(today: date, sent: set[str]) -> int:
    """Open supervision actions due within three days, and again once overdue."""
    from app.resources.models import SupervisionAction, SupervisionVisit

    count = 0
    actions = db.session.execute(
        select(SupervisionAction, SupervisionVisit)
        .join(SupervisionVisit, SupervisionVisit.id == SupervisionAction.visit_id)
        .where(
            SupervisionAction.status == "open",
            SupervisionAction.due_on <= today + timedelta(days=ACTION_DUE_WITHIN),
        )
    )
    for action, visit in actions:
        overdue = action.due_on < today
        kind = "supervision_action_overdue" if overdue else "supervision_action_due"
        if _once(f"{kind}:{action.id}", sent):
            notify(
                organisation_accounts(visit.school),
                kind,
                {"action": action.description[:120], "due_on": action.due_on.isoformat()},
                link=f"/resources/supervision/{visit.id}",
            )
            count += 1
    return count


def _objections(sent: set[str]) -> int:
    """Region administrators, once per objection awaiting an answer."""
    admins = list(
        db.session.scalars(select(User).where(User.role == "region_admin", User.active.is_(True)))
    )
    count = 0
    for objection in db.session.scalars(select(Objection).where(Objection.status == "open")):
        if _once(f"objection_open:{objection.id}", sent):
            notify(
                admins,
                "objection_awaiting",
                {"batch": objection.batch.name, "school": objection.application.school.name},
                link=f"/programme/objections/{objection.id}/answer",
            )
            count += 1
    return count


def _practice(today: date, sent: set[str]) -> int:
    """Once a month, each school with teachers behind the enterprise-practice rule."""
    from app.cooperation.queries import school_compliance

    class _Region:
        is_region_admin = True
        region_code = None

    count = 0
    month = today.strftime("%Y-%m")
    for row in school_compliance(_Region, today):
        if _once(f"practice_behind:{row.id}:{month}", sent):
            school = db.session.get(School, row.id)
            notify(
                organisation_accounts(school),
                "practice_behind",
                {"behind": int(row.behind), "teachers": int(row.teachers)},
                link="/programme/teachers?practice=short",
            )
            count += 1
    return count


def send_reminders(today: date) -> dict[str, int]:
    """Send every programme reminder due today (each occasion once); flushes."""
    sent = set(db.session.scalars(select(SentReminder.key)))
    counts = {
        "batch_closing": _closing(today, sent),
        "supervision": _supervision(today, sent),
        "objections": _objections(sent),
        "practice": _practice(today, sent),
    }
    db.session.flush()
    return counts

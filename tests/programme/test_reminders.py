"""Programme reminders of the periodic reminder command: each occasion once, in the inbox."""

from datetime import timedelta

from sqlalchemy import select

from app.common.time import local_today, utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.programme.models import Batch, BatchApplication, Objection
from app.programme.reminders import send_reminders
from app.resources.models import SupervisionAction, SupervisionVisit
from tests.helpers import login_en
from tests.programme.factories import (
    make_application,
    make_major,
    make_noticed_batch,
    make_phase,
    make_teacher,
)


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def _closing_batch(days_left: int) -> Batch:
    today = local_today()
    batch = Batch(
        phase_id=make_phase().id,
        name=f"批次{days_left}",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=days_left),
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def test_schools_that_have_not_applied_hear_a_week_and_a_day_before_closing(client, world):
    batch = _closing_batch(6)
    make_application(batch, make_major(world.other_school))  # Baotou has applied
    today = local_today()
    assert send_reminders(today)["batch_closing"] == 1
    db.session.commit()
    assert send_reminders(today)["batch_closing"] == 0  # once per occasion
    assert send_reminders(today + timedelta(days=1))["batch_closing"] == 0  # still the week
    db.session.commit()
    assert send_reminders(batch.closes_on - timedelta(days=1))["batch_closing"] == 1  # the day
    db.session.commit()
    assert _kinds(world.users["school"]) == ["batch_closing_soon", "batch_closing_soon"]
    assert _kinds(world.users["school_other"]) == []
    login_en(client, world.users["school"])
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f"Batch {batch.name} closes on {batch.closes_on.isoformat()}" in inbox


def test_far_from_closing_nobody_is_reminded(world):
    _closing_batch(20)
    assert send_reminders(local_today())["batch_closing"] == 0


def test_region_administrators_hear_of_objections_awaiting_an_answer(client, world):
    batch = make_noticed_batch(world.school)
    application = db.session.scalar(
        select(BatchApplication.id).where(BatchApplication.batch_id == batch.id)
    )
    objection = Objection(
        batch_id=batch.id, application_id=application, reason="异议", status="open"
    )
    db.session.add(objection)
    db.session.commit()
    assert send_reminders(local_today())["objections"] == 1
    db.session.commit()
    assert send_reminders(local_today())["objections"] == 0
    assert _kinds(world.users["region_admin"]) == ["objection_awaiting"]
    assert _kinds(world.users["league_admin"]) == []


def test_supervision_actions_remind_before_due_and_when_overdue(world):
    today = local_today()
    visit = SupervisionVisit(school_id=world.school.id, visited_on=today, findings="实训记录不全")
    db.session.add(visit)
    db.session.flush()
    action = SupervisionAction(
        visit_id=visit.id, description="补全实训记录", due_on=today + timedelta(days=2)
    )
    far = SupervisionAction(
        visit_id=visit.id, description="远期", due_on=today + timedelta(days=30)
    )
    db.session.add_all([action, far])
    db.session.commit()
    assert send_reminders(today)["supervision"] == 1
    db.session.commit()
    assert send_reminders(today + timedelta(days=1))["supervision"] == 0
    db.session.commit()
    assert send_reminders(today + timedelta(days=3))["supervision"] == 1  # overdue now
    db.session.commit()
    assert send_reminders(today + timedelta(days=4))["supervision"] == 0
    assert _kinds(world.users["school"]) == [
        "supervision_action_due",
        "supervision_action_overdue",
    ]


def test_schools_hear_monthly_of_teachers_behind_the_practice_rule(app, world):
    teacher = make_teacher(world.school)
    teacher.confirmed_at = utcnow()
    db.session.commit()
    today = local_today().replace(day=10)
    assert send_reminders(today)["practice"] == 1
    db.session.commit()
    assert send_reminders(today + timedelta(days=5))["practice"] == 0  # same month
    db.session.commit()
    assert send_reminders(today + timedelta(days=31))["practice"] == 1  # next month
    db.session.commit()
    assert _kinds(world.users["school"]) == ["practice_behind", "practice_behind"]
    result = app.test_cli_runner().invoke(args=["rounds", "remind"])
    assert "programme reminders:" in result.output

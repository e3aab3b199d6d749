"""Large-round paths: the preview is written in bulk, publishing notifies in bulk; both give
exactly the rows the per-match paths give."""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify_bulk
from app.rounds import jobs, services
from app.rounds.models import Match, MatchRound
from tests.helpers import make_host, make_user
from tests.rounds.factories import (
    make_application,
    make_offer,
    make_pairing_request,
    make_placement,
    make_round,
    make_school_major,
    make_teacher,
)


def _run(round_, user):
    jobs.run_now(round_.id, user.id)
    db.session.expire_all()
    return db.session.get(MatchRound, round_.id)


def _preview(round_) -> list[Match]:
    stmt = select(Match).where(Match.round_id == round_.id).order_by(Match.id)
    return list(db.session.scalars(stmt))


def _expected_notices(matches: list[Match]) -> list[tuple]:
    """What the per-match path (`_notify_both`) would add for these matches."""
    rows = []
    for m in matches:
        seen = set()
        for user in services.applicant_users(m) + services.host_users(m):
            if user.id not in seen:
                seen.add(user.id)
                rows.append(
                    (user.id, "match_proposed", services.match_params(m), services._link(m))
                )
    return rows


def _stored_notices() -> list[tuple]:
    rows = db.session.execute(
        select(Notification.user_id, Notification.kind, Notification.params, Notification.link)
        .where(Notification.kind == "match_proposed")
        .order_by(Notification.id)
    )
    return [tuple(r) for r in rows]


def _key(rows):
    return sorted((u, k, json.dumps(p, sort_keys=True), link) for u, k, p, link in rows)


def test_placement_preview_rows_and_published_notices(world):
    admin = world.users["region_admin"]
    first = make_placement(world.host, seats=2)
    second = make_placement(make_host(world.enterprise), seats=1)
    extra = make_user("enterprise", enterprise=world.enterprise)  # another member: notified
    gone = make_user("enterprise", enterprise=world.enterprise)
    gone.active = False  # an inactive member: never notified
    teachers = [make_teacher(world.school, user=world.users["teacher"])]
    teachers += [make_teacher(world.school) for _ in range(3)]
    apps = [make_application(t, [first, second]) for t in teachers]
    db.session.commit()

    round_ = _run(make_round(admin), admin)
    preview = _preview(round_)
    assert len(preview) == 3 and {m.status for m in preview} == {"preview"}
    assert {m.application_id for m in preview} <= {a.id for a in apps}
    for m in preview:  # every stored row carries its own breakdown, summing to its score
        assert m.round_id == round_.id and not m.locked and not m.excluded
        assert m.pairing_request_id is None and m.offer_id is None
        assert sum(c["points"] for c in m.breakdown) == m.score
        assert {c["criterion"] for c in m.breakdown} >= {"occupation", "choice"}
        assert m.created_at is not None and m.updated_at is not None

    excluded = preview[-1]
    services.exclude_match(admin, excluded, "名额另有安排")
    db.session.commit()
    proposed = [m for m in preview if m.id != excluded.id]
    expected = _expected_notices(proposed)
    recipients = [user_id for user_id, *_rest in expected]
    assert recipients.count(extra.id) == 2 and gone.id not in recipients

    services.publish_round(admin, round_)
    db.session.commit()
    assert _key(_stored_notices()) == _key(expected)
    statuses = {m.id: m.status for m in _preview(round_)}
    assert statuses == {**{m.id: "proposed" for m in proposed}, excluded.id: "preview"}
    assert round_.status == "published" and round_.published_by_id == admin.id


def test_pairing_published_notices_match_the_per_match_path(world):
    admin = world.users["region_admin"]
    make_user("school", school=world.school)  # the school's second account
    major = make_school_major(world.school)
    make_pairing_request(major, wanted=2, modes=("linkage",))
    make_offer(world.host, mode="linkage")
    make_offer(make_host(world.enterprise))
    round_ = _run(make_round(admin, kind="pairing"), admin)
    preview = _preview(round_)
    assert len(preview) == 2
    expected = _expected_notices(preview)
    services.publish_round(admin, round_)
    db.session.commit()
    assert _key(_stored_notices()) == _key(expected)
    assert {m.status for m in _preview(round_)} == {"proposed"}


def test_rerun_keeps_locked_and_excluded_rows_and_replaces_the_rest(world):
    admin = world.users["region_admin"]
    placement = make_placement(world.host, seats=3)
    teachers = [make_teacher(world.school, user=world.users["teacher"])]
    teachers += [make_teacher(world.school) for _ in range(2)]
    for t in teachers:
        make_application(t, [placement])
    round_ = _run(make_round(admin), admin)
    first, second, third = _preview(round_)
    replaced_app = third.application_id
    services.lock_match(admin, first, "已沟通")
    services.exclude_match(admin, second, "不合适")
    db.session.commit()
    round_ = _run(round_, admin)
    rows = {(m.application_id, m.locked, m.excluded): m for m in _preview(round_)}
    assert set(rows) == {
        (first.application_id, True, False),
        (second.application_id, False, True),
        (replaced_app, False, False),
    }
    assert rows[(first.application_id, True, False)].id == first.id
    assert rows[(second.application_id, False, True)].id == second.id
    assert round_.metrics["locked"] == 1 and round_.metrics["optimal"]["matched"] == 2


@pytest.mark.parametrize("mail", [False, True])
def test_notify_bulk_dedups_recipients_and_writes_every_row(app, world, mail, monkeypatch):
    from app.notifications import mail as mail_module

    monkeypatch.setattr(mail_module, "enabled", lambda: mail)
    a, b = world.users["teacher"], world.users["enterprise"]
    items = [
        ([(a.id, a.email), (b.id, b.email), (a.id, a.email)], {"n": 1}, "/x/1"),
        ([(b.id, b.email)], {"n": 2}, None),
        ([], {"n": 3}, "/x/3"),
    ]
    assert notify_bulk("match_proposed", items) == 3
    db.session.flush()
    assert _stored_notices() == [
        (a.id, "match_proposed", {"n": 1}, "/x/1"),
        (b.id, "match_proposed", {"n": 1}, "/x/1"),
        (b.id, "match_proposed", {"n": 2}, None),
    ]
    outbox = db.session.info.get(mail_module.OUTBOX, [])
    assert [address for _row, address in outbox] == ([a.email, b.email, b.email] if mail else [])
    db.session.rollback()

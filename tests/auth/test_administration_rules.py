"""Account administration and membership services called directly: who may administer whom,
what each action changes, and what the audit records (actor, action, target, before, after)."""

import contextlib
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.auth import services
from app.auth.models import User
from app.common.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from app.common.models import AuditEvent
from app.extensions import db
from tests.helpers import BAOTOU, HOHHOT, PASSWORD, make_user


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _only(action: str) -> AuditEvent:
    events = _events(action)
    assert len(events) == 1, events
    return events[0]


def test_who_may_administer_whom(world):
    u = world.users
    region, league, other_league = u["region_admin"], u["league_admin"], u["league_admin_other"]
    # A region administrator: every account but its own, administrators included.
    assert all(services.can_administer(region, x) for n, x in u.items() if n != "region_admin")
    assert not services.can_administer(region, region)
    # A league administrator: the non-administrator accounts of its own league only.
    assert services.can_administer(league, u["teacher"])
    assert services.can_administer(league, u["enterprise_staff"])
    assert not services.can_administer(league, u["enterprise_other"])  # Baotou
    assert not services.can_administer(league, other_league)
    assert not services.can_administer(league, region)
    assert not services.can_administer(league, league)
    assert services.can_administer(other_league, u["enterprise_other"])
    # Other roles and anonymous visitors administer nobody.
    assert not services.can_administer(u["school"], u["school_staff"])
    anonymous = SimpleNamespace(is_authenticated=False, id=None, role="region_admin")
    assert not services.can_administer(anonymous, u["teacher"])
    no_login_state = SimpleNamespace(id=None, role="region_admin")  # not a logged-in user
    assert not services.can_administer(no_login_state, u["teacher"])
    # Another administrator of the same league is out of a league administrator's reach.
    colleague = make_user("league_admin", region_code=HOHHOT)
    assert not services.can_administer(league, colleague)
    assert services.can_administer(region, colleague)


def test_deactivation_records_who_whom_and_the_tokens_it_revoked(world):
    admin, victim = world.users["league_admin"], world.users["enterprise_staff"]
    services.issue_token(victim)
    services.issue_token(victim)
    db.session.commit()
    session_before = victim.session_token
    assert services.deactivate(admin, victim.id) is victim
    db.session.commit()
    assert victim.active is False and victim.session_token != session_before
    assert services.live_token_count(victim) == 0
    event = _only("account.deactivate")
    assert (event.actor_id, event.actor_email) == (admin.id, admin.email)
    assert (event.target_type, event.target_id) == ("User", str(victim.id))
    assert event.before == {"active": True}
    assert event.after == {"active": False, "tokens_revoked": 2}
    with pytest.raises(InvalidState):
        services.deactivate(admin, victim.id)
    assert len(_events("account.deactivate")) == 1


def test_reactivation_records_who_whom_and_leaves_old_sessions_dead(world):
    admin, victim = world.users["region_admin"], world.users["teacher"]
    with pytest.raises(InvalidState):
        services.reactivate(admin, victim.id)  # still active
    services.deactivate(admin, victim.id)
    db.session.commit()
    session_after_deactivation = victim.session_token
    assert services.reactivate(admin, victim.id) is victim
    db.session.commit()
    assert victim.active is True and victim.session_token == session_after_deactivation
    event = _only("account.reactivate")
    assert (event.actor_id, event.target_type, event.target_id) == (
        admin.id,
        "User",
        str(victim.id),
    )
    assert (event.before, event.after) == ({"active": False}, {"active": True})


def test_an_account_outside_reach_is_not_found_and_ones_own_is_forbidden(world):
    u = world.users
    league = u["league_admin"]
    for user_id in (0, -1, 2**31, 10**6):
        with pytest.raises(NotFound):
            services.deactivate(u["region_admin"], user_id)
    with pytest.raises(NotFound):
        services.deactivate(league, u["enterprise_other"].id)  # another league
    with pytest.raises(NotFound):
        services.deactivate(u["school"], u["school_staff"].id)  # not an administrator
    with pytest.raises(Forbidden):
        services.deactivate(league, league.id)
    with pytest.raises(Forbidden):
        services.reactivate(u["region_admin"], u["region_admin"].id)
    assert _events("account.deactivate") == []
    assert all(x.active for x in u.values())


def test_a_region_admin_creates_a_league_admin_and_the_audit_names_both(world):
    region = world.users["region_admin"]
    user = services.create_league_admin(region, "bt@example.cn", PASSWORD, "包头管理员", BAOTOU)
    db.session.commit()
    assert (user.role, user.region_code, user.email) == ("league_admin", BAOTOU, "bt@example.cn")
    event = _only("account.create_league_admin")
    assert (event.actor_id, event.target_type, event.target_id) == (region.id, "User", str(user.id))
    assert event.after == {"email": "bt@example.cn", "region_code": BAOTOU}
    with pytest.raises(Forbidden):
        services.create_league_admin(
            world.users["league_admin"], "x@example.cn", PASSWORD, "x", BAOTOU
        )
    with pytest.raises(ValidationFailed) as missing:
        services.create_league_admin(region, "y@example.cn", PASSWORD, "y", "")
    assert list(missing.value.fields) == ["region_code"]
    assert (
        db.session.scalar(select(User).where(User.email.in_(["x@example.cn", "y@example.cn"])))
        is None
    )


def test_a_role_change_is_audited_with_the_roles_before_and_after(world):
    owner, staff = world.users["school"], world.users["school_staff"]
    assert services.set_member_role(owner, world.school, staff.id, "owner") is staff
    db.session.commit()
    assert staff.membership_role == "owner"
    event = _only("member.role")
    assert (event.actor_id, event.target_type, event.target_id) == (owner.id, "User", str(staff.id))
    assert (event.before, event.after) == (
        {"membership_role": "staff"},
        {"membership_role": "owner"},
    )
    services.set_member_role(owner, world.school, staff.id, "owner")  # no change, no record
    assert len(_events("member.role")) == 1
    # With two owners one may step down to staff.
    services.set_member_role(staff, world.school, owner.id, "staff")
    db.session.commit()
    assert owner.membership_role == "staff"
    with pytest.raises(InvalidState) as last:
        services.set_member_role(staff, world.school, staff.id, "staff")  # the last owner
    assert list(last.value.fields) == ["user_id"]
    assert last.value.fields["user_id"] == str(last.value) != "None"
    with pytest.raises(ValidationFailed) as bad:
        services.set_member_role(staff, world.school, owner.id, "king")
    assert list(bad.value.fields) == ["role"]
    with pytest.raises(Forbidden):
        services.set_member_role(owner, world.school, staff.id, "staff")  # staff now


def test_a_removal_is_audited_with_the_role_and_organisation_it_ended(world):
    owner, staff = world.users["enterprise"], world.users["enterprise_staff"]
    services.remove_member(owner, world.enterprise, staff.id)
    db.session.commit()
    assert (staff.enterprise_id, staff.membership_role) == (None, None)
    event = _only("member.remove")
    assert (event.actor_id, event.target_type, event.target_id) == (owner.id, "User", str(staff.id))
    assert event.before == {"membership_role": "staff", "organisation": "呼和浩特机床厂"}
    assert event.after == {"organisation": None}
    with pytest.raises(NotFound):
        services.remove_member(owner, world.enterprise, staff.id)  # no longer a member
    with pytest.raises(NotFound):
        services.remove_member(owner, world.enterprise, 0)
    with pytest.raises(InvalidState):
        services.remove_member(owner, world.enterprise, owner.id)  # the last owner
    with pytest.raises(Forbidden):
        services.remove_member(world.users["enterprise_other"], world.enterprise, owner.id)
    # The league's administrator may remove members too.
    league = world.users["league_admin"]
    services.remove_member(league, world.school, world.users["school_staff"].id)
    assert _events("member.remove")[-1].actor_id == league.id


def test_ids_outside_the_databases_integer_range_are_never_looked_up(world, monkeypatch):
    """Ids are 32-bit in PostgreSQL: 0, negatives and 2^31 or more are refused as not found
    before any query (a query with such an id would fail there instead of finding nothing)."""
    looked_up: list[int] = []
    real_get = db.session.get

    def spy(model, ident, *args, **kwargs):
        looked_up.append(ident)
        return real_get(model, ident, *args, **kwargs)

    monkeypatch.setattr(db.session, "get", spy)
    admin, owner = world.users["region_admin"], world.users["enterprise"]
    for user_id in (0, -1, 2**31, 2**32):
        with pytest.raises(NotFound):
            services.deactivate(admin, user_id)
        with pytest.raises(NotFound):
            services.remove_member(owner, world.enterprise, user_id)
    assert looked_up == []
    for user_id in (1, 2**31 - 1):
        with contextlib.suppress(NotFound, Forbidden, InvalidState):
            services.remove_member(owner, world.enterprise, user_id)
        db.session.rollback()
    for user_id in (1, 2**31 - 1):
        with contextlib.suppress(NotFound, Forbidden, InvalidState):
            services.deactivate(admin, user_id)
        db.session.rollback()
    assert looked_up == [1, 2**31 - 1, 1, 2**31 - 1]

"""Shared venues: booking with a calendar, the owner's decision, no double booking ever."""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.common.errors import Conflict
from app.extensions import db
from app.resources import services
from app.resources.models import Booking, Venue
from tests import helpers
from tests.helpers import bearer, login_en, token_for
from tests.resources import factories as fx

API = "/api/v1"


def _iso(value):
    return value.isoformat()


def test_school_books_owner_confirms_and_overlaps_are_409(client, world):
    owner_token = token_for(client, world.users["enterprise"])
    created = client.post(
        f"{API}/venues",
        json={
            "name": "呼和浩特公共实训基地",
            "kind": "public_training_base",
            "region_code": helpers.HOHHOT,
            "equipment": "数控车床 20 台",
            "capacity": 25,
            "school_id": world.other_school.id,
        },
        headers=bearer(owner_token),
    )
    assert created.status_code == 201, created.get_json()
    venue = created.get_json()
    assert venue["owner_kind"] == "enterprise" and venue["school_id"] is None
    school_token = token_for(client, world.users["school"])
    start, end = fx.slot()
    url = f"{API}/venues/{venue['id']}/bookings"
    body = {"starts_at": _iso(start), "ends_at": _iso(end), "purpose": "数控实训", "headcount": 20}
    first = client.post(url, json=body, headers=bearer(school_token))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "pending"
    overlap = {
        **body,
        "starts_at": _iso(start + timedelta(hours=1)),
        "ends_at": _iso(end + timedelta(hours=1)),
    }
    other_token = token_for(client, world.users["school_other"])
    clash = client.post(url, json=overlap, headers=bearer(other_token))
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "conflict"
    touching = {**body, "starts_at": _iso(end), "ends_at": _iso(end + timedelta(hours=1))}
    assert client.post(url, json=touching, headers=bearer(other_token)).status_code == 201
    too_many = {
        **body,
        "starts_at": _iso(end + timedelta(days=1)),
        "ends_at": _iso(end + timedelta(days=1, hours=1)),
        "headcount": 26,
    }
    refused = client.post(url, json=too_many, headers=bearer(school_token))
    assert refused.status_code == 422 and "headcount" in refused.get_json()["error"]["fields"]
    backwards = {
        **body,
        "starts_at": _iso(end + timedelta(days=2)),
        "ends_at": _iso(end + timedelta(days=1)),
    }
    assert client.post(url, json=backwards, headers=bearer(school_token)).status_code == 422

    booking_id = first.get_json()["id"]
    assert (
        client.post(
            f"{API}/bookings/{booking_id}/confirm", headers=bearer(school_token)
        ).status_code
        == 403
    )
    confirmed = client.post(f"{API}/bookings/{booking_id}/confirm", headers=bearer(owner_token))
    assert confirmed.get_json()["status"] == "confirmed"
    again = client.post(f"{API}/bookings/{booking_id}/decline", headers=bearer(owner_token))
    assert again.status_code == 409
    # Still blocking once confirmed; a declined booking frees the slot.
    assert client.post(url, json=overlap, headers=bearer(other_token)).status_code == 409
    booking = db.session.get(Booking, booking_id)
    booking.status = "declined"
    db.session.commit()
    assert client.post(url, json=body, headers=bearer(other_token)).status_code == 201


def test_database_refuses_overlap_even_without_the_service(world):
    venue = fx.make_venue(world.enterprise)
    fx.make_booking(venue, world.school)
    start, end = fx.slot()
    db.session.add(
        Booking(
            venue_id=venue.id,
            school_id=world.other_school.id,
            starts_at=start,
            ends_at=end,
            purpose="x",
            headcount=1,
            status="confirmed",
        )
    )
    with pytest.raises(IntegrityError) as info:
        db.session.commit()
    db.session.rollback()
    assert "booking_no_overlap" in str(info.value)
    cancelled = fx.make_booking(venue, world.other_school, status="cancelled")
    cancelled.status = "pending"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_calendar_shows_bookings_by_week_and_month(client, world):
    venue = fx.make_venue(world.enterprise)
    booking = fx.make_booking(venue, world.school, days=2)
    local_day = booking.starts_at.astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    ).date()
    login_en(client, world.users["school"])
    week = client.get(f"/resources/venues/{venue.id}?date={local_day.isoformat()}")
    text = week.get_data(as_text=True)
    assert local_day.strftime("%m-%d") in text
    assert "Waiting for the owner" in text and world.school.name in text
    month = client.get(f"/resources/venues/{venue.id}?view=month&date={local_day.isoformat()}")
    assert "Waiting for the owner" in month.get_data(as_text=True)
    anonymous = client.application.test_client().get(f"/resources/venues/{venue.id}")
    assert world.school.name not in anonymous.get_data(as_text=True)


def test_html_booking_and_owner_decision(client, world):
    venue = fx.make_venue(world.enterprise, capacity=10)
    login_en(client, world.users["school"])
    start, end = fx.slot()
    local = "%Y-%m-%dT%H:%M"
    zone = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    data = {
        "starts_at": start.astimezone(zone).strftime(local),
        "ends_at": end.astimezone(zone).strftime(local),
        "purpose": "实训",
        "headcount": 11,
    }
    too_many = client.post(f"/resources/venues/{venue.id}/book", data=data)
    assert "at most 10 people" in too_many.get_data(as_text=True)
    data["headcount"] = 8
    assert client.post(f"/resources/venues/{venue.id}/book", data=data).status_code == 302
    clash = client.post(f"/resources/venues/{venue.id}/book", data=data)
    assert clash.status_code == 409
    assert "already booked" in clash.get_data(as_text=True)
    booking = db.session.scalar(select(Booking))
    assert services.as_utc(booking.starts_at) == start
    client.post("/auth/logout")
    login_en(client, world.users["enterprise"])
    page = client.get("/resources/bookings").get_data(as_text=True)
    assert "实训" in page and "Confirm" in page
    client.post(f"/resources/bookings/{booking.id}/decline", data={"reason": "设备检修"})
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "declined"
    assert db.session.get(Booking, booking.id).reason == "设备检修"


def _race(app, venue_id: int, user_ids: list[int]) -> tuple[int, int, list]:
    """Each user books an overlapping slot at the same moment; (successes, conflicts, errors)."""
    from app.auth.models import User

    barrier = threading.Barrier(len(user_ids))
    results: list[str] = []
    errors: list = []
    base, _end = fx.slot(days=5)

    def attempt(index: int, user_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            venue = db.session.get(Venue, venue_id)
            data = {
                "starts_at": base + timedelta(minutes=10 * index),
                "ends_at": base + timedelta(hours=2, minutes=10 * index),
                "purpose": "并发",
                "headcount": 5,
            }
            barrier.wait()
            try:
                services.book(user, venue, data)
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("conflict")
            except Exception as exc:  # pragma: no cover - reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, u)) for i, u in enumerate(user_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results.count("ok"), results.count("conflict"), errors


def _school_users(n: int, school) -> list[int]:
    return [helpers.make_user("school", school=school).id for _ in range(n)]


def test_booking_race_on_a_sqlite_file(tmp_path):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'race.db'}"
    race_app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}},
        },
    )
    with race_app.app_context():
        db.create_all()
        helpers.reset_database()
        enterprise = helpers.make_enterprise()
        school = helpers.make_school()
        venue = fx.make_venue(enterprise)
        users = _school_users(8, school)
        ok, conflicts, errors = _race(race_app, venue.id, users)
        assert errors == []
        assert (ok, conflicts) == (1, 7)
        assert db.session.scalar(select(func.count(Booking.id))) == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL race needs TEST_DATABASE_URL",
)
def test_booking_race_on_postgresql(app, world):
    venue = fx.make_venue(world.enterprise)
    users = _school_users(10, world.school)
    db.session.commit()
    ok, conflicts, errors = _race(app, venue.id, users)
    assert errors == []
    assert (ok, conflicts) == (1, 9)
    assert db.session.scalar(select(func.count(Booking.id))) == 1

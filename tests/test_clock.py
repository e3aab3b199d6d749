"""The platform's day turns at 16:00 UTC (midnight in Beijing) in every view that takes a date.

Each test moves the clock (time-machine) to either side of that boundary and asks the real
routes: the answer must follow Beijing's date, whatever the machine's time zone.
"""

from datetime import UTC, date, datetime, timedelta

import time_machine

from app.common.time import local_today
from app.extensions import db
from tests.api.support import API, auth, error_of
from tests.cooperation import factories as coop
from tests.helpers import bearer, login_en, token_for
from tests.programme.factories import make_batch, make_major
from tests.resources import factories as res

#: 2026-12-01 in UTC; Beijing's 2026-12-02 begins at 16:00 UTC.
BEFORE = datetime(2026, 12, 1, 15, 59, 30, tzinfo=UTC)
AFTER = datetime(2026, 12, 1, 16, 0, 30, tzinfo=UTC)
UTC_DAY, BEIJING_NEXT_DAY = date(2026, 12, 1), date(2026, 12, 2)


def test_the_clock_sees_the_beijing_day_turn():
    with time_machine.travel(BEFORE, tick=False):
        assert local_today() == UTC_DAY
    with time_machine.travel(AFTER, tick=False):
        assert local_today() == BEIJING_NEXT_DAY


def _practice_entry(client, world, moment: datetime, on_date: date):
    with time_machine.travel(moment, tick=False):
        teacher = coop.make_teacher(world.school, user=world.users["teacher"])
        practice = coop.make_practice(teacher, coop.make_placement(world.host))
        return client.post(
            f"{API}/practices/{practice.id}/entries",
            json={"on_date": on_date.isoformat(), "description": "车削零件"},
            headers=auth(client, world.users["teacher"]),
        )


def test_practice_day_of_beijing_today_is_accepted_after_16_utc(client, world):
    logged = _practice_entry(client, world, AFTER, BEIJING_NEXT_DAY)
    assert logged.status_code == 201, logged.get_json()
    assert logged.get_json()["entries"][-1]["on_date"] == "2026-12-02"


def test_practice_day_of_beijing_tomorrow_is_refused_before_16_utc(client, world):
    refused = _practice_entry(client, world, BEFORE, BEIJING_NEXT_DAY)
    assert set(error_of(refused, 422)["fields"]) == {"on_date"}


def _apply_to_batch_closing_today(client, world, moment: datetime):
    with time_machine.travel(moment, tick=False):
        batch = make_batch()
        batch.closes_on = UTC_DAY
        db.session.commit()
        return client.post(
            f"{API}/batches/{batch.id}/applications",
            json={"school_major_id": make_major(world.school).id},
            headers=bearer(token_for(client, world.users["school"])),
        )


def test_batch_closing_on_a_day_takes_applications_until_beijing_midnight(client, world):
    response = _apply_to_batch_closing_today(client, world, BEFORE)
    assert response.status_code == 201, response.get_json()


def test_batch_closing_on_a_day_is_closed_from_16_utc(client, world):
    response = _apply_to_batch_closing_today(client, world, AFTER)
    assert response.status_code == 409, response.get_json()


def _round_with_deadline(client, world, moment: datetime, deadline: date):
    with time_machine.travel(moment, tick=False):
        body = {"kind": "placement", "mode": "optimal", "deadline": deadline.isoformat()}
        return client.post(
            f"{API}/rounds",
            json=body,
            headers=bearer(token_for(client, world.users["region_admin"])),
        )


def test_deadline_of_the_beijing_day_is_still_ahead_before_16_utc(client, world):
    created = _round_with_deadline(client, world, BEFORE, UTC_DAY)
    assert created.status_code == 201, created.get_json()
    # a date means the end of that Beijing day: 23:59:59 in Beijing is 15:59:59 UTC
    assert created.get_json()["deadline"].startswith("2026-12-01T15:59:59")


def test_deadline_of_the_utc_day_has_passed_after_16_utc(client, world):
    refused = _round_with_deadline(client, world, AFTER, UTC_DAY)
    assert set(error_of(refused, 422)["fields"]) == {"deadline"}


def _book_at_beijing_midnight(client, world, moment: datetime):
    """The booking form takes Beijing wall-clock times: 00:00 on 2 December is 16:00 UTC."""
    with time_machine.travel(moment, tick=False):
        venue = res.make_venue(world.enterprise, capacity=10)
        login_en(client, world.users["school"])
        data = {
            "starts_at": "2026-12-02T00:00",
            "ends_at": "2026-12-02T02:00",
            "purpose": "夜间实训",
            "headcount": 5,
        }
        return client.post(f"/resources/venues/{venue.id}/book", data=data)


def test_booking_at_beijing_midnight_is_in_the_future_just_before_16_utc(client, world):
    assert _book_at_beijing_midnight(client, world, BEFORE).status_code == 302


def test_booking_at_beijing_midnight_is_in_the_past_just_after_16_utc(client, world):
    refused = _book_at_beijing_midnight(client, world, AFTER + timedelta(minutes=1))
    assert refused.status_code == 200
    assert "Choose a time in the future." in refused.get_data(as_text=True)

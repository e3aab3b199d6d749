"""Time helpers: store UTC, show and count days in Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: The platform's time zone: days (deadlines, "today", practice dates) are Beijing days.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai (UTC's date is a day behind from 00:00 to 08:00 there)."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """The start of a Beijing day, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days (Monday–Friday) after `start`, counting `start` itself
    as the first when it is a working day (a 5-day notice from a Monday ends that Friday)."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted >= days:
                return day
        day += timedelta(days=1)

"""Days are Beijing days: 'today' and midnights follow Asia/Shanghai, not UTC."""

from datetime import UTC, date, datetime

from app.common.time import local_midnight, local_today


def test_local_today_is_a_day_ahead_of_utc_in_the_evening_utc():
    assert local_today(datetime(2026, 11, 29, 15, 59, tzinfo=UTC)) == date(2026, 11, 29)
    assert local_today(datetime(2026, 11, 29, 16, 0, tzinfo=UTC)) == date(2026, 11, 30)


def test_local_midnight_is_16_00_utc_the_day_before():
    assert local_midnight(date(2026, 12, 1)) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_nothing_else_reads_the_machine_clock_for_a_date():
    """Product, demo, matcher and tests take 'now' and 'today' from app/common/time.py only."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    clock = re.compile(r"\b(date\.today|datetime\.(now|utcnow|today)|time\.localtime)\(")
    readers = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("app", "matching", "tests", "scripts")
        for path in sorted((root / folder).rglob("*.py"))
        if path != root / "app" / "common" / "time.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if clock.search(line)
    ]
    assert readers == []

"""Time helpers: store UTC, show Asia/Shanghai."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)

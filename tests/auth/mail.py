"""Reading the emails the app wrote to its log (MAIL_SERVER is not set under tests)."""

import logging
import re

MAIL_LOGGER = "app.notifications.mail"


def links(caplog, path: str) -> list[str]:
    """Tokens of every emailed link to `path` (e.g. '/auth/invitations/') in the log so far."""
    found = []
    for record in caplog.records:
        if record.name == MAIL_LOGGER:
            found += re.findall(re.escape(path) + r"([A-Za-z0-9_\-]+)", record.getMessage())
    return found


def capture(caplog) -> None:
    """Start capturing the mail log."""
    caplog.set_level(logging.WARNING, logger=MAIL_LOGGER)

"""Email copies of notifications through SMTP (stdlib smtplib), sent after the transaction
commits and only when MAIL_SERVER is configured; a failing mail server never breaks a request."""

import logging
import smtplib
import threading
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import event, update

from app.common.time import utcnow
from app.extensions import db

log = logging.getLogger(__name__)
OUTBOX = "gongxue_mail_outbox"
READY = "gongxue_mail_ready"
DIRECT = "gongxue_mail_direct"
DIRECT_READY = "gongxue_mail_direct_ready"
#: The SMTP class used to send; tests replace it with a fake.
SMTP = smtplib.SMTP


def enabled() -> bool:
    """True when MAIL_SERVER is set."""
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def queue(notification, user) -> None:
    """Remember a notification to email once the session commits (no-op when mail is off)."""
    if not enabled() or not getattr(user, "email", None):
        return
    db.session.info.setdefault(OUTBOX, []).append((notification, user.email))


def queue_message(address: str, subject: str, body: str) -> None:
    """Email a message (e.g. a one-use link) once the session commits; without MAIL_SERVER the
    message is written to the log instead, so a developer can follow the link."""
    if not has_app_context():
        return
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = address
    message.set_content(body)
    db.session.info.setdefault(DIRECT, []).append(message)


def _send_direct(messages: list[EmailMessage]) -> None:
    """Send one-use links outside the request (so a password-reset answer takes the same time
    whether or not an email goes out); under tests, at once."""
    if enabled():
        app = current_app._get_current_object()
        if app.testing:
            send(messages)
        else:
            threading.Thread(target=_send_in, args=(app, messages), daemon=True).start()
        return
    for message in messages:
        log.warning(
            "MAIL_SERVER is not set; this email was not sent.\nTo: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            message.get_content(),
        )


def _send_in(app, messages: list[EmailMessage]) -> None:
    with app.app_context():
        send(messages)


def _compose(notification, address: str) -> EmailMessage:
    from app.notifications.messages import render

    text = render(notification.kind, notification.params)
    message = EmailMessage()
    message["Subject"] = text if len(text) <= 120 else text[:117] + "…"
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = address
    body = text
    if notification.link:
        body += "\n\n" + notification.link
    message.set_content(body)
    return message


def send(messages: list[EmailMessage]) -> bool:
    """Send messages over one SMTP connection; False (logged) when the server fails."""
    config = current_app.config
    try:
        with SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notification mail not sent: %s", type(exc).__name__)
        return False
    return True


def _before_commit(session) -> None:
    direct = session.info.pop(DIRECT, None)
    if direct:
        session.info.setdefault(DIRECT_READY, []).extend(direct)
    pending = session.info.pop(OUTBOX, None)
    if not pending:
        return
    session.flush()
    ready = session.info.setdefault(READY, [])
    for notification, address in pending:
        ready.append((notification.id, _compose(notification, address)))


def _after_commit(session) -> None:
    direct = session.info.pop(DIRECT_READY, None)
    if direct and has_app_context():
        _send_direct(direct)
    ready = session.info.pop(READY, None)
    if not ready or not enabled():
        return
    if send([message for _id, message in ready]):
        from app.notifications.models import Notification

        ids = [i for i, _message in ready if i is not None]
        with db.engine.begin() as connection:
            connection.execute(
                update(Notification).where(Notification.id.in_(ids)).values(emailed_at=utcnow())
            )


def _after_rollback(session, previous_transaction=None) -> None:
    session.info.pop(OUTBOX, None)
    session.info.pop(READY, None)
    session.info.pop(DIRECT, None)
    session.info.pop(DIRECT_READY, None)


_installed = False


def install() -> None:
    """Listen for commits and rollbacks of the app's sessions (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(db.session, "before_commit", _before_commit)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_soft_rollback", _after_rollback)
    _installed = True

"""Pages of the notifications domain: the inbox, marking read, the navbar's unread badge."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import login_required
from app.common.http import is_safe_local_path, page_arg
from app.common.views import acting_user as _user
from app.extensions import db
from app.notifications import mail, services
from app.notifications.messages import render
from app.notifications.models import Notification
from app.registry.queries import paginate

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
bp.record_once(lambda state: mail.install())


@bp.app_context_processor
def _inbox_helpers() -> dict:
    """`unread_notifications()` for the navbar badge and `notification_text(n)` for lists."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    return {
        "unread_notifications": unread_notifications,
        "notification_text": lambda n: render(n.kind, n.params),
    }


@bp.route("/")
@login_required
def inbox():
    """The user's notifications, newest first; ?unread=1 shows only unread ones."""
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    unread_only = request.args.get("unread") == "1"
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    pagination = paginate(stmt, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "notifications/inbox.html", pagination=pagination, unread_only=unread_only
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one notification read, then open its link (or go back to the inbox)."""
    notification = db.get_or_404(Notification, notification_id)
    if not notification.can_view(current_user):
        abort(404)
    services.mark_read(_user(), notification)
    db.session.commit()
    if request.form.get("open") and is_safe_local_path(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.inbox"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification of the user read."""
    count = services.mark_all_read(_user())
    db.session.commit()
    flash(_("%(count)s notifications marked read.", count=count), "success")
    return redirect(url_for("notifications.inbox"))

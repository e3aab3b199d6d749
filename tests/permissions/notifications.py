"""Permission rows: the notification inbox and its API."""

from app.extensions import db
from app.notifications.models import Notification
from tests.permissions.common import Row, api_login, logged_in


def _notification(world) -> int:
    """A notification of the enterprise's owner: personal, so its staff member gets 404."""
    row = Notification(user_id=world.users["enterprise"].id, kind="teacher_confirmed", params={})
    db.session.add(row)
    db.session.commit()
    return row.id


ROWS: dict[str, Row] = {
    "GET notifications.inbox": Row("GET", "/notifications/", logged_in(200)),
    "POST notifications.mark_read": Row(
        "POST",
        lambda w: f"/notifications/{_notification(w)}/read",
        {"*": 404, "anonymous": 302, "enterprise": 302, "enterprise_staff": 404},
    ),
    "POST notifications.mark_all_read": Row("POST", "/notifications/read-all", logged_in(302)),
    "GET api.notification_list": Row("GET", "/api/v1/notifications", api_login(200)),
    "POST api.notification_read": Row(
        "POST",
        lambda w: f"/api/v1/notifications/{_notification(w)}/read",
        {"*": 404, "anonymous": 401, "enterprise": 200, "enterprise_staff": 404},
    ),
    "POST api.notification_read_all": Row("POST", "/api/v1/notifications/read-all", api_login(200)),
}

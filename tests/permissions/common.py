"""Shared pieces of the permission table: Row and shorthand for expected answers."""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.helpers import World

ACTORS = (
    "anonymous",
    "enterprise",
    "enterprise_staff",
    "enterprise_other",
    "school",
    "school_staff",
    "school_other",
    "teacher",
    "league_admin",
    "league_admin_other",
    "region_admin",
)
#: The second member (staff) of the test world's Hohhot enterprise and school, and its owner.
STAFF_OF = {"enterprise_staff": "enterprise", "school_staff": "school"}
OWNERS_AND_ADMINS = {"enterprise": 200, "league_admin": 200, "region_admin": 200}
ACTED = {"enterprise": 302, "league_admin": 302, "region_admin": 302}
LEAGUE_ADMINS = {"league_admin": 200, "region_admin": 200}
REGION = {"region_admin": 200}


@dataclass
class Row:
    """One route: how to call it and what each actor gets (``*`` is everyone else)."""

    method: str
    url: str | Callable[[World], str]
    expect: dict[str, int]
    data: dict | Callable[[World], dict] = field(default_factory=dict)

    def status_for(self, actor: str) -> int:
        if actor not in self.expect and actor in STAFF_OF:
            # A staff member does the organisation's work exactly as its owner does, unless
            # the row says otherwise (profile and members are the owners').
            actor = STAFF_OF[actor]
        return self.expect.get(actor, self.expect.get("*"))


def everyone(status: int = 200) -> dict[str, int]:
    return {"*": status}


def logged_in(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    return {"*": status, "anonymous": anonymous}


def only(allowed: dict[str, int], others: int = 403, anonymous: int = 302) -> dict[str, int]:
    return {"*": others, "anonymous": anonymous, **allowed}


def api_login(status: int) -> dict[str, int]:
    return {"*": status, "anonymous": 401}


def api_only(allowed: dict[str, int]) -> dict[str, int]:
    return {"*": 403, "anonymous": 401, **allowed}


def both(endpoint: str, url, get: dict[str, int], post: dict[str, int] | None = None):
    """Rows for a form page: GET shows it, an empty POST re-shows it (or saves unchanged)."""
    return {
        f"GET {endpoint}": Row("GET", url, get),
        f"POST {endpoint}": Row("POST", url, post or get),
    }

"""Import every model so that the metadata (and Alembic autogenerate) sees all tables."""

from app.auth.models import ApiToken, ClosureRequest, User  # noqa: F401
from app.common.models import AuditEvent  # noqa: F401
from app.cooperation.models import (  # noqa: F401
    Application,
    ApplicationChoice,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
)
from app.notifications.models import Notification  # noqa: F401
from app.programme import models as programme_models  # noqa: F401, E402
from app.reference.models import Industry, Major, Occupation, Region  # noqa: F401
from app.registry.models import Enterprise, Host, School, SchoolMajor, Teacher  # noqa: F401
from app.resources import models as resources_models  # noqa: F401, E402
from app.rounds.models import Match, MatchRound  # noqa: F401

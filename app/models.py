"""Import every model so that the metadata (and Alembic autogenerate) sees all tables."""

from app.auth.models import ApiToken, User  # noqa: F401
from app.common.models import AuditEvent  # noqa: F401
from app.reference.models import Industry, Major, Occupation, Region  # noqa: F401
from app.registry.models import Enterprise, Host, School  # noqa: F401

"""Registry pages (placeholder: filled in by the registry UI work)."""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry")

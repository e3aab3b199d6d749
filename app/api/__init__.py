"""JSON API v1 (placeholder: filled in by the API work)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

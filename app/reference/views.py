"""Reference data pages (placeholder: filled in by the reference UI work)."""

from flask import Blueprint

bp = Blueprint("reference", __name__, url_prefix="/reference")

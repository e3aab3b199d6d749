"""Pages of the programme domain."""

from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/programme")

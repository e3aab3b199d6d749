"""Pages of the resources domain."""

from flask import Blueprint

bp = Blueprint("resources", __name__, url_prefix="/resources")

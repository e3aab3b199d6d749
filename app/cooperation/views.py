"""Pages of the cooperation domain."""

from flask import Blueprint

bp = Blueprint("cooperation", __name__, url_prefix="/cooperation")

"""Module packages from partner institutions: upload, safe extraction, validation, review."""

from flask import Blueprint

bp = Blueprint("packages", __name__)

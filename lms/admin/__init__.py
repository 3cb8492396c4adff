"""System administration: accounts, roles, password resets and API tokens."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

"""JSON API v1: bearer tokens with scopes, JSON errors, an OpenAPI 3.1 document."""

from flask import Blueprint

bp = Blueprint("api", __name__)
